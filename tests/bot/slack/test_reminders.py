"""Reminders in Slack, end to end: the scheduler (with a controllable clock) queues them, the
Slack lane posts them to the fake Web API, and the card's buttons on a reminder work.

Dates by hand (tests/intake/test_reminders.py has the calendar): a FOI request received
Thu 20 Feb 2025 is due Fri 21 March 2025; 5 FOIA working days before is Thu 13 March.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.scheduler import ReminderScheduler
from bot.slack.notify import queue_case_card
from intake.cases import set_status
from intake.clock import ClockEventType
from intake.models import Case, CaseStatus
from tests.bot.slack.conftest import APPROVER, OFFICER, STAFF, Harness
from tests.intake.test_reminders import clock, new_case, utc


class Clock:
    def __init__(self, now: Any) -> None:
        self.now = now

    def __call__(self) -> Any:
        return self.now


def scheduler(slack: Harness, now: Clock) -> ReminderScheduler:
    service = slack.service
    assert service.slack is not None
    poster = service.slack.ctx.poster

    def wake() -> None:
        service.dispatcher.wake()
        poster.wake()

    return ReminderScheduler(service.db, slack.settings, wake, now=now)


async def test_reminder_dm_and_staff_post_whose_buttons_work(slack: Harness) -> None:
    def setup(s: Any) -> Case:
        case = new_case(s, date(2025, 2, 20))
        case.assignee = OFFICER
        return case

    case = await slack.db(setup)
    reminders = scheduler(slack, Clock(utc(2025, 3, 13)))
    report = await reminders.run_once()
    assert report is not None and report.queued

    dm = (await slack.until(lambda: slack.fake.posts(channel=OFFICER)))[0]
    assert dm["text"] == f"{case.reference}: due in 5 working days"
    staff = await slack.until(
        lambda: [p for p in slack.fake.posts(channel=STAFF) if p["text"] == dm["text"]]
    )
    assert staff[0]["blocks"] == dm["blocks"]
    assert f"<@{OFFICER}>" in json.dumps(dm["blocks"])

    # The approver takes the case from the reminder in the staff channel: the card's own button.
    posted = next(
        c for c in slack.fake.made("chat.postMessage") if c.args.get("text") == dm["text"]
    )
    message = {**posted.args, "ts": posted.response["ts"]}
    status, _ = await slack.click(APPROVER, message, "case_assign", channel=STAFF)
    assert status == 200
    await slack.until_db(lambda s: (s.get(Case, case.id) or case).assignee == APPROVER)

    # The same minute again: nothing new.
    calls = len(slack.fake.made("chat.postMessage"))
    report = await reminders.run_once()
    assert report is not None and not report.queued
    assert len(slack.fake.made("chat.postMessage")) == calls


async def test_a_closure_is_told_in_the_card_thread(slack: Harness) -> None:
    def setup(s: Any) -> Case:
        case = new_case(s, date(2025, 2, 20))
        queue_case_card(s, case, slack.settings, utc(2025, 2, 20))
        clock(s, case, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 3))
        set_status(s, case, CaseStatus.AWAITING_CLARIFICATION, utc(2025, 3, 3), "officer")
        return case

    case = await slack.db(setup)
    # Three months beginning with Mon 3 March end Mon 2 June: closed Tue 3 June (10:00 BST).
    report = await scheduler(slack, Clock(utc(2025, 6, 3, 9))).run_once()
    assert report is not None
    assert [o.planned.milestone.key for o in report.outcomes if o.planned.case] == [
        "clarification-closure:2025-03-03"
    ]
    letters = await slack.until(lambda: slack.relay.to(case.requester_email))
    assert "we have now closed your request" in letters[0].get_body(("plain",)).get_content()
    assert (await slack.case(case.id or 0)).status == CaseStatus.CLOSED.value
    note = await slack.until(
        lambda: [p for p in slack.fake.posts(channel=STAFF) if "no clarification came" in p["text"]]
    )
    card = await slack.until_card(case.reference, lambda c: "Closed" in json.dumps(c["blocks"]))
    assert note[0]["thread_ts"] == card["ts"]  # in the case card's thread, the card redrawn
    assert "no clarification in three months" in json.dumps(card["blocks"])
    digest = await slack.until(
        lambda: [p for p in slack.fake.posts(channel=STAFF) if "Digest" in json.dumps(p)]
    )
    assert digest  # the day's digest went to the staff channel too (the case was waiting)
