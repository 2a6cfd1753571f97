"""Process stored inbound mail: route it, and queue the acknowledgement, in one transaction.

Re-runnable: anything committed but not yet processed (state `received`) is picked up again on
start-up, so a crash between the 250 and the end of processing loses nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from bot.database import Database
from bot.outgoing import queue_acknowledgement
from bot.slack.notify import queue_case_card, queue_parked_notice
from config.rules import Rules, load_rules
from config.settings import Settings
from intake.history import History
from intake.inbox import Routing, route_inbound
from intake.models import InboundMessage, InboundState

log = logging.getLogger("foibot.intake")

SWEEP_SECONDS = 30.0
BATCH = 25  # per transaction: short, so accepting mail never waits long for the lock


def classifier_rules(settings: Settings) -> Rules:
    """The shipped classifier rules with the authority's own file and threshold on top."""
    return load_rules(
        settings.intake.classifier_rules or None,
        triage_confidence=settings.intake.triage_threshold,
    )


def acknowledge(session: Session, routing: Routing, settings: Settings, now: datetime) -> bool:
    """Acknowledge a new case opened from email, threaded on the request it answers."""
    case, parsed = routing.case, routing.parsed
    assert case is not None and parsed is not None
    return queue_acknowledgement(
        session,
        case,
        settings,
        now,
        subject=parsed.subject,
        in_reply_to=parsed.message_id,
        references=parsed.references,
    )


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
        acknowledge(session, routing, settings, now)
    if routing.state is InboundState.CASE_OPENED and routing.case is not None:
        queue_case_card(session, routing.case, settings, now)  # no-op without Slack
    if routing.state is InboundState.NEEDS_ATTENTION:
        _park(session, inbound, routing.reason, settings, now)
    return routing


def _park(
    session: Session, inbound: InboundMessage, reason: str, settings: Settings, now: datetime
) -> None:
    """Mail foibot can't handle stays stored, unanswered, and in front of a person."""
    assert inbound.id is not None
    log.warning("message %d from <%s> needs a person: %s", inbound.id, inbound.mail_from, reason)
    queue_parked_notice(session, inbound.id, inbound.mail_from, reason, settings, now)


def process_pending(
    session: Session,
    settings: Settings,
    now: datetime,
    ids: list[int] | None = None,
    limit: int = BATCH,
    history: History | None = None,
    rules: Rules | None = None,
    stop_early: Callable[[], bool] | None = None,
) -> list[tuple[int, Routing | Exception]]:
    """Process received messages (these ids, or the oldest pending) in one transaction.

    Each message runs in a savepoint: one that fails is left flagged for a person and rolled
    back alone, and the rest of the batch still commits. `stop_early` is asked after each
    message: when it says so, the batch ends there (the rest stay received for the next one).
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
            _park(session, inbound, f"processing failed: {exc.__class__.__name__}", settings, now)
            results.append((inbound.id, exc))
        if stop_early is not None and stop_early():
            break
    return results


class Processor:
    """Runs processing off the event loop as messages are committed."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        on_queued: Callable[[], None],
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self._sweep_seconds = sweep_seconds
        self._db = db
        self._settings = settings
        self._ids: list[int] = []
        self._wake = asyncio.Event()
        self._on_queued = on_queued
        self._give_way: Callable[[], Awaitable[bool]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._catch_up = True
        self._stopped_early = False  # the last batch ended early to let accepted mail commit
        self._history = History()  # recent requests, kept between batches
        self._rules = classifier_rules(settings)

    def _batch(
        self, ids: list[int] | None, whole: bool, session: Session
    ) -> list[tuple[int, Routing | Exception]]:
        self._stopped_early = False

        def give_way() -> bool:
            self._stopped_early = not whole and self._db.accepting_waits()
            return self._stopped_early

        return process_pending(
            session,
            self._settings,
            datetime.now(UTC),
            ids,
            history=self._history,
            rules=self._rules,
            # Accepted mail waiting to be committed goes first: its senders wait for a 250.
            stop_early=give_way,
        )

    def give_way_to(self, wait: Callable[[], Awaitable[bool]]) -> None:
        """Before each batch, await `wait` (e.g. until incoming mail pauses). When it returns
        False (it gave up waiting) the batch runs whole: processing keeps a share."""
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
            try:
                await asyncio.wait_for(self._wake.wait(), self._sweep_seconds)
            except TimeoutError:
                # Now and then look for anything stored but unprocessed that nobody announced:
                # a message handed back with `foibot inbox --retry`, or one another foibot
                # process accepted just before it stopped.
                self._catch_up = True
            self._wake.clear()
            while self._catch_up or self._ids:
                ids: list[int] | None
                if self._catch_up:
                    ids = None
                else:
                    ids, self._ids = self._ids[:BATCH], self._ids[BATCH:]
                whole = False
                if self._give_way is not None:
                    whole = not await self._give_way()  # waited long enough: keep a share
                try:
                    results = await self._db.run(functools.partial(self._batch, ids, whole))
                except Exception:
                    log.exception("processing batch failed; will retry")
                    if ids:
                        self._ids[:0] = ids
                    await asyncio.sleep(1.0)
                    continue
                if self._stopped_early and ids and results:
                    # Rows are taken in id order: what came after the last one done is left.
                    last = results[-1][0]
                    self._ids[:0] = [i for i in ids if i > last]
                elif self._catch_up and len(results) < BATCH and not self._stopped_early:
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
