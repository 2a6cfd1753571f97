"""The staff card for a case, and the short messages around it. Pure: facts in, blocks out.

The card is what an officer triages from: reference, regime with the classifier's confidence
and evidence, requester, dates, flags, the first lines of the request, the buttons, and the
last few things people did with it. It is rebuilt from the case after every action and
replaces itself in place (chat.update), so it always shows the case as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.slack.blocks import (
    Block,
    actions,
    button,
    clip,
    confirm_dialog,
    context,
    esc,
    fields,
    header,
    long_date,
    mention,
    option,
    section,
)
from intake.models import CaseStatus, Channel
from intake.regime import Regime


class Action(StrEnum):
    """action_id of every interactive element foibot posts."""

    ASSIGN = "case_assign"
    CHANGE_TYPE = "case_change_type"
    NOT_REQUEST = "case_not_request"
    CLARIFY = "case_clarify"
    DUPLICATE = "case_duplicate"
    DRAFT = "case_draft"
    APPROVE = "draft_approve"
    EDIT = "draft_edit"
    REJECT = "draft_reject"
    EXEMPTIONS = "draft_exemptions"  # the searchable exemption picker in the draft modal


REGIME_NAMES = {
    Regime.FOI: "FOI",
    Regime.EIR: "EIR",
    Regime.SAR: "Subject access",
    Regime.REVIEW: "Internal review",
    Regime.FOISA: "FOISA",
    Regime.FOISA_REVIEW: "FOISA review",
}

STATUS_NAMES = {
    CaseStatus.OPEN: "Open",
    CaseStatus.AWAITING_CLARIFICATION: "Awaiting clarification (clock stopped)",
    CaseStatus.AWAITING_FEE: "Awaiting fee (clock stopped)",
    CaseStatus.AWAITING_APPROVAL: "Draft awaiting approval",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.LAPSED: "Lapsed",
    CaseStatus.NOT_A_REQUEST: "Not a request",
}

# What staff need to know about each flag, in their words.
FLAG_TEXT = {
    "repeat_request": "Possible repeat of an earlier request (FOIA s14(2))",
    "round_robin": "Round robin: the same request has come from others",
    "no_real_name": "Possible invalid request: no real name (FOIA s8(1)(b)); advise and assist",
    "no_description": "Possible invalid request: unclear what is wanted (s8(1)(c)); ask",
    "reference_from_third_party": "Quotes a case reference but comes from a third party",
    "ico_mentioned": "Mentions the regulator",
    "needs_triage": "Low classifier confidence: please check the type",
    "malformed_mail": "The email was malformed: check the original",
    "automated_reply": "Looks like an automatic reply",
    "duplicate": "Marked as a duplicate",
}

EXCERPT_LINES = 6
EXCERPT_CHARS = 600
HISTORY_LINES = 6


@dataclass(frozen=True)
class EvidenceLine:
    label: str
    matched: str
    score: float


@dataclass(frozen=True)
class HistoryLine:
    at: datetime  # local time
    actor: str  # a Slack user id, or a plain name ("foibot", an email address)
    what: str  # mrkdwn, already escaped


@dataclass(frozen=True)
class CardFacts:
    case_id: int
    reference: str
    status: CaseStatus
    regime: Regime | None
    label: str
    confidence: float
    evidence: tuple[EvidenceLine, ...]
    requester_name: str
    requester_email: str
    requester_address: str
    channel: Channel
    received_on: date
    due: date | None
    days_left: int | None
    stop_reason: str
    flags: tuple[str, ...]
    similar: tuple[str, ...]  # references of the requests a repeat/round-robin flag points at
    subject: str
    text: str
    assignee: str
    outcome: str
    parent: str  # reference of the case this one is linked to, if any
    history: tuple[HistoryLine, ...]


def regime_name(regime: Regime | None) -> str:
    return REGIME_NAMES[regime] if regime else "Not a statutory request"


def who(actor: str) -> str:
    """A Slack user as a mention; anyone else by name."""
    if actor.startswith("slack:"):
        return mention(actor.removeprefix("slack:"))
    return esc(actor)


def due_text(due: date | None, days_left: int | None, stop_reason: str) -> str:
    if stop_reason:
        left = f", {days_left} working days left when it stopped" if days_left is not None else ""
        return f"Clock stopped: {esc(stop_reason)}{left}"
    if due is None:
        return "No statutory deadline"
    when = long_date(due)
    if days_left is None:
        return when
    if days_left < 0:
        return f"{when} · :red_circle: *overdue by {-days_left} working day(s)*"
    if days_left == 0:
        return f"{when} · :large_orange_circle: *due today*"
    marker = ":large_orange_circle: " if days_left <= 5 else ""
    return f"{when} · {marker}{days_left} working day(s) left"


def requester_text(facts: CardFacts) -> str:
    parts = [esc(facts.requester_name) or "Name not given"]
    if facts.requester_email:
        parts.append(esc(facts.requester_email))
    if facts.requester_address:
        parts.append(esc(" ".join(facts.requester_address.split())))
    return "\n".join(parts)


def excerpt(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    shown = clip("\n".join(lines[:EXCERPT_LINES]), EXCERPT_CHARS)
    more = "\n…" if len(lines) > EXCERPT_LINES and not shown.endswith("…") else ""
    return "\n".join(f"> {esc(line)}" for line in shown.splitlines()) + more


def type_options() -> list[dict[str, Any]]:
    return [option(name, regime.value) for regime, name in REGIME_NAMES.items()]


def card_text(facts: CardFacts) -> str:
    """The notification text (and what screen readers and old clients show)."""
    due = f", due {long_date(facts.due)}" if facts.due else ""
    return f"{facts.reference}: new {regime_name(facts.regime)} case from " + (
        f"{facts.requester_name or facts.requester_email or 'a requester'}{due}"
    )


def card_blocks(facts: CardFacts) -> list[Block]:
    confidence = f" ({facts.confidence:.0%} sure)" if facts.regime else ""
    received = f"{long_date(facts.received_on)} by {facts.channel.value}"
    status = STATUS_NAMES.get(facts.status, facts.status.value)
    if facts.outcome and not facts.status.is_open:
        status = f"{status}: {esc(facts.outcome)}"
    blocks: list[Block] = [
        header(f"{facts.reference} · {regime_name(facts.regime)}"),
        fields(
            ("Type", f"{regime_name(facts.regime)}{confidence}"),
            ("Requester", requester_text(facts)),
            ("Received", received),
            ("Due", due_text(facts.due, facts.days_left, facts.stop_reason)),
            ("Status", status),
            ("Assigned to", mention(facts.assignee)),
        ),
    ]
    subject = f"*{esc(clip(facts.subject, 200))}*\n" if facts.subject else ""
    blocks.append(section(subject + (excerpt(facts.text) or "_(no text)_")))
    if facts.evidence:
        shown = " · ".join(
            f"{esc(e.label)}: “{esc(clip(e.matched, 60))}” ({e.score:.0f})"
            for e in facts.evidence[:3]
        )
        blocks.append(context(f":mag: Why: {shown}"))
    notes = [f":warning: {FLAG_TEXT.get(flag, esc(flag))}" for flag in facts.flags]
    if facts.similar:
        notes.append("Similar: " + ", ".join(esc(ref) for ref in facts.similar[:5]))
    if facts.parent:
        notes.append(f":link: Linked to {esc(facts.parent)}")
    if notes:
        blocks.append(context(*notes))
    if facts.status.is_open:
        blocks.append(card_actions(facts))
    if facts.history:
        lines = [
            f"{h.at:%d %b %H:%M} · {who(h.actor)} {h.what}" for h in facts.history[-HISTORY_LINES:]
        ]
        blocks.append(context("\n".join(lines)))
    return blocks


def card_actions(facts: CardFacts) -> Block:
    value = str(facts.case_id)
    change_type: dict[str, object] = {
        "type": "static_select",
        "action_id": Action.CHANGE_TYPE.value,
        "placeholder": {"type": "plain_text", "text": "Change type"},
        "options": type_options(),
    }
    elements = [
        button("Assign to me", Action.ASSIGN.value, value),
        change_type,
        button("Ask for clarification", Action.CLARIFY.value, value),
        button("Repeat / duplicate…", Action.DUPLICATE.value, value),
        button("Draft response", Action.DRAFT.value, value, style="primary"),
        button(
            "Not a request",
            Action.NOT_REQUEST.value,
            value,
            style="danger",
            confirm=confirm_dialog(
                "Not a request?",
                f"Close {facts.reference} as not a request for information. No letter is sent.",
                "Close it",
            ),
        ),
    ]
    return actions(f"case:{facts.case_id}", *elements)


def intake_reply(reference: str, regime: Regime | None, due: date | None, emailed: bool) -> str:
    """The thread reply under a request taken in from Slack."""
    kind = regime_name(regime)
    line = f":inbox_tray: Logged as *{reference}* ({kind})."
    if due:
        line += f" The response is due by {long_date(due)}."
    if emailed:
        line += " An acknowledgement has been emailed to the requester."
    return line


def already_logged(reference: str) -> str:
    return f"This message is already logged as *{reference}*."
