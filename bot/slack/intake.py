"""Open a case from Slack: a channel message, a DM, a message shortcut or the post/phone modal.

The same core calls as email (classify, regime_for, open_case, the acknowledgement letter), in
one transaction with the delivery record that makes Slack's redeliveries harmless: a request
seen before, by event id or by channel and ts, opens nothing and returns the earlier case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.outgoing import queue_acknowledgement
from bot.slack.blocks import clip
from bot.slack.cards import already_logged, intake_reply
from bot.slack.notify import queue_case_card, queue_message
from config.settings import Settings
from intake.cases import NewCase, open_case
from intake.classifier import Flag, Incoming, classify
from intake.inbox import CaseFlag, local_time, regime_for
from intake.models import Case, Channel
from intake.regime import Regime
from intake.similarity import PriorRequest, find_repeats, find_round_robins
from intake.slack_records import claim_delivery, delivery_for

SUBJECT_CHARS = 100


@dataclass(frozen=True)
class SlackRequest:
    """A request as Slack delivered it, with the requester already looked up."""

    event_id: str  # unique per delivery source: Events API event_id, "shortcut:...", "view:..."
    message_key: str  # "channel:ts" of the message, or "view:<id>" for the modal
    text: str
    received_at: datetime
    channel: str = ""  # where to reply in thread ("" for the modal)
    ts: str = ""
    requester_name: str = ""
    requester_email: str = ""
    requester_address: str = ""
    requester_slack: str = ""  # the requester's Slack user id, when they wrote in Slack
    logged_by: str = ""  # the officer who logged it (shortcut, modal), if not the requester
    via: Channel = Channel.SLACK
    regime: Regime | None = None  # chosen by the officer; None: classify
    received_on: date | None = None  # given in the modal; else the local date of receipt


@dataclass(frozen=True)
class Intake:
    case: Case
    new: bool  # False: seen before, `case` is the one it opened then


_GREETING = re.compile(r"^(dear|hi|hello|good (morning|afternoon|evening)|to whom)\b", re.I)


def subject_of(text: str) -> str:
    """A Slack request has no subject line: its first line that says something stands in."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    said = [line for line in lines if not (_GREETING.match(line) and len(line) < 60)]
    return clip((said or lines or [""])[0], SUBJECT_CHARS)


def open_from_slack(
    session: Session, request: SlackRequest, settings: Settings, now: datetime
) -> Intake | None:
    """Open the case (or find the one opened before); None when an earlier delivery of the same
    request opened nothing (it is still being handled, or was not a request)."""
    delivery = claim_delivery(
        session, request.event_id, request.message_key, request.channel, request.ts, now
    )
    if delivery is None:
        earlier = delivery_for(session, request.event_id, request.message_key)
        case = session.get(Case, earlier.case_id) if earlier and earlier.case_id else None
        return Intake(case, new=False) if case is not None else None
    case = _open(session, request, settings, now)
    delivery.case_id = case.id
    session.add(delivery)
    emailed = queue_email_acknowledgement(session, case, settings, now)
    reply = intake_reply(case.reference, _regime(case), case.due, emailed)
    if request.channel and request.ts:
        queue_message(session, request.channel, reply, now, thread_ts=request.ts, case_id=case.id)
    if request.logged_by and request.logged_by != request.requester_slack:
        # The officer who logged it hears too, in their DM with foibot: a shortcut may be used
        # in a channel foibot is not in, where the thread reply can't be posted.
        queue_message(session, request.logged_by, reply, now, case_id=case.id)
    queue_case_card(session, case, settings, now)
    return Intake(case, new=True)


def duplicate_notice(intake: Intake) -> str:
    return already_logged(intake.case.reference)


def _regime(case: Case) -> Regime | None:
    return Regime(case.regime) if case.regime else None


def _open(session: Session, request: SlackRequest, settings: Settings, now: datetime) -> Case:
    jurisdiction = settings.authority.jurisdiction
    sender = request.requester_email or (
        f"slack:{request.requester_slack}" if request.requester_slack else ""
    )
    decision = classify(
        Incoming(subject="", text=request.text, sender=sender, sender_name=request.requester_name)
    )
    chosen = request.regime is not None
    regime = request.regime if chosen else regime_for(decision.label, jurisdiction)
    flags = [f.value for f in decision.flags if not (chosen and f is Flag.NEEDS_TRIAGE)]
    classification = decision.to_json()
    similar = _similarity(session, request.text, sender, regime, now)
    if similar:
        classification["similar"] = similar
        flags.extend(similar)
    if chosen:
        classification["chosen_by"] = request.logged_by
    received_on = request.received_on or local_time(request.received_at, settings).date()
    case = open_case(
        session,
        NewCase(
            channel=request.via,
            received_at=request.received_at,
            received_on=received_on,
            subject=subject_of(request.text),
            text=request.text,
            regime=regime,
            label=decision.label.value,
            requester_name=request.requester_name,
            requester_email=request.requester_email,
            requester_address=request.requester_address,
            confidence=1.0 if chosen else decision.confidence,
            classification=classification,
            flags=tuple(dict.fromkeys(flags)),
            needs_triage=regime is None or (not chosen and Flag.NEEDS_TRIAGE in decision.flags),
        ),
        settings.references,
        jurisdiction,
        now,
        actor=_actor(request),
    )
    return case


def _actor(request: SlackRequest) -> str:
    person = request.logged_by or request.requester_slack
    return f"slack:{person}" if person else "foibot"


def _similarity(
    session: Session, text: str, sender: str, regime: Regime | None, now: datetime
) -> dict[str, list[dict[str, object]]]:
    """Repeat and round-robin flags, as email intake raises them."""
    if regime is None or not text.strip():
        return {}
    recent = _recent_requests(session, now)
    mine = [r for r in recent if sender and r.sender == sender]
    others = [r for r in recent if r.sender != sender]
    out: dict[str, list[dict[str, object]]] = {}
    repeats = find_repeats(text, mine)
    if repeats:
        out[CaseFlag.REPEAT] = [{"reference": s.reference, "score": s.score} for s in repeats]
    robins = find_round_robins(text, others)
    if robins:
        out[CaseFlag.ROUND_ROBIN] = [{"reference": s.reference, "score": s.score} for s in robins]
    return out


# Repeats (FOIA s14(2)) and aggregation look back 60 working days: 90 calendar days covers it.
LOOKBACK = timedelta(days=90)
SNIPPET = 1500  # the start of a request is where it says what it wants


def _recent_requests(session: Session, now: datetime) -> list[PriorRequest]:
    rows = session.exec(
        select(Case.reference, Case.requester_email, Case.subject, Case.text)
        .where(col(Case.received_at) >= now - LOOKBACK, col(Case.regime) != "")
        .order_by(col(Case.id).desc())
        .limit(5000)
    ).all()
    return [
        PriorRequest(reference=ref, sender=sender, subject=subject, text=text[:SNIPPET])
        for ref, sender, subject, text in rows
    ]


def queue_email_acknowledgement(
    session: Session, case: Case, settings: Settings, now: datetime
) -> bool:
    """Email the acknowledgement when the requester gave an address (and is under the hourly
    cap that stops loops); True when queued."""
    recipient = case.requester_email
    if not recipient or not case.regime:
        return False
    return queue_acknowledgement(session, case, settings, now)
