"""Email intake end to end: a real listener on loopback, a real relay, a real database."""

from __future__ import annotations

import asyncio
import smtplib
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.database import Database
from bot.service import Service
from intake.models import Case, CaseEvent, EventKind, InboundMessage, InboundState, Outbox
from tests.bot.conftest import CaptureRelay, make_settings, wait_for
from tests.bot.test_commands import foibot

REQUEST = (
    "Dear FOI team,\n\nUnder the Freedom of Information Act 2000 please send me the number of "
    "parking fines issued on Station Road in each of the last three years.\n\nRegards,\n"
    "Alex Requester\n"
)


def request(
    sender: str = "alex@example.org",
    subject: str = "FOI request: parking fines",
    body: str = REQUEST,
    message_id: str = "<req-1@example.org>",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Alex Requester <{sender}>"
    msg["To"] = "foi@council.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


async def send(service: Service, msg: EmailMessage, sender: str | None = None) -> None:
    def go() -> None:
        with smtplib.SMTP("127.0.0.1", service.port, timeout=10) as client:
            client.send_message(msg, from_addr=sender)

    await asyncio.to_thread(go)


def cases(service: Service) -> list[Case]:
    with Session(service.db.engine) as session:
        return list(session.exec(select(Case).order_by(Case.id)).all())  # type: ignore[arg-type]


def inbound(service: Service) -> list[InboundMessage]:
    with Session(service.db.engine) as session:
        return list(session.exec(select(InboundMessage)).all())


@pytest.fixture
async def running(
    database_url: str, tmp_path: Path, relay: CaptureRelay, service_factory: Any
) -> Service:
    service: Service = await service_factory(make_settings(database_url, tmp_path, relay.port))
    return service


async def test_request_is_acknowledged_with_reference_and_due_date(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    [case] = cases(running)
    ack = relay.messages[0]
    assert ack["To"] == "alex@example.org"
    assert str(ack["Subject"]).strip().startswith(f"[{case.reference}] ")
    assert ack["In-Reply-To"] == "<req-1@example.org>"
    assert ack["Auto-Submitted"] == "auto-replied"  # RFC 3834
    assert ack["Message-ID"]
    body = ack.get_body(preferencelist=("plain",)).get_content()
    html = ack.get_body(preferencelist=("html",)).get_content()
    assert case.due is not None
    written = f"{case.due:%A} {case.due.day} {case.due:%B %Y}"
    assert written in body and written in html
    assert "Freedom of Information Act 2000" in body
    assert case.reference in body
    assert "https://example.org/privacy" in body
    assert case.requester_email == "alex@example.org"
    assert case.requester_name == "Alex Requester"
    assert case.regime == "foi"
    assert case.status == "open"


async def test_aiosmtplib_client_and_plus_addressing(running: Service, relay: CaptureRelay) -> None:
    msg = request(message_id="<a2@example.org>")
    del msg["To"]
    msg["To"] = "FOI+web@Council.Example"
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=running.port)
    await wait_for(lambda: len(relay.messages) == 1)
    assert len(cases(running)) == 1


async def test_relaying_refused_with_550(running: Service) -> None:
    def go() -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", running.port, timeout=10) as client:
            client.ehlo()
            client.mail("alex@example.org")
            return client.rcpt("someone@elsewhere.example")

    code, message = await asyncio.to_thread(go)
    assert code == 550
    assert b"Relaying denied" in message


async def test_too_many_recipients_452(
    database_url: str, tmp_path: Path, relay: CaptureRelay, service_factory: Any
) -> None:
    settings = make_settings(database_url, tmp_path, relay.port, smtp={"max_recipients": 2})
    service = await service_factory(settings)

    def go() -> list[int]:
        with smtplib.SMTP("127.0.0.1", service.port, timeout=10) as client:
            client.ehlo()
            client.mail("alex@example.org")
            return [
                client.rcpt(a)[0]
                for a in ("foi@council.example", "dpo@council.example", "foi+x@council.example")
            ]

    assert await asyncio.to_thread(go) == [250, 250, 452]


async def test_oversized_message_552(
    database_url: str, tmp_path: Path, relay: CaptureRelay, service_factory: Any
) -> None:
    settings = make_settings(database_url, tmp_path, relay.port, smtp={"max_message_bytes": 10_000})
    service = await service_factory(settings)
    # smtplib announces SIZE= in MAIL FROM (RFC 1870), so the refusal comes at MAIL; a client
    # that doesn't is refused at the end of DATA. Both are 552.
    with pytest.raises(smtplib.SMTPResponseException) as info:
        await send(service, request(body="x" * 20_000))
    assert info.value.smtp_code == 552

    def no_size() -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", service.port, timeout=10) as client:
            client.helo("client.example")  # plain HELO: no SIZE extension in play
            client.mail("alex@example.org")
            client.rcpt("foi@council.example")
            return client.data(b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 300)

    code, _ = await asyncio.to_thread(no_size)
    assert code == 552
    assert inbound(service) == []


async def test_database_failure_gives_451_then_retry_succeeds(
    running: Service, relay: CaptureRelay
) -> None:
    # Take the table away from under the listener: a real failure of the database.
    with running.db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE inbound_message RENAME TO inbound_message_away"))
    with pytest.raises(smtplib.SMTPDataError) as info:
        await send(running, request())
    assert info.value.smtp_code == 451
    with running.db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE inbound_message_away RENAME TO inbound_message"))
    await send(running, request())  # the sending server's retry
    await wait_for(lambda: len(relay.messages) == 1)
    assert len(cases(running)) == 1


async def test_client_retry_of_same_message_opens_one_case(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await send(running, request())
    await wait_for(
        lambda: (
            all(m.state != InboundState.RECEIVED for m in inbound(running))
            and len(inbound(running)) == 2
        )
    )
    await asyncio.sleep(0.3)
    assert len(cases(running)) == 1
    assert len(relay.messages) == 1
    assert sorted(m.state for m in inbound(running)) == ["case_opened", "duplicate"]


async def test_reply_to_our_acknowledgement_attaches_to_the_case(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    ack = relay.messages[0]
    reply = request(
        subject="Re: your acknowledgement",
        body="Thanks, I meant 2021 to 2023.",
        message_id="<req-2@example.org>",
        In_Reply_To=ack["Message-ID"],
    )
    await send(running, reply)
    await wait_for(lambda: any(m.state == InboundState.ATTACHED for m in inbound(running)))
    await asyncio.sleep(0.3)
    assert len(cases(running)) == 1
    assert len(relay.messages) == 1  # no second acknowledgement
    with Session(running.db.engine) as session:
        kinds = [e.kind for e in session.exec(select(CaseEvent)).all()]
    assert EventKind.MESSAGE_ATTACHED in kinds


async def test_reference_in_subject_attaches_and_third_party_is_flagged(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    [case] = cases(running)
    mangled = case.reference.lower().replace("-", " ")
    await send(
        running,
        request(
            subject=f"About {mangled}",
            body="More detail for you.",
            message_id="<req-3@example.org>",
        ),
    )
    await send(
        running,
        request(
            sender="someone.else@example.net",
            subject=f"Re: {case.reference}",
            body="I am his colleague.",
            message_id="<req-4@example.net>",
        ),
    )
    await wait_for(lambda: sum(m.state == InboundState.ATTACHED for m in inbound(running)) == 2)
    [case] = cases(running)
    assert "reference_from_third_party" in case.flags
    assert len(relay.messages) == 1


async def test_auto_reply_storm_produces_no_replies(running: Service, relay: CaptureRelay) -> None:
    storms = [
        {"Auto_Submitted": "auto-replied"},
        {"X_Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"List_Id": "<announce.example.org>"},
    ]
    for i in range(40):
        headers = storms[i % len(storms)]
        await send(
            running,
            request(
                subject="Out of office" if i % 5 == 0 else "Re: request",
                message_id=f"<auto-{i}@example.org>",
                **headers,
            ),
        )
    bounce = request(sender="mailer-daemon@example.org", message_id="<b@example.org>")
    await send(running, bounce, sender="")  # null reverse-path: a bounce
    await wait_for(
        lambda: (
            len(inbound(running)) == 41
            and all(m.state == InboundState.IGNORED for m in inbound(running))
        )
    )
    await asyncio.sleep(0.5)
    assert relay.messages == []
    assert cases(running) == []


async def test_acknowledgements_per_sender_are_rate_limited(
    database_url: str, tmp_path: Path, relay: CaptureRelay, service_factory: Any
) -> None:
    settings = make_settings(
        database_url, tmp_path, relay.port, intake={"acks_per_sender_per_hour": 3}
    )
    service = await service_factory(settings)
    topics = [
        "bus lanes",
        "library opening hours",
        "tree felling permits",
        "school meals",
        "council tax arrears",
        "pothole repairs",
    ]
    for i, topic in enumerate(topics):
        await send(
            service,
            request(
                subject=f"FOI: {topic}",
                message_id=f"<r{i}@example.org>",
                body=f"Under the FOI Act please send all data on {topic}.",
            ),
        )
    await wait_for(
        lambda: (
            len(inbound(service)) == 6
            and all(m.state != InboundState.RECEIVED for m in inbound(service))
        )
    )
    await asyncio.sleep(0.5)
    assert len(relay.messages) == 3
    assert len(cases(service)) == 6  # the cases are still opened: nothing is lost


async def test_malformed_mail_is_stored_and_flagged(running: Service, relay: CaptureRelay) -> None:
    def go() -> None:
        with smtplib.SMTP("127.0.0.1", running.port, timeout=10) as client:
            client.sendmail(
                "x@example.org",
                ["foi@council.example"],
                b"\x00\xff\xfe garbage with no headers at all\r\n\r\n",
            )

    await asyncio.to_thread(go)
    await wait_for(
        lambda: len(inbound(running)) == 1 and inbound(running)[0].state != InboundState.RECEIVED
    )
    [row] = inbound(running)
    assert row.state == InboundState.NEEDS_ATTENTION
    assert row.raw.startswith(b"\x00\xff\xfe")
    assert relay.messages == []


async def test_attachments_are_kept_with_safe_names(running: Service, relay: CaptureRelay) -> None:
    msg = request()
    msg.add_attachment(
        b"%PDF-1.4 questions", maintype="application", subtype="pdf", filename="../questions.pdf"
    )
    await send(running, msg)
    await wait_for(lambda: len(relay.messages) == 1)
    from intake.models import Attachment

    with Session(running.db.engine) as session:
        [item] = session.exec(select(Attachment)).all()
    assert item.filename == "questions.pdf"
    assert item.data == b"%PDF-1.4 questions"
    assert item.case_id == cases(running)[0].id


async def test_relay_down_then_up_delivers_each_once(
    database_url: str, tmp_path: Path, service_factory: Any
) -> None:
    relay = CaptureRelay()  # not started yet: the relay is down
    service = await service_factory(make_settings(database_url, tmp_path, relay.port))
    for i in range(5):
        await send(
            service,
            request(
                sender=f"r{i}@example.org",
                message_id=f"<d{i}@example.org>",
                subject=f"FOI request number {i}",
            ),
        )
    await wait_for(lambda: len(_outbox(service)) == 5)
    await wait_for(lambda: _attempts(service) >= 5)  # each tried and failed at least once
    relay.start()
    try:
        await wait_for(lambda: len(relay.messages) == 5, timeout=15)
        await asyncio.sleep(1.0)
        assert sorted(m["To"] for m in relay.messages) == [f"r{i}@example.org" for i in range(5)]
        with Session(service.db.engine) as session:
            assert {r.status for r in session.exec(select(Outbox)).all()} == {"sent"}
    finally:
        relay.stop()


def _outbox(service: Service) -> list[Outbox]:
    with Session(service.db.engine) as session:  # a fresh snapshot on every call
        return list(session.exec(select(Outbox)).all())


def _attempts(service: Service) -> int:
    return sum(r.attempts for r in _outbox(service))


async def test_maildir_when_no_relay(
    database_url: str, tmp_path: Path, service_factory: Any
) -> None:
    service = await service_factory(make_settings(database_url, tmp_path, None))
    await send(service, request())
    maildir = tmp_path / "outbox" / "new"
    await wait_for(lambda: maildir.exists() and len(list(maildir.iterdir())) == 1)
    raw = next(maildir.iterdir()).read_bytes()
    assert cases(service)[0].reference.encode() in raw


async def test_received_date_is_the_local_date(running: Service, relay: CaptureRelay) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    [case] = cases(running)
    assert isinstance(case.received_on, date)
    assert case.received_at.tzinfo is not None


async def test_mistyped_reference_from_the_requester_attaches(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    [case] = cases(running)
    prefix, number, code = case.reference.split("-")
    typo = f"{prefix}-{number[:-1]}-{code}"  # a digit dropped: the check code can't verify it
    await send(
        running,
        request(
            subject=f"Re: {typo} any update?",
            body="Could you tell me when I can expect the reply?",
            message_id="<typo@example.org>",
        ),
    )
    await wait_for(lambda: any(m.state == InboundState.ATTACHED for m in inbound(running)))
    assert len(cases(running)) == 1
    assert len(relay.messages) == 1


async def test_configured_triage_threshold_marks_cases_for_triage(
    database_url: str, tmp_path: Path, relay: CaptureRelay, service_factory: Any
) -> None:
    settings = make_settings(database_url, tmp_path, relay.port, intake={"triage_threshold": 1.0})
    service = await service_factory(settings)
    await send(service, request())
    await wait_for(lambda: len(cases(service)) == 1)
    assert cases(service)[0].needs_triage  # nothing is ever 100% certain


async def test_parked_mail_is_listed_shown_and_handed_back(
    running: Service, relay: CaptureRelay
) -> None:
    # A message without a From header is parked for a person, not answered.
    def go() -> None:
        with smtplib.SMTP("127.0.0.1", running.port, timeout=10) as client:
            client.sendmail(
                "alex@example.org",
                ["foi@council.example"],
                b"Subject: FOI request\r\n\r\nPlease send the parking data.\r\n",
            )

    await asyncio.to_thread(go)
    await wait_for(
        lambda: (
            len(inbound(running)) == 1 and inbound(running)[0].state == InboundState.NEEDS_ATTENTION
        )
    )
    [row] = inbound(running)
    assert row.id is not None
    assert "no From address" in row.problems
    assert cases(running) == [] and relay.messages == []

    env = {"FOIBOT_DATABASE_URL": running.settings.database.url}
    listing = await asyncio.to_thread(foibot, "inbox", env=env)
    assert listing.returncode == 0
    assert f"{row.id:>6}" in listing.stdout and "no From address" in listing.stdout
    shown = await asyncio.to_thread(foibot, "inbox", "--show", str(row.id), env=env)
    assert "Please send the parking data." in shown.stdout
    missing = await asyncio.to_thread(foibot, "inbox", "--retry", "999", env=env)
    assert missing.returncode == 2 and "ID" in missing.stderr

    # A person fixes the cause (here: a From line is added) and hands it back.
    with Session(running.db.engine) as session:
        stored = session.get(InboundMessage, row.id)
        assert stored is not None
        stored.raw = b"From: Alex <alex@example.org>\r\n" + stored.raw
        session.add(stored)
        session.commit()
    back = await asyncio.to_thread(foibot, "inbox", "--retry", str(row.id), env=env)
    assert back.returncode == 0, back.stderr
    running.processor.submit([row.id])
    await wait_for(lambda: len(relay.messages) == 1)
    assert len(cases(running)) == 1
    again = await asyncio.to_thread(foibot, "inbox", "--retry", str(row.id), env=env)
    assert again.returncode == 2 and "already handled" in again.stderr


async def test_processor_sweeps_for_unannounced_mail(
    db: Database, tmp_path: Path, relay: CaptureRelay
) -> None:
    """Mail stored by another process (or handed back) is processed without a restart."""
    from datetime import UTC, datetime

    from bot.processor import Processor

    settings = make_settings(db.url, tmp_path, relay.port)
    queued: list[bool] = []
    processor = Processor(db, settings, on_queued=lambda: queued.append(True), sweep_seconds=0.1)
    processor.start()
    try:
        await asyncio.sleep(0.2)  # the start-up catch-up finds nothing
        with Session(db.engine) as session:
            session.add(
                InboundMessage(
                    received_at=datetime.now(UTC),
                    mail_from="alex@example.org",
                    rcpt_to=["foi@council.example"],
                    raw=request().as_bytes(),
                    message_id="<req-1@example.org>",
                )
            )
            session.commit()
        await wait_for(lambda: len(_cases_in(db)) == 1)
        await wait_for(lambda: bool(queued))  # the delivery worker is woken for its ack
    finally:
        await processor.stop()


def _cases_in(db: Database) -> list[Case]:
    with Session(db.engine) as session:
        return list(session.exec(select(Case)).all())


# ---------------------------------------------------------------------------------------------
# Reply matching, repeats, round robins and reviews through the whole pipeline


def _processed(service: Service, count: int) -> bool:
    rows = inbound(service)
    return len(rows) == count and all(m.state != InboundState.RECEIVED for m in rows)


async def test_a_reply_quoting_the_subject_attaches_to_the_senders_case(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    # No thread headers and no reference: only the sender and the subject they quote.
    reply = request(
        subject="RE: FOI request: parking fines",
        body="Sorry, I meant Station Road East, not Station Road.",
        message_id="<quoted@example.org>",
    )
    await send(running, reply)
    await wait_for(lambda: _processed(running, 2))
    assert len(cases(running)) == 1
    assert sorted(m.state for m in inbound(running)) == ["attached", "case_opened"]
    with Session(running.db.engine) as session:
        [event] = session.exec(
            select(CaseEvent).where(CaseEvent.kind == EventKind.MESSAGE_ATTACHED)
        ).all()
    assert event.detail["matched_by"] == "quoted_subject"


async def test_a_new_request_under_the_same_generic_subject_opens_its_own_case(
    running: Service, relay: CaptureRelay
) -> None:
    # Many requesters give every request the subject "Freedom of Information request".
    await send(running, request(subject="Freedom of Information request"))
    await wait_for(lambda: len(relay.messages) == 1)
    second = request(
        subject="Freedom of Information request",
        body=(
            "Dear FOI team,\n\nPlease send me the number of library visits at each branch in "
            "2024.\n\nRegards,\nAlex Requester\n"
        ),
        message_id="<req-generic-2@example.org>",
    )
    await send(running, second)
    await wait_for(lambda: len(relay.messages) == 2)
    assert len(cases(running)) == 2


async def test_the_same_request_again_from_the_same_sender_is_flagged_as_a_repeat(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    again = request(
        subject="Station Road parking tickets",
        body=REQUEST.replace("Dear FOI team", "Hello"),
        message_id="<req-again@example.org>",
    )
    await send(running, again)
    await wait_for(lambda: len(cases(running)) == 2)
    first, second = cases(running)
    assert "repeat_request" in second.flags
    assert "round_robin" not in second.flags
    similar = second.classification["similar"]["repeat_request"]
    assert [s["reference"] for s in similar] == [first.reference]


async def test_the_same_request_from_another_sender_is_flagged_as_a_round_robin(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    campaign = request(
        sender="sam@example.net",
        subject="Parking fines on Station Road",
        body=REQUEST.replace("Alex Requester", "Sam Campaigner"),
        message_id="<req-campaign@example.net>",
    )
    await send(running, campaign)
    await wait_for(lambda: len(cases(running)) == 2)
    first, second = cases(running)
    assert "round_robin" in second.flags
    assert "repeat_request" not in second.flags
    similar = second.classification["similar"]["round_robin"]
    assert [s["reference"] for s in similar] == [first.reference]


async def test_a_review_quoting_the_request_title_is_linked_to_it(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    review = request(
        subject="Internal review",
        body=(
            "Dear FOI team,\n\nI am writing to request an internal review of the council's "
            "handling of my FOI request 'Parking fines'. You sent figures for one year only."
            "\n\nRegards,\nAlex Requester\n"
        ),
        message_id="<review-1@example.org>",
    )
    await send(running, review)
    await wait_for(lambda: len(cases(running)) == 2)
    original, linked = cases(running)
    assert linked.regime == "review"
    assert linked.parent_id == original.id
    with Session(running.db.engine) as session:
        kinds = [
            e.kind for e in session.exec(select(CaseEvent).where(CaseEvent.case_id == linked.id))
        ]
    assert EventKind.LINKED in kinds


async def test_a_review_naming_a_closed_cases_reference_opens_a_review_linked_to_it(
    running: Service, relay: CaptureRelay
) -> None:
    await send(running, request())
    await wait_for(lambda: len(relay.messages) == 1)
    with Session(running.db.engine) as session:
        [case] = session.exec(select(Case)).all()
        case.status = "closed"
        session.add(case)
        session.commit()
        reference, case_id = case.reference, case.id
    review = request(
        subject=f"Internal review - {reference}",
        body="Please carry out an internal review: the figures for 2022 were left out.",
        message_id="<review-2@example.org>",
    )
    await send(running, review)
    await wait_for(lambda: len(cases(running)) == 2)
    linked = cases(running)[1]
    assert linked.regime == "review"
    assert linked.parent_id == case_id
