"""Requests arriving in Slack: intake-channel messages, DMs, @mentions, the "Log as request"
message shortcut, and the post/phone modal (global shortcut or `/foi new`).

Events are acknowledged by Bolt before these listeners run; the users.info lookup and the
database work happen after the ack, so Slack always hears back within 3 seconds.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.slack.blocks import esc
from bot.slack.context import SlackContext
from bot.slack.facts import local_today
from bot.slack.intake import Intake, SlackRequest, duplicate_notice, open_from_slack
from bot.slack.modals import AUTO, View, date_of, errors, new_request_modal, selected, text_of
from bot.slack.notify import queue_ephemeral, queue_message
from intake.models import Channel
from intake.regime import Regime
from intake.slack_records import message_key

log = logging.getLogger("foibot.slack")

LOG_MESSAGE = "log_as_request"  # message shortcut
NEW_REQUEST = "new_request"  # global shortcut
# Message subtypes that are a person writing something new; edits, joins and bots are not.
PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}

_LINK = re.compile(r"<(https?://[^>|]+)\|([^>]+)>")
_BARE = re.compile(r"<(https?://[^>|]+)>")
_MAILTO = re.compile(r"<mailto:([^>|]+)(?:\|[^>]+)?>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]+)?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^>|]*)?(?:\|([^>]+))?>")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def readable(text: str, bot_user: str = "") -> str:
    """Slack's message markup as the plain text a letter can quote."""
    if bot_user:
        text = re.sub(rf"<@{re.escape(bot_user)}(?:\|[^>]+)?>\s*", "", text)
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[2] != m[1] else m[1], text)
    text = _BARE.sub(r"\1", text)
    text = _MAILTO.sub(r"\1", text)
    text = _USER.sub(r"@\1", text)
    text = _SPECIAL.sub(lambda m: m[2] or f"@{m[1]}", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def is_new_post(event: dict[str, Any]) -> bool:
    """A person's new top-level message: not an edit, a bot, or a reply in a thread."""
    if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id"):
        return False
    if not event.get("user") or not event.get("ts"):
        return False
    thread = event.get("thread_ts")
    return not thread or thread == event.get("ts")


def register(app: AsyncApp, ctx: SlackContext) -> None:
    slack = ctx.settings.slack

    def is_intake_place(event: dict[str, Any]) -> bool:
        return event.get("channel_type") == "im" or (
            bool(slack.intake_channel) and event.get("channel") == slack.intake_channel
        )

    @app.event("message")
    async def on_message(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if is_new_post(event) and is_intake_place(event):
            await take_in(ctx, body, event, context.bot_user_id or "")

    @app.event("app_mention")
    async def on_mention(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        # In the intake channel Slack also sends this message as a `message` event: the
        # delivery record makes the second one a no-op.
        if not is_new_post(event):
            return
        if event.get("channel") == slack.intake_channel or event.get("channel_type") == "im":
            await take_in(ctx, body, event, context.bot_user_id or "")
            return
        hint = (
            "To log a request, post it in the intake channel, send it to me directly, or use "
            "the *Log as request* shortcut on the message."
        )
        await ctx.run(
            lambda s: queue_ephemeral(s, event["channel"], event["user"], hint, ctx.now())
        )

    @app.shortcut(LOG_MESSAGE)
    async def on_log_message(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        officer = body["user"]["id"]
        author = "" if message.get("bot_id") else str(message.get("user") or "")
        profile = await ctx.profile(author)
        request = SlackRequest(
            event_id=f"shortcut:{body.get('trigger_id') or body.get('action_ts')}",
            message_key=message_key(channel, str(message.get("ts", ""))),
            text=readable(str(message.get("text", "")), context.bot_user_id or ""),
            received_at=_ts_time(str(message.get("ts", "")), ctx),
            channel=channel,
            ts=str(message.get("ts", "")),
            requester_name=profile.name,
            requester_email=profile.email,
            requester_slack=author,
            logged_by=officer,
        )
        result = await _open(ctx, request)
        if result is not None and not result.new:
            notice = duplicate_notice(result)
            await ctx.run(lambda s: queue_ephemeral(s, channel, officer, notice, ctx.now()))

    @app.shortcut(NEW_REQUEST)
    async def on_new_request(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        today = local_today(ctx.settings, ctx.now())
        await ctx.open_view(body["trigger_id"], new_request_modal(today))

    @app.view(View.NEW_REQUEST.value)
    async def on_new_request_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        today = local_today(ctx.settings, ctx.now())
        problems, request = read_new_request(view, body, today, ctx)
        if request is None:
            await ack(errors(**problems))
            return
        await ack()
        await _open(ctx, request)


async def take_in(
    ctx: SlackContext, body: dict[str, Any], event: dict[str, Any], bot_user: str
) -> Intake | None:
    text = readable(str(event.get("text", "")), bot_user)
    if not text:
        return None
    profile = await ctx.profile(event["user"])
    request = SlackRequest(
        event_id=str(body.get("event_id") or f"event:{event['channel']}:{event['ts']}"),
        message_key=message_key(event["channel"], event["ts"]),
        text=text,
        received_at=_ts_time(event["ts"], ctx),
        channel=event["channel"],
        ts=event["ts"],
        requester_name=profile.name,
        requester_email=profile.email,
        requester_slack=event["user"],
    )
    return await _open(ctx, request)


async def _open(ctx: SlackContext, request: SlackRequest) -> Intake | None:
    try:
        result = await ctx.run(lambda s: open_from_slack(s, request, ctx.settings, ctx.now()))
    except Exception as exc:
        # Slack has had its ack and will not send this again: hand it to a person rather than
        # lose it. Nothing was recorded, so a redelivery would still be taken in.
        log.exception("slack %s: could not open a case", request.message_key)
        await _hand_over(ctx, request, exc)
        return None
    if result is not None and result.new:
        log.info("slack %s: opened %s", request.message_key, result.case.reference)
    elif result is not None:
        log.info("slack %s: already %s", request.message_key, result.case.reference)
    return result


async def _hand_over(ctx: SlackContext, request: SlackRequest, exc: Exception) -> None:
    where = f" in <#{request.channel}>" if request.channel else ""
    who = request.requester_name or request.requester_email or "someone"
    text = (
        f":warning: foibot could not log a request from {esc(who)}{where} ({esc(repr(exc))}). "
        f"Please log it by hand (`/foi new`). The request:\n```{esc(request.text[:2500])}```"
    )
    try:
        await ctx.run(lambda s: queue_message(s, ctx.settings.slack.staff_channel, text, ctx.now()))
    except Exception:
        log.exception("slack %s: could not hand the request over either", request.message_key)


def _ts_time(ts: str, ctx: SlackContext) -> datetime:
    """A Slack ts is the message's Unix time; it is when the request was received."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError):
        return ctx.now()


def read_new_request(
    view: dict[str, Any], body: dict[str, Any], today: date, ctx: SlackContext
) -> tuple[dict[str, str], SlackRequest | None]:
    """The modal's answers as a request, or the errors to show beside its fields."""
    problems: dict[str, str] = {}
    name = text_of(view, "name")
    email = text_of(view, "email").lower()
    address = text_of(view, "address")
    text = text_of(view, "text")
    if email and not _EMAIL.match(email):
        problems["email"] = "That is not an email address."
    if not email and not address:
        problems["email"] = "Give an email address or a postal address, so we can reply."
    if not text:
        problems["text"] = "What did they ask for?"
    received: date | None = None
    try:
        received = date.fromisoformat(date_of(view, "received"))
    except ValueError:
        problems["received"] = "Pick the date the request arrived."
    if received is not None and received > today:
        problems["received"] = "The date received can't be in the future."
    if problems:
        return problems, None
    regime_value = selected(view, "regime")
    via = selected(view, "via") or Channel.POST.value
    return {}, SlackRequest(
        event_id=f"view:{view['id']}",
        message_key=f"view:{view['id']}",
        text=text,
        received_at=ctx.now(),
        requester_name=name,
        requester_email=email,
        requester_address=address,
        logged_by=body["user"]["id"],
        via=Channel(via),
        regime=Regime(regime_value) if regime_value and regime_value != AUTO else None,
        received_on=received,
    )
