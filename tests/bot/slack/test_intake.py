"""Requests taken in from Slack: channel messages, DMs, @mentions, the message shortcut and the
post/phone modal; exactly one case per request however often Slack delivers it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlmodel import select

from intake.models import Case, CaseStatus, Channel, EventKind
from intake.slack_records import SlackDelivery, SlackInbound
from tests.bot.slack import payloads
from tests.bot.slack.conftest import (
    FOI_TEXT,
    INTAKE,
    OFFICER,
    REQUESTER,
    SECRET,
    STAFF,
    Harness,
)


async def _one_case(slack: Harness) -> Case:
    cases = await slack.until_db(lambda s: list(s.exec(select(Case)).all()))
    assert len(cases) == 1
    return cases[0]


async def test_intake_channel_message_opens_a_case_acknowledged_in_thread_and_by_email(
    slack: Harness,
) -> None:
    event = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
    started = time.monotonic()
    status, _ = await slack.event(event)
    assert status == 200
    assert time.monotonic() - started < 3.0  # Slack's deadline for the ack

    case = await _one_case(slack)
    assert case.channel == Channel.SLACK.value
    assert case.regime == "foi"
    assert case.requester_name == "Jo Bloggs"
    assert case.requester_email == "jo.bloggs@example.org"
    assert case.due is not None
    assert "potholes" in case.text

    # Acknowledged in the request's own thread...
    reply = await slack.until(lambda: slack.fake.posts(channel=INTAKE, thread_ts=event["ts"]))
    assert case.reference in reply[0]["text"]
    # ...and by email, through the outbox to the relay.
    mail = await slack.until(lambda: slack.relay.to("jo.bloggs@example.org"))
    assert case.reference in str(mail[0]["Subject"])
    # The staff card: reference, regime with confidence and evidence, requester, due date.
    card = await slack.until_card(case.reference, lambda c: True)
    text = str(card["blocks"])
    assert "FOI" in text and "sure" in text and "Jo Bloggs" in text and "working day" in text
    assert "Why:" in text  # the classifier's evidence
    assert "potholes" in text  # the first lines of the request


async def test_a_redelivered_event_opens_no_second_case(slack: Harness) -> None:
    event = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
    first, _ = await slack.event(event, event_id="Ev0REDELIVER")
    again, _ = await slack.event(event, event_id="Ev0REDELIVER", retry=1)
    assert (first, again) == (200, 200)
    case = await _one_case(slack)
    await asyncio.sleep(0.5)  # give a second case every chance to appear
    assert [c.id for c in await slack.cases()] == [case.id]
    deliveries = await slack.db(lambda s: list(s.exec(select(SlackDelivery)).all()))
    assert len(deliveries) == 1
    # One thread reply, one card.
    await slack.until(lambda: slack.fake.posts(channel=STAFF))
    await asyncio.sleep(0.3)
    assert len(slack.fake.posts(channel=INTAKE, thread_ts=event["ts"])) == 1
    assert len(slack.fake.posts(channel=STAFF)) == 1


async def test_a_mention_delivered_as_message_and_app_mention_opens_one_case(
    slack: Harness,
) -> None:
    ts = payloads.new_ts()
    mention = payloads.mention_event(INTAKE, REQUESTER, FOI_TEXT, ts)
    message = payloads.message_event(INTAKE, REQUESTER, mention["text"], ts=ts)
    results = await asyncio.gather(slack.event(message), slack.event(mention))
    assert [status for status, _ in results] == [200, 200]
    case = await _one_case(slack)
    await asyncio.sleep(0.5)
    assert len(await slack.cases()) == 1
    assert not case.text.startswith("<@")  # the mention itself is not part of the request


async def test_a_direct_message_opens_a_case(slack: Harness) -> None:
    event = payloads.message_event("D0REQUESTER", REQUESTER, FOI_TEXT, channel_type="im")
    await slack.event(event)
    case = await _one_case(slack)
    reply = await slack.until(lambda: slack.fake.posts(channel="D0REQUESTER"))
    assert case.reference in reply[0]["text"]


async def test_chatter_elsewhere_opens_nothing(slack: Harness) -> None:
    parent = payloads.new_ts()
    for event in (
        payloads.message_event(STAFF, OFFICER, "Shall we look at the pothole one?"),
        payloads.message_event("CRANDOM", REQUESTER, FOI_TEXT),
        payloads.message_event(INTAKE, REQUESTER, "Thanks!", thread_ts=parent),
        payloads.message_event(INTAKE, REQUESTER, FOI_TEXT, subtype="message_changed"),
        payloads.message_event(INTAKE, REQUESTER, FOI_TEXT, bot_id="B0OTHER"),
    ):
        status, _ = await slack.event(event)
        assert status == 200
    await asyncio.sleep(0.6)
    assert await slack.cases() == []


async def test_bad_signature_and_stale_timestamp_get_401_and_change_nothing(
    slack: Harness,
) -> None:
    body = payloads.event_callback(payloads.message_event(INTAKE, REQUESTER, FOI_TEXT))
    raw = __import__("json").dumps(body).encode()
    forged, _ = await slack.send(raw, "application/json", secret="not-the-secret")
    stale, _ = await slack.send(raw, "application/json", timestamp=int(time.time()) - 6 * 60)
    assert (forged, stale) == (401, 401)
    # A correct signature over different bytes is as bad as none.
    headers = payloads.signed_headers(SECRET, raw, "application/json")
    async with slack.http.post(slack.url, data=raw + b" ", headers=headers) as response:
        assert response.status == 401
    await asyncio.sleep(0.5)
    assert await slack.cases() == []
    assert [c for c in slack.fake.calls if c.method.startswith(("chat.", "users."))] == []


async def test_log_as_request_shortcut_logs_any_message_once(slack: Harness) -> None:
    message = {"user": REQUESTER, "text": FOI_TEXT, "ts": payloads.new_ts()}
    status, _ = await slack.interact(payloads.message_action(OFFICER, "CGENERAL", message))
    assert status == 200
    case = await _one_case(slack)
    assert case.requester_name == "Jo Bloggs"
    events = await slack.events(case.id or 0)
    assert events[0].kind == EventKind.RECEIVED.value and events[0].actor == f"slack:{OFFICER}"
    await slack.until(lambda: slack.fake.posts(channel="CGENERAL", thread_ts=message["ts"]))
    # The officer hears too, in their DM: foibot may not be in that channel.
    note = await slack.until(lambda: slack.fake.posts(channel=OFFICER))
    assert case.reference in note[0]["text"]

    # Logging it again says where it already is, privately, and opens nothing.
    await slack.interact(payloads.message_action(OFFICER, "CGENERAL", message))
    notes = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert case.reference in notes[0].args["text"] and notes[0].args["user"] == OFFICER
    assert len(await slack.cases()) == 1


async def test_foi_new_modal_logs_a_postal_request(slack: Harness) -> None:
    status, _ = await slack.command("new")
    assert status == 200
    opened = await slack.until(lambda: slack.fake.made("views.open"))
    view = opened[0].args["view"]
    assert view["callback_id"] == "new_request_modal"

    values: dict[str, dict[str, Any]] = {
        "name": {"value": {"type": "plain_text_input", "value": "Mary Smith"}},
        "email": {"value": {"type": "email_text_input", "value": ""}},
        "address": {"value": {"type": "plain_text_input", "value": ""}},
        "received": {"value": {"type": "datepicker", "selected_date": "2024-06-27"}},
        "via": {"value": {"type": "radio_buttons", "selected_option": {"value": "post"}}},
        "text": {"value": {"type": "plain_text_input", "value": FOI_TEXT}},
        "regime": {"value": {"type": "static_select", "selected_option": {"value": "auto"}}},
    }
    # No way to reply: the modal says so beside the field, and nothing is opened.
    status, body = await slack.submit(OFFICER, view, values)
    assert status == 200
    assert '"response_action":"errors"' in body.replace(" ", "") and "email" in body
    assert await slack.cases() == []

    values["email"]["value"]["value"] = "Mary.Smith@example.org"
    status, body = await slack.submit(OFFICER, view, values)
    assert (status, body) == (200, "")
    case = await _one_case(slack)
    assert case.channel == Channel.POST.value
    assert case.received_on.isoformat() == "2024-06-27"  # the date it arrived, not today
    assert case.requester_email == "mary.smith@example.org"
    assert case.status == CaseStatus.OPEN.value
    await slack.until(lambda: slack.relay.to("mary.smith@example.org"))
    # The officer hears the reference in their DM with foibot.
    note = await slack.until(lambda: slack.fake.posts(channel=OFFICER))
    assert case.reference in note[0]["text"]


async def test_global_shortcut_opens_the_same_modal(slack: Harness) -> None:
    await slack.interact(payloads.global_shortcut(OFFICER, "new_request"))
    opened = await slack.until(lambda: slack.fake.made("views.open"))
    assert opened[0].args["view"]["callback_id"] == "new_request_modal"


async def test_slow_work_happens_after_the_ack(slack: Harness) -> None:
    slack.fake.delays["users.info"] = 3.5  # Slack itself slow to say who the requester is
    started = time.monotonic()
    status, _ = await slack.event(payloads.message_event(INTAKE, REQUESTER, FOI_TEXT))
    assert status == 200 and time.monotonic() - started < 1.0
    case = await _one_case(slack)
    assert time.monotonic() - started >= 3.5 and case.requester_name == "Jo Bloggs"


async def test_a_mention_outside_the_intake_channel_says_how_to_log_and_opens_nothing(
    slack: Harness,
) -> None:
    status, _ = await slack.event(
        payloads.mention_event("CRANDOM", REQUESTER, FOI_TEXT, payloads.new_ts())
    )
    assert status == 200
    notes = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert notes[0].args["user"] == REQUESTER and "intake channel" in notes[0].args["text"]
    assert await slack.cases() == []
    assert await slack.db(lambda s: list(s.exec(select(SlackInbound)).all())) == []
