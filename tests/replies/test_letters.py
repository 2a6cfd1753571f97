"""Every letter, for every regime it exists under; every catalogue entry; refused regimes."""

from __future__ import annotations

from datetime import date

import pytest

from config.exemptions import Catalogue, Exemption, Law
from config.settings import AuthoritySettings
from intake.regime import Regime
from replies.case import CaseFacts
from replies.completeness import Letter, LetterError
from replies.letters import LETTER_REGIMES, LetterKind, kind_of, letter_subject, render_letter
from replies.notices import (
    Acknowledgement,
    ClarificationChaser,
    ClarificationClosure,
    ClarificationRequest,
    EirExtension,
    FeeLapse,
    FeesNotice,
    PublicInterestExtension,
    ReviewDecision,
    ReviewOutcome,
    SarExtension,
    SarResponse,
    StaffReminder,
)
from replies.response import AppliedExemption, CostEstimate, Outcome, Response

from .conftest import make_case

ON = date(2024, 7, 12)
LATER = date(2024, 8, 23)
PIT = {
    "pit_for": ("A factor for disclosure.",),
    "pit_against": ("A factor for withholding.",),
    "conclusion": "On balance we withhold it.",
}


def applied(ref: str) -> AppliedExemption:
    return AppliedExemption(ref, reason=f"Why {ref} applies here.", **PIT)  # type: ignore[arg-type]


def letter_for(kind: LetterKind, case: CaseFacts) -> Letter:
    """A complete letter of each kind."""
    exemption = {Regime.FOISA_REVIEW: (), Regime.REVIEW: (applied("s43(2)"),)}
    match kind:
        case LetterKind.ACKNOWLEDGEMENT:
            return Acknowledgement(case, due=LATER)
        case LetterKind.CLARIFICATION_REQUEST:
            return ClarificationRequest(case, ON, "Which years do you mean?", "Try 2020-2023.")
        case LetterKind.CLARIFICATION_CHASER:
            return ClarificationChaser(case, ON, date(2024, 7, 1), "Which years?", LATER)
        case LetterKind.CLARIFICATION_CLOSURE:
            return ClarificationClosure(case, ON, date(2024, 4, 1))
        case LetterKind.FEES_NOTICE:
            return FeesNotice(case, ON, "£12.40", "Photocopying and postage.", LATER)
        case LetterKind.FEE_LAPSE:
            return FeeLapse(case, ON, date(2024, 4, 1), "£12.40")
        case LetterKind.PIT_EXTENSION:
            return PublicInterestExtension(case, ON, (applied("s43(2)"),), LATER)
        case LetterKind.EIR_EXTENSION:
            return EirExtension(case, ON, LATER, "It covers twenty years of monitoring data.")
        case LetterKind.SAR_EXTENSION:
            return SarExtension(case, ON, LATER, "You have made several linked requests.")
        case LetterKind.RESPONSE:
            return Response(case, Outcome.FULL, ON, LATER, summary="The figures are: 42.")
        case LetterKind.REVIEW_OUTCOME:
            return ReviewOutcome(
                case, ON, ReviewDecision.PARTLY_UPHELD, "We looked again at everything.",
                original_reference="IC-1-AAAA", original_date=date(2024, 5, 1),
                exemptions=exemption.get(case.regime, ()), remedy="We now release part 2.",
            )  # fmt: skip
        case LetterKind.SAR_RESPONSE:
            return SarResponse(case, ON, "Your records are enclosed as three PDF files.")
        case LetterKind.STAFF_REMINDER:
            return StaffReminder(case, ON, LATER, 3, "open", "U123")
    raise AssertionError(kind)


PAIRS = [(kind, regime) for kind in LetterKind for regime in sorted(LETTER_REGIMES[kind])]


@pytest.mark.parametrize(("kind", "regime"), PAIRS, ids=[f"{k}-{r}" for k, r in PAIRS])
def test_every_letter_renders_for_every_regime_it_applies_to(
    kind: LetterKind, regime: Regime, council: AuthoritySettings, catalogue: Catalogue
) -> None:
    letter = letter_for(kind, make_case(regime))
    assert kind_of(letter) is kind
    out = render_letter(letter, council, catalogue)
    assert "IC-315773-L9G6" in out.text and "IC-315773-L9G6" in out.html
    assert out.html.startswith("<!DOCTYPE html>")
    if kind is not LetterKind.STAFF_REMINDER:
        assert council.team in out.text  # signed off
    subject = letter_subject(letter)
    assert subject.startswith("[IC-315773-L9G6]") and "\n" not in subject


def test_every_letter_kind_applies_to_some_regime() -> None:
    assert set(LETTER_REGIMES) == set(LetterKind)


WRONG = [
    (kind, regime) for kind in LetterKind for regime in Regime if regime not in LETTER_REGIMES[kind]
]


@pytest.mark.parametrize(("kind", "regime"), WRONG, ids=[f"{k}-{r}" for k, r in WRONG])
def test_a_letter_that_does_not_exist_under_a_regime_is_refused(
    kind: LetterKind, regime: Regime, council: AuthoritySettings
) -> None:
    with pytest.raises(LetterError, match="there is no"):
        render_letter(letter_for(kind, make_case(regime)), council)


@pytest.mark.parametrize(
    ("regime", "wording"),
    [
        (Regime.FOI, "section 1(3) of the Freedom of Information Act 2000"),
        (Regime.EIR, "regulation 9(2) of the Environmental Information Regulations 2004"),
        (Regime.FOISA, "section 1(3) of the Freedom of Information (Scotland) Act 2002"),
        (Regime.SAR, "Article 12 of the UK GDPR"),
    ],
)
def test_clarification_cites_each_regimes_law_with_advice(
    regime: Regime, wording: str, council: AuthoritySettings
) -> None:
    text = render_letter(letter_for(LetterKind.CLARIFICATION_REQUEST, make_case(regime)),
                         council).text  # fmt: skip
    assert wording in text
    assert "Which years do you mean?" in text and "Try 2020-2023." in text  # s16 advice


def test_fees_notice_gives_the_fee_and_the_lapse_date(council: AuthoritySettings) -> None:
    text = render_letter(letter_for(LetterKind.FEES_NOTICE, make_case()), council).text
    assert "£12.40" in text and "section 9 of FOIA" in text and "section 9(2) of FOIA" in text
    assert "Friday 23 August 2024" in text
    scot = render_letter(letter_for(LetterKind.FEES_NOTICE, make_case(Regime.FOISA)), council)
    assert "section 9(4) of FOISA" in scot.text
    assert "Scottish Information Commissioner" in scot.text


def test_eir_advance_payment_notice_cites_regulation_8(council: AuthoritySettings) -> None:
    # EIR reg 8(4): notify the advance payment and its amount; 8(3) a reasonable amount; 8(6)
    # the clock is paused; 8(5) no duty unless paid within 60 working days; 8(8) the schedule.
    case = make_case(Regime.EIR)
    plain = render_letter(letter_for(LetterKind.FEES_NOTICE, case), council).text
    assert "Advance payment" in plain and "The charge is £12.40" in plain
    assert "(regulation 8 of the EIR)" in plain and "(regulation 8(3))" in plain
    assert "(regulation 8(6))" in plain
    assert "by Friday 23 August 2024, 60 working days after this notice" in plain
    assert "(regulation 8(5) of the EIR)" in plain
    assert "is available from us on request (regulation 8(8))" in plain
    assert "reconsider it (regulation 11 of the EIR)" in plain
    assert "(regulation 18 of the EIR)" in plain
    assert "section 9" not in plain and "fees notice" not in plain.lower()
    linked = FeesNotice(case, ON, "£12.40", "Copying.", LATER, schedule="https://example.org/c")
    out = render_letter(linked, council)
    assert "schedule of charges (https://example.org/c)" in out.text
    assert '<a href="https://example.org/c">schedule of charges</a>' in out.html
    assert letter_subject(linked).startswith("[IC-315773-L9G6] Advance payment for your request")


def test_eir_lapse_letter_says_sixty_working_days(council: AuthoritySettings) -> None:
    lapse = render_letter(letter_for(LetterKind.FEE_LAPSE, make_case(Regime.EIR)), council).text
    assert "On Monday 1 April 2024 we told you that a charge of £12.40" in lapse
    assert "request for environmental information of 27 June 2024" in lapse
    assert "within 60 working days of that notice" in lapse
    assert "(regulation 8(5) of the EIR)" in lapse and "three months" not in lapse


def test_public_interest_extension_names_the_exemption_and_the_estimated_date(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    text = render_letter(letter_for(LetterKind.PIT_EXTENSION, make_case()), council).text
    assert "section 10(3) and section 17(2) of FOIA" in text
    assert "Section 43(2) of FOIA states that:" in text
    assert "> " + catalogue["s43(2)"].text in text
    assert "Friday 23 August 2024" in text


def test_extensions_give_the_new_date_and_reasons(council: AuthoritySettings) -> None:
    eir = render_letter(letter_for(LetterKind.EIR_EXTENSION, make_case(Regime.EIR)), council)
    assert "regulation 7(1)" in eir.text and "twenty years" in eir.text
    sar = render_letter(letter_for(LetterKind.SAR_EXTENSION, make_case(Regime.SAR)), council)
    assert "Article 12(3)" in sar.text and "several linked requests" in sar.text
    assert "Friday 23 August 2024" in eir.text and "Friday 23 August 2024" in sar.text


@pytest.mark.parametrize(
    ("decision", "says"),
    [
        (ReviewDecision.UPHELD, "We have decided to uphold our original response."),
        (ReviewDecision.PARTLY_UPHELD, "uphold our original response in part"),
        (ReviewDecision.OVERTURNED, "not to uphold our original response"),
    ],
)
def test_review_outcomes(decision: ReviewDecision, says: str, council: AuthoritySettings) -> None:
    letter = ReviewOutcome(
        make_case(Regime.REVIEW), ON, decision, "We looked again.",
        exemptions=() if decision is ReviewDecision.OVERTURNED else (applied("s43(2)"),),
        remedy="" if decision is ReviewDecision.UPHELD else "We now release it.",
    )  # fmt: skip
    text = render_letter(letter, council).text
    assert says in text
    assert "Information Commissioner's Office (section 50 of FOIA)" in text


def test_a_foisa_review_points_to_the_scottish_commissioner(council: AuthoritySettings) -> None:
    text = render_letter(letter_for(LetterKind.REVIEW_OUTCOME, make_case(Regime.FOISA_REVIEW)),
                         council).text  # fmt: skip
    assert "Scottish Information Commissioner" in text and "section 47 of FOISA" in text
    assert "six months" in text


def test_sar_response_cover(council: AuthoritySettings, ico: AuthoritySettings) -> None:
    letter = letter_for(LetterKind.SAR_RESPONSE, make_case(Regime.SAR))
    text = render_letter(letter, council).text
    assert "three PDF files" in text and "Article 77 of the UK GDPR" in text
    assert "section 167 of the Data Protection Act 2018" in text
    assert "in its role as the regulator of the UK GDPR" in render_letter(letter, ico).text


def test_chasers_and_closures(council: AuthoritySettings) -> None:
    chaser = render_letter(letter_for(LetterKind.CLARIFICATION_CHASER, make_case()), council)
    assert "Monday 1 July 2024" in chaser.text and "Friday 23 August 2024" in chaser.text
    closure = render_letter(letter_for(LetterKind.CLARIFICATION_CLOSURE, make_case()), council)
    assert "three months" in closure.text and "closed your request" in closure.text
    lapse = render_letter(letter_for(LetterKind.FEE_LAPSE, make_case()), council)
    assert "section 9(2) of FOIA" in lapse.text and "£12.40" in lapse.text


@pytest.mark.parametrize(
    ("left", "says"),
    [
        (3, "due in 3 working days"),
        (1, "due in 1 working day"),
        (0, "due today"),
        (-2, "overdue by 2 working days"),
    ],
)
def test_staff_reminder_text(left: int, says: str, council: AuthoritySettings) -> None:
    letter = StaffReminder(make_case(), ON, LATER, left, "awaiting approval", "")
    text = render_letter(letter, council).text
    assert says in text and "awaiting approval" in text and "nobody yet" in text


@pytest.mark.parametrize(
    ("regime", "law_title"),
    [
        (Regime.FOI, "the Freedom of Information Act 2000 (FOIA)"),
        (Regime.EIR, "the Environmental Information Regulations 2004 (EIR)"),
        (Regime.FOISA, "the Freedom of Information (Scotland) Act 2002 (FOISA)"),
    ],
)
def test_the_response_names_the_law_and_the_review_route(
    regime: Regime, law_title: str, council: AuthoritySettings
) -> None:
    text = render_letter(letter_for(LetterKind.RESPONSE, make_case(regime)), council).text
    assert f"We have handled your request under {law_title}." in text
    assert "Friday 23 August 2024" in text  # the last day to ask for a review
    assert {
        Regime.FOI: "part 5 of the section 45 Code of Practice" not in text,  # FOI: plain words
        Regime.EIR: "regulation 11 of the EIR" in text,
        Regime.FOISA: "section 20 of FOISA" in text,
    }[regime]


def _response_for(entry: Exemption) -> Response:
    regime = {Law.FOIA: Regime.FOI, Law.EIR: Regime.EIR, Law.FOISA: Regime.FOISA}[entry.law]
    return Response(
        make_case(regime), Outcome.WITHHELD, ON, LATER, exemptions=(applied(entry.ref),)
    )


def test_every_catalogue_entry_renders(council: AuthoritySettings, catalogue: Catalogue) -> None:
    for entry in catalogue:
        out = render_letter(_response_for(entry), council, catalogue)
        quoted = "\n".join(f"> {line}" for line in entry.text.splitlines())
        assert quoted in out.text, entry.ref
        assert entry.group in out.text, entry.ref
        assert f"{entry.citation[0].upper()}{entry.citation[1:]} of" in out.text, entry.ref
        if entry.needs_public_interest_test:
            assert "- A factor for disclosure." in out.text, entry.ref
        else:
            assert "A factor for disclosure." not in out.text, entry.ref


def test_every_ncnd_provision_renders(council: AuthoritySettings, catalogue: Catalogue) -> None:
    for entry in catalogue:
        if not entry.ncnd_ref:
            continue
        response = Response(
            _response_for(entry).case, Outcome.NCND, ON, LATER, exemptions=(applied(entry.ref),)
        )
        text = render_letter(response, council, catalogue).text
        assert "neither confirm nor deny" in text, entry.ref
        assert f"We are relying on {entry.ncnd_citation}" in text, entry.ref
        assert entry.ncnd_text.splitlines()[0] in text, entry.ref


@pytest.mark.parametrize(
    ("regime", "outcome", "extra", "says"),
    [
        (Regime.FOI, Outcome.NOT_HELD, {"explanation": "We searched the finance system."},
         "We do not hold the information you asked for."),
        (Regime.FOI, Outcome.COST, {"cost": CostEstimate("£450", "It would take 60 hours.",
                                                          "Ask for one year only.")},
         "(section 12 of FOIA). The limit that applies to us is £450."),
        (Regime.FOI, Outcome.VEXATIOUS, {"explanation": "The 40th request this month."},
         "because we consider it vexatious (section 14(1) of FOIA)"),
        (Regime.FOI, Outcome.REPEATED, {"previous_request": "IC-1-AAAA of 1 May 2024"},
         "(section 14(2) of FOIA). The earlier request: IC-1-AAAA of 1 May 2024"),
        (Regime.FOI, Outcome.ACCESSIBLE, {"where": "https://example.org/spending"},
         "We are not providing this information under section 21(1) of FOIA"),
        (Regime.EIR, Outcome.NOT_HELD, {"explanation": "We searched the planning files."},
         "We are relying on regulation 12(4)(a) of the EIR"),
        (Regime.EIR, Outcome.COST, {"cost": CostEstimate("", "It would take 200 hours.",
                                                          "Ask for one site only."),
                                    "exemptions": (AppliedExemption("reg12(4)(b)", **PIT),)},  # type: ignore[arg-type]
         "because we consider it manifestly unreasonable"),
        (Regime.EIR, Outcome.ACCESSIBLE, {"where": "https://example.org/air"},
         "(regulation 6(1)(b) of the EIR). You can find it here: https://example.org/air"),
        (Regime.FOISA, Outcome.COST, {"cost": CostEstimate("£600", "200 hours.", "Narrow it.")},
         "(section 12 of FOISA). The limit that applies to us is £600."),
        (Regime.FOISA, Outcome.ACCESSIBLE, {"where": "https://example.scot/spending"},
         "We are not providing this information under section 25(1) of FOISA"),
    ],
)  # fmt: skip
def test_each_refusal_outcome(
    regime: Regime,
    outcome: Outcome,
    extra: dict[str, object],
    says: str,
    council: AuthoritySettings,
    catalogue: Catalogue,
) -> None:
    response = Response(make_case(regime), outcome, ON, LATER, **extra)  # type: ignore[arg-type]
    text = render_letter(response, council, catalogue).text
    assert says in text
    if outcome is Outcome.COST:
        assert "Advice and assistance" in text and response.cost.advice in text


def test_a_foisa_refusal_quotes_foisa_not_foia(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    # s35(1)(a) is law enforcement in FOISA and government policy in FOIA: a FOISA letter must
    # quote FOISA's words, under FOISA's heading, with the Scottish Commissioner as regulator.
    response = Response(
        make_case(Regime.FOISA), Outcome.PART, ON, LATER, exemptions=(applied("s35(1)(a)"),)
    )
    text = render_letter(response, council, catalogue).text
    assert "Section 35 FOISA" in text
    assert "Some of the information has been withheld under section 35(1)(a) of FOISA." in text
    assert "> (a) the prevention or detection of crime;" in text
    assert "government policy" not in text
    assert "Scottish Information Commissioner" in text and "section 47 of FOISA" in text
    accessible = Response(
        make_case(Regime.FOISA), Outcome.ACCESSIBLE, ON, LATER, where="https://example.scot/x"
    )
    text = render_letter(accessible, council, catalogue).text
    assert "> " + catalogue.find("s25(1)", Law.FOISA).text in text  # type: ignore[union-attr]
    assert "This is an absolute exemption" in text


# Every response outcome under every regime a response is written under, with what each needs.
_NEEDS: dict[Outcome, dict[str, object]] = {
    Outcome.FULL: {"summary": "The figures are: 42."},
    Outcome.PART: {"summary": "Part of it is enclosed."},
    Outcome.WITHHELD: {},
    Outcome.NOT_HELD: {"explanation": "We searched the finance system and the paper files."},
    Outcome.NCND: {},
    Outcome.COST: {"cost": CostEstimate("£450", "It would take 60 hours.", "Ask for one year.")},
    Outcome.VEXATIOUS: {"explanation": "The 40th request on this subject this month."},
    Outcome.REPEATED: {
        "previous_request": "IC-1-AAAA of 1 May 2024",
        "explanation": "We answered the same request in full six weeks ago.",
    },
    Outcome.ACCESSIBLE: {"where": "https://example.org/spending"},
}
# An exemption each law can cite for part, withheld and NCND (one with an NCND provision).
_CITES = {Regime.FOI: "s31(1)(a)", Regime.EIR: "reg12(5)(a)", Regime.FOISA: "s35(1)(a)"}
# EIR refusals for cost, vexatious and repeated are reg 12(4)(b): its public interest test.
_EIR_MU = (AppliedExemption("reg12(4)(b)", **PIT),)  # type: ignore[arg-type]
OUTCOME_PAIRS = [(r, o) for r in (Regime.FOI, Regime.EIR, Regime.FOISA) for o in Outcome]


@pytest.mark.parametrize(
    ("regime", "outcome"), OUTCOME_PAIRS, ids=[f"{r}-{o}" for r, o in OUTCOME_PAIRS]
)
def test_every_outcome_under_every_response_regime(
    regime: Regime, outcome: Outcome, council: AuthoritySettings, catalogue: Catalogue
) -> None:
    extra = dict(_NEEDS[outcome])
    if outcome in (Outcome.PART, Outcome.WITHHELD, Outcome.NCND):
        extra["exemptions"] = (applied(_CITES[regime]),)
    if regime is Regime.EIR and outcome in (Outcome.COST, Outcome.VEXATIOUS, Outcome.REPEATED):
        extra["exemptions"] = _EIR_MU
    response = Response(make_case(regime), outcome, ON, LATER, **extra)  # type: ignore[arg-type]
    if regime is Regime.FOISA and outcome is Outcome.NCND:
        # FOISA s18 is not in the shipped catalogue (no copy of its text was to hand): the
        # letter is refused, naming what is missing, until an authority adds it.
        with pytest.raises(LetterError, match="confirm or deny"):
            render_letter(response, council, catalogue)
        return
    out = render_letter(response, council, catalogue)
    assert "This concludes our response to your request." in out.text
    assert "the last day to ask is" in out.text or "no later than" in out.text
    assert "Friday 23 August 2024" in out.text and council.team in out.text
    assert ("Scottish Information Commissioner" in out.text) is (regime is Regime.FOISA)
