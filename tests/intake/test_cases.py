"""Cases in the database: references, the event log, and due dates derived from clock events.

Expected dates are counted by hand from the gov.uk bank-holiday lists (see comments).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from bot.database import Database
from config.settings import ReferenceSettings
from intake.cases import (
    NewCase,
    add_clock_event,
    case_by_reference,
    deadline_for,
    events_of,
    open_case,
    open_cases_of,
    set_status,
)
from intake.clock import ClockEvent, ClockEventType, working_days_left
from intake.models import Case, CaseStatus, Channel, EventKind
from intake.reference import find_references
from intake.regime import Jurisdiction, Regime

REFS = ReferenceSettings(prefix="IC", secret="test-secret", first_number=315770)
NOW = datetime(2024, 6, 27, 10, 0, tzinfo=UTC)
EW = Jurisdiction.ENGLAND_AND_WALES


def _new(
    received: date = date(2024, 6, 27),
    regime: Regime | None = Regime.FOI,
    email: str = "Ann@Example.org",
) -> NewCase:
    return NewCase(
        channel=Channel.EMAIL,
        received_at=NOW,
        received_on=received,
        subject="Bins",
        text="Please send the bin collection contract.",
        regime=regime,
        label=regime.value if regime else "other",
        requester_name="Ann",
        requester_email=email,
    )


def test_references_are_sequential_numbers_with_valid_codes(db: Database) -> None:
    with Session(db.engine) as session:
        first = open_case(session, _new(), REFS, EW, NOW)
        second = open_case(session, _new(), REFS, EW, NOW)
        session.commit()
        assert first.number == 315770 and second.number == 315771
        assert find_references(first.reference, "IC", "test-secret")
        assert case_by_reference(session, first.reference.lower(), "IC", "test-secret") == first
        assert case_by_reference(session, first.reference[:-1] + "0", "IC", "test-secret") in (
            None,
            first,
        )  # a different code is not some other case


def test_new_foi_case_is_due_on_the_20th_working_day(db: Database) -> None:
    # Received Thursday 27 June 2024; day 1 is Friday 28 June. Northern Ireland's Battle of the
    # Boyne holiday, Friday 12 July 2024, is a bank holiday in a part of the UK, so FOIA s10(6)
    # skips it. 28 Jun(1), 1-5 Jul(2-6), 8-11 Jul(7-10), [12 Jul NI], 15-19 Jul(11-15),
    # 22-26 Jul(16-20): due Friday 26 July 2024.
    with Session(db.engine) as session:
        case = open_case(session, _new(), REFS, EW, NOW)
        session.commit()
        assert case.due == date(2024, 7, 26)
        assert case.requester_email == "ann@example.org"
        kinds = [e.kind for e in events_of(session, case)]
        assert kinds[0] == EventKind.RECEIVED


def test_clarification_stops_and_restarts_the_clock(db: Database) -> None:
    with Session(db.engine) as session:
        case = open_case(session, _new(), REFS, EW, NOW)
        add_clock_event(
            session,
            case,
            ClockEvent(ClockEventType.CLARIFICATION_REQUESTED, date(2024, 7, 1)),
            EW,
            NOW,
            "officer",
        )
        assert case.due is None and case.clock_stopped
        # Clarification arrives Monday 5 August 2024, Scotland's summer bank holiday. FOIA s1(3)
        # and s10(6)(b): 20 fresh working days from that date; day 1 is Tuesday 6 August.
        # 6-9 Aug(1-4), 12-16(5-9), 19-23(10-14), [26 Aug bank holiday], 27-30(15-18),
        # 2-3 Sep(19-20): due Tuesday 3 September 2024.
        add_clock_event(
            session,
            case,
            ClockEvent(ClockEventType.CLARIFICATION_RECEIVED, date(2024, 8, 5)),
            EW,
            NOW,
            "officer",
        )
        session.commit()
        assert case.due == date(2024, 9, 3)
        assert not case.clock_stopped
        changes = [e for e in events_of(session, case) if e.kind == EventKind.DEADLINE_CHANGED]
        assert [c.detail["due"] for c in changes] == [None, "2024-09-03"]
        assert all(e.actor == "officer" for e in changes)


def test_public_interest_extension_moves_the_due_date(db: Database) -> None:
    with Session(db.engine) as session:
        case = open_case(session, _new(), REFS, EW, NOW)
        # 20 more working days from Friday 26 July: 29 Jul-2 Aug(1-5), 5-9 Aug(6-10; 5 Aug is
        # Scotland's holiday: skipped), so 6-9 Aug(6-9), 12-16(10-14), 19-23(15-19), [26 Aug],
        # 27 Aug(20): due Tuesday 27 August 2024.
        add_clock_event(
            session,
            case,
            ClockEvent(ClockEventType.EXTENSION, date(2024, 7, 20), 20),
            EW,
            NOW,
            "officer",
        )
        session.commit()
        assert case.due == date(2024, 8, 27)
        stored = session.exec(select(Case).where(Case.id == case.id)).one()
        assert stored.due == date(2024, 8, 27)


def test_days_left_and_overdue_are_derived(db: Database) -> None:
    with Session(db.engine) as session:
        case = open_case(session, _new(), REFS, EW, NOW)
        deadline = deadline_for(session, case, EW)
        assert deadline is not None
        # From Monday 22 July to Friday 26 July: 23, 24, 25, 26 = 4 working days left.
        assert working_days_left(deadline, date(2024, 7, 22)) == 4
        assert working_days_left(deadline, date(2024, 7, 26)) == 0
        assert working_days_left(deadline, date(2024, 7, 29)) == -1  # overdue by one


def test_non_statutory_case_has_no_clock(db: Database) -> None:
    with Session(db.engine) as session:
        case = open_case(session, _new(regime=None), REFS, EW, NOW)
        session.commit()
        assert case.due is None and case.regime == ""
        assert deadline_for(session, case, EW) is None


def test_status_changes_are_logged_and_close_the_case(db: Database) -> None:
    with Session(db.engine) as session:
        case = open_case(session, _new(), REFS, EW, NOW)
        assert open_cases_of(session, "ANN@example.org") == [case]
        set_status(session, case, CaseStatus.CLOSED, NOW, "approver", outcome="full")
        session.commit()
        assert case.closed_at is not None
        assert open_cases_of(session, "ann@example.org") == []
        [change] = [e for e in events_of(session, case) if e.kind == EventKind.STATUS_CHANGED]
        assert change.detail == {"status": "closed", "previous": "open", "outcome": "full"}
