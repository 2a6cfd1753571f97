"""SQLModel tables. Enums are stored as plain strings so adding a state needs no type migration.

All timestamps are naive UTC (SQLite keeps no zone); conversion to the authority's zone happens
at the edges.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, String, Text
from sqlmodel import Field, SQLModel


class Channel(StrEnum):
    EMAIL = "email"
    SLACK = "slack"
    POST = "post"
    PHONE = "phone"


class CaseStatus(StrEnum):
    OPEN = "open"
    AWAITING_CLARIFICATION = "awaiting_clarification"
    AWAITING_FEE = "awaiting_fee"
    AWAITING_APPROVAL = "awaiting_approval"
    CLOSED = "closed"
    LAPSED = "lapsed"
    NOT_A_REQUEST = "not_a_request"

    @property
    def is_open(self) -> bool:
        return self not in _FINISHED


_FINISHED = {CaseStatus.CLOSED, CaseStatus.LAPSED, CaseStatus.NOT_A_REQUEST}
OPEN_STATUSES = tuple(s.value for s in CaseStatus if s not in _FINISHED)


class InboundState(StrEnum):
    RECEIVED = "received"  # committed, not yet processed
    CASE_OPENED = "case_opened"
    ATTACHED = "attached"  # a reply on an existing case
    IGNORED = "ignored"  # automatic mail: never answered
    DUPLICATE = "duplicate"  # a client retry of a message already processed
    RATE_LIMITED = "rate_limited"  # opened no case: sender over the per-hour limit
    NEEDS_ATTENTION = "needs_attention"  # malformed: stored, flagged for a person


class EventKind(StrEnum):
    RECEIVED = "received"
    CLASSIFIED = "classified"
    FLAGGED = "flagged"
    MESSAGE_ATTACHED = "message_attached"
    ACKNOWLEDGEMENT_QUEUED = "acknowledgement_queued"
    ACKNOWLEDGEMENT_SUPPRESSED = "acknowledgement_suppressed"
    CLOCK = "clock"  # a statutory clock event; detail: type, on, amount
    DEADLINE_CHANGED = "deadline_changed"
    STATUS_CHANGED = "status_changed"
    REGIME_CHANGED = "regime_changed"
    ASSIGNED = "assigned"
    LINKED = "linked"
    NOTE = "note"
    DRAFTED = "drafted"
    APPROVED = "approved"
    REJECTED = "rejected"
    LETTER_QUEUED = "letter_queued"
    REMINDER_SENT = "reminder_sent"


class OutboxKind(StrEnum):
    EMAIL = "email"
    SLACK = "slack"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries: a person must look


def _str(length: int = 40, **kw: Any) -> Any:
    return Field(sa_type=String(length), **kw)


class ReferenceNumber(SQLModel, table=True):
    """Hands out case numbers: an autoincrement id the database never reuses."""

    __tablename__ = "reference_number"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    issued_at: datetime


class InboundMessage(SQLModel, table=True):
    """Raw mail exactly as accepted; committed before the SMTP 250."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_state", "state"), Index("ix_inbound_msgid", "message_id"))
    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime
    mail_from: str = _str(320)
    rcpt_to: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    message_id: str = _str(998, default="")
    state: str = _str(default=InboundState.RECEIVED.value)
    case_id: int | None = Field(default=None, foreign_key="case.id")
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    processed_at: datetime | None = None


class Case(SQLModel, table=True):
    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_status_due", "status", "due"),
        Index("ix_case_requester", "requester_email"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    reference: str = Field(sa_type=String(40), unique=True)
    regime: str = _str()
    label: str = _str()
    confidence: float = 1.0
    classification: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    needs_triage: bool = False
    channel: str = _str(default=Channel.EMAIL.value)
    requester_name: str = _str(200, default="")
    requester_email: str = _str(320, default="")
    requester_address: str = Field(default="", sa_column=Column(Text, nullable=False))
    received_at: datetime
    received_on: date
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = _str(default=CaseStatus.OPEN.value)
    due: date | None = None
    clock_stopped: bool = False
    assignee: str = _str(64, default="")
    parent_id: int | None = Field(default=None, foreign_key="case.id")
    outcome: str = _str(default="")
    closed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class CaseEvent(SQLModel, table=True):
    """Append-only log of everything that happens to a case: who, what, when."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_event_case", "case_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    at: datetime
    actor: str = _str(200)
    kind: str = _str()
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_case", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id")
    inbound_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    filename: str = _str(200)
    content_type: str = _str(200)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Outbox(SQLModel, table=True):
    """Every email and Slack post is a row here before it is a network call."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient", "recipient", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = _str(default=OutboxKind.EMAIL.value)
    purpose: str = _str()  # acknowledgement, letter, notification, reminder, ...
    case_id: int | None = Field(default=None, foreign_key="case.id")
    recipient: str = _str(320)
    message_id: str = Field(default="", sa_type=String(998), index=True)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = _str(default=OutboxStatus.QUEUED.value)
    attempts: int = 0
    next_attempt_at: datetime
    claimed_until: datetime | None = None
    claimed_by: str = _str(64, default="")
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime
    sent_at: datetime | None = None
