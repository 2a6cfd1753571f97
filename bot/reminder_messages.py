"""What staff see for a reminder, the digest and a closure: Slack blocks and email text. Pure.

Requester letters (chaser, closure, lapse) and the staff reminder text come from replies/
(the templates of the drafting issue); this module only lays out what has no letter: the
Slack version of a reminder (with the case card's buttons) and the daily digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.slack.blocks import Block, context, divider, esc, fields, header, long_date, section
from bot.slack.cards import STATUS_NAMES, CardFacts, card_actions, regime_name
from intake.reminders import Digest, DigestLine, Milestone, MilestoneKind
from replies.render import Rendered

DIGEST_LINES = 15  # per section in Slack; the email lists every case


def days_text(days_left: int | None) -> str:
    if days_left is None:
        return "no running deadline"
    if days_left < 0:
        n = -days_left
        return f"overdue by {n} working day{'' if n == 1 else 's'}"
    if days_left == 0:
        return "due today"
    return f"due in {days_left} working day{'' if days_left == 1 else 's'}"


def reminder_headline(milestone: Milestone, reference: str) -> str:
    return f"{reference}: {days_text(milestone.days_left)}"


def reminder_blocks(milestone: Milestone, facts: CardFacts) -> list[Block]:
    """A staff reminder: the facts that matter for the deadline, then the card's buttons."""
    marker = {
        MilestoneKind.OVERDUE: ":red_circle:",
        MilestoneKind.DUE_TODAY: ":large_orange_circle:",
    }.get(milestone.kind, ":alarm_clock:")
    due = long_date(milestone.due) if milestone.due else "none"
    assignee = f"<@{facts.assignee}>" if facts.assignee else "*Nobody yet*: please assign it"
    blocks: list[Block] = [
        section(f"{marker} *{esc(facts.reference)}* is {days_text(milestone.days_left)}"),
        fields(
            ("Type", regime_name(facts.regime)),
            ("Due", due),
            ("Status", STATUS_NAMES.get(facts.status, facts.status.value)),
            ("Assigned to", assignee),
        ),
    ]
    if facts.subject:
        blocks.append(context(esc(facts.subject[:200])))
    if facts.status.is_open:
        blocks.append(card_actions(facts))
    blocks.append(context(f"Why now: {esc(milestone.reason)}"))
    return blocks


def _line_text(line: DigestLine) -> str:
    kind = regime_name(line.regime)
    parts = [f"{line.reference} ({kind})"]
    if line.asked_on is not None and line.close_on is not None:
        parts.append(f"clarification asked {long_date(line.asked_on)}")
        parts.append(f"closes {long_date(line.close_on)}")
    elif line.due is not None:
        parts.append(f"due {long_date(line.due)}")
        parts.append(days_text(line.days_left))
    parts.append(f"assigned to {line.assignee}" if line.assignee else "not assigned")
    return ", ".join(parts)


def _sections(digest: Digest) -> list[tuple[str, Sequence[DigestLine]]]:
    return [
        ("Overdue", digest.overdue),
        ("Due this week", digest.due_this_week),
        ("Drafts waiting for approval", digest.awaiting_approval),
        ("Awaiting clarification", digest.awaiting_clarification),
    ]


def digest_subject(digest: Digest) -> str:
    return (
        f"foibot digest for {long_date(digest.on)}: {len(digest.overdue)} overdue, "
        f"{len(digest.due_this_week)} due this week"
    )


def digest_email(digest: Digest) -> Rendered:
    text_parts = [digest_subject(digest), ""]
    html_parts = [f"<p><strong>{escape(digest_subject(digest))}</strong></p>"]
    for title, lines in _sections(digest):
        text_parts.append(f"{title} ({len(lines)})")
        html_parts.append(f"<h3>{escape(title)} ({len(lines)})</h3>")
        if not lines:
            text_parts.append("  none")
            html_parts.append("<p>None.</p>")
        else:
            text_parts.extend(f"- {_line_text(line)}" for line in lines)
            items = "".join(f"<li>{escape(_line_text(line))}</li>" for line in lines)
            html_parts.append(f"<ul>{items}</ul>")
        text_parts.append("")
    return Rendered("\n".join(text_parts), "\n".join(html_parts))


def _slack_line(line: DigestLine) -> str:
    who = f"<@{line.assignee}>" if line.assignee else "_not assigned_"
    kind = regime_name(line.regime)
    if line.asked_on is not None and line.close_on is not None:
        when = f"asked {long_date(line.asked_on)}, closes {long_date(line.close_on)}"
    elif line.due is not None:
        when = f"due {long_date(line.due)}, {days_text(line.days_left)}"
    else:
        when = "no due date"
    return f"• *{esc(line.reference)}* {kind} · {when} · {who}"


def digest_blocks(digest: Digest) -> list[Block]:
    blocks: list[Block] = [header(f"Digest for {long_date(digest.on)}")]
    for title, lines in _sections(digest):
        shown = [_slack_line(line) for line in lines[:DIGEST_LINES]]
        if len(lines) > DIGEST_LINES:
            shown.append(f"… and {len(lines) - DIGEST_LINES} more")
        blocks.append(section(f"*{title}* ({len(lines)})\n" + ("\n".join(shown) or "None")))
        blocks.append(divider())
    return blocks[:-1]


def case_closed_text(reference: str, milestone: Milestone, sent_to: str) -> str:
    """Staff note for a case foibot closed or lapsed on its own."""
    what = {
        MilestoneKind.CLARIFICATION_CLOSURE: "closed: no clarification came",
        MilestoneKind.FEE_LAPSE: "lapsed: the fee was not paid",
    }.get(milestone.kind, milestone.kind.value)
    letter = f" The letter went to {sent_to}." if sent_to else ""
    return f"{reference} {what} ({milestone.reason}).{letter} Reopen it if that is wrong."


def chaser_text(reference: str, milestone: Milestone, sent_to: str) -> str:
    close_on = f" It closes on {long_date(milestone.close_on)}." if milestone.close_on else ""
    return f"{reference}: clarification chaser sent to {sent_to}.{close_on}"
