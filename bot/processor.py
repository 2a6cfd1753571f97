"""Process stored inbound mail: route it, and queue the acknowledgement, in one transaction.

Re-runnable: anything committed but not yet processed (state `received`) is picked up again on
start-up, so a crash between the 250 and the end of processing loses nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from bot.database import Database
from bot.slack.notify import queue_case_card
from config.rules import Rules, load_rules
from config.settings import Settings
from intake.cases import record_event
from intake.history import History
from intake.inbox import ACK_PURPOSE, Routing, local_time, route_inbound
from intake.models import EventKind, InboundMessage, InboundState, OutboxKind
from intake.outbox import count_sent_to, queue_message
from intake.regime import Regime
from replies.acknowledgement import (
    AcknowledgementFacts,
    acknowledgement_subject,
    render_acknowledgement,
)
from replies.email import Envelope, compose, make_message_id

log = logging.getLogger("foibot.intake")

BATCH = 25  # per transaction: short, so accepting mail never waits long for the lock


def classifier_rules(settings: Settings) -> Rules:
    """The shipped classifier rules with the authority's own file and threshold on top."""
    return load_rules(
        settings.intake.classifier_rules or None,
        triage_confidence=settings.intake.triage_threshold,
    )


def sender_address(settings: Settings) -> Address:
    local, _, domain = settings.from_address.rpartition("@")
    return Address(display_name=settings.authority.team, username=local, domain=domain)


def new_message_id(settings: Settings) -> str:
    return make_message_id(secrets.token_hex(12), settings.from_address.rpartition("@")[2])


def queue_acknowledgement(
    session: Session, routing: Routing, settings: Settings, now: datetime
) -> bool:
    """Queue the acknowledgement unless the sender is over the hourly limit (loop guard)."""
    case, parsed = routing.case, routing.parsed
    assert case is not None and parsed is not None
    recipient = case.requester_email
    recent = count_sent_to(session, recipient, ACK_PURPOSE, now - timedelta(hours=1))
    if recent >= settings.intake.acks_per_sender_per_hour:
        record_event(
            session,
            case,
            EventKind.ACKNOWLEDGEMENT_SUPPRESSED,
            "foibot",
            now,
            reason="rate_limited",
            sent_in_last_hour=recent,
        )
        return False
    letter = render_acknowledgement(
        AcknowledgementFacts(
            reference=case.reference,
            regime=Regime(case.regime) if case.regime else None,
            received=case.received_on,
            due=case.due,
            requester_name=case.requester_name,
            subject=case.subject,
        ),
        settings.authority,
    )
    message_id = new_message_id(settings)
    message = compose(
        Envelope(
            sender=sender_address(settings),
            recipient=recipient,
            subject=acknowledgement_subject(case.reference, parsed.subject),
            message_id=message_id,
            date=local_time(now, settings),
            reference=case.reference,
            in_reply_to=parsed.message_id,
            references=parsed.references,
        ),
        letter,
    )
    queue_message(
        session,
        kind=OutboxKind.EMAIL,
        purpose=ACK_PURPOSE,
        recipient=recipient,
        payload=message.as_bytes(),
        now=now,
        case_id=case.id,
        message_id=message_id,
        subject=str(message["Subject"]),
    )
    record_event(
        session,
        case,
        EventKind.ACKNOWLEDGEMENT_QUEUED,
        "foibot",
        now,
        message_id=message_id,
        due=case.due.isoformat() if case.due else None,
    )
    return True


def process_one(
    session: Session,
    inbound: InboundMessage,
    settings: Settings,
    now: datetime,
    history: History | None = None,
    rules: Rules | None = None,
) -> Routing:
    routing = route_inbound(session, inbound, settings, now, history, rules)
    if routing.acknowledge:
        queue_acknowledgement(session, routing, settings, now)
    if routing.state is InboundState.CASE_OPENED and routing.case is not None:
        queue_case_card(session, routing.case, settings, now)  # no-op without Slack
    return routing


def process_pending(
    session: Session,
    settings: Settings,
    now: datetime,
    ids: list[int] | None = None,
    limit: int = BATCH,
    history: History | None = None,
    rules: Rules | None = None,
) -> list[tuple[int, Routing | Exception]]:
    """Process received messages (these ids, or the oldest pending) in one transaction.

    Each message runs in a savepoint: one that fails is left flagged for a person and rolled
    back alone, and the rest of the batch still commits.
    """
    query = select(InboundMessage).where(InboundMessage.state == InboundState.RECEIVED.value)
    if ids is not None:
        query = query.where(col(InboundMessage.id).in_(ids))
    rows = session.exec(query.order_by(col(InboundMessage.id)).limit(limit)).all()
    if history is None:
        history = History()
    if rows:
        history.refresh(session, now)
    results: list[tuple[int, Routing | Exception]] = []
    for inbound in rows:
        assert inbound.id is not None
        try:
            with session.begin_nested():
                results.append(
                    (inbound.id, process_one(session, inbound, settings, now, history, rules))
                )
        except DBAPIError:
            raise  # the database itself failed: retry the whole batch later, park nothing
        except Exception as exc:  # never lose the message: park it for a person
            log.exception("processing message %s failed", inbound.id)
            inbound.state = InboundState.NEEDS_ATTENTION.value
            inbound.problems = [*inbound.problems, f"processing failed: {exc!r}"[:500]]
            inbound.processed_at = now
            session.add(inbound)
            results.append((inbound.id, exc))
    return results


class Processor:
    """Runs processing off the event loop as messages are committed."""

    def __init__(self, db: Database, settings: Settings, on_queued: Callable[[], None]) -> None:
        self._db = db
        self._settings = settings
        self._ids: list[int] = []
        self._wake = asyncio.Event()
        self._on_queued = on_queued
        self._give_way: Callable[[], Awaitable[None]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._catch_up = True
        self._history = History()  # recent requests, kept between batches
        self._rules = classifier_rules(settings)

    def _batch(
        self, ids: list[int] | None, session: Session
    ) -> list[tuple[int, Routing | Exception]]:
        return process_pending(
            session,
            self._settings,
            datetime.now(UTC),
            ids,
            history=self._history,
            rules=self._rules,
        )

    def give_way_to(self, wait: Callable[[], Awaitable[None]]) -> None:
        """Before each batch, await `wait` (e.g. until incoming mail pauses)."""
        self._give_way = wait

    def submit(self, ids: list[int]) -> None:
        self._ids.extend(ids)
        self._wake.set()

    def start(self) -> None:
        self._wake.set()  # the first pass catches up with anything left from before a restart
        self._task = asyncio.create_task(self._run(), name="foibot-processor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._catch_up or self._ids:
                ids: list[int] | None
                if self._catch_up:
                    ids = None
                else:
                    ids, self._ids = self._ids[:BATCH], self._ids[BATCH:]
                if self._give_way is not None:
                    await self._give_way()
                try:
                    results = await self._db.run(functools.partial(self._batch, ids))
                except Exception:
                    log.exception("processing batch failed; will retry")
                    if ids:
                        self._ids[:0] = ids
                    await asyncio.sleep(1.0)
                    continue
                if self._catch_up and len(results) < BATCH:
                    self._catch_up = False
                for row_id, outcome in results:
                    if isinstance(outcome, Routing):
                        ref = outcome.case.reference if outcome.case else "-"
                        log.info(
                            "message %d: %s %s (%s)",
                            row_id,
                            outcome.state.value,
                            ref,
                            outcome.reason,
                        )
                if any(isinstance(o, Routing) and o.acknowledge for _, o in results):
                    self._on_queued()
