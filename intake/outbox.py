"""Outbox queries: queue, claim, mark sent, back off. Every send is a row before it is a call.

Claiming sets a lease (claimed_until). A worker that dies mid-send leaves its rows to be claimed
again when the lease runs out: at worst the one send in flight repeats, nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, update
from sqlmodel import Session, col, select

from intake.models import Outbox, OutboxKind, OutboxStatus
from intake.rows import insert_row, table_of


def queue_message(
    session: Session,
    *,
    kind: OutboxKind,
    purpose: str,
    recipient: str,
    payload: bytes,
    now: datetime,
    case_id: int | None = None,
    message_id: str = "",
    subject: str = "",
) -> int:
    """Queue one message for the delivery worker; returns the outbox row's id."""
    return insert_row(
        session,
        Outbox,
        {
            "kind": kind.value,
            "purpose": purpose,
            "case_id": case_id,
            "recipient": recipient.lower() if kind is OutboxKind.EMAIL else recipient,
            "message_id": message_id,
            "subject": subject,
            "payload": payload,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def claim_due(
    session: Session,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int = 50,
    kind: OutboxKind = OutboxKind.EMAIL,
    skip_locked: bool = False,
) -> list[Outbox]:
    """Claim up to `limit` due rows for this worker. Commit after calling.

    On PostgreSQL (skip_locked) concurrent workers lock disjoint rows with FOR UPDATE SKIP
    LOCKED; on SQLite the single writer lock serialises claims.
    """
    query = (
        select(Outbox)
        .where(
            Outbox.status == OutboxStatus.QUEUED.value,
            Outbox.kind == kind.value,
            col(Outbox.next_attempt_at) <= now,
            or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) <= now),
        )
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    rows = list(session.exec(query).all())
    if not rows:
        return []
    until = now + lease
    ids = [row.id for row in rows]
    session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(ids))
        .values(claimed_until=until, claimed_by=worker)
        .execution_options(synchronize_session=False)
    )
    for row in rows:
        row.claimed_until = until
        row.claimed_by = worker
    return rows


def mark_sent(session: Session, ids: Sequence[int], now: datetime) -> None:
    if ids:
        session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(list(ids)))
            .values(status=OutboxStatus.SENT.value, sent_at=now, claimed_until=None, last_error="")
            .execution_options(synchronize_session=False)
        )


def backoff(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """Exponential backoff: base, 2*base, 4*base, ... capped at max."""
    return timedelta(seconds=min(max_seconds, base_seconds * (2 ** max(0, attempts - 1))))


def mark_failed_attempt(
    session: Session,
    row_id: int,
    error: str,
    now: datetime,
    base_seconds: float,
    max_seconds: float,
    give_up_after: timedelta,
    permanent: bool = False,
) -> OutboxStatus:
    """Record a failed attempt; retry later, or give up (permanent error, or too old)."""
    row = session.get(Outbox, row_id)
    if row is None:
        return OutboxStatus.FAILED
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_until = None
    if permanent or now - row.created_at >= give_up_after:
        row.status = OutboxStatus.FAILED.value
    else:
        row.next_attempt_at = now + backoff(row.attempts, base_seconds, max_seconds)
    session.add(row)
    return OutboxStatus(row.status)


_OUTBOX = table_of(Outbox)
# Built once: this runs for every new case (the per-sender acknowledgement limit).
_COUNT_SENT_TO = (
    select(func.count())
    .select_from(_OUTBOX)
    .where(
        _OUTBOX.c.recipient == bindparam("recipient"),
        _OUTBOX.c.purpose == bindparam("purpose"),
        _OUTBOX.c.created_at >= bindparam("since"),
    )
)


def count_sent_to(session: Session, recipient: str, purpose: str, since: datetime) -> int:
    # Stored lower-case (queue_message), so the index on recipient serves this.
    params = {"recipient": recipient.lower(), "purpose": purpose, "since": since}
    return int(session.execute(_COUNT_SENT_TO, params).scalar_one())


def next_due_at(session: Session, kind: OutboxKind = OutboxKind.EMAIL) -> datetime | None:
    return session.exec(
        select(func.min(Outbox.next_attempt_at)).where(
            Outbox.status == OutboxStatus.QUEUED.value, Outbox.kind == kind.value
        )
    ).one()
