"""The delivery worker: claims due outbox rows, sends them, marks them sent or backs off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.database import Database
from bot.transport import DeliveryError, Outgoing, Transport
from config.settings import Settings
from intake.outbox import claim_due, mark_failed_attempt, mark_sent, next_due_at

log = logging.getLogger("foibot.outbox")

LEASE = timedelta(minutes=5)
IDLE_POLL_SECONDS = 30.0


class Dispatcher:
    def __init__(self, db: Database, settings: Settings, transport: Transport) -> None:
        self._db = db
        self._settings = settings
        self._transport = transport
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.worker = f"worker-{secrets.token_hex(4)}"

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="foibot-dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._transport.close()

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:
                log.exception("outbox pass failed")
                sent = 0
            if sent:
                continue
            await self._sleep_until_due()

    async def _sleep_until_due(self) -> None:
        # Clear before looking, so a wake() during the query is not lost.
        self._wake.clear()
        due = await self._db.run(lambda s: next_due_at(s))
        timeout = IDLE_POLL_SECONDS
        if due is not None:
            timeout = max(0.05, min(timeout, (due - datetime.now(UTC)).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def run_once(self) -> int:
        """One pass: claim a batch, send it over parallel connections, record the results."""
        settings = self._settings
        worker = self.worker
        skip_locked = self._db.skip_locked

        def claim(session: Session) -> list[Outgoing]:
            rows = claim_due(
                session, worker, datetime.now(UTC), LEASE, limit=100, skip_locked=skip_locked
            )
            return [
                Outgoing(row.id or 0, settings.from_address, row.recipient, row.payload)
                for row in rows
            ]

        batch = await self._db.run(claim)
        if not batch:
            return 0
        queue: asyncio.Queue[Outgoing] = asyncio.Queue()
        for item in batch:
            queue.put_nowait(item)
        sent: list[int] = []
        failed: list[tuple[Outgoing, DeliveryError]] = []

        async def lane() -> None:
            while not queue.empty():
                item = queue.get_nowait()
                try:
                    await self._transport.send(item)
                except DeliveryError as exc:
                    failed.append((item, exc))
                except Exception as exc:  # never let one odd failure drop the batch
                    failed.append((item, DeliveryError(repr(exc), permanent=False)))
                else:
                    sent.append(item.row_id)
                    log.info("sent outbox %d to <%s>", item.row_id, item.recipient)

        lanes = max(1, min(settings.outbound.concurrency, len(batch)))
        await asyncio.gather(*(lane() for _ in range(lanes)))
        out = settings.outbound

        def record(session: Session) -> None:
            now = datetime.now(UTC)
            mark_sent(session, sent, now)
            for item, exc in failed:
                status = mark_failed_attempt(
                    session,
                    item.row_id,
                    str(exc),
                    now,
                    out.retry_base_seconds,
                    out.retry_max_seconds,
                    timedelta(hours=out.give_up_after_hours),
                    permanent=exc.permanent,
                )
                log.warning(
                    "outbox %d to <%s>: %s (%s)", item.row_id, item.recipient, exc, status.value
                )

        await self._db.run(record)
        return len(sent)
