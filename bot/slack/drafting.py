"""The draft response form: its modal, reading it back, the letter it makes, and the draft as
posted for approval. Pure: values in, views and letters out.

The modal shows the fields the chosen outcome needs (the outcome menu redraws it), but the
law decides what is missing: the letter's own completeness check (replies.completeness) runs
on submit and its findings are shown beside the fields they concern.

Reasons are given per exemption: FOIA s17(1)(c) (EIR reg 14(3)(a), FOISA s16(1)(d)) requires
saying why each exemption cited applies, and s17(3) (reg 14(3)(b), FOISA s16(2)) the public
interest reasons for each qualified one. Choosing exemptions redraws the modal with one group
of fields per exemption: why it applies, and for a qualified one the factors for and against
disclosure and the conclusion. An EIR refusal as manifestly unreasonable (reg 12(4)(b), which
the outcome itself relies on) gets its public interest fields the same way.
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
from config.exemptions import Catalogue, Exemption, ExemptionKind, Law
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

MAX_EXEMPTIONS = 15  # a group of up to 5 blocks each keeps the modal within Slack's 100

# Which fields each outcome shows, beyond the outcome itself. "exemptions" brings one group of
# fields per exemption chosen (see exemption_blocks).
_EXEMPTION_FIELDS = ("exemptions",)
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
    "exemptions": (
        "Exemptions relied on",
        "Type to search the catalogue. Each one chosen gets its own reasons below.",
    ),
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


class Part(StrEnum):
    """The fields of one exemption's group in the modal; block ids are "<part>:<ref>"."""

    WHY = "why"  # why it applies to this information: FOIA s17(1)(c)
    PIT_FOR = "pit_for"  # public interest in disclosure: s17(3), one factor per line
    PIT_AGAINST = "pit_against"  # public interest in maintaining the exemption
    CONCLUSION = "conclusion"  # where the balance lies


PIT_PARTS = (Part.PIT_FOR, Part.PIT_AGAINST, Part.CONCLUSION)


def part_block(part: Part, ref: str) -> str:
    return f"{part.value}:{ref}"


@dataclass(frozen=True)
class Reasons:
    """What staff said about one exemption: why it applies, and its public interest test."""

    ref: str
    why: str = ""
    pit_for: str = ""  # one factor per line
    pit_against: str = ""
    conclusion: str = ""

    def get(self, part: Part) -> str:
        return str(getattr(self, part.value))


@dataclass(frozen=True)
class DraftForm:
    outcome: str = Outcome.FULL.value
    exemptions: tuple[str, ...] = ()  # catalogue refs
    reasons: tuple[Reasons, ...] = ()  # per exemption (and per qualified implied exception)
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
        data["reasons"] = [asdict(r) for r in self.reasons]
        return data

    @classmethod
    def from_values(cls, data: dict[str, Any]) -> DraftForm:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["exemptions"] = tuple(known.get("exemptions", ()))
        reasons = [Reasons(**r) for r in known.pop("reasons", []) if isinstance(r, dict)]
        if not reasons and any(data.get(k) for k in _SHARED):
            # A draft saved when one reason and one public interest test served every
            # exemption: each exemption starts from that text, to be made specific.
            reasons = [
                Reasons(
                    ref,
                    str(data.get("reason", "")),
                    str(data.get("pit_for", "")),
                    str(data.get("pit_against", "")),
                    str(data.get("conclusion", "")),
                )
                for ref in known["exemptions"]
            ]
        form = cls(**known, reasons=tuple(reasons))
        return form if form.outcome in FIELDS else replace(form, outcome=Outcome.FULL.value)

    @classmethod
    def from_view(cls, view: dict[str, Any], letter: LetterType, law: str = "") -> DraftForm:
        texts = {name: text_of(view, name) for name in _LABELS if name != "exemptions"}
        chosen = selected(view, "outcome")
        outcome = chosen if chosen in OUTCOMES[letter] else _FIRST[letter]
        exemptions = tuple(dict.fromkeys(selected_many(view, "exemptions")))
        refs = [*exemptions]
        implied = implied_ref(law, outcome)
        if implied and implied not in refs:
            refs.append(implied)
        reasons = tuple(
            Reasons(ref, *(text_of(view, part_block(part, ref)) for part in Part)) for ref in refs
        )
        return cls(outcome=outcome, exemptions=exemptions, reasons=reasons, **texts)

    def shown(self) -> tuple[str, ...]:
        return FIELDS[self.outcome]

    def reasons_for(self, ref: str) -> Reasons:
        return next((r for r in self.reasons if r.ref == ref), Reasons(ref))


_SHARED = ("reason", "pit_for", "pit_against", "conclusion")  # the old one-for-all fields
# Outcomes whose refusal under the EIR is itself an exception to which the public interest
# test applies (reg 12(1)(b)): manifestly unreasonable, reg 12(4)(b). Not held (reg 12(4)(a))
# has no public interest test to run.
_IMPLIED_QUALIFIED = {
    Outcome.COST.value: "reg12(4)(b)",
    Outcome.VEXATIOUS.value: "reg12(4)(b)",
    Outcome.REPEATED.value: "reg12(4)(b)",
}


def implied_ref(law: str, outcome: str) -> str:
    """The qualified exception an outcome relies on by itself, whose public interest test the
    form must collect; "" when there is none."""
    if law != Law.EIR.value:
        return ""
    return _IMPLIED_QUALIFIED.get(outcome, "")


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


def _applied(form: DraftForm, law: str = "") -> tuple[AppliedExemption, ...]:
    """Each exemption cited with its own reasons and public interest test; then the qualified
    exception the outcome itself relies on, with its test (its reason, the explanation or the
    cost estimate, is added by replies.completeness.applied_exemptions)."""
    refs = list(form.exemptions)
    implied = implied_ref(law, form.outcome)
    if implied and implied not in refs:
        refs.append(implied)
    applied = []
    for ref in refs:
        given = form.reasons_for(ref)
        applied.append(
            AppliedExemption(
                ref=ref,
                reason=given.why,
                pit_for=_lines(given.pit_for),
                pit_against=_lines(given.pit_against),
                conclusion=given.conclusion,
            )
        )
    return tuple(applied)


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
    law: str = "",
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
        exemptions=_applied(form, law),
        explanation=form.explanation,
        cost=CostEstimate(form.cost_limit, form.cost_estimate, form.cost_advice),
        where=form.where,
        previous_request=form.previous_request,
    )


# Where each kind of finding from the completeness check is shown in the modal (findings
# about one exemption go beside that exemption's own fields: see missing_to_errors).
_ERROR_FIELDS = (
    ("exemption relied on", "exemptions"),
    ("exemption catalogue", "exemptions"),
    ("provision", "exemptions"),
    ("cited twice", "exemptions"),
    ("no exemptions for a full", "exemptions"),
    ("why", "explanation"),
    ("why", "cost_estimate"),
    ("why", "where"),
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


# Which of an exemption's fields a finding about it concerns.
_PART_OF = (
    ("why it applies", Part.WHY),
    ("in favour of disclosure", Part.PIT_FOR),
    ("in favour of maintaining", Part.PIT_AGAINST),
    ("conclusion of the public interest", Part.CONCLUSION),
)


def missing_to_errors(
    missing: tuple[str, ...], form: DraftForm, catalogue: Catalogue, law: str = ""
) -> dict[str, str]:
    """Each missing piece beside the field that supplies it: a finding about one exemption
    ("s31(1)(a): why it applies ...") beside that exemption's own field; else by keyword;
    else beside the outcome."""
    shown = set(form.shown())
    groups = set(exemption_block_ids(form, catalogue, law))
    errors: dict[str, list[str]] = {}
    for piece in missing:
        ref, colon, rest = piece.partition(": ")
        part = next((p for key, p in _PART_OF if colon and key in rest.lower()), None)
        target = part_block(part, ref) if part is not None else ""
        if target not in groups:
            target = next(
                (block for key, block in _ERROR_FIELDS if key in piece.lower() and block in shown),
                "exemptions" if "exemptions" in shown and colon else "outcome",
            )
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


_PART_LABELS = {
    Part.WHY: ("Why it applies here", "{law}: why this exemption applies to this information."),
    Part.PIT_FOR: ("Public interest: for disclosure", "One factor per line."),
    Part.PIT_AGAINST: ("Public interest: for maintaining it", "One factor per line."),
    Part.CONCLUSION: ("Public interest: conclusion", "Where the balance lies, and why."),
}
_WHY_LAW = {"foia": "FOIA s17(1)(c)", "eir": "EIR reg 14(3)(a)", "foisa": "FOISA s16(1)(d)"}
_PIT_LAW = {"foia": "FOIA s17(3)", "eir": "EIR reg 14(3)(b)", "foisa": "FOISA s16(2)"}


def _groups(form: DraftForm, law: str) -> list[tuple[str, bool]]:
    """(ref, cited by staff) for each group of fields the modal shows: the exemptions chosen
    (at most MAX_EXEMPTIONS), then the qualified exception the outcome relies on, if any."""
    groups: list[tuple[str, bool]] = []
    if "exemptions" in form.shown():
        groups = [(ref, True) for ref in form.exemptions[:MAX_EXEMPTIONS]]
    implied = implied_ref(law, form.outcome)
    if implied and implied not in form.exemptions:
        groups.append((implied, False))
    return groups


def entry_for(catalogue: Catalogue, ref: str, law: str) -> Exemption | None:
    """The catalogue entry, read under the case's law (FOIA and FOISA share some numbers)."""
    try:
        return catalogue.find(ref, Law(law))
    except ValueError:
        return catalogue.find(ref)


def _parts(entry: Exemption | None, cited: bool) -> tuple[Part, ...]:
    pit = entry is not None and entry.needs_public_interest_test
    why = (Part.WHY,) if cited else ()  # the outcome's own exception: its reason is given above
    return (*why, *(PIT_PARTS if pit else ()))


def exemption_block_ids(form: DraftForm, catalogue: Catalogue, law: str = "") -> list[str]:
    """The block ids of the per-exemption fields the modal shows for this form."""
    return [
        part_block(part, ref)
        for ref, cited in _groups(form, law)
        for part in _parts(entry_for(catalogue, ref, law), cited)
    ]


def exemption_blocks(form: DraftForm, catalogue: Catalogue, law: str) -> list[Block]:
    """One group per exemption: what it is, why it applies, and for a qualified one the
    public interest test, each in its own fields (FOIA s17(1)(c) and s17(3))."""
    blocks: list[Block] = []
    for ref, cited in _groups(form, law):
        entry = entry_for(catalogue, ref, law)
        name = f"{entry.citation}: {entry.title}" if entry is not None else ref
        if entry is None:
            kind = "not in the exemption catalogue"
        elif entry.needs_public_interest_test:
            kind = f"qualified: its own public interest test ({_PIT_LAW.get(law, 'FOIA s17(3)')})"
        elif entry.kind is ExemptionKind.ABSOLUTE:
            kind = "absolute: no public interest test"
        else:
            kind = "no public interest test to run"
        if not cited:
            kind = f"the outcome relies on it; {kind}"
        blocks.append(section(f"*{esc(name)}* · {kind}"))
        given = form.reasons_for(ref)
        for part in _parts(entry, cited):
            label, hint = _PART_LABELS[part]
            hint = hint.format(law=_WHY_LAW.get(law, "FOIA s17(1)(c)"))
            if entry is not None and part is Part.PIT_FOR and entry.pit_for:
                hint += " Often relevant: " + " / ".join(entry.pit_for)
            if entry is not None and part is Part.PIT_AGAINST and entry.pit_against:
                hint += " Often relevant: " + " / ".join(entry.pit_against)
            element = text_input("value", multiline=True, initial=given.get(part))
            blocks.append(
                input_block(part_block(part, ref), label, element, optional=True, hint=hint)
            )
    if "exemptions" in form.shown() and len(form.exemptions) > MAX_EXEMPTIONS:
        blocks.append(
            context(f"Only {MAX_EXEMPTIONS} exemptions fit in one draft: remove some to go on.")
        )
    return blocks


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
            chosen = [entry_for(catalogue, ref, meta.law) for ref in form.exemptions]
            initial = [exemption_option(e) for e in chosen if e is not None]
            if initial:
                element["initial_options"] = initial
            # Choosing or removing one redraws the modal with a group of fields for each.
            picker = input_block(name, label, element, optional=True, hint=hint)
            blocks.append({**picker, "dispatch_action": True})
            continue
        element = text_input(
            "value", multiline=name in MULTILINE, initial=str(values.get(name, ""))
        )
        blocks.append(input_block(name, label, element, optional=True, hint=hint))
    # The per-exemption groups come last, below everything else the outcome needs.
    blocks.extend(exemption_blocks(form, catalogue, meta.law))
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
