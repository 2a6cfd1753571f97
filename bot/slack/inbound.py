"""Durable intake from Slack: a request is a committed row before Slack hears 200.

Slack does not send a request again once it has been acknowledged, so a request that was only
in memory when foibot stopped would be lost. Instead the listener (or its middleware) stores
the payload as Slack sent it (`intake.slack_records.SlackInbound`, one quick insert, ahead of
other database work) and only then acknowledges; this worker processes the row after the ack.
On start-up every row still `received` is processed, as the SMTP spool's mail is. Processing
opens the case and marks the row done in one transaction, and the delivery record keeps the
existing dedupe (event id, and channel and ts) however often a row is processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from bot.database import Database
from intake.slack_records import (
    InboundKind,
    InboundState,
    SlackInbound,
    store_inbound,
    unprocessed_inbound,
)

log = logging.getLogger("foibot.slack.inbound")

Handler = Callable[[SlackInbound], Awaitable[None]]

CONCURRENCY = 8  # requests processed at once (each may wait on users.info)
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 30.0
# The database failing is worth waiting out; anything else is a bug the handler reports.
TRANSIENT = (OperationalError, InterfaceError)


class InboundWorker:
    """Stores Slack requests before their ack and processes them after it, in tasks it owns
    (so shutdown can wait for them) rather than in Bolt's untracked ones."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._handler: Handler | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._in_flight: set[int] = set()
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._stopping = False

    def set_handler(self, handler: Handler) -> None:
        self._handler = handler

    async def keep(
        self, key: str, kind: InboundKind, payload: dict[str, Any], bot_user: str = ""
    ) -> int | None:
        """Commit the request; its row id, or None if this key was stored before. Runs ahead of
        other database work (like accepted mail), so the ack stays well inside 3 seconds.
        Raises when the database can't take it: the caller must then not acknowledge."""
        now = datetime.now(UTC)
        return await self._db.run_accepting(
            lambda s: store_inbound(s, key, kind, payload, bot_user, now)
        )

    def submit(self, row_id: int) -> None:
        """Process a stored request soon (no-op if it is already being processed)."""
        if self._stopping or row_id in self._in_flight:
            return
        self._in_flight.add(row_id)
        self._spawn(self._process(row_id), f"foibot-slack-inbound-{row_id}")

    def start(self) -> None:
        """Catch up with what was stored but not processed before the last stop."""
        self._stopping = False
        self._spawn(self._catch_up(), "foibot-slack-inbound-catch-up")

    async def stop(self, timeout: float) -> None:
        """Let requests being processed finish (up to `timeout` seconds); cancel the rest.
        A cancelled one is still stored as received and is processed on the next start."""
        self._stopping = True
        await drain(self._tasks, timeout)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _spawn(self, work: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _catch_up(self) -> None:
        while not self._stopping:
            try:
                ids = await self._db.run(lambda s: list(unprocessed_inbound(s)))
            except TRANSIENT as exc:
                log.warning("could not read stored Slack requests (%s); retrying", exc)
                await asyncio.sleep(RETRY_FIRST_SECONDS)
                continue
            if ids:
                log.info("processing %d Slack request(s) stored before the last stop", len(ids))
            for row_id in ids:
                self.submit(row_id)
            return

    async def _process(self, row_id: int) -> None:
        delay = RETRY_FIRST_SECONDS
        try:
            async with self._slots:
                while True:
                    try:
                        row = await self._db.run(lambda s: s.get(SlackInbound, row_id))
                        if row is None or row.state != InboundState.RECEIVED.value:
                            return
                        assert self._handler is not None, "on_intake.register sets the handler"
                        await self._handler(row)
                        return
                    except TRANSIENT as exc:
                        # The row is still `received`: wait and try again (and a restart
                        # would pick it up too).
                        log.warning("slack request %d: database unavailable (%s)", row_id, exc)
                        if self._stopping:
                            return
                        await asyncio.sleep(delay)
                        delay = min(delay * 2, RETRY_MAX_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The handler hands what it can't open to a person; this is the last resort.
            log.exception("slack request %d: processing failed; left for the next start", row_id)
        finally:
            self._in_flight.discard(row_id)


async def drain(tasks: set[asyncio.Task[Any]], timeout: float) -> None:
    """Wait for `tasks` up to `timeout` seconds, then cancel and reap the rest."""
    pending = {t for t in tasks if not t.done()}
    if not pending:
        return
    _, late = await asyncio.wait(pending, timeout=max(0.0, timeout))
    for task in late:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*late, return_exceptions=True)
