"""`/foi` and the App Home tab.

Lookups answer in the command's own response (ephemeral): they are quick reads, well inside
Slack's 3 seconds. `/foi new` opens the post/phone modal.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp
from sqlmodel import Session

from bot.slack.blocks import esc
from bot.slack.context import SlackContext
from bot.slack.facts import assigned_to, case_line, due_within, local_today, search
from bot.slack.lists import HELP, case_list, home_view, reply, status_blocks
from bot.slack.modals import new_request_modal
from intake.cases import case_by_reference

log = logging.getLogger("foibot.slack")

DEFAULT_DUE_DAYS = 5
MAX_DUE_DAYS = 60
HOME_DUE_DAYS = 5


def answer(session: Session, ctx: SlackContext, user: str, words: list[str]) -> dict[str, Any]:
    """The reply to `/foi <words>` (except `new`, which opens a modal)."""
    settings = ctx.settings
    today = local_today(settings, ctx.now())
    verb = words[0].lower() if words else "help"
    rest = " ".join(words[1:])
    if verb == "status":
        if not rest:
            return reply([], "Usage: `/foi status REF`")
        refs = settings.references
        case = case_by_reference(session, rest, refs.prefix, refs.secret)
        if case is None:
            return reply([], f"No case has the reference `{esc(rest)}`: check it and try again.")
        return reply(status_blocks(case_line(session, case, settings, today)), case.reference)
    if verb == "due":
        try:
            days = int(rest) if rest else DEFAULT_DUE_DAYS
        except ValueError:
            return reply([], "Usage: `/foi due [N]`: N is a number of working days.")
        if not 0 <= days <= MAX_DUE_DAYS:
            return reply([], f"N must be between 0 and {MAX_DUE_DAYS} working days.")
        found = due_within(session, settings, today, days)
        title = f"Due in the next {days} working day(s), overdue first"
        return reply(case_list(title, found, "Nothing due."), title)
    if verb == "mine":
        found = assigned_to(session, settings, today, user)
        return reply(case_list("Your open cases", found, "Nothing assigned to you."), "Mine")
    if verb == "find":
        if not rest:
            return reply([], "Usage: `/foi find TEXT`")
        found = search(session, settings, today, rest)
        title = f"Cases matching “{esc(rest)}”"
        return reply(case_list(title, found, "No case matches."), title)
    return reply([], HELP)


def register(app: AsyncApp, ctx: SlackContext) -> None:
    @app.command("/foi")
    async def on_foi(ack: AsyncAck, command: dict[str, Any]) -> None:
        words = str(command.get("text", "")).split()
        user = str(command.get("user_id", ""))
        if words and words[0].lower() == "new":
            await ack()
            today = local_today(ctx.settings, ctx.now())
            await ctx.open_view(
                command["trigger_id"], new_request_modal(today, " ".join(words[1:]))
            )
            return
        await ack(await ctx.db.run(lambda s: answer(s, ctx, user, words)))

    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event["user"])
        settings = ctx.settings
        now = ctx.now()
        today = local_today(settings, now)

        def read(session: Session) -> dict[str, Any]:
            mine = assigned_to(session, settings, today, user)
            soon = due_within(session, settings, today, HOME_DUE_DAYS)
            local = now.astimezone(ZoneInfo(settings.authority.timezone))
            return home_view(mine, soon, HOME_DUE_DAYS, local)

        view = await ctx.db.run(read)
        try:
            await ctx.client.views_publish(user_id=user, view=view)
        except Exception as exc:  # the tab just stays as it was; nothing to retry for
            log.warning("views.publish for %s failed: %s", user, exc)
