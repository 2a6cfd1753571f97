"""Drafts of response letters awaiting a person's approval.

A draft holds the values an officer chose (outcome, exemptions, public interest factors, the
response text); the letter is rendered from them, dated the day it is sent. Each edit is a new
version that supersedes the one before, so an approval always refers to the version on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field, Session, SQLModel, col, select


class DraftStatus(StrEnum):
    PENDING = "pending"  # waiting for an approver
    APPROVED = "approved"  # the letter was queued
    REJECTED = "rejected"  # returned to its drafter with a reason
    SUPERSEDED = "superseded"  # replaced by an edited version


class Draft(SQLModel, table=True):
    __tablename__ = "draft"
    __table_args__ = (Index("ix_draft_case", "case_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    version: int = 1
    status: str = Field(default=DraftStatus.PENDING.value, sa_type=String(20))
    drafter: str = Field(sa_type=String(64))
    outcome: str = Field(sa_type=String(40))
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime
    decided_by: str = Field(default="", sa_type=String(64))
    decided_at: datetime | None = None
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))


def drafts_of(session: Session, case_id: int) -> Sequence[Draft]:
    return session.exec(select(Draft).where(Draft.case_id == case_id).order_by(col(Draft.id))).all()


def pending_draft(session: Session, case_id: int) -> Draft | None:
    return session.exec(
        select(Draft).where(Draft.case_id == case_id, Draft.status == DraftStatus.PENDING.value)
    ).first()


def add_draft(
    session: Session,
    case_id: int,
    drafter: str,
    outcome: str,
    values: dict[str, Any],
    now: datetime,
) -> tuple[Draft, Draft | None]:
    """A new version; the pending one before it (if any) is superseded. Returns (new, old)."""
    earlier = drafts_of(session, case_id)
    old = next((d for d in earlier if d.status == DraftStatus.PENDING.value), None)
    if old is not None:
        old.status = DraftStatus.SUPERSEDED.value
        old.decided_by, old.decided_at = drafter, now
        session.add(old)
    draft = Draft(
        case_id=case_id,
        version=len(earlier) + 1,
        drafter=drafter,
        outcome=outcome,
        content=values,
        created_at=now,
    )
    session.add(draft)
    session.flush()
    return draft, old


def decide(
    session: Session, draft: Draft, status: DraftStatus, actor: str, now: datetime, reason: str = ""
) -> None:
    draft.status = status.value
    draft.decided_by, draft.decided_at, draft.reason = actor, now, reason
    session.add(draft)
