"""What foibot remembers about Slack: requests already taken in, and where its posts are.

Three small tables, kept apart from the case tables so the domain never depends on them:

- `SlackInbound`: every Slack request that may open a case (an intake-channel message, a DM,
  an @mention, the "Log as request" shortcut, the post/phone modal), stored as Slack sent it
  and committed before Slack is answered. Slack does not send a request again once it has had
  its 200, so this row is what makes "nothing accepted is lost" hold: it is processed after the
  ack, and on start-up every row still `received` is processed (as the SMTP spool's are). The
  key is unique, so a redelivery (X-Slack-Retry-Num) is stored once.
- `SlackDelivery`: one row per Slack request that opened a case. Slack redelivers events
  (X-Slack-Retry-Num) and sends an @mention in a channel as two events (`message` and
  `app_mention`, different event ids, the same channel and ts). Both keys are unique, and the
  row is written in the transaction that opens the case, so each request opens one case.
- `SlackAnchor`: where a message foibot posted lives (channel and ts), by a key such as
  `card:12` (the staff card of case 12) or `draft:3`, so later updates and thread replies can
  find it. The ts is only known once Slack has answered the post.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field, Session, SQLModel, col, or_, select

from intake.rows import add_unless_taken


class InboundKind(StrEnum):
    """Where a stored Slack request came from, which says how to read its payload."""

    EVENT = "event"  # Events API event_callback: a message, DM or @mention
    SHORTCUT = "shortcut"  # the "Log as request" message shortcut (message_action)
    MODAL = "modal"  # the post/phone modal (view_submission)


class InboundState(StrEnum):
    RECEIVED = "received"  # stored and acknowledged; not yet processed
    DONE = "done"  # processed: a case opened, or the request was found already logged
    HANDED_OVER = "handed_over"  # could not be opened: given to the staff channel by hand


class SlackInbound(SQLModel, table=True):
    __tablename__ = "slack_inbound"
    __table_args__ = (Index("ix_slack_inbound_state", "state", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    # Events API event_id, "shortcut:<trigger_id>" or "view:<view id>": one row per request.
    key: str = Field(sa_type=String(120), unique=True)
    kind: str = Field(sa_type=String(20))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    bot_user: str = Field(default="", sa_type=String(40))  # foibot's own user id, to strip
    state: str = Field(default=InboundState.RECEIVED.value, sa_type=String(20))
    received_at: datetime
    processed_at: datetime | None = None
    case_id: int | None = Field(default=None, foreign_key="case.id")
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))


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
    if not add_unless_taken(session, row):
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


def store_inbound(
    session: Session,
    key: str,
    kind: InboundKind,
    payload: dict[str, Any],
    bot_user: str,
    now: datetime,
) -> int | None:
    """Keep a Slack request before it is acknowledged; its id, or None when the same key was
    stored before (a redelivery). A concurrent insert of the same key loses in a savepoint."""
    seen = session.exec(select(SlackInbound.id).where(SlackInbound.key == key)).first()
    if seen is not None:
        return None
    row = SlackInbound(
        key=key, kind=kind.value, payload=payload, bot_user=bot_user, received_at=now
    )
    if not add_unless_taken(session, row):
        return None
    return row.id


def unprocessed_inbound(session: Session, limit: int = 1000) -> Sequence[int]:
    """Ids of stored requests not yet processed, oldest first."""
    ids = session.exec(
        select(SlackInbound.id)
        .where(SlackInbound.state == InboundState.RECEIVED.value)
        .order_by(col(SlackInbound.id))
        .limit(limit)
    ).all()
    return [row_id for row_id in ids if row_id is not None]


def claim_inbound(session: Session, row_id: int) -> SlackInbound | None:
    """The stored request, locked for this transaction, if it still awaits processing."""
    row = session.exec(
        select(SlackInbound).where(SlackInbound.id == row_id).with_for_update()
    ).first()
    if row is None or row.state != InboundState.RECEIVED.value:
        return None
    return row


def settle_inbound(
    session: Session,
    row: SlackInbound,
    state: InboundState,
    now: datetime,
    case_id: int | None = None,
    error: str = "",
) -> None:
    row.state, row.processed_at, row.case_id = state.value, now, case_id
    row.last_error = error[:2000]
    session.add(row)
