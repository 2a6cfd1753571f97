"""Deadline reminders and requester chasers: which milestones are due at a moment, and why.

The rules are pure functions of a case's facts, the policy ([reminders] settings) and `now`
(an aware datetime, read in the authority's time zone with zoneinfo, so 09:00 means 09:00 in
London in GMT and in BST alike). The queries that find the cases they apply to are here too;
they go through the (status, due) index and read only the columns the rules need.

A case has at most one milestone that is still relevant at any moment:

- Clock running (`deadline_milestone`): the latest of "N working days before the due date" for
  each configured N, "due today", and "overdue" (once per working day). An earlier one whose
  day has passed is stale: after downtime staff get the reminder that is true now, not a
  backlog. The key carries the due date, so a due date that moves starts afresh, and a
  reminder computed for the old date can no longer match.
- Clock stopped for clarification: one chaser after N working days; the closure three months
  after asking (the chaser is then stale).
- Clock stopped for a fee: the lapse, once the fee can no longer be paid.

Clock-stopped cases get no deadline reminders: while stopped there is no due date to miss.

Staff reminders and requester letters go out on the authority's working days, in business
hours; the digest goes once on each working day from its time of day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import Session, col

from config.settings import Settings, clock_time
from intake.calendar import CalendarScope, WorkingCalendar, format_date
from intake.clock import ClockError, ClockEvent, ClockEventType, ClockState, compute_deadline
from intake.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus, EventKind
from intake.regime import Jurisdiction, Regime
from intake.reminder_records import AUTHORITY_WIDE, sent_milestones

__all__ = [
    "DIGEST_WORKING_DAYS",
    "Digest",
    "DigestLine",
    "Milestone",
    "MilestoneKind",
    "Moment",
    "Planned",
    "ReminderCase",
    "ReminderPlan",
    "ReminderPolicy",
    "case_milestones",
    "clarification_close_on",
    "deadline_milestone",
    "digest_milestone",
    "load_cases",
    "moment",
    "plan_reminders",
    "read_digest",
    "still_due",
    "working_days_left",
]

_CHUNK = 500
# "Due this week" in the digest: due today or in the next five working days (the default
# first reminder's reach, so every case reminded about is in the digest too).
DIGEST_WORKING_DAYS = 5


class MilestoneKind(StrEnum):
    BEFORE_DUE = "before-due"  # N working days before the due date ([reminders] offsets)
    DUE_TODAY = "due-today"
    OVERDUE = "overdue"  # once on each working day until the case is answered
    DIGEST = "digest"  # the daily summary for the team
    CLARIFICATION_CHASER = "clarification-chaser"  # to the requester
    CLARIFICATION_CLOSURE = "clarification-closure"  # to the requester; the case closes
    FEE_LAPSE = "fee-lapse"  # to the requester; the request lapses

    @property
    def is_staff_reminder(self) -> bool:
        return self in _STAFF_REMINDERS

    @property
    def to_requester(self) -> bool:
        return self in _TO_REQUESTER


_STAFF_REMINDERS = frozenset(
    {MilestoneKind.BEFORE_DUE, MilestoneKind.DUE_TODAY, MilestoneKind.OVERDUE}
)
_TO_REQUESTER = frozenset(
    {
        MilestoneKind.CLARIFICATION_CHASER,
        MilestoneKind.CLARIFICATION_CLOSURE,
        MilestoneKind.FEE_LAPSE,
    }
)

# Regimes whose clock can wait for clarification from the requester: FOIA s1(3), EIR reg 9,
# FOISA s1(3), UK GDPR Art 12A. (Reviews have no clarification step.)
_CLARIFIABLE = frozenset({Regime.FOI, Regime.EIR, Regime.FOISA, Regime.SAR})

# The time limit each regime's due date comes from, named in the reminder's reason.
_LIMIT = {
    Regime.FOI: "FOIA s10(1)",
    Regime.EIR: "EIR reg 5(2)",
    Regime.SAR: "UK GDPR Art 12(3)",
    Regime.REVIEW: "s45 Code of Practice, Part 5",
    Regime.FOISA: "FOISA s10(1)",
    Regime.FOISA_REVIEW: "FOISA s21(1)",
}
# Why an unpaid fee ends the duty to comply, per regime.
_LAPSE = {
    Regime.FOI: "FOIA s9(2): not paid within three months beginning with the day of the notice",
    Regime.FOISA: "FOISA s9(4): not paid within three months beginning with the day of the notice",
    Regime.EIR: "EIR reg 8(5): the advance payment not made within 60 working days of the notice",
}

# The authority's own working days (its nation's bank holidays) decide when staff are in.
_OFFICE_SCOPE = {
    Jurisdiction.ENGLAND_AND_WALES: CalendarScope.ENGLAND_AND_WALES,
    Jurisdiction.SCOTLAND: CalendarScope.SCOTLAND,
    Jurisdiction.NORTHERN_IRELAND: CalendarScope.NORTHERN_IRELAND,
}


@dataclass(frozen=True)
class ReminderPolicy:
    offsets: tuple[int, ...] = (5, 1)
    digest_at: time = time(9, 0)
    chaser_after_days: int = 10
    opens: time = time(9, 0)
    closes: time = time(17, 30)
    timezone: str = "Europe/London"
    jurisdiction: Jurisdiction = Jurisdiction.ENGLAND_AND_WALES

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        r = settings.reminders
        return cls(
            offsets=tuple(sorted(set(r.offsets), reverse=True)),
            digest_at=clock_time(r.digest_time),
            chaser_after_days=r.chaser_after_days,
            opens=clock_time(r.business_hours_start),
            closes=clock_time(r.business_hours_end),
            timezone=settings.authority.timezone,
            jurisdiction=settings.authority.jurisdiction,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # zoneinfo caches instances by key

    @property
    def office(self) -> WorkingCalendar:
        return WorkingCalendar.for_scope(_OFFICE_SCOPE[self.jurisdiction])

    @cached_property
    def _calendars(self) -> dict[Regime, WorkingCalendar]:
        return {r: WorkingCalendar.for_regime(r, self.jurisdiction) for r in Regime}

    def calendar(self, regime: Regime) -> WorkingCalendar:
        """The calendar the regime's statutory clock counts on (FOIA s10(6), FOISA s73, ...)."""
        return self._calendars[regime]


@dataclass(frozen=True, slots=True)
class Moment:
    """`now` as the office sees it."""

    local: datetime  # aware, in the authority's zone
    today: date
    working_day: bool  # a working day for the office (not a weekend or a local bank holiday)
    in_hours: bool  # a working day, within business hours

    def describe(self) -> str:
        when = f"{self.local:%Y-%m-%d %H:%M} {self.local.tzname()}"
        if not self.working_day:
            return f"{when}, not a working day: no reminders or letters go out"
        if not self.in_hours:
            return f"{when}, outside business hours: no reminders or letters go out"
        return f"{when}, a working day in business hours"


def moment(policy: ReminderPolicy, now: datetime) -> Moment:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    local = now.astimezone(policy.zone)
    today = local.date()
    working = policy.office.is_working_day(today)
    # Wall-clock comparison: across the March and October changes 09:00 stays 09:00 local.
    wall = local.time().replace(tzinfo=None)
    return Moment(local, today, working, working and policy.opens <= wall < policy.closes)


@dataclass(frozen=True, slots=True)
class ReminderCase:
    """The facts of a case the rules look at."""

    id: int
    reference: str
    regime: Regime | None
    status: CaseStatus
    due: date | None
    clock_stopped: bool
    assignee: str = ""
    received_on: date | None = None
    clarification_asked_on: date | None = None  # set while the clock waits for clarification
    fee_notice_on: date | None = None  # set while the clock waits for a fee
    fee_lapses_on: date | None = None  # the first day the unpaid fee means no duty to comply


@dataclass(frozen=True, slots=True)
class Milestone:
    case_id: int  # AUTHORITY_WIDE for the digest
    kind: MilestoneKind
    key: str  # unique per case; includes the date it was computed for
    on: date  # the day it fell due
    reason: str  # why, in words staff can check
    due: date | None = None  # the due date it was computed for
    days_left: int | None = None  # working days to the due date; negative when overdue
    asked_on: date | None = None  # clarification asked for on
    close_on: date | None = None  # the case closes on this day without clarification
    notice_on: date | None = None  # fees notice given on


def working_days_left(calendar: WorkingCalendar, today: date, due: date) -> int:
    """As intake.clock.working_days_left: 0 on the due day, -1 the day after, and so on."""
    if today <= due:
        return calendar.working_days_between(today, due)
    return -max(1, calendar.working_days_between(due, today))


def _days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def deadline_milestone(case: ReminderCase, policy: ReminderPolicy, at: Moment) -> Milestone | None:
    """The staff reminder still relevant now for a case whose clock is running, if any."""
    if not at.in_hours or case.regime is None or case.due is None or case.clock_stopped:
        return None
    if not case.status.is_open:
        return None
    calendar = policy.calendar(case.regime)
    today, due = at.today, case.due
    left = working_days_left(calendar, today, due)
    limit = f"{format_date(due)}, {_LIMIT[case.regime]}"
    if today > due:
        # A late answer is a breach of the time limit; the regulator records it, so staff hear
        # about it every working day until the case is answered.
        return Milestone(
            case.id,
            MilestoneKind.OVERDUE,
            f"{MilestoneKind.OVERDUE.value}:{today.isoformat()}:{due.isoformat()}",
            today,
            f"overdue by {_days(-left)} (due {limit}); reminded each working day",
            due=due,
            days_left=left,
        )
    if today == due:
        return Milestone(
            case.id,
            MilestoneKind.DUE_TODAY,
            f"{MilestoneKind.DUE_TODAY.value}:{due.isoformat()}",
            today,
            f"due today ({limit})",
            due=due,
            days_left=0,
        )
    # The smallest offset whose day has come: the one that is true now. Larger ones are stale.
    for offset in sorted(policy.offsets):
        fires_on = calendar.add_working_days(due, -offset)
        if fires_on <= today:
            late = "" if fires_on == today else f"; its day was {format_date(fires_on)}"
            return Milestone(
                case.id,
                MilestoneKind.BEFORE_DUE,
                f"{MilestoneKind.BEFORE_DUE.value}:{offset}:{due.isoformat()}",
                fires_on,
                f"{_days(offset)} before the due date ({limit}), {_days(left)} left now{late}",
                due=due,
                days_left=left,
            )
    return None


def clarification_close_on(asked_on: date) -> date:
    """The day a request still waiting for clarification closes.

    ICO guidance (Interpreting and clarifying requests; FOIA s1(3)): if the requester has not
    replied within three months, the authority can close the request. The three months begin
    with the day the clarification was asked for (as the fee period of FOIA s9(2) does), so it
    closes on the day after they end: asked 3 March, the period ends 2 June, closes 3 June; a
    period whose end month has no such day ends on that month's last day.
    """
    months = asked_on.month - 1 + 3
    year, month = asked_on.year + months // 12, months % 12 + 1
    next_first = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    if asked_on.day > last_day:
        return date(year, month, last_day) + timedelta(days=1)
    return date(year, month, asked_on.day)


def stopped_milestone(case: ReminderCase, policy: ReminderPolicy, at: Moment) -> Milestone | None:
    """The chaser, closure or lapse due now for a case whose clock is stopped, if any."""
    if not at.in_hours or case.regime is None:
        return None
    today = at.today
    asked = case.clarification_asked_on
    if (
        case.status is CaseStatus.AWAITING_CLARIFICATION
        and asked is not None
        and case.regime in _CLARIFIABLE
    ):
        close_on = clarification_close_on(asked)
        if today >= close_on:
            # ICO guidance: no reply in three months, the request is closed (staff can reopen
            # it; this key is then spent, so it is not closed again for the same request).
            return Milestone(
                case.id,
                MilestoneKind.CLARIFICATION_CLOSURE,
                f"{MilestoneKind.CLARIFICATION_CLOSURE.value}:{asked.isoformat()}",
                close_on,
                f"no clarification in the three months since {format_date(asked)}: the request "
                "closes (ICO guidance on clarifying requests)",
                asked_on=asked,
                close_on=close_on,
            )
        # One polite chaser after [reminders] chaser_after_days working days: the clock is
        # stopped (FOIA s1(3), EIR reg 9(4), FOISA s1(3), UK GDPR Art 12A), so without a
        # reply nothing happens for the requester either.
        chase_on = policy.calendar(case.regime).add_working_days(asked, policy.chaser_after_days)
        if today >= chase_on:
            return Milestone(
                case.id,
                MilestoneKind.CLARIFICATION_CHASER,
                f"{MilestoneKind.CLARIFICATION_CHASER.value}:{asked.isoformat()}",
                chase_on,
                f"no clarification {_days(policy.chaser_after_days)} after asking on "
                f"{format_date(asked)}: one chaser; the request closes on "
                f"{format_date(close_on)}",
                asked_on=asked,
                close_on=close_on,
            )
        return None
    lapses_on, notice = case.fee_lapses_on, case.fee_notice_on
    if (
        case.status is CaseStatus.AWAITING_FEE
        and lapses_on is not None
        and notice is not None
        and today >= lapses_on
        and case.regime in _LAPSE
    ):
        return Milestone(
            case.id,
            MilestoneKind.FEE_LAPSE,
            f"{MilestoneKind.FEE_LAPSE.value}:{notice.isoformat()}",
            lapses_on,
            f"fees notice of {format_date(notice)} unpaid; the request lapsed on "
            f"{format_date(lapses_on)} ({_LAPSE[case.regime]})",
            notice_on=notice,
        )
    return None


def case_milestones(case: ReminderCase, policy: ReminderPolicy, now: datetime) -> list[Milestone]:
    """Every milestone of this case still relevant at `now` (at most one today)."""
    at = moment(policy, now)
    found = (deadline_milestone(case, policy, at), stopped_milestone(case, policy, at))
    return [m for m in found if m is not None]


def digest_milestone(policy: ReminderPolicy, at: Moment) -> Milestone | None:
    """Today's digest, from its time of day on each working day (one a day: the key)."""
    if not at.working_day or at.local.time().replace(tzinfo=None) < policy.digest_at:
        return None
    return Milestone(
        AUTHORITY_WIDE,
        MilestoneKind.DIGEST,
        f"{MilestoneKind.DIGEST.value}:{at.today.isoformat()}",
        at.today,
        f"the daily digest, from {policy.digest_at:%H:%M} {policy.timezone} on working days",
    )


# ---- queries ----------------------------------------------------------------------------------


def _cases(session: Session, *where: ColumnElement[bool], lock: bool = False) -> list[ReminderCase]:
    """The rule-relevant columns of the cases matching `where` (never the request text)."""
    query = sa.select(
        col(Case.id),
        col(Case.reference),
        col(Case.regime),
        col(Case.status),
        col(Case.due),
        col(Case.clock_stopped),
        col(Case.assignee),
        col(Case.received_on),
    ).where(*where)
    if lock:
        query = query.order_by(col(Case.id)).with_for_update()
    # Core rows (session.connection()): the ORM's row processing would double the cost.
    rows = session.connection().execute(query).all()
    return [
        ReminderCase(
            id=int(case_id or 0),
            reference=reference,
            regime=_REGIMES[regime] if regime else None,
            status=_STATUSES[status],
            due=due,
            clock_stopped=bool(stopped),
            assignee=assignee or "",
            received_on=received,
        )
        for case_id, reference, regime, status, due, stopped, assignee, received in rows
    ]


_REGIMES = {r.value: r for r in Regime}
_STATUSES = {s.value: s for s in CaseStatus}


_STOPPED = (CaseStatus.AWAITING_CLARIFICATION.value, CaseStatus.AWAITING_FEE.value)


def _horizon(today: date, working_days: int) -> date:
    """The latest due date `working_days` working days from today on any statutory calendar."""
    return max(
        WorkingCalendar.for_scope(s).add_working_days(today, working_days) for s in CalendarScope
    )


def _running_due_by(session: Session, horizon: date) -> list[ReminderCase]:
    """Open cases with a running clock due by `horizon` (overdue ones included).

    `status IN (...) AND due <= ?` is a range scan of ix_case_status_due per status; cases due
    later are never read.
    """
    return _cases(
        session,
        col(Case.status).in_(OPEN_STATUSES),
        col(Case.due) <= horizon,
        col(Case.clock_stopped).is_(False),
    )


def _clock_events(session: Session, ids: Sequence[int]) -> dict[int, list[ClockEvent]]:
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        rows = (
            session.connection()
            .execute(
                sa.select(col(CaseEvent.case_id), col(CaseEvent.detail))
                .where(
                    col(CaseEvent.case_id).in_(ids[start : start + _CHUNK]),
                    col(CaseEvent.kind) == EventKind.CLOCK.value,
                )
                .order_by(col(CaseEvent.case_id), col(CaseEvent.id))
            )
            .all()
        )
        for case_id, detail in rows:
            events[case_id].append(
                ClockEvent(
                    ClockEventType(detail["type"]),
                    date.fromisoformat(detail["on"]),
                    detail.get("amount"),
                )
            )
    return events


def _with_stopped_facts(
    cases: Sequence[ReminderCase], policy: ReminderPolicy, session: Session
) -> list[ReminderCase]:
    """Add when clarification was asked for / the fee notice given, from the clock events."""
    ids = [c.id for c in cases if c.status.value in _STOPPED and c.regime is not None]
    events = _clock_events(session, ids) if ids else {}
    out: list[ReminderCase] = []
    for case in cases:
        history = events.get(case.id)
        if not history or case.regime is None or case.received_on is None:
            out.append(case)
            continue
        try:
            deadline = compute_deadline(case.regime, case.received_on, history, policy.jurisdiction)
        except (ClockError, ValueError):
            out.append(case)  # an event history the law gives no meaning to: staff fix it
            continue
        # The outstanding request or notice is the latest one (the clock refuses a second
        # while the first is open).
        asked = max(
            (e.on for e in history if e.type is ClockEventType.CLARIFICATION_REQUESTED),
            default=None,
        )
        notice = max(
            (e.on for e in history if e.type is ClockEventType.FEE_NOTICE_ISSUED), default=None
        )
        waiting_for_clarification = deadline.state is ClockState.AWAITING_CLARIFICATION
        waiting_for_fee = deadline.state is ClockState.AWAITING_FEE
        out.append(
            replace(
                case,
                clarification_asked_on=asked if waiting_for_clarification else None,
                fee_notice_on=notice if waiting_for_fee else None,
                fee_lapses_on=deadline.lapses_on if waiting_for_fee else None,
            )
        )
    return out


def load_cases(
    session: Session, ids: Sequence[int], policy: ReminderPolicy, lock: bool = False
) -> dict[int, ReminderCase]:
    """These cases as they are now. `lock`: FOR UPDATE (PostgreSQL), in id order so that two
    sweeps lock in the same order, and a staff change in flight finishes first."""
    rows: list[ReminderCase] = []
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        rows.extend(_cases(session, col(Case.id).in_(ordered[start : start + _CHUNK]), lock=lock))
    return {c.id: c for c in _with_stopped_facts(rows, policy, session)}


@dataclass(frozen=True, slots=True)
class Planned:
    milestone: Milestone
    case: ReminderCase | None  # None for the digest


@dataclass(frozen=True)
class ReminderPlan:
    at: Moment
    pending: list[Planned] = field(default_factory=list)  # due now and not yet sent
    already_sent: list[Planned] = field(default_factory=list)


def plan_reminders(session: Session, policy: ReminderPolicy, now: datetime) -> ReminderPlan:
    """Every milestone due at `now` that has not been sent, and those that have.

    Reads only what can be due: running cases due within the largest offset (or overdue), and
    cases waiting for clarification or a fee; nothing at all outside business hours but the
    digest.
    """
    at = moment(policy, now)
    found: list[Planned] = []
    digest = digest_milestone(policy, at)
    if digest is not None:
        found.append(Planned(digest, None))
    if at.in_hours:
        horizon = _horizon(at.today, max(policy.offsets, default=0))
        for case in _running_due_by(session, horizon):
            milestone = deadline_milestone(case, policy, at)
            if milestone is not None:
                found.append(Planned(milestone, case))
        waiting = _cases(session, col(Case.status).in_(_STOPPED))
        for case in _with_stopped_facts(waiting, policy, session):
            milestone = stopped_milestone(case, policy, at)
            if milestone is not None:
                found.append(Planned(milestone, case))
    sent = sent_milestones(session, ((p.milestone.case_id, p.milestone.key) for p in found))
    plan = ReminderPlan(at)
    for planned in found:
        is_sent = (planned.milestone.case_id, planned.milestone.key) in sent
        (plan.already_sent if is_sent else plan.pending).append(planned)
    return plan


def still_due(
    session: Session,
    planned: Iterable[Planned],
    policy: ReminderPolicy,
    now: datetime,
    lock: bool = False,
) -> tuple[list[Planned], list[Planned]]:
    """(still due, no longer due): each case re-read in the sending transaction, so a reminder
    for a due date that moved (clarification, an extension, a reply) since the plan is not
    sent. The digest is always still due."""
    items = list(planned)
    cases = load_cases(
        session, [p.milestone.case_id for p in items if p.case is not None], policy, lock
    )
    at = moment(policy, now)
    keep: list[Planned] = []
    drop: list[Planned] = []
    for p in items:
        if p.case is None:
            keep.append(p)
            continue
        fresh = cases.get(p.milestone.case_id)
        current = None
        if fresh is not None:
            current = deadline_milestone(fresh, policy, at) or stopped_milestone(fresh, policy, at)
        if current is not None and current.key == p.milestone.key:
            keep.append(Planned(current, fresh))
        else:
            drop.append(p)
    return keep, drop


# ---- the digest ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestLine:
    case_id: int
    reference: str
    regime: Regime | None
    status: CaseStatus
    due: date | None
    days_left: int | None
    assignee: str
    asked_on: date | None = None  # awaiting clarification: asked on
    close_on: date | None = None  # awaiting clarification: closes on


@dataclass(frozen=True, slots=True)
class Digest:
    on: date
    overdue: tuple[DigestLine, ...]
    due_this_week: tuple[DigestLine, ...]  # the next DIGEST_WORKING_DAYS working days
    awaiting_approval: tuple[DigestLine, ...]  # drafts waiting for an approver
    awaiting_clarification: tuple[DigestLine, ...]

    @property
    def empty(self) -> bool:
        return not (
            self.overdue
            or self.due_this_week
            or self.awaiting_approval
            or self.awaiting_clarification
        )


def _line(case: ReminderCase, policy: ReminderPolicy, today: date) -> DigestLine:
    left = None
    if case.regime is not None and case.due is not None and not case.clock_stopped:
        left = working_days_left(policy.calendar(case.regime), today, case.due)
    asked = case.clarification_asked_on
    return DigestLine(
        case.id,
        case.reference,
        case.regime,
        case.status,
        case.due,
        left,
        case.assignee,
        asked,
        clarification_close_on(asked) if asked else None,
    )


def read_digest(session: Session, policy: ReminderPolicy, now: datetime) -> Digest:
    """What the team should know today: overdue, due this week, drafts, awaiting clarification.
    Each list is by due date (or date asked), oldest first."""
    today = moment(policy, now).today
    running = [
        _line(c, policy, today)
        for c in _running_due_by(session, _horizon(today, DIGEST_WORKING_DAYS))
        if c.regime is not None
    ]
    overdue = [d for d in running if d.days_left is not None and d.days_left < 0]
    week = [
        d for d in running if d.days_left is not None and 0 <= d.days_left <= DIGEST_WORKING_DAYS
    ]
    approval = [
        _line(c, policy, today)
        for c in _cases(session, col(Case.status) == CaseStatus.AWAITING_APPROVAL.value)
    ]
    waiting = _cases(session, col(Case.status) == CaseStatus.AWAITING_CLARIFICATION.value)
    clarification = [_line(c, policy, today) for c in _with_stopped_facts(waiting, policy, session)]

    def by_due(d: DigestLine) -> tuple[date, str]:
        return (d.due or date.max, d.reference)

    def by_asked(d: DigestLine) -> tuple[date, str]:
        return (d.asked_on or date.max, d.reference)

    return Digest(
        today,
        tuple(sorted(overdue, key=by_due)),
        tuple(sorted(week, key=by_due)),
        tuple(sorted(approval, key=by_due)),
        tuple(sorted(clarification, key=by_asked)),
    )
