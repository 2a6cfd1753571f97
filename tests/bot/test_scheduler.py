"""The reminder scheduler and the sweep that queues: real database (SQLite, and PostgreSQL when
FOIBOT_TEST_DATABASE_URL is set), real letters, a controllable clock.

Dates are counted by hand; see tests/intake/test_reminders.py for the calendar. In short: a FOI
request received Thu 20 Feb 2025 is due Fri 21 March 2025; its 5-day reminder is Thu 13 March
(Mon 17 March, St Patrick's Day, is not a FOIA working day) and its 1-day reminder Thu 20 March.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.database import Database, is_sqlite
from bot.reminders import Result, SweepReport, send_planned, sweep
from bot.scheduler import ReminderScheduler
from config.settings import Settings, load_settings
from intake.cases import record_event, set_status
from intake.clock import ClockEventType
from intake.models import Case, CaseEvent, CaseStatus, EventKind, Outbox, OutboxKind
from intake.regime import Regime
from intake.reminder_records import ReminderRecord
from intake.reminders import ReminderPolicy, plan_reminders
from tests.intake.test_reminders import clock, new_case, utc

TEAM = "foi@council.example"
STAFF = "C0STAFF"


def settings_for(database_url: str, slack: bool = False) -> Settings:
    base = load_settings(env={})
    settings = dataclasses.replace(
        base,
        database=dataclasses.replace(base.database, url=database_url),
        authority=dataclasses.replace(
            base.authority, email=TEAM, name="Borsetshire County Council"
        ),
        references=dataclasses.replace(base.references, secret="test-secret"),
    )
    if slack:
        settings = dataclasses.replace(
            settings,
            slack=dataclasses.replace(
                settings.slack, bot_token="xoxb-test", signing_secret="s", staff_channel=STAFF
            ),
        )
    return settings


class Clock:
    """The injected clock: tests move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def outbox(db: Database) -> list[Outbox]:
    with db.session() as s:
        return list(s.exec(select(Outbox).order_by(col(Outbox.id))).all())


def parsed(row: Outbox) -> EmailMessage:
    message = email.message_from_bytes(row.payload, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def body(row: Outbox) -> str:
    part = parsed(row).get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def slack_args(row: Outbox) -> dict[str, Any]:
    assert row.kind == OutboxKind.SLACK.value
    args: dict[str, Any] = json.loads(row.payload)["args"]
    return args


def new_rows(db: Database, seen: int) -> list[Outbox]:
    return outbox(db)[seen:]


def case_row(db: Database, case_id: int | None) -> Case:
    with db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case


def events(db: Database, case_id: int | None, kind: EventKind) -> list[CaseEvent]:
    with db.session() as s:
        return list(
            s.exec(
                select(CaseEvent)
                .where(CaseEvent.case_id == case_id, CaseEvent.kind == kind.value)
                .order_by(col(CaseEvent.id))
            ).all()
        )


# ---- staff reminders by email -----------------------------------------------------------------


def test_every_staff_reminder_through_a_deadline_once(db: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        case = new_case(s, date(2025, 2, 20))
        s.commit()
    got: dict[date, list[str]] = {}
    day = date(2025, 3, 12)
    while day <= date(2025, 3, 26):
        for minute in (0, 1, 30):  # a sweep every so often: each reminder still goes once
            sweep(db, settings, datetime(day.year, day.month, day.day, 10, minute, tzinfo=UTC))
        got[day] = [
            body(r).splitlines()[0]
            for r in outbox(db)
            if r.purpose == "reminder" and r.created_at.date() == day
        ]
        day += timedelta(days=1)
    ref = case.reference
    assert got == {
        date(2025, 3, 12): [],
        date(2025, 3, 13): [f"{ref}: due in 5 working days"],
        date(2025, 3, 14): [],  # the 5-day reminder went yesterday
        date(2025, 3, 15): [],  # Saturday
        date(2025, 3, 16): [],  # Sunday
        date(2025, 3, 17): [],
        date(2025, 3, 18): [],
        date(2025, 3, 19): [],
        date(2025, 3, 20): [f"{ref}: due in 1 working day"],
        date(2025, 3, 21): [f"{ref}: due today"],
        date(2025, 3, 22): [],
        date(2025, 3, 23): [],
        date(2025, 3, 24): [f"{ref}: overdue by 1 working day"],
        date(2025, 3, 25): [f"{ref}: overdue by 2 working days"],
        date(2025, 3, 26): [f"{ref}: overdue by 3 working days"],
    }
    reminder = next(r for r in outbox(db) if r.purpose == "reminder")
    message = parsed(reminder)
    assert message["To"] == TEAM
    assert message["Subject"].strip() == f"[{ref}] Deadline reminder: Request from Ann"
    assert message["Auto-Submitted"] == "auto-generated"  # RFC 3834 s5: on its own initiative
    text = body(reminder)
    assert "Due: Friday 21 March 2025" in text
    assert "Assigned to: nobody yet" in text  # a case with no assignee says so
    assert "Why now: 5 working days before the due date" in text
    # Each is recorded on the case, with the milestone.
    sent = [e.detail["milestone"] for e in events(db, case.id, EventKind.REMINDER_SENT)]
    assert sent == [
        "before-due:5:2025-03-21",
        "before-due:1:2025-03-21",
        "due-today:2025-03-21",
        "overdue:2025-03-24:2025-03-21",
        "overdue:2025-03-25:2025-03-21",
        "overdue:2025-03-26:2025-03-21",
    ]


def test_after_downtime_one_message_per_case_not_a_flood(db: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        late = new_case(s, date(2025, 2, 20))  # due Fri 21 March
        asked = new_case(s, date(2025, 2, 20), name="Bea")
        clock(s, asked, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 3))
        set_status(s, asked, CaseStatus.AWAITING_CLARIFICATION, utc(2025, 3, 3), "officer")
        s.commit()
    # Down from before Thu 13 March until Tue 25 March 14:00: the 5-day, 1-day, due-day and
    # Monday reminders are stale; so is nothing for the clarification case, whose chaser
    # (Tue 18) is still relevant until it closes.
    report = sweep(db, settings, utc(2025, 3, 25, 14))
    rows = outbox(db)
    assert sorted((r.purpose, r.case_id) for r in rows) == sorted(
        [("digest", None), ("reminder", late.id), ("clarification_chaser", asked.id)]
    )
    assert body(next(r for r in rows if r.purpose == "reminder")).startswith(
        f"{late.reference}: overdue by 2 working days"
    )
    assert report.count(Result.SENT) == 3


def test_a_minute_scheduler_with_an_injected_clock(db: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        case = new_case(s, date(2025, 2, 20))
        s.commit()
    now = Clock(utc(2025, 3, 13, 8, 58))  # Thu 13 March, before hours
    woken: list[int] = []

    async def scenario() -> None:
        scheduler = ReminderScheduler(db, settings, lambda: woken.append(1), now=now, interval=0.01)
        scheduler.start()
        try:
            deadline = time.monotonic() + 10
            while scheduler.sweeps < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert outbox(db) == []  # 08:58: nothing yet
            now.now = utc(2025, 3, 13, 9, 0)
            while len(outbox(db)) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            ticks = scheduler.sweeps
            while scheduler.sweeps < ticks + 5 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        finally:
            await scheduler.stop()

    asyncio.run(scenario())
    rows = outbox(db)
    assert sorted((r.purpose, r.case_id) for r in rows) == sorted(
        [("digest", None), ("reminder", case.id)]
    )
    assert woken  # the outbox was woken for what was queued


def test_a_failing_sweep_is_logged_and_tried_again(tmp_path: Path) -> None:
    broken = Database(f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}")  # no tables
    settings = settings_for(broken.url)

    async def scenario() -> tuple[SweepReport | None, int]:
        scheduler = ReminderScheduler(broken, settings, lambda: None, now=Clock(utc(2025, 3, 13)))
        return await scheduler.run_once(), scheduler.sweeps

    try:
        assert asyncio.run(scenario()) == (None, 0)  # an error logged, not a crash
    finally:
        broken.close()


# ---- requester chasers, closure, lapse --------------------------------------------------------


def test_chaser_then_closure_then_staff_reopen(db: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        case = new_case(s, date(2025, 2, 20), name="Bea")
        clock(s, case, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 3))
        record_event(
            s,
            case,
            EventKind.LETTER_QUEUED,
            "slack:U0OFFICER",
            utc(2025, 3, 3),
            letter="clarification letter",
            to="bea@example.org",
            message_id="<clarify-1@council.example>",
            purpose="clarification",
        )
        set_status(
            s,
            case,
            CaseStatus.AWAITING_CLARIFICATION,
            utc(2025, 3, 3),
            "slack:U0OFFICER",
            question="Which committee's minutes do you mean?",
        )
        s.commit()
    # Mon 17 March: not yet (the 10th FOIA working day after Mon 3 March is Tue 18).
    sweep(db, settings, utc(2025, 3, 17))
    assert [r.purpose for r in outbox(db)] == ["digest"]
    sweep(db, settings, utc(2025, 3, 18))
    [chaser] = [r for r in outbox(db) if r.purpose == "clarification_chaser"]
    message = parsed(chaser)
    assert message["To"] == "bea@example.org"
    assert message["Subject"].strip().startswith(f"[{case.reference}] Reminder: we are waiting")
    assert message["In-Reply-To"] == "<clarify-1@council.example>"  # threads under the ask
    assert message["Auto-Submitted"] == "auto-generated"
    text = body(chaser)
    assert "On Monday 3 March 2025 we asked you to clarify" in text
    assert "Which committee's minutes do you mean?" in text
    # The three months beginning with 3 March end Mon 2 June; it closes on Tue 3 June.
    assert "If we do not hear from you by Monday 2 June 2025, we will close it" in text
    # Only one chaser, however long the wait.
    for day in (19, 20, 21, 24):
        sweep(db, settings, utc(2025, 3, day))
    sweep(db, settings, utc(2025, 6, 2, 9))
    assert [r.purpose for r in outbox(db)].count("clarification_chaser") == 1

    seen = len(outbox(db))
    sweep(db, settings, utc(2025, 6, 3, 9))  # Tue 3 June 10:00 BST
    rows = new_rows(db, seen)
    [closure] = [r for r in rows if r.purpose == "clarification_closure"]
    assert parsed(closure)["To"] == "bea@example.org"
    assert "we have now closed your request" in body(closure)
    [note] = [r for r in rows if r.purpose == "reminder"]
    assert parsed(note)["To"] == TEAM
    assert "closed: no clarification came" in body(note)
    closed = case_row(db, case.id)
    assert closed.status == CaseStatus.CLOSED.value
    assert closed.outcome == "no clarification in three months"

    # Staff reopen it, still waiting for the reply: it is not closed again.
    with db.session() as s:
        reopened = s.get(Case, case.id)
        assert reopened is not None
        set_status(s, reopened, CaseStatus.AWAITING_CLARIFICATION, utc(2025, 6, 3, 12), "officer")
        s.commit()
    seen = len(outbox(db))
    for when in (utc(2025, 6, 4, 9), utc(2025, 7, 1, 9)):
        report = sweep(db, settings, when)
        assert [p.milestone.key for p in report.plan.already_sent if p.case] == [
            "clarification-closure:2025-03-03"
        ]
    assert "clarification_closure" not in [r.purpose for r in new_rows(db, seen)]
    assert case_row(db, case.id).status == CaseStatus.AWAITING_CLARIFICATION.value


def test_fee_lapse_letters_for_foia_and_the_eir(db: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        foi = new_case(s, date(2025, 2, 20), name="Cy")
        clock(s, foi, ClockEventType.FEE_NOTICE_ISSUED, date(2025, 3, 3))
        set_status(s, foi, CaseStatus.AWAITING_FEE, utc(2025, 3, 3), "officer", amount="£45.00")
        eir = new_case(s, date(2025, 2, 20), Regime.EIR, name="Di")
        clock(s, eir, ClockEventType.FEE_NOTICE_ISSUED, date(2025, 3, 3))
        set_status(s, eir, CaseStatus.AWAITING_FEE, utc(2025, 3, 3), "officer", amount="£80.00")
        s.commit()
    # FOIA s9(2): three months beginning with Mon 3 March end Mon 2 June.
    # EIR reg 8(5): 60 working days after Mon 3 March: 19 in March (St Patrick's Day out), 20
    # in April (Good Friday and Easter Monday out: 39), 20 in May (5 May and 26 May out: 59),
    # Mon 2 June (60). Both lapse on Tue 3 June.
    sweep(db, settings, utc(2025, 6, 2, 9))
    assert [r.purpose for r in outbox(db)] == []  # nothing to digest, nothing lapsed
    sweep(db, settings, utc(2025, 6, 3, 9))
    rows = outbox(db)
    letters = {r.case_id: r for r in rows if r.purpose == "fee_lapse"}
    assert set(letters) == {foi.id, eir.id}
    assert parsed(letters[foi.id])["To"] == "cy@example.org"
    text = body(letters[foi.id])
    assert "On Monday 3 March 2025 we sent you a fees notice for £45.00" in text
    assert "section 9(2) of FOIA" in text
    assert case_row(db, foi.id).status == CaseStatus.LAPSED.value
    # EIR reg 8(5): the lapse letter says so, and the case lapses like a FOIA one.
    assert parsed(letters[eir.id])["To"] == "di@example.org"
    text = body(letters[eir.id])
    assert "On Monday 3 March 2025 we told you that a charge of £80.00" in text
    assert "within 60 working days of that notice" in text
    assert "regulation 8(5) of the EIR" in text
    lapsed = case_row(db, eir.id)
    assert lapsed.status == CaseStatus.LAPSED.value
    assert lapsed.outcome == "charge not paid in 60 working days"


def test_a_letter_for_a_requester_without_email_goes_to_staff_to_post(db: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        case = new_case(s, date(2025, 2, 20), name="Ed")
        case.requester_email = ""
        case.requester_address = "1 Mill Lane,\nExampleton EX2 2BB"
        clock(s, case, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 3))
        set_status(s, case, CaseStatus.AWAITING_CLARIFICATION, utc(2025, 3, 3), "officer")
        s.commit()
    sweep(db, settings, utc(2025, 3, 18))
    [row] = [r for r in outbox(db) if r.purpose == "clarification_chaser"]
    assert parsed(row)["To"] == TEAM
    text = body(row)
    assert "please print this clarification chaser and post it to 1 Mill Lane, Exampleton" in text
    # No question was recorded with the request: the chaser points at the letter instead.
    assert "The points set out in our letter of 3 March 2025." in text


def test_an_empty_digest_is_recorded_but_not_sent(db: Database) -> None:
    settings = settings_for(db.url)
    report = sweep(db, settings, utc(2025, 3, 10, 9, 30))
    assert [(o.planned.milestone.key, o.result) for o in report.outcomes] == [
        ("digest:2025-03-10", Result.RECORDED)
    ]
    assert outbox(db) == []
    assert sweep(db, settings, utc(2025, 3, 10, 15)).plan.pending == []


def test_the_digest_by_email(db: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        late = new_case(s, date(2025, 2, 20))  # due Fri 21 March
        late.assignee = "sam"
        s.commit()
    sweep(db, settings, utc(2025, 3, 24, 8, 0))  # 08:00 GMT Monday: before the digest time
    assert outbox(db) == []
    sweep(db, settings, utc(2025, 3, 24, 9, 0))
    [digest] = [r for r in outbox(db) if r.purpose == "digest"]
    assert parsed(digest)["Subject"].strip() == (
        "foibot digest for Mon 24 Mar 2025: 1 overdue, 0 due this week"
    )
    text = body(digest)
    assert f"- {late.reference} (FOI), due Fri 21 Mar 2025, overdue by 1 working day" in text
    assert "assigned to sam" in text


# ---- Slack ------------------------------------------------------------------------------------


def test_with_slack_a_dm_to_the_assignee_and_a_staff_post_with_the_buttons(db: Database) -> None:
    settings = settings_for(db.url, slack=True)
    with db.session() as s:
        mine = new_case(s, date(2025, 2, 20))
        mine.assignee = "U0ALICE"
        nobody = new_case(s, date(2025, 2, 20), name="Bea")
        s.commit()
    sweep(db, settings, utc(2025, 3, 13))
    rows = outbox(db)
    assert all(r.kind == OutboxKind.SLACK.value for r in rows)  # nothing by email
    posts = [(slack_args(r)["channel"], r.case_id) for r in rows]
    assert sorted(posts, key=str) == sorted(
        [("U0ALICE", mine.id), (STAFF, mine.id), (STAFF, nobody.id), (STAFF, None)], key=str
    )
    dm = next(slack_args(r) for r in rows if slack_args(r)["channel"] == "U0ALICE")
    assert dm["text"] == f"{mine.reference}: due in 5 working days"
    text = json.dumps(dm["blocks"])
    assert "<@U0ALICE>" in text and "Fri 21 Mar 2025" in text
    buttons = {
        e["action_id"] for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert {"case_assign", "case_clarify", "case_draft", "case_not_request"} <= buttons
    other = next(
        slack_args(r) for r in rows if r.case_id == nobody.id and slack_args(r)["channel"] == STAFF
    )
    assert "Nobody yet" in json.dumps(other["blocks"])
    digest = next(slack_args(r) for r in rows if r.case_id is None)
    assert digest["blocks"][0]["type"] == "header"
    assert "Due this week* (2)" in json.dumps(digest["blocks"])


# ---- two foibot processes ---------------------------------------------------------------------


@pytest.fixture
def second(database_url: str, db: Database) -> Iterator[Database]:
    other = Database(database_url)  # a second foibot process's engine on the same database
    yield other
    other.close()


def test_two_workers_send_each_milestone_once(db: Database, second: Database) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        for n in range(12):
            new_case(s, date(2025, 2, 20), name=f"R{n}")  # all due Fri 21 March
        s.commit()
    now = utc(2025, 3, 13)
    start = threading.Barrier(2)
    reports: list[SweepReport] = []
    errors: list[BaseException] = []

    def worker(database: Database) -> None:
        try:
            start.wait()
            reports.append(sweep(database, settings, now, chunk=3))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(d,)) for d in (db, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    rows = outbox(db)
    assert len(rows) == 13  # 12 reminders and one digest, each once
    assert len({r.case_id for r in rows}) == 13
    sent = sum(r.count(Result.SENT) for r in reports)
    skipped = sum(r.count(Result.TAKEN) + r.count(Result.MOVED) for r in reports)
    assert sent == 13
    assert sum(r.count(Result.FAILED) for r in reports) == 0
    assert sent + skipped == sum(len(r.plan.pending) for r in reports)
    with db.session() as s:
        assert len(s.exec(select(ReminderRecord)).all()) == 13


def test_the_slower_of_two_workers_finds_the_milestone_taken(
    db: Database, second: Database
) -> None:
    settings = settings_for(db.url)
    with db.session() as s:
        new_case(s, date(2025, 2, 20))
        s.commit()
    now = utc(2025, 3, 13)
    policy = ReminderPolicy.from_settings(settings)
    plan = db.transact(lambda s: plan_reminders(s, policy, now))
    assert len(plan.pending) == 2
    lock = not is_sqlite(db.engine)
    # Worker A has recorded and queued both, but not committed yet.
    first = db.session()
    a = send_planned(first, plan.pending, settings, now, lock)
    assert [o.result for o in a] == [Result.SENT, Result.SENT]
    got: list[Any] = []
    thread = threading.Thread(
        target=lambda: got.append(
            second.transact(lambda s: send_planned(s, plan.pending, settings, now, lock))
        )
    )
    thread.start()
    time.sleep(0.5)
    if lock:
        assert thread.is_alive()  # on PostgreSQL B waits for A's row locks (FOR UPDATE)
    first.commit()
    first.close()
    thread.join(30)
    [b] = got
    assert [o.result for o in b] == [Result.TAKEN, Result.TAKEN]
    assert len(outbox(db)) == 2


def test_the_service_runs_the_scheduler_unless_disabled(database_url: str, tmp_path: Path) -> None:
    from bot.service import start_service
    from tests.conftest import free_port

    async def scenario(enabled: bool) -> bool:
        settings = settings_for(database_url)
        settings = dataclasses.replace(
            settings,
            smtp=dataclasses.replace(settings.smtp, port=free_port()),
            outbound=dataclasses.replace(settings.outbound, maildir=str(tmp_path / "outbox")),
            reminders=dataclasses.replace(settings.reminders, enabled=enabled),
        )
        service = await start_service(settings)
        try:
            return service.reminders is not None
        finally:
            await service.stop()

    assert asyncio.run(scenario(True)) is True
    assert asyncio.run(scenario(False)) is False
