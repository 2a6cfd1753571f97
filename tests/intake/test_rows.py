"""Rows written with prepared statements read back exactly as the ORM would have written them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect
from sqlmodel import Session, col, select

from bot.database import Database
from intake.models import Outbox, OutboxStatus
from intake.rows import add_row, insert_rows, update_row

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def test_added_row_has_the_model_defaults_and_is_persistent(db: Database) -> None:
    values = {
        "kind": "email",
        "purpose": "acknowledgement",
        "recipient": "sam@example.org",
        "payload": b"hello",
        "next_attempt_at": NOW,
        "created_at": NOW,
    }
    with Session(db.engine) as session:
        row = add_row(session, Outbox, values)
        assert row.id is not None
        assert inspect(row).persistent and not session.dirty and not session.new
        # Columns left out take the model's defaults, in the instance and in the database.
        assert (row.status, row.attempts, row.last_error) == (OutboxStatus.QUEUED.value, 0, "")
        row_id = row.id
        session.commit()
    with Session(db.engine) as session:
        stored = session.get(Outbox, row_id)
        assert stored is not None
        assert (stored.status, stored.attempts, stored.last_error, stored.payload) == (
            "queued",
            0,
            "",
            b"hello",
        )


def test_updated_row_leaves_nothing_for_the_orm_to_write(db: Database) -> None:
    values = {
        "kind": "email",
        "purpose": "letter",
        "recipient": "sam@example.org",
        "payload": b"x",
        "next_attempt_at": NOW,
        "created_at": NOW,
    }
    with Session(db.engine) as session:
        row = add_row(session, Outbox, values)
        update_row(session, row, {"status": "sent", "attempts": 1})
        assert row.status == "sent" and row.attempts == 1
        assert not session.dirty
        row_id = row.id
        session.commit()
    with Session(db.engine) as session:
        stored = session.get(Outbox, row_id)
        assert stored is not None and (stored.status, stored.attempts) == ("sent", 1)


def test_inserted_rows_keep_their_order_and_fill_defaults(db: Database) -> None:
    rows: list[dict[str, object]] = [
        {
            "purpose": f"p{i}",
            "recipient": "r",
            "payload": b"",
            "next_attempt_at": NOW,
            "created_at": NOW,
        }
        for i in range(3)
    ]
    with Session(db.engine) as session:
        insert_rows(session, Outbox, rows)
        session.commit()
    with Session(db.engine) as session:
        stored = session.exec(select(Outbox).order_by(col(Outbox.id))).all()
        assert [r.purpose for r in stored] == ["p0", "p1", "p2"]
        assert {r.kind for r in stored} == {"email"} and {r.attempts for r in stored} == {0}
