"""Processing stored mail gives way to accepting it: the writer thread commits accepted mail
between messages of a processing batch, never after the whole batch."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from bot.database import Database, PriorityExecutor
from bot.processor import process_pending
from bot.spool import _INSERT, header_message_id
from intake.models import InboundMessage, InboundState
from tests.bot.conftest import make_settings


def _store(db: Database, count: int) -> list[int]:
    rows = []
    for i in range(count):
        raw = (
            f"From: Requester {i} <r{i}@example.org>\r\nTo: foi@council.example\r\n"
            f"Subject: Request {i}\r\nMessage-ID: <p{i}@example.org>\r\n\r\n"
            f"Under the Freedom of Information Act please send me the road repair budget for "
            f"ward {i} for 2023.\r\n\r\nRequester {i}\r\n"
        ).encode()
        rows.append(
            {
                "received_at": datetime.now(UTC),
                "mail_from": f"r{i}@example.org",
                "rcpt_to": ["foi@council.example"],
                "raw": raw,
                "message_id": header_message_id(raw),
                "state": InboundState.RECEIVED.value,
                "problems": [],
            }
        )
    return db.transact(lambda s: [int(i) for i in s.execute(_INSERT, rows).scalars()])


def _states(db: Database) -> list[str]:
    with Session(db.engine) as session:
        query = select(InboundMessage.state).order_by(col(InboundMessage.id))
        return list(session.exec(query).all())


def test_a_batch_stops_after_the_message_in_hand_when_told(db: Database, tmp_path: Path) -> None:
    settings = make_settings(db.url, tmp_path, None)
    _store(db, 4)
    now = datetime(2026, 11, 26, 10, tzinfo=UTC)
    asked: list[int] = []

    def stop_after_two() -> bool:
        asked.append(1)
        return len(asked) >= 2

    done = db.transact(lambda s: process_pending(s, settings, now, stop_early=stop_after_two))
    assert len(done) == 2
    # The two it did are committed; the rest are still waiting, untouched.
    assert _states(db) == ["case_opened", "case_opened", "received", "received"]
    rest = db.transact(lambda s: process_pending(s, settings, now))
    assert len(rest) == 2
    assert _states(db) == ["case_opened"] * 4


def test_writer_thread_reports_accepted_mail_waiting() -> None:
    executor = PriorityExecutor()
    release = threading.Event()
    started = threading.Event()

    def busy() -> None:
        started.set()
        release.wait(5)

    try:
        first = executor.submit(busy)
        started.wait(5)
        assert not executor.urgent_waiting()
        urgent = executor.submit_first(lambda: "committed")
        # Queued behind the running job: a long job polling this can end early.
        assert executor.urgent_waiting()
        release.set()
        assert urgent.result(5) == "committed"
        first.result(5)
        assert not executor.urgent_waiting()
    finally:
        executor.shutdown()
