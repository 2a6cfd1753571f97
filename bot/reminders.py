"""Send what the reminder plan says is due: staff reminders, the digest, requester chasers,
closures and lapses. Every message is an outbox row first (email, or SLACK for the poster).

One sweep: plan in one read (intake.reminders.plan_reminders), then send in chunks, each chunk
one transaction in which every milestone is

1. re-checked against its case as it is now (locked FOR UPDATE on PostgreSQL), so a reminder
   for a due date that moved since the plan is dropped;
2. recorded in reminder_record; the unique (case_id, milestone) means that of two foibot
   processes sending the same milestone only one records it, and the other's insert fails
   and is skipped (intake.reminder_records.claim_milestone);
3. turned into outbox rows, a case event and, for a closure or lapse, the status change.

All three commit together or not at all, so a milestone is never recorded without its messages
nor sent twice.

Where messages go: with Slack set up, staff reminders are a DM to the assignee and a post in
the staff channel, with the case card's buttons; without it, an email to the team address
([authority] email). Requester letters go by email; a requester with no email address (a
request by post or phone) gets the letter printed by staff: it goes to them instead.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from html import escape
from typing import Any

from sqlmodel import Session

from bot.database import Database, is_sqlite
from bot.outgoing import queue_email
from bot.reminder_messages import (
    case_closed_text,
    chaser_text,
    digest_blocks,
    digest_email,
    digest_subject,
    reminder_blocks,
    reminder_headline,
)
from bot.slack.cards import STATUS_NAMES
from bot.slack.facts import card_facts
from bot.slack.letters import case_facts
from bot.slack.notify import queue_card_update, queue_in_card_thread
from bot.slack.poster import Purpose, SlackPost, queue_post
from config.exemptions import Catalogue, load_catalogue
from config.settings import Settings
from intake.cases import events_of, record_event, set_status
from intake.inbox import local_time
from intake.models import Case, CaseStatus, EventKind
from intake.regime import Regime
from intake.reminder_records import claim_milestone
from intake.reminders import (
    Milestone,
    MilestoneKind,
    Planned,
    ReminderPlan,
    ReminderPolicy,
    plan_reminders,
    read_digest,
    still_due,
)
from replies.email import AutoSubmitted
from replies.letters import LETTER_REGIMES, Letter, LetterKind, letter_subject, render_letter
from replies.notices import ClarificationChaser, ClarificationClosure, FeeLapse, StaffReminder
from replies.render import Rendered, short_date

log = logging.getLogger("foibot.reminders")

ACTOR = "foibot"
CHUNK = 50  # milestones per transaction: on SQLite, accepted mail can commit between two
POSTED_BY_HAND = "post"

# Outbox purposes (the `purpose` column), so `foibot outbox` tells them apart.
PURPOSE_REMINDER = "reminder"
PURPOSE_DIGEST = "digest"
_LETTER_PURPOSE = {
    MilestoneKind.CLARIFICATION_CHASER: "clarification_chaser",
    MilestoneKind.CLARIFICATION_CLOSURE: "clarification_closure",
    MilestoneKind.FEE_LAPSE: "fee_lapse",
}
_LETTER_NAME = {
    MilestoneKind.CLARIFICATION_CHASER: "clarification chaser",
    MilestoneKind.CLARIFICATION_CLOSURE: "closure letter",
    MilestoneKind.FEE_LAPSE: "lapse letter",
}
# When the clarification request recorded no question (it was sent outside foibot), the chaser
# still has to say what was asked: it points at the letter instead.
_QUESTIONS_FALLBACK = "The points set out in our letter of {asked}."
# The outcome recorded on a case that lapsed unpaid, per regime.
_LAPSE_OUTCOME = {
    Regime.FOI: "fee not paid in three months",
    Regime.FOISA: "fee not paid in three months",
    Regime.EIR: "charge not paid in 60 working days",  # the column holds 40 characters
}
_AMOUNT_FALLBACK = "the amount it set out"


class Result(StrEnum):
    SENT = "sent"
    RECORDED = "recorded"  # nothing to say (a digest with nothing in it): recorded, not sent
    TAKEN = "taken"  # another foibot process recorded it first
    MOVED = "moved"  # no longer due when re-read in the sending transaction
    FAILED = "failed"  # an error; nothing recorded, tried again on the next sweep


@dataclass(frozen=True)
class Outcome:
    planned: Planned
    result: Result
    routes: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class SweepReport:
    plan: ReminderPlan
    outcomes: tuple[Outcome, ...] = ()

    def count(self, result: Result) -> int:
        return sum(1 for o in self.outcomes if o.result is result)

    @property
    def queued(self) -> bool:
        return any(o.result is Result.SENT for o in self.outcomes)


@functools.cache
def _catalogue() -> Catalogue:
    return load_catalogue()


def _today(settings: Settings, now: datetime) -> date:
    return local_time(now, settings).date()


# ---- where a milestone goes -------------------------------------------------------------------


def routes_for(planned: Planned, settings: Settings, requester_email: str = "") -> tuple[str, ...]:
    """Where this milestone's messages would go (for `foibot reminders --dry-run`)."""
    kind, slack = planned.milestone.kind, settings.slack
    team = f"email {settings.authority.email}"
    if kind is MilestoneKind.DIGEST:
        return (f"slack {slack.staff_channel}",) if slack.enabled else (team,)
    if kind.is_staff_reminder:
        if not slack.enabled:
            return (team,)
        assignee = planned.case.assignee if planned.case else ""
        dm = (f"slack DM {assignee}",) if assignee else ()
        return (*dm, f"slack {slack.staff_channel}")
    regime = planned.case.regime if planned.case else None
    if kind is MilestoneKind.FEE_LAPSE and regime not in LETTER_REGIMES[LetterKind.FEE_LAPSE]:
        return (f"slack {slack.staff_channel}",) if slack.enabled else (team,)
    # As _requester_letter: by email, or to staff to print and post.
    return (f"letter {requester_email or POSTED_BY_HAND}",)


# ---- sending --------------------------------------------------------------------------------


def _queue_email(
    session: Session,
    settings: Settings,
    now: datetime,
    *,
    to: str,
    subject: str,
    body: Rendered,
    purpose: str,
    case: Case | None,
    in_reply_to: str = "",
) -> str:
    # RFC 3834 s5: sent by foibot on its own initiative, not in reply to a message, so
    # auto-generated; an auto-responder at the other end must not answer it.
    return queue_email(
        session,
        settings,
        now,
        to=to,
        subject=subject,
        letter=body,
        purpose=purpose,
        case=case,
        in_reply_to=in_reply_to,
        auto_submitted=AutoSubmitted.AUTO_GENERATED,
    )


def _post(
    session: Session, channel: str, text: str, blocks: list[Any], now: datetime, case_id: int | None
) -> None:
    args: dict[str, Any] = {
        "channel": channel,
        "text": text,
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    queue_post(session, SlackPost("chat.postMessage", args), Purpose.NOTICE, now, case_id)


def _staff_note(
    session: Session, case: Case, text: str, settings: Settings, now: datetime, subject: str
) -> str:
    """Tell staff something foibot did on a case: in its card's thread, or by email."""
    if settings.slack.enabled:
        queue_in_card_thread(session, case, f":robot_face: {text}", now)
        return "slack card thread"
    _queue_email(
        session,
        settings,
        now,
        to=settings.authority.email,
        subject=f"[{case.reference}] {subject}",
        body=Rendered(text + "\n", f"<p>{escape(text)}</p>"),
        purpose=PURPOSE_REMINDER,
        case=case,
    )
    return f"email {settings.authority.email}"


def _staff_reminder(
    session: Session, case: Case, milestone: Milestone, settings: Settings, now: datetime
) -> tuple[str, ...]:
    assert milestone.due is not None and milestone.days_left is not None
    status = CaseStatus(case.status)
    if settings.slack.enabled:
        facts = card_facts(session, case, settings, now)
        blocks = reminder_blocks(milestone, facts)
        text = reminder_headline(milestone, case.reference)
        routes: list[str] = []
        if case.assignee:
            _post(session, case.assignee, text, blocks, now, case.id)
            routes.append(f"slack DM {case.assignee}")
        _post(session, settings.slack.staff_channel, text, blocks, now, case.id)
        routes.append(f"slack {settings.slack.staff_channel}")
        return tuple(routes)
    letter = StaffReminder(
        case=case_facts(case),
        on=_today(settings, now),
        due=milestone.due,
        working_days_left=milestone.days_left,
        status=STATUS_NAMES.get(status, status.value),
        assignee=case.assignee,
    )
    body = render_letter(letter, settings.authority, _catalogue())
    reason = f"Why now: {milestone.reason}."
    body = Rendered(f"{body.text.rstrip()}\n\n{reason}\n", f"{body.html}\n<p>{escape(reason)}</p>")
    _queue_email(
        session,
        settings,
        now,
        to=settings.authority.email,
        subject=letter_subject(letter),
        body=body,
        purpose=PURPOSE_REMINDER,
        case=case,
    )
    return (f"email {settings.authority.email}",)


def _send_digest(
    session: Session, settings: Settings, policy: ReminderPolicy, now: datetime
) -> tuple[str, ...]:
    digest = read_digest(session, policy, now)
    if digest.empty:
        return ()  # nothing to report today: no message, but the day's digest is spent
    if settings.slack.enabled:
        channel = settings.slack.staff_channel
        _post(session, channel, digest_subject(digest), digest_blocks(digest), now, None)
        return (f"slack {channel}",)
    _queue_email(
        session,
        settings,
        now,
        to=settings.authority.email,
        subject=digest_subject(digest),
        body=digest_email(digest),
        purpose=PURPOSE_DIGEST,
        case=None,
    )
    return (f"email {settings.authority.email}",)


def _latest(session: Session, case: Case, kind: EventKind, key: str, value: str) -> dict[str, Any]:
    """The detail of the latest event of `kind` whose detail[key] == value ({} if none)."""
    for event in reversed(events_of(session, case)):
        if event.kind == kind.value and event.detail.get(key) == value:
            return dict(event.detail)
    return {}


def _last_letter_id(session: Session, case: Case) -> str:
    """Message-ID of the last letter to the requester, so the new one threads under it."""
    for event in reversed(events_of(session, case)):
        if event.kind == EventKind.LETTER_QUEUED.value and event.detail.get("message_id"):
            return str(event.detail["message_id"])
    return ""


def _requester_letter(
    session: Session,
    case: Case,
    milestone: Milestone,
    letter: Letter,
    settings: Settings,
    now: datetime,
) -> str:
    """Queue the letter to the requester, or to staff to print and post; returns where."""
    kind = milestone.kind
    name, purpose = _LETTER_NAME[kind], _LETTER_PURPOSE[kind]
    rendered = render_letter(letter, settings.authority, _catalogue())
    subject = letter_subject(letter)
    if case.requester_email:
        message_id = _queue_email(
            session,
            settings,
            now,
            to=case.requester_email,
            subject=subject,
            body=rendered,
            purpose=purpose,
            case=case,
            in_reply_to=_last_letter_id(session, case),
        )
        to = case.requester_email
        record_event(
            session,
            case,
            EventKind.LETTER_QUEUED,
            ACTOR,
            now,
            letter=name,
            to=to,
            message_id=message_id,
            purpose=purpose,
        )
        return to
    # A request by post or phone: no address to email, so staff print and post it.
    address = " ".join(case.requester_address.split()) or "the requester's address"
    note = f"No email address: please print this {name} and post it to {address}."
    if settings.slack.enabled:
        queue_in_card_thread(session, case, f":mailbox: {note}\n```{rendered.text}```", now)
    else:
        _queue_email(
            session,
            settings,
            now,
            to=settings.authority.email,
            subject=f"Please print and post: {subject}",
            body=Rendered(f"{note}\n\n{rendered.text}", f"<p>{escape(note)}</p>{rendered.html}"),
            purpose=purpose,
            case=case,
        )
    record_event(
        session,
        case,
        EventKind.LETTER_QUEUED,
        ACTOR,
        now,
        letter=name,
        to=POSTED_BY_HAND,
        purpose=purpose,
    )
    return POSTED_BY_HAND


def _chaser(
    session: Session, case: Case, milestone: Milestone, settings: Settings, now: datetime
) -> tuple[str, ...]:
    assert milestone.asked_on is not None and milestone.close_on is not None
    asked = _latest(
        session,
        case,
        EventKind.STATUS_CHANGED,
        "status",
        CaseStatus.AWAITING_CLARIFICATION.value,
    )
    questions = str(asked.get("question") or asked.get("questions") or "").strip()
    if not questions:
        questions = _QUESTIONS_FALLBACK.format(asked=short_date(milestone.asked_on))
    letter = ClarificationChaser(
        case=case_facts(case),
        on=_today(settings, now),
        asked_on=milestone.asked_on,
        questions=questions,
        # The letter says "if we do not hear from you by <date>, we will close it": the last
        # day of the three months, the day before foibot closes the request.
        close_on=milestone.close_on - timedelta(days=1),
    )
    to = _requester_letter(session, case, milestone, letter, settings, now)
    if not settings.slack.enabled:
        return (f"letter {to}",)  # the case history shows it; no email to the team for this
    text = chaser_text(case.reference, milestone, to)
    return (f"letter {to}", _staff_note(session, case, text, settings, now, "Chaser sent"))


def _close(
    session: Session, case: Case, milestone: Milestone, settings: Settings, now: datetime
) -> tuple[str, ...]:
    """Closure (no clarification) or lapse (fee unpaid): the letter, the status, staff told."""
    regime = Regime(case.regime)
    today = _today(settings, now)
    routes: list[str] = []
    sent_to = ""
    if milestone.kind is MilestoneKind.CLARIFICATION_CLOSURE:
        assert milestone.asked_on is not None
        closure = ClarificationClosure(case=case_facts(case), on=today, asked_on=milestone.asked_on)
        sent_to = _requester_letter(session, case, milestone, closure, settings, now)
        routes.append(f"letter {sent_to}")
        # ICO guidance: a request never clarified is closed after three months.
        status, outcome = CaseStatus.CLOSED, "no clarification in three months"
    elif regime in LETTER_REGIMES[LetterKind.FEE_LAPSE]:
        assert milestone.notice_on is not None
        fee = _latest(
            session, case, EventKind.STATUS_CHANGED, "status", CaseStatus.AWAITING_FEE.value
        )
        amount = str(fee.get("amount") or "").strip() or _AMOUNT_FALLBACK
        lapse = FeeLapse(
            case=case_facts(case), on=today, notice_on=milestone.notice_on, amount=amount
        )
        sent_to = _requester_letter(session, case, milestone, lapse, settings, now)
        routes.append(f"letter {sent_to}")
        # FOIA s9(2) / FOISA s9(4): unpaid in three months, there is no duty to comply. EIR
        # reg 8(5): an advance payment not made within 60 working days of the notification
        # means no duty to make the information available (or to refuse under reg 14).
        status = CaseStatus.LAPSED
        outcome = _LAPSE_OUTCOME.get(regime, _LAPSE_OUTCOME[Regime.FOI])
    else:
        # A regime with no lapse letter (none at present: see replies.letters.LETTER_REGIMES):
        # staff decide and write, foibot only tells them.
        text = (
            f"{case.reference}: {milestone.reason}. foibot has no lapse letter under "
            f"{regime.law}: write to the requester and close the case if that is right."
        )
        return (_staff_note(session, case, text, settings, now, "Fee unpaid"),)
    case.outcome = outcome
    set_status(session, case, status, now, ACTOR, outcome=outcome, milestone=milestone.key)
    text = case_closed_text(case.reference, milestone, sent_to)
    subject = f"{status.value.capitalize()}: {outcome}"
    routes.append(_staff_note(session, case, text, settings, now, subject))
    queue_card_update(session, case, settings, now)  # no-op without Slack
    return tuple(routes)


def _deliver(
    session: Session,
    planned: Planned,
    settings: Settings,
    policy: ReminderPolicy,
    now: datetime,
) -> tuple[str, ...]:
    milestone = planned.milestone
    if milestone.kind is MilestoneKind.DIGEST:
        return _send_digest(session, settings, policy, now)
    case = session.get(Case, milestone.case_id)
    assert case is not None
    if milestone.kind.is_staff_reminder:
        routes = _staff_reminder(session, case, milestone, settings, now)
    elif milestone.kind is MilestoneKind.CLARIFICATION_CHASER:
        routes = _chaser(session, case, milestone, settings, now)
    else:
        routes = _close(session, case, milestone, settings, now)
    record_event(
        session,
        case,
        EventKind.REMINDER_SENT,
        ACTOR,
        now,
        milestone=milestone.key,
        milestone_kind=milestone.kind.value,
        reason=milestone.reason,
        routes=list(routes),
    )
    return routes


def send_planned(
    session: Session,
    items: Sequence[Planned],
    settings: Settings,
    now: datetime,
    lock: bool = False,
) -> list[Outcome]:
    """Send these planned milestones in the caller's transaction (see the module docstring).
    `lock`: re-read the cases FOR UPDATE (PostgreSQL)."""
    policy = ReminderPolicy.from_settings(settings)
    keep, moved = still_due(session, items, policy, now, lock)
    outcomes = [Outcome(p, Result.MOVED) for p in moved]
    for planned in keep:
        m = planned.milestone
        try:
            with session.begin_nested():
                record = claim_milestone(
                    session, m.case_id, m.key, m.kind.value, m.due, now, reason=m.reason
                )
                if record is None:
                    outcomes.append(Outcome(planned, Result.TAKEN))
                    continue
                routes = _deliver(session, planned, settings, policy, now)
                record.detail = {**record.detail, "routes": list(routes)}
                session.add(record)
                session.flush()
        except Exception as exc:  # one bad case must not stop the others' reminders
            log.exception("reminder %s for case %s failed", m.key, m.case_id)
            outcomes.append(Outcome(planned, Result.FAILED, error=repr(exc)[:300]))
            continue
        outcomes.append(Outcome(planned, Result.SENT if routes else Result.RECORDED, routes))
    return outcomes


def _chunks(items: Sequence[Planned], size: int) -> Iterator[Sequence[Planned]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_plan(db: Database, policy: ReminderPolicy, now: datetime) -> ReminderPlan:
    """The plan, read in a read-only transaction: it takes no write lock, however many cases
    it reads. What it finds is checked again in each sending transaction (still_due)."""
    with db.session() as session:
        return plan_reminders(session, policy, now)


def sweep(
    db: Database, settings: Settings, now: datetime, dry_run: bool = False, chunk: int = CHUNK
) -> SweepReport:
    """Plan at `now` and (unless dry_run) send, one transaction per chunk. Blocking."""
    policy = ReminderPolicy.from_settings(settings)
    plan = read_plan(db, policy, now)
    if dry_run:
        return SweepReport(plan)
    lock = not is_sqlite(db.engine)
    outcomes: list[Outcome] = []
    for items in _chunks(plan.pending, chunk):
        send = functools.partial(send_planned, items=items, settings=settings, now=now, lock=lock)
        outcomes.extend(db.transact(send))
    return SweepReport(plan, tuple(outcomes))


async def sweep_async(
    db: Database, settings: Settings, now: datetime, chunk: int = CHUNK
) -> SweepReport:
    """The same as `sweep`, for the scheduler: the plan is read on a thread of its own (a read
    transaction, which on SQLite's WAL never holds up the writer), the sends go one chunk at a
    time through the database's own thread, so accepting mail can go between two chunks."""
    policy = ReminderPolicy.from_settings(settings)
    plan = await asyncio.to_thread(read_plan, db, policy, now)
    lock = not is_sqlite(db.engine)
    outcomes: list[Outcome] = []
    for items in _chunks(plan.pending, chunk):
        send = functools.partial(send_planned, items=items, settings=settings, now=now, lock=lock)
        outcomes.extend(await db.run(send))
    return SweepReport(plan, tuple(outcomes))
