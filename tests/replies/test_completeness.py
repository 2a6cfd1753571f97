"""Lawful by construction: a refusal can't be rendered without what FOIA s17 / EIR reg 14
require, and the error lists every missing piece at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from config.exemptions import Catalogue
from config.settings import AuthoritySettings
from intake.regime import Regime
from replies import regulator
from replies.completeness import IncompleteLetter, LetterError
from replies.letters import render_letter
from replies.notices import (
    EirExtension,
    FeeLapse,
    FeesNotice,
    PublicInterestExtension,
    ReviewDecision,
    ReviewOutcome,
    SarExtension,
)
from replies.response import AppliedExemption, CostEstimate, Outcome, Response

from .conftest import make_case

ON = date(2024, 7, 12)
BY = date(2024, 9, 10)
COMPLETE = AppliedExemption(
    "s31(1)(a)", "Why it applies.", ("For.",), ("Against.",), "We withhold it."
)


def refused(letter: object, authority: AuthoritySettings, catalogue: Catalogue) -> list[str]:
    with pytest.raises(IncompleteLetter) as caught:
        render_letter(letter, authority, catalogue)  # type: ignore[arg-type]
    assert str(caught.value).startswith("missing ")
    return list(caught.value.missing)


def part(**changes: object) -> Response:
    base = Response(make_case(), Outcome.PART, ON, BY, exemptions=(COMPLETE,))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_complete_refusal_renders(council: AuthoritySettings, catalogue: Catalogue) -> None:
    assert "Section 31 FOIA" in render_letter(part(), council, catalogue).text


@pytest.mark.parametrize(
    ("change", "piece"),
    [
        ({"exemptions": ()}, "at least one exemption relied on (FOIA s17(1)(b))"),
        ({"exemptions": (replace(COMPLETE, reason=" "),)},
         "s31(1)(a): why it applies to this request (FOIA s17(1)(c))"),
        ({"exemptions": (replace(COMPLETE, pit_for=()),)},
         "s31(1)(a): public interest factors in favour of disclosure (FOIA s17(3))"),
        ({"exemptions": (replace(COMPLETE, pit_against=("",)),)},
         "s31(1)(a): public interest factors in favour of maintaining the exemption"),
        ({"exemptions": (replace(COMPLETE, conclusion=""),)},
         "s31(1)(a): the conclusion of the public interest test (FOIA s17(3))"),
        ({"exemptions": (replace(COMPLETE, ref="s99(1)"),)},
         "s99(1): not in the exemption catalogue"),
        ({"exemptions": (replace(COMPLETE, ref="reg12(5)(e)"),)},
         "reg12(5)(e): a provision of the EIR; this request is under FOIA"),
        ({"exemptions": (COMPLETE, replace(COMPLETE, ref="section 31(1)(a)"))},
         "s31(1)(a): cited twice"),
        ({"review_by": None}, "the last date to ask for a review, from the deadline engine"),
        ({"case": make_case(text="  ")}, "the request in the requester's own words"),
    ],
)  # fmt: skip
def test_each_missing_piece_is_refused(
    change: dict[str, object], piece: str, council: AuthoritySettings, catalogue: Catalogue
) -> None:
    missing = refused(part(**change), council, catalogue)
    assert any(piece in m for m in missing), missing


def test_the_review_procedure_link_is_required(catalogue: Catalogue) -> None:
    authority = AuthoritySettings(review_url="")
    missing = refused(part(), authority, catalogue)
    assert missing == ["a link to our review procedure, [authority] review_url (FOIA s17(7)(a))"]


def test_the_right_to_complain_is_required(
    monkeypatch: pytest.MonkeyPatch, council: AuthoritySettings, catalogue: Catalogue
) -> None:
    ico = regulator.REGULATORS[regulator.Regulator.ICO]
    monkeypatch.setitem(
        regulator.REGULATORS, regulator.Regulator.ICO, replace(ico, complaint_url="")
    )
    assert refused(part(), council, catalogue) == [
        "how to complain to the regulator (FOIA s17(7)(b))"
    ]


def test_every_missing_piece_is_listed_at_once(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    bare = part(
        review_by=None,
        exemptions=(AppliedExemption("s31(1)(a)"), AppliedExemption("s43(2)"),
                    AppliedExemption("s40(2)")),
    )  # fmt: skip
    missing = refused(bare, council, catalogue)
    assert len(missing) == 4 + 4 + 1 + 1  # two qualified (4 each), one absolute (reason), review
    assert "s40(2): why it applies to this request (FOIA s17(1)(c))" in missing
    assert not any("s40(2): public interest" in m for m in missing)  # absolute: no test


def test_eir_cites_regulation_14_and_needs_the_public_interest_for_every_exception(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    response = Response(make_case(Regime.EIR), Outcome.WITHHELD, ON, BY,
                        exemptions=(AppliedExemption("reg12(5)(e)", "Why."),))  # fmt: skip
    missing = refused(response, council, catalogue)
    assert (
        "reg12(5)(e): public interest factors in favour of disclosure (EIR reg 14(3)(b))" in missing
    )
    assert any("maintaining the exception" in m for m in missing)


@pytest.mark.parametrize(
    ("regime", "outcome", "pieces"),
    [
        (Regime.FOI, Outcome.COST, ["how we estimated the cost of complying (FOIA s12)",
                                     "advice on how the request could be narrowed (FOIA s16)"]),
        (Regime.FOI, Outcome.ACCESSIBLE, ["where the information can be found (FOIA s21 with s16)",
                                          "s21(1): why it applies to this request"]),
        (Regime.FOI, Outcome.REPEATED, ["the earlier request this one repeats (FOIA s14(2))"]),
        (Regime.FOI, Outcome.VEXATIOUS, ["why we consider the request vexatious (FOIA s14(1))"]),
        (Regime.FOI, Outcome.NCND, ["at least one exemption relied on (FOIA s17(1)(b))"]),
        (Regime.FOI, Outcome.FULL, ["the information provided, or a note of what is enclosed"]),
        (Regime.EIR, Outcome.NOT_HELD, ["reg12(4)(a): why it applies to this request"]),
        (Regime.EIR, Outcome.VEXATIOUS, [
            "reg12(4)(b): why it applies to this request (EIR reg 14(3)(a))",
            "reg12(4)(b): public interest factors in favour of disclosure (EIR reg 14(3)(b))",
        ]),
        (Regime.FOISA, Outcome.ACCESSIBLE, ["where the information can be found (FOISA s25)",
                                            "s25(1): why it applies to this request "
                                            "(FOISA s16(1)(d))"]),
    ],
)  # fmt: skip
def test_outcome_specific_pieces(
    regime: Regime, outcome: Outcome, pieces: list[str],
    council: AuthoritySettings, catalogue: Catalogue,
) -> None:  # fmt: skip
    response = Response(make_case(regime), outcome, ON, BY, cost=CostEstimate(limit="£450"))
    missing = refused(response, council, catalogue)
    for piece in pieces:
        assert any(piece in m for m in missing), (piece, missing)


def test_ncnd_needs_a_provision_excluding_the_duty_to_confirm_or_deny(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    response = Response(make_case(), Outcome.NCND, ON, BY,
                        exemptions=(replace(COMPLETE, ref="s43(2)"),))  # fmt: skip
    assert refused(response, council, catalogue) == [
        "s43(2): the provision excluding the duty to confirm or deny (not in the catalogue)"
    ]


def test_a_full_response_withholds_nothing(
    council: AuthoritySettings, catalogue: Catalogue
) -> None:
    response = Response(make_case(), Outcome.FULL, ON, BY, summary="Here it is.",
                        exemptions=(COMPLETE,))  # fmt: skip
    assert refused(response, council, catalogue) == [
        "no exemptions for a full response (use the outcome 'part')"
    ]


def test_a_response_is_not_a_review_or_sar_letter(council: AuthoritySettings) -> None:
    with pytest.raises(LetterError):
        render_letter(Response(make_case(Regime.SAR), Outcome.FULL, ON, BY, summary="x"), council)


@pytest.mark.parametrize(
    ("letter", "pieces"),
    [
        (FeesNotice(make_case(), ON, "", "", None),
         ["the fee (FOIA s9(1))", "how the fee was worked out", "the date the fee must arrive"]),
        (FeesNotice(make_case(Regime.EIR), ON, "", "", None),
         ["the fee (EIR reg 8(4))",
          "how the fee was worked out (a reasonable amount, EIR reg 8(3))",
          "the date the fee must arrive by, from the deadline engine (EIR reg 8(5))"]),
        (FeesNotice(make_case(Regime.FOISA), ON, "", "", None),
         ["the fee (FOISA s9(1))", "the date the fee must arrive by, from the deadline engine "
          "(FOISA s9(4))"]),
        (FeeLapse(make_case(Regime.EIR), ON, ON, " "), ["the fee that was not paid"]),
        (PublicInterestExtension(make_case(), ON, (), None),
         ["the estimated date of our decision (FOIA s17(2)(b))",
          "the exemption we are considering (FOIA s17(1)(b))"]),
        (PublicInterestExtension(make_case(), ON, (AppliedExemption("s40(2)", "x"),), ON),
         ["s40(2): absolute, so no public interest extension (FOIA s10(3))"]),
        (EirExtension(make_case(Regime.EIR), ON, None, ""),
         ["the new date", "why the request is complex and voluminous (EIR reg 7(1))"]),
        (SarExtension(make_case(Regime.SAR), ON, None, " "),
         ["the new date", "the reasons for the delay (UK GDPR Art 12(3))"]),
        (ReviewOutcome(make_case(Regime.REVIEW), ON, ReviewDecision.PARTLY_UPHELD, "",
                       exemptions=(AppliedExemption("s43(2)"),)),
         ["what the review found", "what we now release or do",
          "s43(2): why it applies", "s43(2): the conclusion of the public interest test"]),
    ],
)  # fmt: skip
def test_other_letters_refuse_missing_pieces(
    letter: object, pieces: list[str], council: AuthoritySettings, catalogue: Catalogue
) -> None:
    missing = refused(letter, council, catalogue)
    for piece in pieces:
        assert any(piece in m for m in missing), (piece, missing)
