"""Nothing Slack hands over is lost: a request is stored before Slack hears 200, processed
after it, and anything stored but not processed when foibot stopped is processed on the next
start, still opening exactly one case. Stopping lets work in hand finish, and a card queued
by mail processing goes out at once, not at the Slack lane's next idle poll."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlmodel import col, select

from bot.database import Database, migrate
from bot.service import Service, start_service
from bot.slack.poster import IDLE_POLL_SECONDS
from intake.models import Case, CaseStatus, Outbox, OutboxKind
from intake.slack_records import (
    InboundKind,
    InboundState,
    SlackDelivery,
    SlackInbound,
    store_inbound,
)
from tests.bot.slack import payloads
from tests.bot.slack.conftest import (
    FOI_TEXT,
    GROUP_APPROVER,
    INTAKE,
    OFFICER,
    REQUESTER,
    STAFF,
    Harness,
    Relay,
    slack_settings,
)
from tests.bot.slack.fake_slack import BOT_USER, FakeSlack
from tests.bot.slack.test_drafts import drafted


def _rows(db: Database) -> list[SlackInbound]:
    return db.transact(
        lambda s: list(s.exec(select(SlackInbound).order_by(col(SlackInbound.id))).all())
    )


def _cases(db: Database) -> list[Case]:
    return db.transact(lambda s: list(s.exec(select(Case).order_by(col(Case.id))).all()))


async def _started(url: str, tmp_path: Path, fake: FakeSlack, relay: Relay) -> Harness:
    return Harness(await start_service(slack_settings(url, tmp_path, fake, relay)), fake, relay)


async def _stop(harness: Harness, drain_seconds: float | None = None) -> None:
    await harness.close()
    service: Service = harness.service
    if drain_seconds is not None and service.slack is not None:
        await service.slack.stop(drain_seconds=drain_seconds)
    await service.stop()


async def test_a_stored_but_unprocessed_event_is_processed_on_the_next_start(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, relay: Relay
) -> None:
    # What a crash right after the 200 leaves behind: the event stored, nothing else.
    event = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
    body = payloads.event_callback(event, "Ev0STORED")
    db = Database(database_url)
    migrate(db.engine)
    db.transact(
        lambda s: store_inbound(
            s, "Ev0STORED", InboundKind.EVENT, body, BOT_USER, datetime.now(UTC)
        )
    )
    db.close()

    slack = await _started(database_url, tmp_path, fake_slack, relay)
    try:
        case = (await slack.until_db(lambda s: list(s.exec(select(Case)).all())))[0]
        assert case.requester_email == "jo.bloggs@example.org" and "potholes" in case.text
        reply = await slack.until(lambda: fake_slack.posts(channel=INTAKE, thread_ts=event["ts"]))
        assert case.reference in reply[0]["text"]
        await slack.until_card(case.reference, lambda c: True)
        await slack.until(lambda: relay.to("jo.bloggs@example.org"))
        rows = await slack.until_db(
            lambda s: [r for r in s.exec(select(SlackInbound)).all() if r.state == "done"]
        )
        assert rows[0].case_id == case.id

        # Slack's own retry of the same event, arriving after the restart: still one case.
        status, _ = await slack.event(event, event_id="Ev0STORED", retry=1)
        assert status == 200
        await asyncio.sleep(0.5)
        assert [c.id for c in await slack.cases()] == [case.id]
        assert len(fake_slack.posts(channel=INTAKE, thread_ts=event["ts"])) == 1
    finally:
        await _stop(slack)


async def test_a_request_cut_short_by_a_stop_is_taken_in_on_the_next_start(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, relay: Relay
) -> None:
    fake_slack.delays["users.info"] = 5.0  # processing is still waiting on Slack...
    slack = await _started(database_url, tmp_path, fake_slack, relay)
    event = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
    gritting = FOI_TEXT.replace("potholes", "gritting")
    message = {"user": REQUESTER, "text": gritting, "ts": payloads.new_ts()}
    try:
        started = time.monotonic()
        status, _ = await slack.event(event, event_id="Ev0CUTSHORT")
        assert status == 200 and time.monotonic() - started < 1.0
        status, _ = await slack.interact(payloads.message_action(OFFICER, "CGENERAL", message))
        assert status == 200
        # By the time Slack had its 200s, both requests were committed.
        stored = _rows(slack.service.db)
        assert [(r.key, r.kind, r.state) for r in stored] == [
            ("Ev0CUTSHORT", "event", "received"),
            (stored[1].key, "shortcut", "received"),
        ]
    finally:
        await _stop(slack, drain_seconds=0.1)  # ...when foibot stops
    db = Database(database_url)
    try:
        assert _cases(db) == []
        assert [r.state for r in _rows(db)] == ["received", "received"]
    finally:
        db.close()

    fake_slack.delays.clear()
    slack = await _started(database_url, tmp_path, fake_slack, relay)
    try:
        await slack.until_db(lambda s: len(list(s.exec(select(Case)).all())) == 2)
        texts = sorted(c.text for c in await slack.cases())
        assert "gritting" in texts[0] and "potholes" in texts[1]
        await slack.until(lambda: fake_slack.posts(channel=INTAKE, thread_ts=event["ts"]))
        await slack.until(lambda: fake_slack.posts(channel=OFFICER))  # the officer hears too
        await slack.until_db(
            lambda s: all(r.state == "done" for r in s.exec(select(SlackInbound)).all())
        )
        deliveries = await slack.db(lambda s: list(s.exec(select(SlackDelivery)).all()))
        assert len(deliveries) == 2
    finally:
        await _stop(slack)


async def test_the_post_and_phone_modal_is_stored_before_its_ack(slack: Harness) -> None:
    await slack.command("new")
    opened = await slack.until(lambda: slack.fake.made("views.open"))
    view = payloads.opened_view(
        opened[0].args["view"],
        {
            "name": {"value": {"type": "plain_text_input", "value": "Mary Smith"}},
            "email": {"value": {"type": "email_text_input", "value": ""}},
            "address": {"value": {"type": "plain_text_input", "value": "1 High St, Ambridge"}},
            "received": {"value": {"type": "datepicker", "selected_date": "2024-06-27"}},
            "via": {"value": {"type": "radio_buttons", "selected_option": {"value": "post"}}},
            "text": {"value": {"type": "plain_text_input", "value": FOI_TEXT}},
            "regime": {"value": {"type": "static_select", "selected_option": {"value": "foi"}}},
        },
    )
    submission = payloads.view_submission(OFFICER, view)
    status, body = await slack.interact(submission)
    assert (status, body) == (200, "")
    stored = await slack.db(lambda s: list(s.exec(select(SlackInbound)).all()))
    assert [(r.key, r.kind) for r in stored] == [(f"view:{view['id']}", "modal")]
    case = (await slack.until_db(lambda s: list(s.exec(select(Case)).all())))[0]
    assert case.requester_address == "1 High St, Ambridge" and case.regime == "foi"
    # Submitting the same modal twice (a double click) opens one case.
    status, _ = await slack.interact(submission)
    await asyncio.sleep(0.4)
    assert len(await slack.cases()) == 1


async def test_a_row_that_cannot_be_opened_is_handed_to_staff_not_dropped(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, relay: Relay
) -> None:
    # A stored modal whose answers no longer read (here: no text at all) can't open a case.
    broken: dict[str, Any] = {"user": {"id": OFFICER}, "view": {"id": "VBROKEN", "state": {}}}
    db = Database(database_url)
    migrate(db.engine)
    db.transact(
        lambda s: store_inbound(s, "view:VBROKEN", InboundKind.MODAL, broken, "", datetime.now(UTC))
    )
    db.close()
    slack = await _started(database_url, tmp_path, fake_slack, relay)
    try:
        notes = await slack.until(
            lambda: [p for p in fake_slack.posts(channel=STAFF) if "could not log" in p["text"]]
        )
        assert "/foi new" in notes[0]["text"]
        rows = await slack.until_db(
            lambda s: [
                r
                for r in s.exec(select(SlackInbound)).all()
                if r.state == InboundState.HANDED_OVER.value
            ]
        )
        assert rows[0].last_error
        assert await slack.cases() == []
    finally:
        await _stop(slack)


async def test_stopping_lets_a_click_being_handled_finish(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, relay: Relay
) -> None:
    slack = await _started(database_url, tmp_path, fake_slack, relay)
    try:
        case, message = await drafted(slack)
        # The approver group is slow to answer: the Approve click is still being handled...
        fake_slack.delays["usergroups.users.list"] = 1.0
        status, _ = await slack.click(GROUP_APPROVER, message, "draft_approve")
        assert status == 200
        await asyncio.sleep(0.2)
    finally:
        await _stop(slack)  # ...when foibot is asked to stop.
    db = Database(database_url)
    try:
        closed = db.transact(lambda s: s.get(Case, case.id))
        assert closed is not None and closed.status == CaseStatus.CLOSED.value
        letters = db.transact(
            lambda s: list(
                s.exec(
                    select(Outbox).where(
                        Outbox.kind == OutboxKind.EMAIL.value, Outbox.purpose == "response"
                    )
                ).all()
            )
        )
        assert len(letters) == 1  # queued before the stop finished; sent on the next start
    finally:
        db.close()


async def test_an_email_case_that_is_not_a_request_gets_its_card_at_once(slack: Harness) -> None:
    await asyncio.sleep(0.5)  # the Slack lane has made its first pass and is idle
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@example.org>"
    message["To"] = "foi@council.example"
    message["Subject"] = "Question"
    message["Message-ID"] = "<library-1@example.org>"
    message.set_content("Hello, what time does the library open on Saturdays? Thanks, Jo")
    sent = time.monotonic()
    await aiosmtplib.send(message, hostname="127.0.0.1", port=slack.service.port)
    cards = await slack.until(lambda: slack.fake.posts(channel=STAFF), timeout=IDLE_POLL_SECONDS)
    assert time.monotonic() - sent < 3.0  # not at the lane's next idle poll (10 s)
    case = (await slack.cases())[0]
    assert case.regime == "" and cards[0]["blocks"][0]["text"]["text"].startswith(case.reference)
    assert "Not a statutory request" in json.dumps(cards[0]["blocks"])
    assert slack.relay.to("jo.bloggs@example.org") == []  # no acknowledgement for it
