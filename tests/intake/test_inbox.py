"""Routing rules that need a database but no network: repeats window, subject matching."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from sqlmodel import Session

from bot.database import Database
from config.settings import load_settings
from intake.cases import NewCase, open_case
from intake.inbox import route_inbound
from intake.models import Channel, InboundMessage, InboundState
from intake.regime import Jurisdiction, Regime

SETTINGS = dataclasses.replace(
    load_settings(env={}),
    references=dataclasses.replace(load_settings(env={}).references, secret="test-secret"),
)
TEXT = (
    "Under the Freedom of Information Act please send me the number of fixed penalty "
    "notices for fly-tipping issued in each ward in 2023 and 2024, with the total fines "
    "collected."
)


def _earlier(session: Session, received: date, subject: str = "Fly-tipping fines") -> str:
    at = datetime(received.year, received.month, received.day, 10, tzinfo=UTC)
    case = open_case(
        session,
        NewCase(
            channel=Channel.EMAIL,
            received_at=at,
            received_on=received,
            subject=subject,
            text=TEXT,
            regime=Regime.FOI,
            label="foi",
            requester_name="Sam Jones",
            requester_email="sam@example.org",
        ),
        SETTINGS.references,
        Jurisdiction.ENGLAND_AND_WALES,
        at,
    )
    return case.reference


def _route(session: Session, now: datetime, subject: str = "Fly-tipping fines") -> InboundMessage:
    raw = (
        f"From: Sam Jones <sam@example.org>\r\nTo: foi@localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: <{now.timestamp()}@example.org>\r\n\r\n{TEXT}\r\n\r\nSam Jones\r\n"
    )
    inbound = InboundMessage(
        received_at=now,
        mail_from="sam@example.org",
        rcpt_to=["foi@localhost"],
        raw=raw.encode(),
        message_id=f"<{now.timestamp()}@example.org>",
    )
    session.add(inbound)
    session.flush()
    route_inbound(session, inbound, SETTINGS, now)
    return inbound


def test_repeat_within_60_working_days_is_flagged(db: Database) -> None:
    now = datetime(2024, 6, 3, 10, tzinfo=UTC)  # Monday 3 June 2024
    with Session(db.engine) as session:
        # Closed so the new message can't be a reply to it: it is a second request.
        from intake.cases import case_by_reference, set_status
        from intake.models import CaseStatus

        ref = _earlier(session, date(2024, 4, 22))  # 30 working days earlier
        earlier = case_by_reference(session, ref, "IC", "test-secret")
        assert earlier is not None
        set_status(session, earlier, CaseStatus.CLOSED, now, "officer")
        inbound = _route(session, now, subject="FOI: fly-tipping penalties")
        assert inbound.state == InboundState.CASE_OPENED
        from intake.models import Case

        case = session.get(Case, inbound.case_id)
        assert case is not None and "repeat_request" in case.flags


def test_older_than_60_working_days_is_not_a_repeat(db: Database) -> None:
    # 60 working days before Monday 3 June 2024, counting back over the UK bank holidays
    # (27 May, 6 May, 1 April, Good Friday 29 March, St Patrick's Day 18 March substitute):
    # the window opens on Friday 1 March 2024. A request of Thursday 22 February is outside.
    now = datetime(2024, 6, 3, 10, tzinfo=UTC)
    with Session(db.engine) as session:
        from intake.cases import case_by_reference, set_status
        from intake.models import Case, CaseStatus

        ref = _earlier(session, date(2024, 2, 22))
        earlier = case_by_reference(session, ref, "IC", "test-secret")
        assert earlier is not None
        set_status(session, earlier, CaseStatus.CLOSED, now, "officer")
        inbound = _route(session, now, subject="FOI: fly-tipping penalties")
        case = session.get(Case, inbound.case_id)
        assert case is not None and "repeat_request" not in case.flags


def test_a_new_request_with_an_open_cases_subject_is_a_new_case(db: Database) -> None:
    now = datetime(2024, 6, 3, 10, tzinfo=UTC)
    with Session(db.engine) as session:
        _earlier(session, date(2024, 5, 28))  # still open
        inbound = _route(session, now)  # same subject, not "Re:", a request in its own words
        assert inbound.state == InboundState.CASE_OPENED


def test_a_reply_quoting_the_subject_attaches(db: Database) -> None:
    now = datetime(2024, 6, 3, 10, tzinfo=UTC)
    with Session(db.engine) as session:
        _earlier(session, date(2024, 5, 28))
        reply = _route(session, now, subject="Re: Fly-tipping fines")
        assert reply.state == InboundState.ATTACHED


def test_a_reference_matching_no_case_clearly_goes_to_triage(db: Database) -> None:
    from intake.models import Case

    now = datetime(2024, 6, 3, 10, tzinfo=UTC)
    with Session(db.engine) as session:
        _earlier(session, date(2024, 5, 28), subject="Fly-tipping fines")
        _earlier(session, date(2024, 5, 29), subject="Library hours")
        # Neither of Sam's two open references is close to this one: a person decides.
        inbound = _route(session, now, subject="Re: IC-9912 - where is my answer?")
        case = session.get(Case, inbound.case_id)
        assert case is not None
        assert case.needs_triage and "unmatched_reference" in case.flags
