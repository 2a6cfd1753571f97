"""Queue the Slack posts about a case, in the caller's transaction (see bot.slack.poster)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.slack.blocks import Block
from bot.slack.cards import card_blocks, card_text
from bot.slack.facts import card_facts
from bot.slack.poster import AnchorUse, Purpose, SlackPost, queue_post
from config.settings import Settings
from intake.models import Case
from intake.slack_records import card_key


def queue_case_card(session: Session, case: Case, settings: Settings, now: datetime) -> None:
    """Post a new case's card in the staff channel (no-op when Slack is not set up)."""
    if not settings.slack.enabled or not settings.slack.staff_channel:
        return
    assert case.id is not None
    session.flush()
    facts = card_facts(session, case, settings, now)
    post = SlackPost(
        "chat.postMessage",
        {
            "channel": settings.slack.staff_channel,
            "text": card_text(facts),
            "blocks": card_blocks(facts),
            "unfurl_links": False,
            "unfurl_media": False,
        },
        keep=card_key(case.id),
    )
    queue_post(session, post, Purpose.CARD, now, case.id)


def queue_card_update(session: Session, case: Case, settings: Settings, now: datetime) -> None:
    """Redraw the card in place from the case as it now is."""
    if not settings.slack.enabled:
        return
    assert case.id is not None
    session.flush()
    facts = card_facts(session, case, settings, now)
    post = SlackPost(
        "chat.update",
        {"text": card_text(facts), "blocks": card_blocks(facts)},
        anchor=card_key(case.id),
        use=AnchorUse.UPDATE,
        latest_only="card",
    )
    queue_post(session, post, Purpose.CARD_UPDATE, now, case.id)


def queue_in_card_thread(
    session: Session,
    case: Case,
    text: str,
    now: datetime,
    blocks: list[Block] | None = None,
    keep: str = "",
    purpose: Purpose = Purpose.THREAD,
) -> None:
    assert case.id is not None
    args: dict[str, Any] = {"text": text, "unfurl_links": False}
    if blocks is not None:
        args["blocks"] = blocks
    post = SlackPost(
        "chat.postMessage", args, anchor=card_key(case.id), use=AnchorUse.THREAD, keep=keep
    )
    queue_post(session, post, purpose, now, case.id)


def queue_update_of(
    session: Session,
    key: str,
    text: str,
    blocks: list[Block],
    now: datetime,
    case_id: int | None,
    purpose: Purpose = Purpose.DRAFT_UPDATE,
) -> None:
    post = SlackPost(
        "chat.update",
        {"text": text, "blocks": blocks},
        anchor=key,
        use=AnchorUse.UPDATE,
        latest_only=key,
    )
    queue_post(session, post, purpose, now, case_id)


def queue_message(
    session: Session,
    channel: str,
    text: str,
    now: datetime,
    thread_ts: str = "",
    case_id: int | None = None,
) -> None:
    args: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
    if thread_ts:
        args["thread_ts"] = thread_ts
    queue_post(session, SlackPost("chat.postMessage", args), Purpose.NOTICE, now, case_id)


def queue_ephemeral(
    session: Session,
    channel: str,
    user: str,
    text: str,
    now: datetime,
    case_id: int | None = None,
    thread_ts: str = "",
) -> None:
    """A message only `user` sees: feedback on something they did."""
    args: dict[str, Any] = {"channel": channel, "user": user, "text": text}
    if thread_ts:
        args["thread_ts"] = thread_ts
    queue_post(session, SlackPost("chat.postEphemeral", args), Purpose.EPHEMERAL, now, case_id)


def queue_parked_notice(
    session: Session,
    inbound_id: int,
    sender: str,
    reason: str,
    settings: Settings,
    now: datetime,
) -> None:
    """Tell the staff channel that a message could not be handled automatically and is waiting
    for a person (no-op when Slack is not set up; `foibot inbox` lists it either way)."""
    if not settings.slack.enabled or not settings.slack.staff_channel:
        return
    who = sender or "an unknown sender"
    text = (
        f":warning: Message {inbound_id} from {who} could not be handled automatically "
        f"({reason[:300]}). It is stored and has not been answered: see "
        f"`foibot inbox --show {inbound_id}`, then log it by hand or `foibot inbox --retry "
        f"{inbound_id}`."
    )
    post = SlackPost(
        "chat.postMessage",
        {"channel": settings.slack.staff_channel, "text": text, "unfurl_links": False},
    )
    queue_post(session, post, Purpose.NOTICE, now)
