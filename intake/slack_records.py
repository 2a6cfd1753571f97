"""What foibot remembers about Slack: requests already taken in, and where its posts are.

Two small tables, kept apart from the case tables so the domain never depends on them:

- `SlackDelivery`: one row per Slack request that opened a case. Slack redelivers events
  (X-Slack-Retry-Num) and sends an @mention in a channel as two events (`message` and
  `app_mention`, different event ids, the same channel and ts). Both keys are unique, and the
  row is written in the transaction that opens the case, so each request opens one case.
- `SlackAnchor`: where a message foibot posted lives (channel and ts), by a key such as
  `card:12` (the staff card of case 12) or `draft:3`, so later updates and thread replies can
  find it. The ts is only known once Slack has answered the post.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, or_, select


class SlackDelivery(SQLModel, table=True):
    __tablename__ = "slack_delivery"
    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(sa_type=String(100), unique=True)
    message_key: str = Field(sa_type=String(100), unique=True)  # "channel:ts", or "view:id"
    channel: str = Field(default="", sa_type=String(40))
    ts: str = Field(default="", sa_type=String(40))
    case_id: int | None = Field(default=None, foreign_key="case.id")
    received_at: datetime


class SlackAnchor(SQLModel, table=True):
    __tablename__ = "slack_anchor"
    key: str = Field(sa_type=String(60), primary_key=True)
    channel: str = Field(sa_type=String(40))
    ts: str = Field(sa_type=String(40))
    updated_at: datetime


def message_key(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def card_key(case_id: int) -> str:
    return f"card:{case_id}"


def draft_key(draft_id: int) -> str:
    return f"draft:{draft_id}"


def delivery_for(session: Session, event_id: str, key: str) -> SlackDelivery | None:
    """The earlier delivery of the same event, or of the same message under another event."""
    return session.exec(
        select(SlackDelivery).where(
            or_(col(SlackDelivery.event_id) == event_id, col(SlackDelivery.message_key) == key)
        )
    ).first()


def claim_delivery(
    session: Session, event_id: str, key: str, channel: str, ts: str, now: datetime
) -> SlackDelivery | None:
    """Record this delivery; None when it was seen before (by either key).

    The insert is flushed in a savepoint: when a concurrent transaction took the same key first,
    the unique constraint refuses ours and only the savepoint rolls back. The caller opens the
    case in the same transaction and sets `case_id` on the returned row.
    """
    if delivery_for(session, event_id, key) is not None:
        return None
    row = SlackDelivery(event_id=event_id, message_key=key, channel=channel, ts=ts, received_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def anchor(session: Session, key: str) -> SlackAnchor | None:
    return session.get(SlackAnchor, key)


def set_anchor(session: Session, key: str, channel: str, ts: str, now: datetime) -> None:
    row = session.get(SlackAnchor, key)
    if row is None:
        row = SlackAnchor(key=key, channel=channel, ts=ts, updated_at=now)
    else:
        row.channel, row.ts, row.updated_at = channel, ts, now
    session.add(row)
