"""Cases: opening one, its append-only event log, and the due date derived from its events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from config.settings import ReferenceSettings
from intake.clock import ClockEvent, ClockEventType, Deadline, compute_deadline
from intake.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    EventKind,
    ReferenceNumber,
)
from intake.reference import Reference, find_references, make_reference
from intake.regime import Jurisdiction, Regime
from intake.rows import add_row, insert_row, insert_rows, table_of


@dataclass(frozen=True)
class NewCase:
    """Everything needed to open a case, from any channel (email, Slack, post, phone)."""

    channel: Channel
    received_at: datetime  # aware
    received_on: date  # the date of receipt in the authority's time zone
    subject: str
    text: str
    regime: Regime | None  # None: not a statutory request (complaint, enquiry)
    label: str
    requester_name: str = ""
    requester_email: str = ""
    requester_address: str = ""
    confidence: float = 1.0
    classification: dict[str, Any] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    needs_triage: bool = False
    parent_id: int | None = None


def issue_reference(session: Session, settings: ReferenceSettings, now: datetime) -> Reference:
    """A new number from the database (never reused) with its keyed check code."""
    number = insert_row(session, ReferenceNumber, {"issued_at": now})
    return make_reference(settings.prefix, settings.first_number + number - 1, settings.secret)


def record_event(
    session: Session, case: Case, kind: EventKind, actor: str, now: datetime, **detail: Any
) -> None:
    """Append to the case's event log (in the caller's transaction) and touch the case."""
    record_events(session, case, actor, now, [(kind, detail)])


def record_events(
    session: Session,
    case: Case,
    actor: str,
    now: datetime,
    events: Sequence[tuple[EventKind, dict[str, Any]]],
) -> None:
    """Append several events at once, in order."""
    assert case.id is not None
    rows = [
        {"case_id": case.id, "at": now, "actor": actor, "kind": kind.value, "detail": detail}
        for kind, detail in events
    ]
    insert_rows(session, CaseEvent, rows)
    if case.updated_at != now:
        case.updated_at = now
        session.add(case)


def open_case(
    session: Session,
    new: NewCase,
    references: ReferenceSettings,
    jurisdiction: Jurisdiction,
    now: datetime,
    actor: str = "foibot",
) -> Case:
    reference = issue_reference(session, references, now)
    # A new case has no clock events yet: its first due date comes straight from receipt.
    first = compute_deadline(new.regime, new.received_on, (), jurisdiction) if new.regime else None
    case = add_row(
        session,
        Case,
        dict(
            number=reference.number,
            reference=str(reference),
            regime=new.regime.value if new.regime else "",
            label=new.label,
            confidence=new.confidence,
            classification=new.classification,
            flags=list(new.flags),
            needs_triage=new.needs_triage,
            channel=new.channel.value,
            requester_name=new.requester_name,
            requester_email=new.requester_email.lower(),
            requester_address=new.requester_address,
            received_at=new.received_at,
            received_on=new.received_on,
            subject=new.subject,
            text=new.text,
            status=CaseStatus.OPEN.value,
            parent_id=new.parent_id,
            due=first.due if first else None,
            clock_stopped=bool(first and first.stopped),
            created_at=now,
            updated_at=now,
        ),
    )
    received = {
        "channel": new.channel.value,
        "received_on": new.received_on.isoformat(),
        "regime": case.regime,
        "due": case.due.isoformat() if case.due else None,
    }
    events: list[tuple[EventKind, dict[str, Any]]] = [(EventKind.RECEIVED, received)]
    if new.classification:
        events.append((EventKind.CLASSIFIED, dict(new.classification)))
    if new.flags:
        events.append((EventKind.FLAGGED, {"flags": list(new.flags)}))
    record_events(session, case, actor, now, events)
    return case


def clock_events(session: Session, case: Case) -> list[ClockEvent]:
    rows = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.CLOCK.value)
        .order_by(col(CaseEvent.id))
    ).all()
    return [
        ClockEvent(
            type=ClockEventType(row.detail["type"]),
            on=date.fromisoformat(row.detail["on"]),
            amount=row.detail.get("amount"),
        )
        for row in rows
    ]


def deadline_for(session: Session, case: Case, jurisdiction: Jurisdiction) -> Deadline | None:
    """The deadline derived from the case's events; None for non-statutory cases."""
    if not case.regime:
        return None
    return compute_deadline(
        Regime(case.regime), case.received_on, clock_events(session, case), jurisdiction
    )


def refresh_deadline(
    session: Session, case: Case, jurisdiction: Jurisdiction, now: datetime, actor: str
) -> Deadline | None:
    """Recompute the due date from the events; log the change when it moves."""
    deadline = deadline_for(session, case, jurisdiction)
    due = deadline.due if deadline else None
    stopped = bool(deadline and deadline.stopped)
    if due != case.due or stopped != case.clock_stopped:
        record_event(
            session,
            case,
            EventKind.DEADLINE_CHANGED,
            actor,
            now,
            due=due.isoformat() if due else None,
            previous=case.due.isoformat() if case.due else None,
            stopped=stopped,
        )
        case.due = due
        case.clock_stopped = stopped
        session.add(case)
    return deadline


def add_clock_event(
    session: Session,
    case: Case,
    event: ClockEvent,
    jurisdiction: Jurisdiction,
    now: datetime,
    actor: str,
) -> Deadline | None:
    record_event(
        session,
        case,
        EventKind.CLOCK,
        actor,
        now,
        type=event.type.value,
        on=event.on.isoformat(),
        amount=event.amount,
    )
    session.flush()
    return refresh_deadline(session, case, jurisdiction, now, actor)


def set_status(
    session: Session, case: Case, status: CaseStatus, now: datetime, actor: str, **detail: Any
) -> None:
    if case.status == status.value:
        return
    record_event(
        session,
        case,
        EventKind.STATUS_CHANGED,
        actor,
        now,
        status=status.value,
        previous=case.status,
        **detail,
    )
    case.status = status.value
    if not status.is_open:
        case.closed_at = now
    session.add(case)


def events_of(session: Session, case: Case) -> Sequence[CaseEvent]:
    return session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id))
    ).all()


def case_by_reference(session: Session, reference: str, prefix: str, secret: str) -> Case | None:
    """The case a (leniently typed) reference names, if its check code is valid."""
    found = find_references(reference, prefix, secret)
    if not found:
        return None
    return session.exec(select(Case).where(Case.reference == str(found[0]))).first()


_CASE = table_of(Case)
_OPEN_STATUSES = [s.value for s in CaseStatus if s.is_open]
# Built once: asked for every incoming message, and most senders have no open case, so a
# one-column probe answers most calls without loading any case.
_HAS_OPEN_CASE = (
    select(_CASE.c.id)
    .where(
        _CASE.c.requester_email == bindparam("email"),
        _CASE.c.status.in_(_OPEN_STATUSES),
    )
    .limit(1)
)


def open_cases_of(session: Session, requester_email: str) -> Sequence[Case]:
    # Stored lower-case (open_case), so the index on requester_email serves this.
    email = requester_email.lower()
    if session.execute(_HAS_OPEN_CASE, {"email": email}).first() is None:
        return []
    return session.exec(
        select(Case).where(Case.requester_email == email, col(Case.status).in_(_OPEN_STATUSES))
    ).all()
