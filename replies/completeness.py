"""Lawful by construction: what a letter must contain before it may be rendered.

A refusal notice must say which exemption applies and why, give the public interest reasons for
a qualified one, and tell the requester about the review procedure and their right to complain:
FOIA s17(1), (3) and (7); EIR reg 14(2), (3) and (5); FOISA s16(1), (2) and s19. Every missing
piece is collected and reported at once, so staff fix a draft in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from config.exemptions import Catalogue, Exemption, Law
from config.settings import AuthoritySettings
from intake.regime import Regime
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
from replies.regulator import regulator_info
from replies.response import AppliedExemption, Outcome, Response

Letter = (
    Acknowledgement
    | ClarificationRequest
    | FeesNotice
    | PublicInterestExtension
    | EirExtension
    | SarExtension
    | Response
    | ReviewOutcome
    | SarResponse
    | StaffReminder
    | ClarificationChaser
    | ClarificationClosure
    | FeeLapse
)


class LetterError(ValueError):
    """A letter that can't be drafted as asked."""


class IncompleteLetter(LetterError):
    """Pieces the law (or our own standard) requires are missing; `missing` lists them all."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        super().__init__("missing " + "; ".join(self.missing))


@dataclass(frozen=True)
class Cited:
    """An exemption as the letter will cite it: staff's reasons with the catalogue entry."""

    applied: AppliedExemption
    entry: Exemption


# Which body of exemptions each regime draws on.
_LAW = {
    Regime.FOI: Law.FOIA,
    Regime.REVIEW: Law.FOIA,
    Regime.EIR: Law.EIR,
    Regime.FOISA: Law.FOISA,
    Regime.FOISA_REVIEW: Law.FOISA,
}

# The provisions that require each piece, as messages cite them.
_WHY = {Law.FOIA: "FOIA s17(1)(c)", Law.EIR: "EIR reg 14(3)(a)", Law.FOISA: "FOISA s16(1)(d)"}
_WHICH = {Law.FOIA: "FOIA s17(1)(b)", Law.EIR: "EIR reg 14(3)(a)", Law.FOISA: "FOISA s16(1)(c)"}
_PIT = {Law.FOIA: "FOIA s17(3)", Law.EIR: "EIR reg 14(3)(b)", Law.FOISA: "FOISA s16(2)"}
_REVIEW = {Law.FOIA: "FOIA s17(7)(a)", Law.EIR: "EIR reg 14(5)(a)", Law.FOISA: "FOISA s19(b)"}
_NAME = {Law.FOIA: "FOIA", Law.EIR: "the EIR", Law.FOISA: "FOISA"}
_COST = {Law.FOIA: "FOIA s12", Law.EIR: "EIR reg 12(4)(b)", Law.FOISA: "FOISA s12"}
_ADVICE = {Law.FOIA: "FOIA s16", Law.EIR: "EIR reg 9(1)", Law.FOISA: "FOISA s15"}
_WHERE = {Law.FOIA: "FOIA s21 with s16", Law.EIR: "EIR reg 6(1)(b)", Law.FOISA: "FOISA s25"}
_REPEATED = {Law.FOIA: "FOIA s14(2)", Law.EIR: "EIR reg 12(4)(b)", Law.FOISA: "FOISA s14(2)"}
_VEXATIOUS = {Law.FOIA: "FOIA s14(1)", Law.EIR: "EIR reg 12(4)(b)", Law.FOISA: "FOISA s14(1)"}
_COMPLAIN = {Law.FOIA: "FOIA s17(7)(b)", Law.EIR: "EIR reg 14(5)(b)", Law.FOISA: "FOISA s19(b)"}
# Fees notices: (the fee, how it is worked out, the last day to pay) per regime.
_FEES = {
    Regime.FOI: ("FOIA s9(1)", "Fees Regulations 2004", "FOIA s9(2)"),
    Regime.FOISA: (
        "FOISA s9(1)",
        "Fees for Required Disclosure (Scotland) Regulations 2004",
        "FOISA s9(4)",
    ),
    Regime.EIR: ("EIR reg 8(4)", "a reasonable amount, EIR reg 8(3)", "EIR reg 8(5)"),
}


def law_of(regime: Regime) -> Law | None:
    return _LAW.get(regime)


def implied_exemption(response: Response) -> AppliedExemption | None:
    """The provision an outcome itself relies on, with the reason staff gave for it.

    FOIA s21 for information reasonably accessible; under the EIR a refusal is always an
    exception: reg 12(4)(a) for not held and reg 12(4)(b) for cost, vexatious and repeated
    requests (manifestly unreasonable); FOISA s25 for information otherwise accessible.
    """
    regime, outcome = response.case.regime, response.outcome
    if outcome is Outcome.ACCESSIBLE and regime is Regime.FOI:
        return AppliedExemption("s21(1)", reason=response.where)
    if outcome is Outcome.ACCESSIBLE and regime is Regime.FOISA:
        return AppliedExemption("s25(1)", reason=response.where)
    if regime is Regime.EIR and outcome is Outcome.NOT_HELD:
        return AppliedExemption("reg12(4)(a)", reason=response.explanation)
    if regime is Regime.EIR and outcome in (Outcome.COST, Outcome.VEXATIOUS, Outcome.REPEATED):
        reason = response.explanation or response.cost.estimate
        return AppliedExemption("reg12(4)(b)", reason=reason)
    return None


def applied_exemptions(response: Response, catalogue: Catalogue) -> tuple[AppliedExemption, ...]:
    """Staff's exemptions plus the one the outcome implies (staff's own reasons take priority)."""
    applied = list(response.exemptions)
    implied = implied_exemption(response)
    if implied is not None:
        law = law_of(response.case.regime)
        target = catalogue.find(implied.ref, law)
        for index, given in enumerate(applied):
            if target is not None and catalogue.find(given.ref, law) == target:
                applied[index] = replace(given, reason=given.reason or implied.reason)
                break
        else:
            applied.insert(0, implied)
    return tuple(applied)


def _resolve(
    applied: Sequence[AppliedExemption],
    catalogue: Catalogue,
    law: Law,
    missing: list[str],
) -> list[Cited]:
    cited: list[Cited] = []
    for item in applied:
        entry = catalogue.find(item.ref, law)
        if entry is None:
            missing.append(f"{item.ref}: not in the exemption catalogue (its statutory text)")
        elif entry.law is not law:
            missing.append(
                f"{entry.ref}: a provision of {_NAME[entry.law]}; "
                f"this request is under {_NAME[law]}"
            )
        elif any(c.entry.ref == entry.ref for c in cited):
            missing.append(f"{entry.ref}: cited twice")
        else:
            cited.append(Cited(item, entry))
    return cited


def _reasons(cited: Sequence[Cited], law: Law, missing: list[str], *, ncnd: bool) -> None:
    for c in cited:
        ref = c.entry.ref
        if not c.applied.reason.strip():
            missing.append(f"{ref}: why it applies to this request ({_WHY[law]})")
        if ncnd and not c.entry.ncnd_ref:
            missing.append(
                f"{ref}: the provision excluding the duty to confirm or deny (not in the catalogue)"
            )
        if c.entry.needs_public_interest_test:
            if not [f for f in c.applied.pit_for if f.strip()]:
                missing.append(
                    f"{ref}: public interest factors in favour of disclosure ({_PIT[law]})"
                )
            if not [f for f in c.applied.pit_against if f.strip()]:
                missing.append(
                    f"{ref}: public interest factors in favour of maintaining the "
                    f"{'exception' if law is Law.EIR else 'exemption'} ({_PIT[law]})"
                )
            if not c.applied.conclusion.strip():
                missing.append(f"{ref}: the conclusion of the public interest test ({_PIT[law]})")


def _review_and_complaint(
    response_law: Law,
    regime: Regime,
    review_by: object,
    authority: AuthoritySettings,
    missing: list[str],
) -> None:
    if review_by is None:
        missing.append(
            f"the last date to ask for a review, from the deadline engine ({_REVIEW[response_law]})"
        )
    if not authority.review_url.strip():
        missing.append(
            f"a link to our review procedure, [authority] review_url ({_REVIEW[response_law]})"
        )
    regulator = regulator_info(regime)
    if not regulator.complaint_url.strip() or not regulator.name.strip():
        missing.append(f"how to complain to the regulator ({_COMPLAIN[response_law]})")


def cite_response(
    response: Response, catalogue: Catalogue, authority: AuthoritySettings
) -> list[Cited]:
    """The exemptions the response cites; raises IncompleteLetter listing every missing piece."""
    missing: list[str] = []
    regime, outcome = response.case.regime, response.outcome
    law = law_of(regime)
    if law is None or regime in (Regime.REVIEW, Regime.FOISA_REVIEW):
        raise LetterError(f"a response letter is for FOI, EIR or FOISA requests, not {regime}")
    if not response.case.text.strip():
        missing.append("the request in the requester's own words")
    applied = applied_exemptions(response, catalogue)
    needs_exemption = outcome in (Outcome.PART, Outcome.WITHHELD, Outcome.NCND)
    if outcome is Outcome.FULL:
        if applied:
            missing.append("no exemptions for a full response (use the outcome 'part')")
        if not response.summary.strip():
            missing.append("the information provided, or a note of what is enclosed")
    if needs_exemption and not applied:
        missing.append(f"at least one exemption relied on ({_WHICH[law]})")
    cited = _resolve(applied, catalogue, law, missing)
    _reasons(cited, law, missing, ncnd=outcome is Outcome.NCND)
    if outcome is Outcome.COST:
        # FOIA/FOISA s12 with the Fees Regulations; s16 (FOISA s15, EIR reg 9(1)) advice on
        # bringing the request within the limit. The EIR have no cost limit: the cost goes to
        # whether the request is manifestly unreasonable (reg 12(4)(b)).
        if law is not Law.EIR and not response.cost.limit.strip():
            missing.append(f"the appropriate limit ({_COST[law]}(1) and the Fees Regulations)")
        if not response.cost.estimate.strip():
            missing.append(f"how we estimated the cost of complying ({_COST[law]})")
        if not response.cost.advice.strip():
            missing.append(f"advice on how the request could be narrowed ({_ADVICE[law]})")
    if outcome is Outcome.ACCESSIBLE and not response.where.strip():
        missing.append(f"where the information can be found ({_WHERE[law]})")
    if outcome is Outcome.REPEATED and not response.previous_request.strip():
        missing.append(f"the earlier request this one repeats ({_REPEATED[law]})")
    if outcome is Outcome.VEXATIOUS and not response.explanation.strip():
        missing.append(f"why we consider the request vexatious ({_VEXATIOUS[law]})")
    _review_and_complaint(law, regime, response.review_by, authority, missing)
    if missing:
        raise IncompleteLetter(missing)
    return cited


def check_letter(letter: Letter, catalogue: Catalogue, authority: AuthoritySettings) -> None:
    """Raise IncompleteLetter for a letter other than the response (see cite_response)."""
    missing: list[str] = []

    def need(value: object, piece: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(piece)

    match letter:
        case ClarificationRequest():
            need(letter.questions, "what we need the requester to clarify (FOIA s1(3))")
        case ClarificationChaser():
            need(letter.questions, "what we asked the requester to clarify")
        case FeesNotice():
            fee, worked, lapse = _FEES.get(letter.case.regime, _FEES[Regime.FOI])
            need(letter.amount, f"the fee ({fee})")
            need(letter.breakdown, f"how the fee was worked out ({worked})")
            need(
                letter.pay_by,
                f"the date the fee must arrive by, from the deadline engine ({lapse})",
            )
        case FeeLapse():
            need(letter.amount, "the fee that was not paid")
        case PublicInterestExtension():
            need(letter.estimated_date, "the estimated date of our decision (FOIA s17(2)(b))")
            if not letter.exemptions:
                missing.append("the exemption we are considering (FOIA s17(1)(b))")
            for c in _resolve(letter.exemptions, catalogue, Law.FOIA, missing):
                need(c.applied.reason, f"{c.entry.ref}: why it applies (FOIA s17(1)(c))")
                if not c.entry.needs_public_interest_test:
                    missing.append(
                        f"{c.entry.ref}: absolute, so no public interest extension (FOIA s10(3))"
                    )
        case EirExtension():
            need(letter.new_due, "the new date, from the deadline engine (EIR reg 7(1))")
            need(letter.reason, "why the request is complex and voluminous (EIR reg 7(1))")
        case SarExtension():
            need(letter.new_due, "the new date, from the deadline engine (UK GDPR Art 12(3))")
            need(letter.reasons, "the reasons for the delay (UK GDPR Art 12(3))")
        case ReviewOutcome():
            law = law_of(letter.case.regime) or Law.FOIA
            need(letter.findings, "what the review found")
            if letter.decision is not ReviewDecision.UPHELD:
                need(letter.remedy, "what we now release or do")
            if letter.decision is not ReviewDecision.OVERTURNED:
                cited = _resolve(letter.exemptions, catalogue, law, missing)
                _reasons(cited, law, missing, ncnd=False)
            regulator = regulator_info(letter.case.regime)
            need(regulator.complaint_url, "how to complain to the regulator")
        case SarResponse():
            need(letter.enclosed, "what is enclosed (UK GDPR Art 15(3))")
        case Response():
            cite_response(letter, catalogue, authority)
        case Acknowledgement() | ClarificationClosure() | StaffReminder():
            pass
    if missing:
        raise IncompleteLetter(missing)
