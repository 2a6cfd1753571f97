"""The outbox worker: claims, sends, backs off, and shares the outbox safely between workers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.database import Database
from bot.dispatcher import Dispatcher
from bot.transport import make_transport
from intake.models import Outbox, OutboxKind
from intake.outbox import backoff, claim_due, queue_message
from tests.bot.conftest import CaptureRelay, make_settings


def _queue(db: Database, count: int) -> None:
    now = datetime.now(UTC)
    with Session(db.engine) as session:
        for i in range(count):
            payload = (
                f"From: foi@council.example\r\nTo: r{i}@example.org\r\n"
                f"Subject: n{i}\r\nMessage-ID: <o{i}@council.example>\r\n\r\nhello\r\n"
            )
            queue_message(
                session,
                kind=OutboxKind.EMAIL,
                purpose="test",
                recipient=f"r{i}@example.org",
                payload=payload.encode(),
                now=now,
                message_id=f"<o{i}@council.example>",
            )
        session.commit()


def test_backoff_doubles_and_caps() -> None:
    assert [backoff(n, 5, 60).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_claim_skips_rows_leased_to_another_worker(db: Database) -> None:
    _queue(db, 3)
    now = datetime.now(UTC)
    with db.session() as one:
        first = claim_due(one, "a", now, timedelta(minutes=5), limit=2)
        one.commit()
    with db.session() as two:
        second = claim_due(two, "b", now, timedelta(minutes=5))
        two.commit()
    assert len(first) == 2 and len(second) == 1
    assert {r.id for r in first}.isdisjoint({r.id for r in second})
    with db.session() as three:  # after the lease runs out, a dead worker's rows come back
        again = claim_due(three, "c", now + timedelta(minutes=6), timedelta(minutes=5))
    assert len(again) == 3


async def test_two_workers_send_each_message_exactly_once(
    database_url: str, tmp_path: Path, relay: CaptureRelay
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share an outbox on PostgreSQL (SKIP LOCKED)")
    settings = make_settings(database_url, tmp_path, relay.port)
    dbs = [Database(database_url) for _ in range(2)]
    from bot.database import migrate

    migrate(dbs[0].engine)
    _queue(dbs[0], 60)
    workers = [Dispatcher(d, settings, make_transport(settings.outbound)) for d in dbs]
    try:
        while True:
            sent = await asyncio.gather(*(w.run_once() for w in workers))
            if not any(sent):
                break
    finally:
        for w in workers:
            await w.stop()
        for d in dbs:
            d.close()
    recipients = sorted(m["To"] for m in relay.messages)
    assert recipients == sorted(f"r{i}@example.org" for i in range(60))


async def test_permanent_refusal_is_marked_failed_not_retried(db: Database, tmp_path: Path) -> None:
    class Refusing(CaptureRelay):
        async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
            return "550 5.1.1 No such user"

    relay = Refusing()
    relay.start()
    try:
        settings = make_settings(db.url, tmp_path, relay.port)
        _queue(db, 1)
        worker = Dispatcher(db, settings, make_transport(settings.outbound))
        await worker.run_once()
        await worker.stop()
    finally:
        relay.stop()
    with Session(db.engine) as session:
        [row] = session.exec(select(Outbox)).all()
    assert row.status == "failed"
    assert "550" in row.last_error
    assert row.attempts == 1
