"""The Slack lane of the outbox: every post is a row before it is a Web API call.

A handler queues a `SlackPost` in the same transaction as the change it reports, then wakes
the poster. The poster claims due SLACK rows, calls the Web API one row at a time (in order, so
a thread reads in the order things happened), and records the result. Slack failing costs a
delay, never a post: a 429 waits out its Retry-After, a 5xx or a dropped connection backs off
exponentially like mail does, and either way the rest of the batch is released untouched.

Whoever queues a post, the lane hears of it as soon as the transaction commits: `queue_post`
hooks the session's commit and wakes every running poster on the same database, so a card
queued by mail processing (which wakes only the mail lane, and only when it acknowledges) or
by the reminder sweep goes out at once instead of at the next idle poll.

Posts that refer to another post (update the case card, reply in the card's thread) name that
post by an anchor key; its channel and ts are filled in at send time, because when the update
was queued the card itself may not have been posted yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event, update
from sqlmodel import Session, col, select

from bot.database import Database
from config.settings import OutboundSettings
from intake.models import Outbox, OutboxKind, OutboxStatus
from intake.outbox import claim_due, mark_failed_attempt, mark_sent, next_due_at, queue_message
from intake.slack_records import anchor, set_anchor

log = logging.getLogger("foibot.slack.outbox")

# Long enough for a whole batch at the Web API timeout, so no other worker re-sends it.
LEASE = timedelta(minutes=5)
IDLE_POLL_SECONDS = 10.0
BATCH = 20
# Slack's own "try again later" errors, returned with HTTP 200 and ok=false.
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class AnchorUse(StrEnum):
    """How a post uses the message its anchor names."""

    UPDATE = "update"  # chat.update of that message: channel and ts
    THREAD = "thread"  # a reply in its thread: channel and thread_ts


class Purpose(StrEnum):
    CARD = "slack_card"
    CARD_UPDATE = "slack_card_update"
    THREAD = "slack_thread"
    DRAFT = "slack_draft"
    DRAFT_UPDATE = "slack_draft_update"
    EPHEMERAL = "slack_ephemeral"
    NOTICE = "slack_notice"


@dataclass(frozen=True)
class SlackPost:
    method: str  # chat.postMessage, chat.update, chat.postEphemeral
    args: dict[str, Any]
    anchor: str = ""  # key of the post whose location the args need
    use: AnchorUse | None = None
    keep: str = ""  # remember where this post landed under this key
    # Updates with the same non-empty key replace each other: only the newest is sent, so a
    # retried older update can never overwrite a newer one.
    latest_only: str = ""

    def payload(self) -> bytes:
        body = {
            "method": self.method,
            "args": self.args,
            "anchor": self.anchor,
            "use": self.use.value if self.use else "",
            "keep": self.keep,
        }
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def from_payload(cls, raw: bytes) -> SlackPost:
        body = json.loads(raw)
        use = body.get("use") or ""
        return cls(
            method=body["method"],
            args=dict(body["args"]),
            anchor=body.get("anchor", ""),
            use=AnchorUse(use) if use else None,
            keep=body.get("keep", ""),
        )


def queue_post(
    session: Session,
    post: SlackPost,
    purpose: Purpose,
    now: datetime,
    case_id: int | None = None,
) -> int:
    recipient = str(post.args.get("channel") or post.args.get("user") or post.anchor)
    row_id = queue_message(
        session,
        kind=OutboxKind.SLACK,
        purpose=purpose.value,
        recipient=recipient[:320],
        payload=post.payload(),
        now=now,
        case_id=case_id,
        subject=post.latest_only,
    )
    wake_on_commit(session)
    return row_id


# Posters running in this process: a commit that queued a post wakes those on its database.
_running: weakref.WeakSet[SlackPoster] = weakref.WeakSet()
_running_lock = threading.Lock()  # the commit hook reads it on a database thread
_HOOKED = "foibot_wake_slack_on_commit"


def wake_on_commit(session: Session) -> None:
    """Wake the Slack lane once this session's transaction commits (never before: the poster
    must find the row; never on a rollback: there is nothing to send)."""
    if session.info.get(_HOOKED):
        return
    session.info[_HOOKED] = True
    # After a rollback the hook simply stays until a commit that has something to send.
    event.listen(session, "after_commit", _after_commit, once=True)


def _after_commit(session: Session) -> None:
    session.info.pop(_HOOKED, None)
    bind = session.get_bind()
    url = str(getattr(bind, "url", ""))
    with _running_lock:
        posters = list(_running)
    for poster in posters:
        if not url or poster.database_url == url:
            poster.wake_threadsafe()


def _superseded(session: Session, row: Outbox) -> bool:
    if not row.subject:
        return False
    newer = session.exec(
        select(Outbox.id).where(
            Outbox.kind == OutboxKind.SLACK.value,
            Outbox.case_id == row.case_id,
            Outbox.subject == row.subject,
            col(Outbox.id) > row.id,
        )
    ).first()
    return newer is not None


class _Outcome(StrEnum):
    SEND = "send"
    SKIP = "skip"  # a newer update replaces this one
    WAIT = "wait"  # the post it refers to has not been posted yet


def _resolve(session: Session, row: Outbox) -> tuple[_Outcome, SlackPost]:
    """What to send for this row now (its anchor filled in), or why not yet."""
    post = SlackPost.from_payload(row.payload)
    if _superseded(session, row):
        return _Outcome.SKIP, post
    if not post.anchor or post.use is None:
        return _Outcome.SEND, post
    where = anchor(session, post.anchor)
    if where is None:
        return _Outcome.WAIT, post
    args = dict(post.args, channel=where.channel)
    if post.use is AnchorUse.UPDATE:
        args["ts"] = where.ts
    else:
        args["thread_ts"] = where.ts
    return _Outcome.SEND, SlackPost(post.method, args, keep=post.keep)


class SlackFailure(Exception):
    def __init__(self, message: str, permanent: bool, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


async def call(client: AsyncWebClient, method: str, args: dict[str, Any]) -> dict[str, Any]:
    """One Web API call; failures become SlackFailure saying whether to try again."""
    try:
        response = await client.api_call(method, json=args)
    except SlackApiError as exc:
        status = exc.response.status_code
        answer = exc.response.data if isinstance(exc.response.data, dict) else {}
        error = str(answer.get("error", "")) or f"HTTP {status}"
        if status == 429 or error == "ratelimited":
            retry_after = _retry_after(exc.response.headers)
            raise SlackFailure(f"rate limited ({error})", False, retry_after) from exc
        retryable = status >= 500 or error in RETRYABLE_ERRORS
        raise SlackFailure(f"{method}: {error} (HTTP {status})", not retryable) from exc
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise SlackFailure(f"{method}: Slack unreachable: {exc!r}", False) from exc
    body = response.data
    return body if isinstance(body, dict) else {}


def _retry_after(headers: Any) -> float:
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
        return max(0.0, float(value))
    except (AttributeError, TypeError, ValueError):
        return 1.0


class SlackPoster:
    """Delivers SLACK outbox rows; runs beside the mail dispatcher in the same event loop."""

    def __init__(self, db: Database, client: AsyncWebClient, outbound: OutboundSettings) -> None:
        self._db = db
        self._client = client
        self._retry = outbound
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._paused_until = 0.0  # monotonic time: Slack asked us to hold off until then
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.worker = f"slack-{secrets.token_hex(4)}"

    def wake(self) -> None:
        self._wake.set()

    @property
    def database_url(self) -> str:
        return str(self._db.engine.url)

    def wake_threadsafe(self) -> None:
        """wake() from any thread (a commit hook runs on a database thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="foibot-slack-poster")
        with _running_lock:
            _running.add(self)

    async def stop(self) -> None:
        with _running_lock:
            _running.discard(self)
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                done = await self.run_once()
            except Exception:
                log.exception("slack outbox pass failed")
                done = 0
            if done:
                continue
            await self._sleep_until_due()

    async def _sleep_until_due(self) -> None:
        self._wake.clear()  # before looking, so a wake() during the query is not lost
        due = await self._db.run(lambda s: next_due_at(s, OutboxKind.SLACK))
        timeout = IDLE_POLL_SECONDS
        paused = self._paused_until - time.monotonic()
        if paused > 0:
            timeout = paused
        elif due is not None:
            due = due if due.tzinfo else due.replace(tzinfo=UTC)
            timeout = max(0.02, min(timeout, (due - datetime.now(UTC)).total_seconds()))
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns normally when a wake()
        # and stop()'s cancel land together, swallowing the cancel, and stop() hangs.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()

    async def run_once(self) -> int:
        """One pass over the due rows; returns how many were settled (sent or skipped)."""
        if time.monotonic() < self._paused_until:
            return 0
        worker, skip_locked = self.worker, self._db.skip_locked
        rows: list[Outbox] = await self._db.run(
            lambda s: claim_due(
                s,
                worker,
                datetime.now(UTC),
                LEASE,
                limit=BATCH,
                kind=OutboxKind.SLACK,
                skip_locked=skip_locked,
            )
        )
        settled = 0
        for index, row in enumerate(rows):
            assert row.id is not None
            row_id = row.id
            outcome, post = await self._db.run(partial(_resolve, row=row))
            if outcome is _Outcome.SKIP:
                await self._db.run(partial(_skip, row_id=row_id))
                settled += 1
                continue
            if outcome is _Outcome.WAIT:
                await self._failed(row.id, SlackFailure(f"waiting for {post.anchor}", False))
                continue
            try:
                data = await call(self._client, post.method, post.args)
            except SlackFailure as exc:
                await self._failed(row.id, exc)
                log.warning("slack outbox %d (%s): %s", row.id, post.method, exc)
                if not exc.permanent:
                    # Slack is busy or down: hold the whole lane (a 429 is per method and
                    # workspace, not per message) and leave the rest for later, unharmed.
                    self._paused_until = time.monotonic() + self._pause_for(exc)
                    await self._release([r.id for r in rows[index + 1 :] if r.id is not None])
                    break
                continue
            await self._db.run(partial(_record_sent, row_id=row_id, post=post, data=data))
            settled += 1
        return settled

    def _pause_for(self, exc: SlackFailure) -> float:
        return exc.retry_after or self._retry.retry_base_seconds

    async def _failed(self, row_id: int, exc: SlackFailure) -> None:
        retry = self._retry

        def record(session: Session) -> None:
            now = datetime.now(UTC)
            mark_failed_attempt(
                session,
                row_id,
                str(exc),
                now,
                retry.retry_base_seconds,
                retry.retry_max_seconds,
                timedelta(hours=retry.give_up_after_hours),
                permanent=exc.permanent,
            )
            if exc.retry_after:
                row = session.get(Outbox, row_id)
                earliest = now + timedelta(seconds=exc.retry_after)
                if row is not None and row.status == OutboxStatus.QUEUED.value:
                    current = row.next_attempt_at
                    current = current if current.tzinfo else current.replace(tzinfo=UTC)
                    row.next_attempt_at = max(current, earliest)
                    session.add(row)

        await self._db.run(record)

    async def _release(self, ids: Sequence[int]) -> None:
        if not ids:
            return

        def release(session: Session) -> None:
            session.execute(
                update(Outbox)
                .where(col(Outbox.id).in_(list(ids)))
                .values(claimed_until=None, claimed_by="")
                .execution_options(synchronize_session=False)
            )

        await self._db.run(release)


def _skip(session: Session, row_id: int) -> None:
    mark_sent(session, [row_id], datetime.now(UTC))


def _record_sent(session: Session, row_id: int, post: SlackPost, data: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    mark_sent(session, [row_id], now)
    if post.keep:
        channel = str(data.get("channel") or post.args.get("channel", ""))
        ts = str(data.get("ts") or "")
        if channel and ts:
            set_anchor(session, post.keep, channel, ts, now)
