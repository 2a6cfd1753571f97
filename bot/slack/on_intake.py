"""Requests arriving in Slack: intake-channel messages, DMs, @mentions, the "Log as request"
message shortcut, and the post/phone modal (global shortcut or `/foi new`).

Each request is stored before it is acknowledged (bot.slack.inbound): events by a listener
middleware, which runs before Bolt's automatic ack; the shortcut and the modal before their
own ack(). If it can't be stored Slack gets an error instead of 200, so it sends the event
again or the officer sees the shortcut fail: nothing acknowledged is ever only in memory. The
users.info lookup and opening the case happen after the ack, in the inbound worker, so Slack
always hears back within 3 seconds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from sqlmodel import Session

from bot.slack.blocks import esc
from bot.slack.context import SlackContext
from bot.slack.facts import local_today
from bot.slack.inbound import TRANSIENT
from bot.slack.intake import Intake, SlackRequest, duplicate_notice, open_from_slack
from bot.slack.modals import AUTO, View, date_of, errors, new_request_modal, selected, text_of
from bot.slack.notify import queue_ephemeral, queue_message
from config.settings import Settings
from intake.models import Channel
from intake.regime import Regime
from intake.slack_records import (
    InboundKind,
    InboundState,
    SlackInbound,
    claim_inbound,
    message_key,
    settle_inbound,
)

log = logging.getLogger("foibot.slack")

KEPT = "foibot_inbound"  # context key: the stored request's row id (None: stored before)

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
    ctx.inbound.set_handler(lambda row: process(ctx, row))

    def is_intake_place(event: dict[str, Any]) -> bool:
        return event.get("channel_type") == "im" or (
            bool(slack.intake_channel) and event.get("channel") == slack.intake_channel
        )

    def takes_in(event: dict[str, Any], bot_user: str) -> bool:
        """A message or @mention that opens a case: a person's new post, in the intake
        channel or a DM, that says something once the mention is taken out."""
        return (
            is_new_post(event)
            and is_intake_place(event)
            and bool(readable(str(event.get("text", "")), bot_user))
        )

    async def keep_event(
        body: dict[str, Any], context: AsyncBoltContext, next_: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Listener middleware: runs before Bolt acknowledges the event."""
        event = body.get("event") or {}
        bot_user = context.bot_user_id or ""
        if takes_in(event, bot_user):
            key = str(body.get("event_id") or f"event:{event['channel']}:{event['ts']}")
            try:
                context[KEPT] = await ctx.inbound.keep(key, InboundKind.EVENT, body, bot_user)
            except Exception:
                log.exception("slack event %s: could not store it; Slack will send it again", key)
                return BoltResponse(status=503, body="")
        await next_()
        return None

    def submit_kept(context: AsyncBoltContext) -> None:
        row_id = context.get(KEPT)
        if isinstance(row_id, int):
            ctx.inbound.submit(row_id)

    @app.event("message", middleware=[keep_event])
    async def on_message(context: AsyncBoltContext) -> None:
        submit_kept(context)

    @app.event("app_mention", middleware=[keep_event])
    async def on_mention(event: dict[str, Any], context: AsyncBoltContext) -> None:
        # In the intake channel Slack also sends this message as a `message` event: both are
        # stored, and the delivery record makes the second a no-op.
        if KEPT in context:
            submit_kept(context)
            return
        if not is_new_post(event) or is_intake_place(event):
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
        key = f"shortcut:{body.get('trigger_id') or body.get('action_ts')}"
        # Stored before the ack; if that fails the error reaches Slack, which tells the officer
        # the shortcut did not work, rather than a silent loss.
        row_id = await ctx.inbound.keep(key, InboundKind.SHORTCUT, body, context.bot_user_id or "")
        await ack()
        if row_id is not None:
            ctx.inbound.submit(row_id)

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
        problems, request = read_new_request(view, body, today, ctx.now())
        if request is None:
            await ack(errors(**problems))
            return
        try:
            row_id = await ctx.inbound.keep(request.event_id, InboundKind.MODAL, body)
        except Exception:
            log.exception("slack %s: could not store the request", request.event_id)
            # The modal stays open with everything typed in it: nothing is lost.
            await ack(errors(text="foibot could not save this just now. Please try again."))
            return
        await ack()
        if row_id is not None:
            ctx.inbound.submit(row_id)


async def process(ctx: SlackContext, row: SlackInbound) -> None:
    """Open the case for a stored request (the inbound worker calls this after the ack, and on
    start-up for any left unprocessed). Database outages propagate, leaving the row received
    for a retry; anything else hands the request to a person, never drops it."""
    assert row.id is not None
    row_id, kind = row.id, InboundKind(row.kind)
    try:
        request = await request_of(ctx, row)
    except TRANSIENT:
        raise
    except Exception as exc:
        log.exception("slack request %d: could not read it", row_id)
        fallback = SlackRequest(
            event_id=row.key, message_key=row.key, text=_raw_text(row), received_at=ctx.now()
        )
        await _hand_over(ctx, row_id, fallback, exc)
        return
    if request is None:  # nothing left to log (e.g. only a mention of foibot)
        await ctx.run(lambda s: _settle(s, row_id, ctx.now()))
        return
    settings, officer = ctx.settings, request.logged_by

    def work(session: Session) -> Intake | None:
        return open_stored(session, row_id, request, settings, ctx.now(), kind, officer)

    try:
        result = await ctx.run(work)
    except TRANSIENT:
        raise
    except Exception as exc:
        log.exception("slack %s: could not open a case", request.message_key)
        await _hand_over(ctx, row_id, request, exc)
        return
    if result is not None and result.new:
        log.info("slack %s: opened %s", request.message_key, result.case.reference)
    elif result is not None:
        log.info("slack %s: already %s", request.message_key, result.case.reference)


def open_stored(
    session: Session,
    row_id: int,
    request: SlackRequest,
    settings: Settings,
    now: datetime,
    kind: InboundKind,
    officer: str = "",
) -> Intake | None:
    """Open the case and mark the stored request done, in one transaction."""
    row = claim_inbound(session, row_id)
    if row is None:
        return None  # processed meanwhile (another instance, or a second submit)
    result = open_from_slack(session, request, settings, now)
    if result is not None and not result.new and kind is InboundKind.SHORTCUT and officer:
        notice = duplicate_notice(result)
        queue_ephemeral(session, request.channel, officer, notice, now)
    case_id = result.case.id if result is not None else None
    settle_inbound(session, row, InboundState.DONE, now, case_id=case_id)
    return result


def _settle(session: Session, row_id: int, now: datetime) -> None:
    row = claim_inbound(session, row_id)
    if row is not None:
        settle_inbound(session, row, InboundState.DONE, now)


async def request_of(ctx: SlackContext, row: SlackInbound) -> SlackRequest | None:
    """The stored payload as the request it is, with the requester looked up in Slack."""
    body = row.payload
    kind = InboundKind(row.kind)
    if kind is InboundKind.MODAL:
        view = body["view"]
        received_at = _aware(row.received_at)
        today = local_today(ctx.settings, received_at)
        problems, request = read_new_request(view, body, today, received_at)
        if request is None:
            raise ValueError(f"the stored modal no longer reads: {problems}")
        return request
    if kind is InboundKind.SHORTCUT:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        author = "" if message.get("bot_id") else str(message.get("user") or "")
        profile = await ctx.profile(author)
        ts = str(message.get("ts", ""))
        return SlackRequest(
            event_id=row.key,
            message_key=message_key(channel, ts),
            text=readable(str(message.get("text", "")), row.bot_user),
            received_at=_ts_time(ts, ctx),
            channel=channel,
            ts=ts,
            requester_name=profile.name,
            requester_email=profile.email,
            requester_slack=author,
            logged_by=body["user"]["id"],
        )
    event = body["event"]
    text = readable(str(event.get("text", "")), row.bot_user)
    if not text:
        return None
    profile = await ctx.profile(event["user"])
    return SlackRequest(
        event_id=row.key,
        message_key=message_key(event["channel"], event["ts"]),
        text=text,
        received_at=_ts_time(event["ts"], ctx),
        channel=event["channel"],
        ts=event["ts"],
        requester_name=profile.name,
        requester_email=profile.email,
        requester_slack=event["user"],
    )


def _raw_text(row: SlackInbound) -> str:
    body = row.payload
    for part in (body.get("event"), body.get("message")):
        if isinstance(part, dict) and part.get("text"):
            return str(part["text"])
    return str(body)[:2500]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def _hand_over(ctx: SlackContext, row_id: int, request: SlackRequest, exc: Exception) -> None:
    """The request could not be opened: give it to the staff channel, and record that, in
    one transaction. If even that fails the row stays received for the next start."""
    where = f" in <#{request.channel}>" if request.channel else ""
    who = request.requester_name or request.requester_email or "someone"
    text = (
        f":warning: foibot could not log a request from {esc(who)}{where} ({esc(repr(exc))}). "
        f"Please log it by hand (`/foi new`). The request:\n```{esc(request.text[:2500])}```"
    )

    def work(session: Session) -> None:
        row = claim_inbound(session, row_id)
        if row is None:
            return
        queue_message(session, ctx.settings.slack.staff_channel, text, ctx.now())
        settle_inbound(session, row, InboundState.HANDED_OVER, ctx.now(), error=repr(exc))

    try:
        await ctx.run(work)
    except Exception:
        log.exception("slack %s: could not hand the request over either", request.message_key)


def _ts_time(ts: str, ctx: SlackContext) -> datetime:
    """A Slack ts is the message's Unix time; it is when the request was received."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError):
        return ctx.now()


def read_new_request(
    view: dict[str, Any], body: dict[str, Any], today: date, received_at: datetime
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
        received_at=received_at,
        requester_name=name,
        requester_email=email,
        requester_address=address,
        logged_by=body["user"]["id"],
        via=Channel(via),
        regime=Regime(regime_value) if regime_value and regime_value != AUTO else None,
        received_on=received,
    )
