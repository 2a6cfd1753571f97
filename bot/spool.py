"""Durable acceptance of inbound mail, with group commit.

Each accepted message is a row committed (and, on SQLite with synchronous=FULL, fsynced) before
its SMTP 250. Messages arriving while a commit is in flight are written together in the next
one, so throughput scales with concurrency instead of with fsyncs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col

from bot.database import Database
from intake.models import InboundMessage, InboundState

log = logging.getLogger("foibot.spool")

_MSGID_HEADER = b"\nmessage-id:"
# Mail arriving faster than this is a burst (a campaign, a mail storm, a queue flushed after an
# outage): while it lasts, processing waits and the SMTP replies get the whole process. Any
# everyday rate, even a busy one, is far below it, so its mail is processed at once.
BURST_RATE = 200.0  # messages a second, over
BURST_WINDOW = 0.1  # seconds


@dataclass
class _Pending:
    row: dict[str, Any]
    done: asyncio.Future[int]


def header_message_id(raw: bytes) -> str:
    """The Message-ID from the header block, cheaply, for retry detection; '' if none."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lower = b"\n" + head.lower()
    at = lower.find(_MSGID_HEADER)
    if at < 0:
        return ""
    start = at + len(_MSGID_HEADER) - 1
    value = head[start:].split(b"\n", 1)[0].strip()
    return value.decode("ascii", errors="replace")[:998]


class Spool:
    def __init__(self, db: Database, on_committed: Callable[[list[int]], None]) -> None:
        self._db = db
        self._pending: list[_Pending] = []
        self._wake = asyncio.Event()
        self._on_committed = on_committed
        self._task: asyncio.Task[None] | None = None
        self._committing = False
        self._recent: deque[tuple[float, int]] = deque()  # (when, how many) of recent commits

    def _busy(self, now: float) -> bool:
        """Mail waits for its commit, a commit is in flight, or mail is arriving in a burst."""
        while self._recent and self._recent[0][0] < now - BURST_WINDOW:
            self._recent.popleft()
        in_burst = sum(count for _, count in self._recent) >= BURST_WINDOW * BURST_RATE
        return bool(self._pending) or self._committing or in_burst

    async def wait_idle(self, longest: float = 2.0) -> bool:
        """Wait while mail is arriving in a burst, but no longer than `longest`; return whether
        it stopped arriving (False: gave up waiting).

        Processing calls this before each batch, so during a burst the listener's commits (and
        so its 250s) come first; at an everyday rate nothing waits more than a commit; the
        bound keeps processing from starving.
        """
        loop = asyncio.get_running_loop()
        give_up = loop.time() + longest
        while self._busy(loop.time()):
            if loop.time() >= give_up:
                return False
            await asyncio.sleep(0.002)
        return True

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="foibot-spool")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for item in self._pending:
            if not item.done.done():
                item.done.set_exception(RuntimeError("shutting down"))
        self._pending.clear()

    async def store(self, mail_from: str, rcpt_to: list[str], raw: bytes) -> int:
        """Commit the message; return its id. Raises if the database could not take it."""
        row = {
            "received_at": datetime.now(UTC),
            "mail_from": mail_from,
            "rcpt_to": rcpt_to,
            "raw": raw,
            "message_id": header_message_id(raw),
            "state": InboundState.RECEIVED.value,
            "problems": [],
        }
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(row, done))
        self._wake.set()
        return await done

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            self._committing = True
            try:
                ids = await self._db.run_accepting(lambda s, b=batch: _write(s, b))  # type: ignore[misc]
            except Exception as exc:
                self._committing = False
                log.error("could not store %d inbound message(s): %s", len(batch), exc)
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            self._committing = False
            self._recent.append((asyncio.get_running_loop().time(), len(batch)))
            for item, row_id in zip(batch, ids, strict=True):
                if not item.done.done():
                    item.done.set_result(row_id)
            self._on_committed(ids)


_INSERT = insert(InboundMessage).returning(col(InboundMessage.id), sort_by_parameter_order=True)


def _write(session: Session, batch: list[_Pending]) -> list[int]:
    # Core, not ORM objects: a group of raw messages is one executemany with RETURNING, about
    # ten times cheaper than flushing model instances, and this is on every 250's path.
    result = session.execute(_INSERT, [item.row for item in batch])
    return [int(row_id) for row_id in result.scalars().all()]
