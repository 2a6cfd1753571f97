"""Reminder milestones: which is due when, with the days counted by hand from the calendar.

The calendar the counting uses (March to June 2025):

    March 2025          Sat 1 Sun 2 | Mon 3 .. Fri 7 | Mon 10 .. Fri 14 | Mon 17 St Patrick's Day
                        (a bank holiday in Northern Ireland, so not a FOIA working day anywhere in
                        the UK, FOIA s10(6); an ordinary working day for an English office and for
                        an English controller's subject access clock) | Tue 18 .. Fri 21 |
                        Mon 24 .. Fri 28 | Sun 30: clocks go forward (BST) | Mon 31
    April 2025          Fri 18 Good Friday, Mon 21 Easter Monday
    October 2025        Sun 26: clocks go back (GMT)

A FOI request received Thu 20 Feb 2025 is due on the 20th FOIA working day after it:
Fri 21 Feb (1), Mon 24 - Fri 28 (2-6), Mon 3 - Fri 7 Mar (7-11), Mon 10 - Fri 14 (12-16),
[Mon 17 skipped], Tue 18 - Fri 21 (17-20): due Fri 21 March 2025.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from bot.database import Database, is_sqlite
from config.settings import SettingsError, load_settings
from intake.cases import NewCase, add_clock_event, open_case, set_status
from intake.clock import ClockEvent, ClockEventType
from intake.models import Case, CaseStatus, Channel
from intake.regime import Jurisdiction, Regime
from intake.reminder_records import AUTHORITY_WIDE, claim_milestone, records_of
from intake.reminders import (
    MilestoneKind,
    ReminderCase,
    ReminderPolicy,
    case_milestones,
    clarification_close_on,
    digest_milestone,
    moment,
    plan_reminders,
    read_digest,
    still_due,
)

POLICY = ReminderPolicy()  # offsets 5 and 1, digest 09:00, chaser 10, 09:00-17:30, London
DUE = date(2025, 3, 21)  # Fri 21 March 2025


def utc(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def running(
    due: date | None = DUE, regime: Regime | None = Regime.FOI, **kw: object
) -> ReminderCase:
    fields: dict[str, object] = {
        "id": 7,
        "reference": "IC-100007-TEST",
        "regime": regime,
        "status": CaseStatus.OPEN,
        "due": due,
        "clock_stopped": False,
        **kw,
    }
    return ReminderCase(**fields)  # type: ignore[arg-type]


def keys(case: ReminderCase, now: datetime, policy: ReminderPolicy = POLICY) -> list[str]:
    return [m.key for m in case_milestones(case, policy, now)]


# ---- staff reminders before, on and after the due date ------------------------------------------


def test_five_working_days_before_skips_st_patricks_day() -> None:
    # Back from Fri 21: Thu 20 (1), Wed 19 (2), Tue 18 (3), [Mon 17 not a FOIA working day],
    # Fri 14 (4), Thu 13 (5): the 5-day reminder is on Thu 13 March.
    assert keys(running(), utc(2025, 3, 12)) == []
    [m] = case_milestones(running(), POLICY, utc(2025, 3, 13))
    assert m.kind is MilestoneKind.BEFORE_DUE
    assert m.key == "before-due:5:2025-03-21"
    assert m.on == date(2025, 3, 13)
    assert m.days_left == 5
    assert "5 working days before the due date" in m.reason and "FOIA s10(1)" in m.reason


def test_between_offsets_the_earlier_reminder_is_still_the_relevant_one() -> None:
    # Fri 14: Tue 18 - Fri 21 are left (Mon 17 does not count): 4 days, still the 5-day key.
    [m] = case_milestones(running(), POLICY, utc(2025, 3, 14))
    assert (m.key, m.days_left) == ("before-due:5:2025-03-21", 4)
    # Mon 17 is a working day for an English office, so reminders go out; 4 FOIA days left.
    [m] = case_milestones(running(), POLICY, utc(2025, 3, 17))
    assert (m.key, m.days_left) == ("before-due:5:2025-03-21", 4)


def test_one_working_day_before_and_due_day() -> None:
    [m] = case_milestones(running(), POLICY, utc(2025, 3, 20))  # Thu 20: 1 day before
    assert (m.kind, m.key, m.days_left) == (MilestoneKind.BEFORE_DUE, "before-due:1:2025-03-21", 1)
    [m] = case_milestones(running(), POLICY, utc(2025, 3, 21))
    assert (m.kind, m.key, m.days_left) == (MilestoneKind.DUE_TODAY, "due-today:2025-03-21", 0)


def test_overdue_once_each_working_day_not_at_weekends() -> None:
    assert keys(running(), utc(2025, 3, 22)) == []  # Saturday
    assert keys(running(), utc(2025, 3, 23)) == []  # Sunday
    [mon] = case_milestones(running(), POLICY, utc(2025, 3, 24))
    assert (mon.kind, mon.key, mon.days_left) == (
        MilestoneKind.OVERDUE,
        "overdue:2025-03-24:2025-03-21",
        -1,  # Sat and Sun don't count: Mon 24 is the first working day late
    )
    [tue] = case_milestones(running(), POLICY, utc(2025, 3, 25))
    assert (tue.key, tue.days_left) == ("overdue:2025-03-25:2025-03-21", -2)
    # The same day later on: the same key, so it is sent once that day.
    assert keys(running(), utc(2025, 3, 25, 16)) == ["overdue:2025-03-25:2025-03-21"]


def test_configured_offsets() -> None:
    policy = replace(POLICY, offsets=(10, 3))
    # 3 before Fri 21: Thu 20, Wed 19, Tue 18 -> Tue 18.
    # 10 before: Thu 20, Wed 19, Tue 18, [Mon 17], Fri 14, Thu 13, Wed 12, Tue 11, Mon 10,
    # Fri 7, Thu 6 -> Thu 6 March.
    assert keys(running(), utc(2025, 3, 5), policy) == []
    assert keys(running(), utc(2025, 3, 6), policy) == ["before-due:10:2025-03-21"]
    assert keys(running(), utc(2025, 3, 17), policy) == ["before-due:10:2025-03-21"]
    assert keys(running(), utc(2025, 3, 18), policy) == ["before-due:3:2025-03-21"]
    assert keys(running(), utc(2025, 3, 20), policy) == ["before-due:3:2025-03-21"]


def test_foisa_counts_on_the_scottish_calendar() -> None:
    # FOISA s73: only Scottish bank holidays. Mon 17 March counts in Scotland, so 5 before
    # Fri 21 is Fri 14 (Thu 20, Wed 19, Tue 18, Mon 17, Fri 14).
    case = running(regime=Regime.FOISA)
    assert keys(case, utc(2025, 3, 13)) == []
    assert keys(case, utc(2025, 3, 14)) == ["before-due:5:2025-03-21"]


def test_only_in_business_hours_on_working_days() -> None:
    # Thu 13 March is in GMT: local time = UTC.
    assert keys(running(), utc(2025, 3, 13, 8, 59)) == []
    assert keys(running(), utc(2025, 3, 13, 9, 0)) == ["before-due:5:2025-03-21"]
    assert keys(running(), utc(2025, 3, 13, 17, 29)) == ["before-due:5:2025-03-21"]
    assert keys(running(), utc(2025, 3, 13, 17, 30)) == []
    # Good Friday (18 April 2025): the office is shut, an overdue case waits for Tuesday
    # (Easter Monday 21 April is shut too).
    late = running(due=date(2025, 4, 16))
    assert keys(late, utc(2025, 4, 17, 9)) == ["overdue:2025-04-17:2025-04-16"]  # 10:00 BST
    assert keys(late, utc(2025, 4, 18, 9)) == []
    assert keys(late, utc(2025, 4, 21, 9)) == []
    assert keys(late, utc(2025, 4, 22, 9)) == ["overdue:2025-04-22:2025-04-16"]


def test_stopped_clock_closed_case_and_no_regime_get_no_deadline_reminders() -> None:
    now = utc(2025, 3, 20)
    # Clock stopped (clarification or fee): no due date to miss while it is stopped.
    assert keys(running(clock_stopped=True), now) == []
    assert keys(running(due=None, clock_stopped=True), now) == []
    assert keys(running(status=CaseStatus.CLOSED), now) == []
    assert keys(running(status=CaseStatus.LAPSED), now) == []
    assert keys(running(regime=None), now) == []
    # Waiting for approval is still running against the clock: reminded, status shown.
    assert keys(running(status=CaseStatus.AWAITING_APPROVAL), now) == ["before-due:1:2025-03-21"]


# ---- requester chasers, closure and lapse -----------------------------------------------------


def waiting(regime: Regime = Regime.FOI, asked: date = date(2025, 3, 3)) -> ReminderCase:
    return running(
        due=None,
        regime=regime,
        clock_stopped=True,
        status=CaseStatus.AWAITING_CLARIFICATION,
        clarification_asked_on=asked,
    )


def test_chaser_after_ten_working_days() -> None:
    # Asked Mon 3 March. FOIA working days: Tue 4 (1), Wed 5 (2), Thu 6 (3), Fri 7 (4),
    # Mon 10 (5), Tue 11 (6), Wed 12 (7), Thu 13 (8), Fri 14 (9), [Mon 17], Tue 18 (10).
    assert keys(waiting(), utc(2025, 3, 17)) == []
    [m] = case_milestones(waiting(), POLICY, utc(2025, 3, 18))
    assert m.kind is MilestoneKind.CLARIFICATION_CHASER
    assert m.key == "clarification-chaser:2025-03-03"
    assert (m.asked_on, m.on, m.close_on) == (date(2025, 3, 3), date(2025, 3, 18), date(2025, 6, 3))


def test_subject_access_chaser_counts_english_days() -> None:
    # An English controller's subject access clock runs on England's holidays: Mon 17 March
    # counts, so the 10th working day after Mon 3 is Mon 17.
    assert keys(waiting(Regime.SAR), utc(2025, 3, 14)) == []
    assert keys(waiting(Regime.SAR), utc(2025, 3, 17)) == ["clarification-chaser:2025-03-03"]


def test_closure_three_months_after_asking_replaces_the_chaser() -> None:
    # Three months beginning with Mon 3 March end Mon 2 June: the request closes Tue 3 June.
    assert keys(waiting(), utc(2025, 6, 2, 9)) == ["clarification-chaser:2025-03-03"]
    [m] = case_milestones(waiting(), POLICY, utc(2025, 6, 3, 9))  # 10:00 BST
    assert m.kind is MilestoneKind.CLARIFICATION_CLOSURE
    assert m.key == "clarification-closure:2025-03-03"
    assert "ICO" in m.reason
    # A month later (foibot was down): still just the closure, no stale chaser.
    assert keys(waiting(), utc(2025, 7, 3, 9)) == ["clarification-closure:2025-03-03"]


def test_reviews_have_no_clarification_chasers() -> None:
    assert keys(waiting(Regime.REVIEW), utc(2025, 6, 3, 9)) == []


@pytest.mark.parametrize(
    ("asked", "closes"),
    [
        (date(2025, 3, 3), date(2025, 6, 3)),  # period 3 Mar - 2 Jun
        (date(2024, 12, 15), date(2025, 3, 15)),  # across the year end: 15 Dec - 14 Mar
        (date(2024, 11, 30), date(2025, 3, 1)),  # no 30 Feb: the period ends 28 Feb
        (date(2023, 11, 30), date(2024, 3, 1)),  # leap year: ends Thu 29 Feb 2024
        (date(2023, 11, 29), date(2024, 2, 29)),  # 29 Nov - 28 Feb 2024
        (date(2025, 10, 31), date(2026, 1, 31)),  # 31 Oct - 30 Jan
    ],
)
def test_three_month_closure_dates(asked: date, closes: date) -> None:
    assert clarification_close_on(asked) == closes


def test_fee_lapse_on_the_day_after_three_months() -> None:
    # FOIA s9(2): three months beginning with the day of the notice (Mon 3 March) end
    # Mon 2 June; unpaid, the request lapses Tue 3 June.
    case = running(
        due=None,
        clock_stopped=True,
        status=CaseStatus.AWAITING_FEE,
        fee_notice_on=date(2025, 3, 3),
        fee_lapses_on=date(2025, 6, 3),
    )
    assert keys(case, utc(2025, 6, 2, 9)) == []
    [m] = case_milestones(case, POLICY, utc(2025, 6, 3, 9))
    assert (m.kind, m.key, m.notice_on) == (
        MilestoneKind.FEE_LAPSE,
        "fee-lapse:2025-03-03",
        date(2025, 3, 3),
    )
    assert "FOIA s9(2)" in m.reason


# ---- the digest and the clock changes ---------------------------------------------------------


def digest_key(now: datetime, policy: ReminderPolicy = POLICY) -> str | None:
    m = digest_milestone(policy, moment(policy, now))
    assert m is None or m.case_id == AUTHORITY_WIDE
    return None if m is None else m.key


def test_digest_from_its_time_on_working_days() -> None:
    assert digest_key(utc(2025, 3, 10, 8, 59)) is None  # Mon 10 March, GMT
    assert digest_key(utc(2025, 3, 10, 9, 0)) == "digest:2025-03-10"
    assert digest_key(utc(2025, 3, 10, 22, 0)) == "digest:2025-03-10"  # late start: today's
    assert digest_key(utc(2025, 3, 8, 9, 30)) is None  # Saturday
    assert digest_key(utc(2025, 4, 18, 9, 30)) is None  # Good Friday


def test_digest_time_is_london_time_across_the_march_change() -> None:
    # Fri 28 March: GMT, 09:00 London = 09:00 UTC.
    assert digest_key(utc(2025, 3, 28, 8, 30)) is None
    assert digest_key(utc(2025, 3, 28, 9, 0)) == "digest:2025-03-28"
    # Sun 30 March the clocks go forward; Mon 31 is BST: 09:00 London = 08:00 UTC.
    assert digest_key(utc(2025, 3, 31, 7, 59)) is None
    assert digest_key(utc(2025, 3, 31, 8, 0)) == "digest:2025-03-31"
    # 23:30 UTC on Mon 31 is 00:30 on Tue 1 April in London: a new day, before 09:00.
    at = moment(POLICY, utc(2025, 3, 31, 23, 30))
    assert at.today == date(2025, 4, 1) and not at.in_hours
    assert digest_key(utc(2025, 3, 31, 23, 30)) is None


def test_digest_time_is_london_time_across_the_october_change() -> None:
    # Fri 24 October: BST, 09:00 London = 08:00 UTC.
    assert digest_key(utc(2025, 10, 24, 7, 59)) is None
    assert digest_key(utc(2025, 10, 24, 8, 0)) == "digest:2025-10-24"
    # Sun 26 October the clocks go back; Mon 27 is GMT: 09:00 London = 09:00 UTC.
    assert digest_key(utc(2025, 10, 27, 8, 0)) is None
    assert digest_key(utc(2025, 10, 27, 9, 0)) == "digest:2025-10-27"


def test_business_hours_follow_the_clock_change() -> None:
    due_monday = running(due=date(2025, 3, 31))
    # 08:30 UTC on Fri 28 March is 08:30 GMT: before hours. On Mon 31 it is 09:30 BST.
    assert keys(due_monday, utc(2025, 3, 28, 8, 30)) == []
    assert keys(due_monday, utc(2025, 3, 28, 9, 30)) == ["before-due:1:2025-03-31"]
    assert keys(due_monday, utc(2025, 3, 31, 8, 30)) == ["due-today:2025-03-31"]
    # 16:45 UTC on Mon 31 is 17:45 BST: after hours.
    assert keys(due_monday, utc(2025, 3, 31, 16, 45)) == []


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        moment(POLICY, datetime(2025, 3, 13, 10, 0))


def test_policy_from_settings() -> None:
    settings = load_settings(
        env={
            "FOIBOT_REMINDERS_OFFSETS": "3,10",
            "FOIBOT_REMINDERS_DIGEST_TIME": "08:15",
            "FOIBOT_REMINDERS_CHASER_AFTER_DAYS": "15",
            "FOIBOT_AUTHORITY_JURISDICTION": "scotland",
        }
    )
    policy = ReminderPolicy.from_settings(settings)
    assert policy.offsets == (10, 3)
    assert policy.digest_at == time(8, 15)
    assert policy.chaser_after_days == 15
    assert (policy.opens, policy.closes) == (time(9, 0), time(17, 30))
    assert policy.jurisdiction is Jurisdiction.SCOTLAND


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FOIBOT_REMINDERS_OFFSETS": "5,x"}, "expected a list of whole numbers"),
        ({"FOIBOT_REMINDERS_OFFSETS": "5,5"}, "[reminders] offsets"),
        ({"FOIBOT_REMINDERS_OFFSETS": "0"}, "[reminders] offsets"),
        ({"FOIBOT_REMINDERS_DIGEST_TIME": "9am"}, "[reminders] digest_time"),
        ({"FOIBOT_REMINDERS_BUSINESS_HOURS_END": "08:00"}, "[reminders] business_hours_end"),
        ({"FOIBOT_REMINDERS_CHASER_AFTER_DAYS": "0"}, "[reminders] chaser_after_days"),
    ],
)
def test_reminder_settings_errors_name_the_key(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_settings(env=env)


# ---- against the database: the sweep, records, moved dates -----------------------------------

SETTINGS = load_settings(env={})


def new_case(
    session: Session, received: date, regime: Regime = Regime.FOI, name: str = "Ann"
) -> Case:
    case = open_case(
        session,
        NewCase(
            channel=Channel.EMAIL,
            received_at=datetime.combine(received, time(11), UTC),
            received_on=received,
            subject=f"Request from {name}",
            text="Please send me the minutes.",
            regime=regime,
            label=regime.value,
            requester_name=name,
            requester_email=f"{name.lower()}@example.org",
        ),
        SETTINGS.references,
        Jurisdiction.ENGLAND_AND_WALES,
        datetime.combine(received, time(11), UTC),
    )
    session.flush()
    return case


def clock(
    session: Session, case: Case, kind: ClockEventType, on: date, amount: int | None = None
) -> None:
    add_clock_event(
        session,
        case,
        ClockEvent(kind, on, amount),
        Jurisdiction.ENGLAND_AND_WALES,
        datetime.combine(on, time(12), UTC),
        "officer",
    )


def pending(db: Database, now: datetime) -> list[tuple[int, str]]:
    plan = db.transact(lambda s: plan_reminders(s, POLICY, now))
    return sorted((p.milestone.case_id, p.milestone.key) for p in plan.pending)


def test_plan_and_record_once(db: Database) -> None:
    with db.session() as s:
        due_soon = new_case(s, date(2025, 2, 20))  # due Fri 21 March (module docstring)
        later = new_case(s, date(2025, 3, 10), name="Bea")  # due in April: nothing yet
        closed = new_case(s, date(2025, 2, 20), name="Cy")
        set_status(s, closed, CaseStatus.CLOSED, utc(2025, 3, 1), "officer")
        s.commit()
        ids = (due_soon.id, later.id)
    assert due_soon.due == DUE
    assert ids[0] is not None
    now = utc(2025, 3, 13)  # Thu 13 March 10:00 GMT: the 5-day reminder, and the digest
    assert pending(db, now) == [(0, "digest:2025-03-13"), (ids[0], "before-due:5:2025-03-21")]

    first = ids[0]

    def claim(s: Session) -> bool:
        return (
            claim_milestone(s, first, "before-due:5:2025-03-21", "before-due", DUE, now) is not None
        )

    assert db.transact(claim) is True
    assert db.transact(claim) is False  # the unique (case_id, milestone) refuses a second
    assert pending(db, now) == [(0, "digest:2025-03-13")]
    assert pending(db, utc(2025, 3, 14)) == [(0, "digest:2025-03-14")]  # the 5-day one is spent
    with db.session() as s:
        assert [r.milestone for r in records_of(s, ids[0])] == ["before-due:5:2025-03-21"]


def test_catch_up_after_downtime_sends_only_what_is_true_now(db: Database) -> None:
    with db.session() as s:
        case = new_case(s, date(2025, 2, 20))
        s.commit()
    # Down from Wed 12 to Tue 25 March: the 5-day, 1-day, due-day and Monday's overdue
    # reminders are stale; one overdue reminder for today, and today's digest.
    assert pending(db, utc(2025, 3, 25, 14)) == [
        (0, "digest:2025-03-25"),
        (case.id, "overdue:2025-03-25:2025-03-21"),
    ]


def test_a_moved_due_date_starts_afresh(db: Database) -> None:
    with db.session() as s:
        case = new_case(s, date(2025, 2, 20))
        s.commit()
    assert case.id is not None
    plan = db.transact(lambda s: plan_reminders(s, POLICY, utc(2025, 3, 13)))
    planned = [p for p in plan.pending if p.case is not None]
    assert [p.milestone.key for p in planned] == ["before-due:5:2025-03-21"]
    # Fri 14 March: a public interest extension of 20 working days (FOIA s10(3)). From Fri 21:
    # Mon 24 - Fri 28 (1-5), Mon 31 - Fri 4 Apr (6-10), Mon 7 - Fri 11 (11-15),
    # Mon 14 - Thu 17 (16-19), [Good Friday 18, Easter Monday 21], Tue 22 (20): due Tue 22 April.
    with db.session() as s:
        fresh = s.get(Case, case.id)
        assert fresh is not None
        clock(s, fresh, ClockEventType.EXTENSION, date(2025, 3, 14), 20)
        s.commit()
        assert fresh.due == date(2025, 4, 22)
    # The reminder planned for 21 March is no longer due when re-read before sending.
    keep, moved = db.transact(lambda s: still_due(s, planned, POLICY, utc(2025, 3, 13)))
    assert keep == [] and moved == planned
    # Nothing on the old dates...
    assert pending(db, utc(2025, 3, 20)) == [(0, "digest:2025-03-20")]
    assert pending(db, utc(2025, 3, 24)) == [(0, "digest:2025-03-24")]
    # ...and the new date's own: 5 before Tue 22 April is Thu 17 (1), Wed 16 (2), Tue 15 (3),
    # Mon 14 (4), Fri 11 (5) -> Fri 11 April (10:00 BST = 09:00 UTC).
    assert pending(db, utc(2025, 4, 10, 9)) == [(0, "digest:2025-04-10")]
    assert pending(db, utc(2025, 4, 11, 9)) == [
        (0, "digest:2025-04-11"),
        (case.id, "before-due:5:2025-04-22"),
    ]


def test_stopped_clocks_chase_close_and_lapse_from_the_events(db: Database) -> None:
    with db.session() as s:
        asked = new_case(s, date(2025, 2, 20))
        clock(s, asked, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 3))
        set_status(s, asked, CaseStatus.AWAITING_CLARIFICATION, utc(2025, 3, 3), "officer")
        fee = new_case(s, date(2025, 2, 20), name="Bea")
        clock(s, fee, ClockEventType.FEE_NOTICE_ISSUED, date(2025, 3, 3))
        set_status(s, fee, CaseStatus.AWAITING_FEE, utc(2025, 3, 3), "officer")
        s.commit()
    assert asked.clock_stopped and asked.due is None
    # Thu 13 March would be the 5-day reminder for the old 21 March date: stopped, so none.
    assert pending(db, utc(2025, 3, 13)) == [(0, "digest:2025-03-13")]
    # Tue 18 March: the 10th FOIA working day after Mon 3 (see test_chaser_after_ten...).
    assert pending(db, utc(2025, 3, 18)) == [
        (0, "digest:2025-03-18"),
        (asked.id, "clarification-chaser:2025-03-03"),
    ]
    # Tue 3 June 10:00 BST: three months for both, beginning with Mon 3 March.
    assert pending(db, utc(2025, 6, 3, 9)) == [
        (0, "digest:2025-06-03"),
        (asked.id, "clarification-closure:2025-03-03"),
        (fee.id, "fee-lapse:2025-03-03"),
    ]


def test_clarification_received_restarts_the_clock_and_the_reminders(db: Database) -> None:
    with db.session() as s:
        case = new_case(s, date(2025, 2, 20))
        clock(s, case, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 3))
        set_status(s, case, CaseStatus.AWAITING_CLARIFICATION, utc(2025, 3, 3), "officer")
        # Reply on Mon 10 March: 20 fresh FOIA working days (FOIA s10(6)(b)): Tue 11 - Fri 14
        # (1-4), [Mon 17], Tue 18 - Fri 21 (5-8), Mon 24 - Fri 28 (9-13), Mon 31 - Fri 4 Apr
        # (14-18), Mon 7 (19), Tue 8 April (20).
        clock(s, case, ClockEventType.CLARIFICATION_RECEIVED, date(2025, 3, 10))
        set_status(s, case, CaseStatus.OPEN, utc(2025, 3, 10), "officer")
        s.commit()
    assert case.due == date(2025, 4, 8)
    assert pending(db, utc(2025, 3, 18)) == [(0, "digest:2025-03-18")]  # no chaser
    # 1 before Tue 8 April: Mon 7 April (10:00 BST).
    assert pending(db, utc(2025, 4, 7, 9)) == [
        (0, "digest:2025-04-07"),
        (case.id, "before-due:1:2025-04-08"),
    ]


def test_digest_contents(db: Database) -> None:
    with db.session() as s:
        overdue = new_case(s, date(2025, 2, 20), name="Ann")  # due Fri 21 March
        # Received Mon 3 March: Tue 4 - Fri 14 (1-9), [Mon 17], Tue 18 - Fri 28 (10-18),
        # Mon 31 (19), Tue 1 April (20).
        this_week = new_case(s, date(2025, 3, 3), name="Bea")
        draft = new_case(s, date(2025, 3, 20), name="Cy")
        set_status(s, draft, CaseStatus.AWAITING_APPROVAL, utc(2025, 3, 20), "officer")
        waiting_case = new_case(s, date(2025, 3, 3), name="Di")
        clock(s, waiting_case, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 5))
        set_status(s, waiting_case, CaseStatus.AWAITING_CLARIFICATION, utc(2025, 3, 5), "officer")
        s.commit()
    assert this_week.due == date(2025, 4, 1)
    digest = db.transact(lambda s: read_digest(s, POLICY, utc(2025, 3, 26)))  # Wed 26 March
    assert [(d.reference, d.days_left) for d in digest.overdue] == [(overdue.reference, -3)]
    # Wed 26 -> Tue 1 April: Thu 27, Fri 28, Mon 31, Tue 1 = 4 working days left.
    assert [(d.reference, d.days_left) for d in digest.due_this_week] == [(this_week.reference, 4)]
    assert [d.reference for d in digest.awaiting_approval] == [draft.reference]
    [w] = digest.awaiting_clarification
    assert (w.reference, w.asked_on, w.close_on) == (
        waiting_case.reference,
        date(2025, 3, 5),
        date(2025, 6, 5),
    )
    assert not digest.empty


@pytest.fixture
def statements(db: Database) -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []

    def record(conn: object, cursor: object, sql: str, params: object, *_: object) -> None:
        seen.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_the_sweep_reads_through_the_due_date_index(
    db: Database, statements: list[tuple[str, object]]
) -> None:
    if not is_sqlite(db.engine):
        pytest.skip("the plan of a near-empty PostgreSQL table says nothing about the index")
    with db.session() as s:
        new_case(s, date(2025, 2, 20))
        s.commit()
    pending(db, utc(2025, 3, 13))
    [(sql, params)] = [(q, p) for q, p in statements if " due <= " in q or ".due <= " in q]
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()  # type: ignore[arg-type]
        details = " ".join(str(row[-1]) for row in rows)
        assert "USING INDEX ix_case_status_due" in details, details
        assert "SCAN" not in details.replace("SCAN CONSTANT", ""), details
        conn.execute(text("SELECT 1"))
