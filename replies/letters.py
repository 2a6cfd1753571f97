"""Every standard letter: which regimes it applies to, its subject line, and its rendering.

The public entry points are `render_letter(letter, authority, catalogue)` and
`letter_subject(letter)`. Rendering first checks the letter is complete and lawful
(replies.completeness) and raises IncompleteLetter naming every missing piece; only then is the
template rendered, to text and HTML from one source (replies.render).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from config.exemptions import Catalogue, ExemptionKind, Law, load_catalogue
from config.settings import AuthoritySettings
from intake.regime import Regime
from replies.acknowledgement import (
    AcknowledgementFacts,
    acknowledgement_subject,
    render_acknowledgement,
)
from replies.case import CaseFacts
from replies.completeness import (
    Cited,
    IncompleteLetter,
    Letter,
    LetterError,
    check_letter,
    cite_response,
    law_of,
)
from replies.email import one_line
from replies.notices import (
    Acknowledgement,
    ClarificationChaser,
    ClarificationClosure,
    ClarificationRequest,
    EirExtension,
    FeeLapse,
    FeesNotice,
    PublicInterestExtension,
    ReviewOutcome,
    SarExtension,
    SarResponse,
    StaffReminder,
)
from replies.regulator import regulator_for, regulator_info
from replies.render import Rendered, render
from replies.response import Response

__all__ = [
    "LETTER_REGIMES",
    "IncompleteLetter",
    "Letter",
    "LetterError",
    "LetterKind",
    "kind_of",
    "letter_subject",
    "render_letter",
]


class LetterKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    CLARIFICATION_REQUEST = "clarification-request"
    FEES_NOTICE = "fees-notice"
    PIT_EXTENSION = "pit-extension"
    EIR_EXTENSION = "eir-extension"
    SAR_EXTENSION = "sar-extension"
    RESPONSE = "response"
    REVIEW_OUTCOME = "review-outcome"
    SAR_RESPONSE = "sar-response"
    STAFF_REMINDER = "staff-reminder"
    CLARIFICATION_CHASER = "clarification-chaser"
    CLARIFICATION_CLOSURE = "clarification-closure"
    FEE_LAPSE = "fee-lapse"


_KIND: dict[type[Any], LetterKind] = {
    Acknowledgement: LetterKind.ACKNOWLEDGEMENT,
    ClarificationRequest: LetterKind.CLARIFICATION_REQUEST,
    FeesNotice: LetterKind.FEES_NOTICE,
    PublicInterestExtension: LetterKind.PIT_EXTENSION,
    EirExtension: LetterKind.EIR_EXTENSION,
    SarExtension: LetterKind.SAR_EXTENSION,
    Response: LetterKind.RESPONSE,
    ReviewOutcome: LetterKind.REVIEW_OUTCOME,
    SarResponse: LetterKind.SAR_RESPONSE,
    StaffReminder: LetterKind.STAFF_REMINDER,
    ClarificationChaser: LetterKind.CLARIFICATION_CHASER,
    ClarificationClosure: LetterKind.CLARIFICATION_CLOSURE,
    FeeLapse: LetterKind.FEE_LAPSE,
}

_REQUESTS = frozenset({Regime.FOI, Regime.EIR, Regime.FOISA, Regime.SAR})
_INFORMATION = frozenset({Regime.FOI, Regime.EIR, Regime.FOISA})

# The regimes each letter exists under; the provision is cited beside each.
LETTER_REGIMES: dict[LetterKind, frozenset[Regime]] = {
    LetterKind.ACKNOWLEDGEMENT: frozenset(Regime),
    # FOIA s1(3), EIR reg 9(2), FOISA s1(3); subject access: ICO guidance on clarification.
    LetterKind.CLARIFICATION_REQUEST: _REQUESTS,
    LetterKind.CLARIFICATION_CHASER: _REQUESTS,
    LetterKind.CLARIFICATION_CLOSURE: _REQUESTS,
    # FOIA s9 and FOISA s9; EIR reg 8(4) (advance payment of a charge). The lapse: FOIA s9(2),
    # FOISA s9(4), EIR reg 8(5) (no duty to make the information available unless paid within
    # 60 working days of the notification).
    LetterKind.FEES_NOTICE: frozenset({Regime.FOI, Regime.FOISA, Regime.EIR}),
    LetterKind.FEE_LAPSE: frozenset({Regime.FOI, Regime.FOISA, Regime.EIR}),
    LetterKind.PIT_EXTENSION: frozenset({Regime.FOI}),  # FOIA s10(3); FOISA has none
    LetterKind.EIR_EXTENSION: frozenset({Regime.EIR}),  # EIR reg 7
    LetterKind.SAR_EXTENSION: frozenset({Regime.SAR}),  # UK GDPR Art 12(3)
    LetterKind.RESPONSE: _INFORMATION,
    LetterKind.REVIEW_OUTCOME: frozenset({Regime.REVIEW, Regime.FOISA_REVIEW}),
    LetterKind.SAR_RESPONSE: frozenset({Regime.SAR}),
    LetterKind.STAFF_REMINDER: frozenset(Regime),
}

_SUBJECT = {
    LetterKind.CLARIFICATION_REQUEST: "Please help us understand your request",
    LetterKind.CLARIFICATION_CHASER: "Reminder: we are waiting for your reply",
    LetterKind.CLARIFICATION_CLOSURE: "We have closed your request",
    LetterKind.FEES_NOTICE: "Fees notice for your request",
    LetterKind.FEE_LAPSE: "Your request has lapsed",
    LetterKind.PIT_EXTENSION: "We need more time to consider the public interest",
    LetterKind.EIR_EXTENSION: "We need more time to respond",
    LetterKind.SAR_EXTENSION: "We need more time to respond",
    LetterKind.RESPONSE: "Our response to your request",
    LetterKind.REVIEW_OUTCOME: "The outcome of our review",
    LetterKind.SAR_RESPONSE: "Our response to your subject access request",
    LetterKind.STAFF_REMINDER: "Deadline reminder",
}
# Where the law names the letter differently (EIR reg 8: a charge paid in advance, not a fee).
_SUBJECT_FOR = {
    (LetterKind.FEES_NOTICE, Regime.EIR): "Advance payment for your request",
}

# The fee or charge provisions a letter cites, per regime: (the charge, the lapse).
_FEE_BASIS = {
    Regime.FOI: ("section 9 of FOIA", "section 9(2) of FOIA"),
    Regime.FOISA: ("section 9 of FOISA", "section 9(4) of FOISA"),
    Regime.EIR: ("regulation 8 of the EIR", "regulation 8(5) of the EIR"),
}

_WHAT = {
    Regime.FOI: "request for information",
    Regime.EIR: "request for environmental information",
    Regime.FOISA: "request for information",
    Regime.SAR: "subject access request",
    Regime.REVIEW: "request for a review",
    Regime.FOISA_REVIEW: "requirement for review",
}

# How a letter names each law after the first mention ("section 31(1)(a) of FOIA").
_LAW_OF = {Law.FOIA: "FOIA", Law.EIR: "the EIR", Law.FOISA: "FOISA"}

# The sections each refusal outcome rests on, per law.
_SECTIONS = {
    Law.FOIA: {"cost": "section 12", "vexatious": "section 14(1)", "repeated": "section 14(2)"},
    Law.FOISA: {"cost": "section 12", "vexatious": "section 14(1)", "repeated": "section 14(2)"},
    Law.EIR: {"cost": "", "vexatious": "", "repeated": ""},
}

_REVIEW_BASIS = {
    Law.FOIA: "part 5 of the section 45 Code of Practice",
    Law.EIR: "regulation 11 of the EIR",
    Law.FOISA: "section 20 of FOISA",
}


def kind_of(letter: Letter) -> LetterKind:
    return _KIND[type(letter)]


def letter_subject(letter: Letter) -> str:
    """The email subject: always one line, whatever the requester's own subject contained."""
    case = letter.case
    if isinstance(letter, Acknowledgement):
        return one_line(acknowledgement_subject(case.reference, case.subject))
    kind = kind_of(letter)
    label = _SUBJECT_FOR.get((kind, case.regime)) or _SUBJECT[kind]
    original = one_line(case.subject)
    return one_line(f"[{case.reference}] {label}" + (f": {original}" if original else ""))


def _base(case: CaseFacts, authority: AuthoritySettings) -> dict[str, Any]:
    law = law_of(case.regime)
    regulator = regulator_info(case.regime)
    return {
        "reference": case.reference,
        "requester_name": case.requester_name,
        "received": case.received,
        "subject": case.subject,
        "request_text": case.text,
        "kind": _WHAT[case.regime],
        "law_title": case.regime.law,
        "law_short": law.short if law else case.regime.short,
        "law_of": _LAW_OF[law] if law else case.regime.short,
        "regulator": {
            "key": regulator_for(case.regime).value,
            "name": regulator.name,
            "short": regulator.short,
            "url": regulator.complaint_url,
            "basis": regulator.legal_basis,
        },
        "is_regulator": authority.is_regulator,
        "privacy_url": authority.privacy_url,
        "retention_url": authority.retention_url,
        "review_url": authority.review_url,
        "team": authority.team,
        "authority": authority.name,
        "address": authority.address,
    }


def _exemption_context(cited: Cited) -> dict[str, Any]:
    entry, applied = cited.entry, cited.applied
    return {
        "ref": entry.ref,
        "group": entry.group,
        "title": entry.title,
        "citation": entry.citation,
        "text": entry.text,
        "ncnd_citation": entry.ncnd_citation,
        "ncnd_text": entry.ncnd_text,
        "reason": applied.reason.strip(),
        "pit": entry.needs_public_interest_test,
        "absolute": entry.kind is ExemptionKind.ABSOLUTE,
        "word": "exception" if entry.law is Law.EIR else "exemption",
        "pit_for": [f for f in applied.pit_for if f.strip()],
        "pit_against": [f for f in applied.pit_against if f.strip()],
        "conclusion": applied.conclusion.strip(),
    }


def _response_context(
    response: Response, authority: AuthoritySettings, catalogue: Catalogue
) -> dict[str, Any]:
    cited = cite_response(response, catalogue, authority)
    law = law_of(response.case.regime)
    assert law is not None  # cite_response refused anything else
    sections = _SECTIONS[law]
    return {
        **_base(response.case, authority),
        "on": response.on,
        "outcome": response.outcome.value,
        "summary": response.summary.strip(),
        "explanation": response.explanation.strip(),
        "where": response.where.strip(),
        "previous_request": response.previous_request.strip(),
        "cost": {
            "limit": response.cost.limit.strip(),
            "estimate": response.cost.estimate.strip(),
            "advice": response.cost.advice.strip(),
        },
        "cost_section": sections["cost"],
        "vexatious_section": sections["vexatious"],
        "repeated_section": sections["repeated"],
        "exemptions": [_exemption_context(c) for c in cited],
        "review": {
            "by": response.review_by,
            "url": authority.review_url,
            "basis": _REVIEW_BASIS[law],
        },
    }


def _context(
    letter: Letter, authority: AuthoritySettings, catalogue: Catalogue
) -> tuple[str, dict[str, Any]]:
    if isinstance(letter, Response):
        return "response.j2", _response_context(letter, authority, catalogue)
    assert not isinstance(letter, Acknowledgement)
    base = {**_base(letter.case, authority), "on": letter.on}
    regime = letter.case.regime
    match letter:
        case ClarificationRequest():
            basis = {
                Regime.FOI: "section 1(3) of the Freedom of Information Act 2000",
                Regime.FOISA: "section 1(3) of the Freedom of Information (Scotland) Act 2002",
                Regime.EIR: "regulation 9(2) of the Environmental Information Regulations 2004",
                Regime.SAR: "Article 12 of the UK GDPR",
            }[regime]
            return "clarification_request.j2", {
                **base,
                "questions": letter.questions.strip(),
                "advice": letter.advice.strip(),
                "clarification_basis": basis,
                "clock_pauses": True,
            }
        case ClarificationChaser():
            return "clarification_chaser.j2", {
                **base,
                "asked_on": letter.asked_on,
                "questions": letter.questions.strip(),
                "close_on": letter.close_on,
            }
        case ClarificationClosure():
            return "clarification_closure.j2", {**base, "asked_on": letter.asked_on}
        case FeesNotice():
            fee_basis, lapse_basis = _FEE_BASIS[regime]
            return "fees_notice.j2", {
                **base,
                "amount": letter.amount.strip(),
                "breakdown": letter.breakdown.strip(),
                "how_to_pay": letter.how_to_pay.strip(),
                "schedule": letter.schedule.strip(),
                "pay_by": letter.pay_by,
                "fee_basis": fee_basis,
                "lapse_basis": lapse_basis,
                "eir": regime is Regime.EIR,
                "review_basis": _REVIEW_BASIS[law_of(regime) or Law.FOIA],
            }
        case FeeLapse():
            return "fee_lapse.j2", {
                **base,
                "notice_on": letter.notice_on,
                "amount": letter.amount.strip(),
                "lapse_basis": _FEE_BASIS[regime][1],
                "eir": regime is Regime.EIR,
            }
        case PublicInterestExtension():
            cited = [
                Cited(a, e)
                for a in letter.exemptions
                if (e := catalogue.find(a.ref, Law.FOIA)) is not None
            ]
            return "pit_extension.j2", {
                **base,
                "exemptions": [_exemption_context(c) for c in cited],
                "estimated_date": letter.estimated_date,
            }
        case EirExtension():
            return "eir_extension.j2", {
                **base,
                "new_due": letter.new_due,
                "reason": letter.reason.strip(),
            }
        case SarExtension():
            return "sar_extension.j2", {
                **base,
                "new_due": letter.new_due,
                "reasons": letter.reasons.strip(),
            }
        case SarResponse():
            return "sar_response.j2", {
                **base,
                "enclosed": letter.enclosed.strip(),
                "withheld": letter.withheld.strip(),
            }
        case ReviewOutcome():
            law = law_of(regime) or Law.FOIA
            cited = [
                Cited(a, e)
                for a in letter.exemptions
                if (e := catalogue.find(a.ref, law)) is not None
            ]
            return "review_outcome.j2", {
                **base,
                "outcome": "review",
                "decision": letter.decision.value,
                "findings": letter.findings.strip(),
                "remedy": letter.remedy.strip(),
                "original_reference": letter.original_reference,
                "original_date": letter.original_date,
                "exemptions": [_exemption_context(c) for c in cited],
            }
        case StaffReminder():
            return "staff_reminder.j2", {
                **base,
                "due": letter.due,
                "working_days_left": letter.working_days_left,
                "status": letter.status,
                "assignee": letter.assignee,
            }
    raise LetterError(f"no template for {type(letter).__name__}")  # pragma: no cover


def render_letter(
    letter: Letter,
    authority: AuthoritySettings,
    catalogue: Catalogue | None = None,
) -> Rendered:
    """Render any standard letter to text and HTML.

    Raises LetterError when the letter doesn't exist under the case's regime, and
    IncompleteLetter (a LetterError) listing every piece the law requires that is missing.
    """
    kind = kind_of(letter)
    regime = letter.case.regime
    if regime not in LETTER_REGIMES[kind]:
        raise LetterError(f"there is no {kind.value} letter under {regime.law}")
    if isinstance(letter, Acknowledgement):
        case = letter.case
        facts = AcknowledgementFacts(
            reference=case.reference,
            regime=regime,
            received=case.received,
            due=letter.due,
            requester_name=case.requester_name,
            subject=case.subject,
        )
        return render_acknowledgement(facts, authority)
    catalogue = catalogue if catalogue is not None else load_catalogue()
    check_letter(letter, catalogue, authority)
    template, context = _context(letter, authority, catalogue)
    return render(template, context)
