"""Lists of cases for `/foi` answers and the App Home tab. Pure: lines in, blocks out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.slack.blocks import Block, clip, context, divider, esc, header, long_date, section
from bot.slack.cards import STATUS_NAMES, due_text, regime_name
from bot.slack.facts import CaseLine

LIST_LIMIT = 40  # lines shown; Slack allows 50 blocks in a message and 100 in a view


def line_text(line: CaseLine) -> str:
    due = ""
    if line.due is not None:
        due = " · " + due_text(line.due, line.days_left, "")
    who = f" · <@{line.assignee}>" if line.assignee else " · unassigned"
    subject = f" · “{esc(clip(line.subject, 80))}”" if line.subject else ""
    return (
        f"*{esc(line.reference)}* · {regime_name(line.regime)} · {esc(line.requester)}"
        f"{subject}{due}{who}"
    )


def case_list(title: str, found: Sequence[CaseLine], empty: str) -> list[Block]:
    blocks: list[Block] = [section(f"*{esc(title)}*")]
    if not found:
        blocks.append(context(empty))
        return blocks
    # Several lines per block keeps long lists within Slack's block limits.
    shown = [line_text(line) for line in found[:LIST_LIMIT]]
    for start in range(0, len(shown), 8):
        blocks.append(section("\n".join(f"• {text}" for text in shown[start : start + 8])))
    if len(found) > LIST_LIMIT:
        blocks.append(context(f"…and {len(found) - LIST_LIMIT} more."))
    return blocks


def status_blocks(line: CaseLine) -> list[Block]:
    status = STATUS_NAMES.get(line.status, line.status.value)
    due = due_text(line.due, line.days_left, "") if line.due else "No statutory deadline"
    who = f"<@{line.assignee}>" if line.assignee else "nobody yet"
    return [
        section(
            f"*{esc(line.reference)}* · {regime_name(line.regime)}\n"
            f"Requester: {esc(line.requester)}\n"
            f"Subject: {esc(clip(line.subject, 200)) or '—'}\n"
            f"Status: {status}\nDue: {due}\nAssigned to: {who}"
        )
    ]


def reply(blocks: list[Block], text: str) -> dict[str, Any]:
    """A slash command's answer, seen only by the person who typed it."""
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}


HELP = (
    "*foibot commands*\n"
    "`/foi new` log a request that came by post or phone\n"
    "`/foi status REF` where a case stands\n"
    "`/foi due [N]` open cases due in the next N working days (default 5)\n"
    "`/foi mine` the open cases assigned to you\n"
    "`/foi find TEXT` search references, requesters and subjects"
)


def home_view(
    mine: Sequence[CaseLine], due_soon: Sequence[CaseLine], days: int, at: datetime
) -> dict[str, Any]:
    blocks: list[Block] = [header("Your cases")]
    blocks += case_list("Assigned to you", mine, "Nothing assigned to you. :tada:")[1:]
    blocks += [divider(), header(f"Team: due in the next {days} working days")]
    blocks += case_list("Due soon", due_soon, "Nothing due soon.")[1:]
    blocks.append(context(f"Updated {long_date(at.date())} {at:%H:%M}. " + HELP.split("\n")[0]))
    return {"type": "home", "blocks": blocks[:100]}
