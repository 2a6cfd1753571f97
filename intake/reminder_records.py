"""What foibot has reminded or chased: one row per milestone of a case, so each goes once.

`ReminderRecord` is unique on (case_id, milestone). The milestone key names the kind, its
parameter and the date it was computed for (`before-due:5:2025-03-14`, `overdue:2025-03-20:
2025-03-14`, `clarification-chaser:2025-03-03`), so a reminder for a due date that has since
moved has a different key and a fresh one is due for the new date.

The record is inserted in the same transaction that queues the outbox rows. Two foibot processes
on PostgreSQL that both decide to send the same milestone both try the insert: the second blocks
until the first commits and then fails on the unique constraint, which `claim_milestone` reports
as "someone else sent it". Either both the record and the messages commit, or neither does.

The daily digest is about no one case: it is recorded under case_id 0 (hence no foreign key; a
NULL would not do, since UNIQUE treats NULLs as distinct and two digests could both go).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from intake.rows import add_unless_taken

AUTHORITY_WIDE = 0  # case_id of milestones about the whole caseload (the digest)
_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


class ReminderRecord(SQLModel, table=True):
    __tablename__ = "reminder_record"
    __table_args__ = (
        UniqueConstraint("case_id", "milestone", name="uq_reminder_case_milestone"),
        Index("ix_reminder_milestone", "milestone"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int  # AUTHORITY_WIDE for the digest
    milestone: str = Field(sa_type=String(80))
    kind: str = Field(sa_type=String(40))
    due: date | None = None  # the due date the milestone was computed for, if any
    sent_at: datetime
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def sent_milestones(session: Session, wanted: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (case_id, milestone) pairs are recorded already.

    Looks up by milestone key (few distinct keys: one per kind and date) through its index,
    rather than by case, so the cost follows the milestones due now, not each case's history.
    """
    pairs = set(wanted)
    keys = sorted({key for _, key in pairs})
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), _CHUNK):
        rows = session.exec(
            select(ReminderRecord.case_id, ReminderRecord.milestone).where(
                col(ReminderRecord.milestone).in_(keys[start : start + _CHUNK])
            )
        ).all()
        found.update((case_id, key) for case_id, key in rows if (case_id, key) in pairs)
    return found


def claim_milestone(
    session: Session,
    case_id: int,
    milestone: str,
    kind: str,
    due: date | None,
    now: datetime,
    **detail: Any,
) -> ReminderRecord | None:
    """Record the milestone as sent; None when it was recorded already (here or by another
    process). Flushed in a savepoint so only the refused insert rolls back."""
    row = ReminderRecord(
        case_id=case_id, milestone=milestone, kind=kind, due=due, sent_at=now, detail=detail
    )
    if not add_unless_taken(session, row):
        return None
    return row


def records_of(session: Session, case_id: int) -> list[ReminderRecord]:
    return list(
        session.exec(
            select(ReminderRecord)
            .where(ReminderRecord.case_id == case_id)
            .order_by(col(ReminderRecord.id))
        ).all()
    )
