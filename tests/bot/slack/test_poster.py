"""Slack's Web API failing costs a delay, never a post: 429 waits out Retry-After, 5xx backs
off, and the rest of the queue waits unharmed."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from intake.models import Case, Outbox, OutboxKind, OutboxStatus
from tests.bot.slack import payloads
from tests.bot.slack.conftest import FOI_TEXT, INTAKE, OFFICER, REQUESTER, STAFF, Harness


async def _slack_rows(slack: Harness) -> list[Outbox]:
    return [r for r in await slack.outbox() if r.kind == OutboxKind.SLACK.value]


async def _all_sent(slack: Harness) -> bool:
    """Every Slack row is marked sent (polled: the mark follows Slack's answer)."""
    for _ in range(100):
        rows = await _slack_rows(slack)
        if rows and all(r.status == OutboxStatus.SENT.value for r in rows):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_rate_limited_posts_wait_for_retry_after_and_all_arrive(slack: Harness) -> None:
    slack.fake.fail("chat.postMessage", 429, times=1, retry_after=1)
    event = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
    await slack.event(event)
    case = (await slack.until_db(lambda s: list(s.exec(select(Case)).all())))[0]

    reply = await slack.until(lambda: slack.fake.posts(channel=INTAKE, thread_ts=event["ts"]))
    card = await slack.until(lambda: slack.fake.posts(channel=STAFF))
    assert case.reference in reply[0]["text"] and len(card) == 1
    limited = [c for c in slack.fake.calls if c.status == 429]
    posted = slack.fake.made("chat.postMessage")
    assert len(limited) == 1
    assert posted[0].at - limited[0].at >= 0.95  # Retry-After: 1 second was respected
    assert await _all_sent(slack)
    rows = await _slack_rows(slack)
    assert sum(r.attempts for r in rows) == 1  # the one refused call; the rest waited unharmed


async def test_server_errors_back_off_and_lose_nothing(slack: Harness) -> None:
    slack.fake.fail("chat.postMessage", 500, times=3)
    first = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
    second = payloads.message_event(INTAKE, OFFICER, FOI_TEXT.replace("potholes", "bins"))
    await slack.event(first)
    await slack.event(second)
    await slack.until(lambda: len(slack.fake.posts(channel=STAFF)) == 2)
    await slack.until(lambda: slack.fake.posts(channel=INTAKE, thread_ts=first["ts"]))
    await slack.until(lambda: slack.fake.posts(channel=INTAKE, thread_ts=second["ts"]))
    assert len([c for c in slack.fake.calls if c.status == 500]) == 3
    assert await _all_sent(slack)
    # Exactly once each: four posts, however many tries.
    assert len(slack.fake.made("chat.postMessage")) == 4


async def test_a_failed_card_update_never_overwrites_a_newer_one(slack: Harness) -> None:
    await slack.event(payloads.message_event(INTAKE, REQUESTER, FOI_TEXT))
    case = (await slack.until_db(lambda s: list(s.exec(select(Case)).all())))[0]
    await slack.until_card(case.reference, lambda c: True)
    card = slack.card(case.reference)
    slack.fake.fail("chat.update", 500, times=1)
    await slack.click(OFFICER, card, "case_assign")
    await slack.until(lambda: [c for c in slack.fake.calls if c.status == 500])
    await slack.click(OFFICER, card, "case_not_request")
    final = await slack.until_card(
        case.reference, lambda c: "marked it not a request" in str(c["blocks"])
    )
    assert "took the case" in str(final["blocks"])  # the newest update shows everything
    assert await _all_sent(slack)
    # The older update was skipped, not sent late over the newer one.
    updates = slack.fake.made("chat.update")
    assert "marked it not a request" in str(updates[-1].args["blocks"])


async def test_a_permanent_error_fails_that_post_only(slack: Harness) -> None:
    slack.fake.fail("chat.postMessage", 200, error="channel_not_found")
    event = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
    await slack.event(event)
    await slack.until(lambda: slack.fake.posts(channel=STAFF))
    rows = await slack.until_db(
        lambda s: [
            r
            for r in s.exec(select(Outbox)).all()
            if r.kind == OutboxKind.SLACK.value and r.status == OutboxStatus.FAILED.value
        ]
    )
    assert len(rows) == 1 and "channel_not_found" in rows[0].last_error
