"""The draft response form: its modal, reading it back, the letter it makes, and the draft as
posted for approval. Pure: values in, views and letters out.

The modal shows the fields the chosen outcome needs (the outcome menu redraws it), but the
law decides what is missing: the letter's own completeness check (replies.completeness) runs
on submit and its findings are shown beside the fields they concern.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.slack.blocks import (
    Block,
    actions,
    button,
    clip,
    confirm_dialog,
    context,
    esc,
    header,
    input_block,
    long_date,
    mention,
    option,
    plain,
    section,
    text_input,
)
from bot.slack.cards import Action
from bot.slack.modals import View, selected, selected_many, text_of
from config.exemptions import Catalogue, Exemption, Law
from replies.case import CaseFacts
from replies.notices import ReviewDecision, ReviewOutcome, SarResponse
from replies.response import AppliedExemption, CostEstimate, Outcome, Response


class LetterType(StrEnum):
    """Which response letter a case gets, by its regime."""

    RESPONSE = "response"  # FOI, EIR, FOISA: FOIA s17 / EIR reg 14 / FOISA s16
    REVIEW = "review"  # internal review outcome: s45 Code part 5, EIR reg 11, FOISA s21
    SAR = "sar"  # subject access response cover letter: UK GDPR Art 15


SAR_RESPONSE = "sar-response"  # the one outcome of a subject access response

OUTCOME_NAMES: dict[str, str] = {
    Outcome.FULL: "Provided in full",
    Outcome.PART: "Provided in part (exemptions)",
    Outcome.WITHHELD: "Withheld in full (exemptions)",
    Outcome.NOT_HELD: "Not held",
    Outcome.NCND: "Neither confirm nor deny",
    Outcome.COST: "Refused: cost limit",
    Outcome.VEXATIOUS: "Refused: vexatious",
    Outcome.REPEATED: "Refused: repeated request",
    Outcome.ACCESSIBLE: "Reasonably accessible elsewhere",
    ReviewDecision.UPHELD: "Review: original response upheld",
    ReviewDecision.PARTLY_UPHELD: "Review: partly upheld",
    ReviewDecision.OVERTURNED: "Review: overturned",
    SAR_RESPONSE: "Subject access response",
}

OUTCOMES: dict[LetterType, tuple[str, ...]] = {
    LetterType.RESPONSE: tuple(o.value for o in Outcome),
    LetterType.REVIEW: tuple(d.value for d in ReviewDecision),
    LetterType.SAR: (SAR_RESPONSE,),
}

OUTCOME_ACTION = "draft_outcome"  # the outcome menu: choosing one redraws the modal

# Which fields each outcome shows, beyond the outcome itself.
_EXEMPTION_FIELDS = ("exemptions", "reason", "pit_for", "pit_against", "conclusion")
FIELDS: dict[str, tuple[str, ...]] = {
    Outcome.FULL: ("summary",),
    Outcome.PART: ("summary", *_EXEMPTION_FIELDS),
    Outcome.WITHHELD: (*_EXEMPTION_FIELDS, "summary"),
    Outcome.NCND: (*_EXEMPTION_FIELDS, "summary"),
    Outcome.NOT_HELD: ("explanation", "summary"),
    Outcome.COST: ("cost_limit", "cost_estimate", "cost_advice", "summary"),
    Outcome.VEXATIOUS: ("explanation", "summary"),
    Outcome.REPEATED: ("previous_request", "explanation", "summary"),
    Outcome.ACCESSIBLE: ("where", "summary"),
    ReviewDecision.UPHELD: ("findings", *_EXEMPTION_FIELDS),
    ReviewDecision.PARTLY_UPHELD: ("findings", "remedy", *_EXEMPTION_FIELDS),
    ReviewDecision.OVERTURNED: ("findings", "remedy"),
    SAR_RESPONSE: ("enclosed", "withheld"),
}

_LABELS = {
    "summary": ("Our response", "The information, or what is enclosed. Paragraphs as typed."),
    "exemptions": ("Exemptions relied on", "Type to search the catalogue."),
    "reason": ("Why they apply here", "For each exemption: why it applies to this information."),
    "pit_for": ("Public interest: for disclosure", "One factor per line."),
    "pit_against": ("Public interest: for the exemption", "One factor per line."),
    "conclusion": ("Public interest: conclusion", "Where the balance lies, and why."),
    "explanation": ("Explanation", "Not held: the searches made. Vexatious: why."),
    "cost_limit": ("The appropriate limit", "e.g. £450: 18 hours at £25 an hour"),
    "cost_estimate": ("Our estimate", "What would have to be done and how long it would take."),
    "cost_advice": ("Advice on narrowing (s16)", "How the request could come within the limit."),
    "where": ("Where it can be found", "A link or where to look."),
    "previous_request": ("The earlier request", "Its reference and date."),
    "findings": ("What the review found", "What the reviewer looked at and concluded."),
    "remedy": ("What we now release or do", "For a review partly upheld or overturned."),
    "enclosed": ("What is enclosed", "What the requester gets and how it is organised."),
    "withheld": ("Anything withheld", "And the DPA 2018 exemption relied on."),
}

MULTILINE = {
    "summary",
    "reason",
    "pit_for",
    "pit_against",
    "conclusion",
    "explanation",
    "cost_estimate",
    "cost_advice",
    "findings",
    "remedy",
    "enclosed",
    "withheld",
}

_FIRST = {
    LetterType.RESPONSE: Outcome.FULL.value,
    LetterType.REVIEW: ReviewDecision.UPHELD.value,
    LetterType.SAR: SAR_RESPONSE,
}


@dataclass(frozen=True)
class DraftForm:
    outcome: str = Outcome.FULL.value
    exemptions: tuple[str, ...] = ()  # catalogue refs
    reason: str = ""
    pit_for: str = ""
    pit_against: str = ""
    conclusion: str = ""
    summary: str = ""
    explanation: str = ""
    cost_limit: str = ""
    cost_estimate: str = ""
    cost_advice: str = ""
    where: str = ""
    previous_request: str = ""
    findings: str = ""
    remedy: str = ""
    enclosed: str = ""
    withheld: str = ""

    @classmethod
    def first(cls, letter: LetterType) -> DraftForm:
        return cls(outcome=_FIRST[letter])

    def values(self) -> dict[str, Any]:
        data = asdict(self)
        data["exemptions"] = list(self.exemptions)
        return data

    @classmethod
    def from_values(cls, data: dict[str, Any]) -> DraftForm:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["exemptions"] = tuple(known.get("exemptions", ()))
        form = cls(**known)
        return form if form.outcome in FIELDS else replace(form, outcome=Outcome.FULL.value)

    @classmethod
    def from_view(cls, view: dict[str, Any], letter: LetterType) -> DraftForm:
        texts = {name: text_of(view, name) for name in _LABELS if name != "exemptions"}
        outcome = selected(view, "outcome")
        return cls(
            outcome=outcome if outcome in OUTCOMES[letter] else _FIRST[letter],
            exemptions=tuple(selected_many(view, "exemptions")),
            **texts,
        )

    def shown(self) -> tuple[str, ...]:
        return FIELDS[self.outcome]


@dataclass(frozen=True)
class DraftMeta:
    """What the modal carries in private_metadata: which case, and which draft it edits."""

    case_id: int
    reference: str
    law: str  # the catalogue's law for the case (foia, eir, foisa), "" when none applies
    letter: LetterType = LetterType.RESPONSE
    edits: int | None = None

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> DraftMeta:
        data = json.loads(raw)
        return cls(
            int(data["case_id"]),
            str(data["reference"]),
            str(data["law"]),
            LetterType(data.get("letter", LetterType.RESPONSE.value)),
            data.get("edits"),
        )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t"))


def _applied(form: DraftForm) -> tuple[AppliedExemption, ...]:
    """One reason and one set of public interest factors serve every exemption cited, as the
    form collects them."""
    return tuple(
        AppliedExemption(
            ref=ref,
            reason=form.reason,
            pit_for=_lines(form.pit_for),
            pit_against=_lines(form.pit_against),
            conclusion=form.conclusion,
        )
        for ref in form.exemptions
    )


@dataclass(frozen=True)
class Original:
    """The response an internal review looks at again."""

    reference: str = ""
    on: date | None = None


def build_letter(
    form: DraftForm,
    letter: LetterType,
    case: CaseFacts,
    on: date,
    review_by: date | None,
    original: Original | None = None,
) -> Response | ReviewOutcome | SarResponse:
    """The letter the form describes, for the case's type of response."""
    if letter is LetterType.SAR:
        return SarResponse(case=case, on=on, enclosed=form.enclosed, withheld=form.withheld)
    if letter is LetterType.REVIEW:
        original = original or Original()
        return ReviewOutcome(
            case=case,
            on=on,
            decision=ReviewDecision(form.outcome),
            findings=form.findings,
            original_reference=original.reference,
            original_date=original.on,
            exemptions=_applied(form) if form.outcome != ReviewDecision.OVERTURNED else (),
            remedy=form.remedy,
        )
    return Response(
        case=case,
        outcome=Outcome(form.outcome),
        on=on,
        review_by=review_by,
        summary=form.summary,
        exemptions=_applied(form),
        explanation=form.explanation,
        cost=CostEstimate(form.cost_limit, form.cost_estimate, form.cost_advice),
        where=form.where,
        previous_request=form.previous_request,
    )


# Where each kind of finding from the completeness check is shown in the modal.
_ERROR_FIELDS = (
    ("exemption relied on", "exemptions"),
    ("exemption catalogue", "exemptions"),
    ("provision", "exemptions"),
    ("cited twice", "exemptions"),
    ("no exemptions for a full", "exemptions"),
    ("public interest", "conclusion"),
    ("why", "reason"),
    ("information provided", "summary"),
    ("appropriate limit", "cost_limit"),
    ("estimated", "cost_estimate"),
    ("narrowed", "cost_advice"),
    ("where the information", "where"),
    ("earlier request", "previous_request"),
    ("vexatious", "explanation"),
    ("searches", "explanation"),
    ("review found", "findings"),
    ("release or do", "remedy"),
    ("enclosed", "enclosed"),
)


def missing_to_errors(missing: tuple[str, ...], form: DraftForm) -> dict[str, str]:
    """Each missing piece beside the field that supplies it (else beside the outcome)."""
    shown = set(form.shown())
    errors: dict[str, list[str]] = {}
    for piece in missing:
        target = next(
            (block for key, block in _ERROR_FIELDS if key in piece.lower() and block in shown),
            "outcome",
        )
        if target == "conclusion" and "pit_for" in shown and "for disclosure" in piece.lower():
            target = "pit_for"
        errors.setdefault(target, []).append(piece)
    return {block: clip("Missing: " + "; ".join(pieces), 1900) for block, pieces in errors.items()}


def exemption_option(entry: Exemption) -> dict[str, Any]:
    return option(f"{entry.citation}: {entry.title}", entry.ref)


def search_exemptions(catalogue: Catalogue, law: str, query: str, limit: int = 100) -> list[Any]:
    """Catalogue entries for the case's law matching what was typed, best first."""
    try:
        entries = catalogue.for_law(Law(law))
    except ValueError:
        entries = list(catalogue)
    if not query.strip():
        return [exemption_option(e) for e in entries[:limit]]
    choices = {e.ref: f"{e.ref} {e.citation} {e.title} {e.group}" for e in entries}
    found = process.extract(
        query,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=50,
    )
    by_ref = {e.ref: e for e in entries}
    return [exemption_option(by_ref[ref]) for _, _, ref in found]


def draft_modal(meta: DraftMeta, form: DraftForm, catalogue: Catalogue) -> dict[str, Any]:
    outcome_menu = {
        "type": "static_select",
        "action_id": OUTCOME_ACTION,
        "options": [option(OUTCOME_NAMES[o], o) for o in OUTCOMES[meta.letter]],
        "initial_option": option(OUTCOME_NAMES[form.outcome], form.outcome),
    }
    blocks: list[Block] = [
        section(f"Draft the response to *{esc(meta.reference)}*. An approver signs it off."),
        {**input_block("outcome", "Outcome", outcome_menu), "dispatch_action": True},
    ]
    values = form.values()
    for name in form.shown():
        label, hint = _LABELS[name]
        if name == "exemptions":
            element: dict[str, Any] = {
                "type": "multi_external_select",
                "action_id": Action.EXEMPTIONS.value,
                "min_query_length": 0,
                "placeholder": plain("s31(1)(a), law enforcement…"),
            }
            chosen = [catalogue.find(ref) for ref in form.exemptions]
            initial = [exemption_option(e) for e in chosen if e is not None]
            if initial:
                element["initial_options"] = initial
            blocks.append(input_block(name, label, element, optional=True, hint=hint))
            continue
        element = text_input(
            "value", multiline=name in MULTILINE, initial=str(values.get(name, ""))
        )
        blocks.append(input_block(name, label, element, optional=True, hint=hint))
    title = "Edit draft" if meta.edits else "Draft response"
    return {
        "type": "modal",
        "callback_id": View.DRAFT.value,
        "title": plain(title),
        "submit": plain("Send for approval"),
        "close": plain("Cancel"),
        "private_metadata": meta.dump(),
        "blocks": blocks,
    }


@dataclass(frozen=True)
class DraftPost:
    draft_id: int
    version: int
    reference: str
    drafter: str
    outcome: str
    exemptions: tuple[str, ...]
    letter: str  # the rendered text
    to: str  # the requester's email, or "" (post)
    decision: str = ""  # mrkdwn: who decided what, once decided
    pending: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)


TEXT_CHUNK = 2900
MAX_CHUNKS = 12


def draft_blocks(post: DraftPost) -> list[Block]:
    exemptions = ", ".join(post.exemptions) or "none"
    to = esc(post.to) if post.to else "no email address: to be posted"
    blocks: list[Block] = [
        header(f"Draft response v{post.version} · {post.reference}"),
        context(
            f"Drafted by {mention(post.drafter)} · {OUTCOME_NAMES[post.outcome]} · "
            f"exemptions: {esc(exemptions)} · to {to}"
        ),
    ]
    text = post.letter
    chunks = [text[i : i + TEXT_CHUNK] for i in range(0, len(text), TEXT_CHUNK)] or [""]
    for chunk in chunks[:MAX_CHUNKS]:
        blocks.append(section(f"```{esc(chunk)}```"))
    if len(chunks) > MAX_CHUNKS:
        blocks.append(context("The letter is longer than Slack shows; the email has all of it."))
    if post.pending:
        value = str(post.draft_id)
        blocks.append(
            actions(
                f"draft:{post.draft_id}",
                button(
                    "Approve and send",
                    Action.APPROVE.value,
                    value,
                    style="primary",
                    confirm=confirm_dialog(
                        "Send this letter?",
                        f"The letter for {post.reference} goes to "
                        f"{post.to or 'the post tray'} and the case closes.",
                        "Approve and send",
                    ),
                ),
                button("Edit", Action.EDIT.value, value),
                button("Reject", Action.REJECT.value, value, style="danger"),
            )
        )
    if post.decision:
        blocks.append(context(post.decision))
    return blocks


def draft_text(post: DraftPost) -> str:
    return f"Draft response v{post.version} for {post.reference}: {OUTCOME_NAMES[post.outcome]}"


def decision_line(what: str, user: str, at: datetime) -> str:
    return f"{what} by {mention(user)} on {long_date(at.date())} at {at:%H:%M}"
