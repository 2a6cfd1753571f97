"""Slack inside foibot's service: email cases get staff cards too; without Slack settings
foibot runs email-only and says so once."""

from __future__ import annotations

import dataclasses
import logging
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from bot.service import start_service
from tests.bot.slack.conftest import FOI_TEXT, STAFF, Harness, Relay, slack_settings
from tests.bot.slack.fake_slack import FakeSlack


async def test_an_email_request_gets_a_staff_card(slack: Harness) -> None:
    message = EmailMessage()
    message["From"] = "Jo Bloggs <jo.bloggs@example.org>"
    message["To"] = "foi@council.example"
    message["Subject"] = "Freedom of information request: potholes"
    message["Message-ID"] = "<pothole-1@example.org>"
    message.set_content(FOI_TEXT)
    await aiosmtplib.send(message, hostname="127.0.0.1", port=slack.service.port)

    cards = await slack.until(lambda: slack.fake.posts(channel=STAFF))
    case = (await slack.cases())[0]
    assert case.channel == "email"
    assert cards[0]["blocks"][0]["text"]["text"].startswith(case.reference)
    assert "by email" in str(cards[0]["blocks"])
    await slack.until(lambda: slack.relay.to("jo.bloggs@example.org"))  # acknowledged as ever


async def test_without_slack_settings_foibot_runs_email_only_and_says_so_once(
    database_url: str,
    tmp_path: Path,
    fake_slack: FakeSlack,
    relay: Relay,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = slack_settings(database_url, tmp_path, fake_slack, relay)
    settings = dataclasses.replace(
        settings, slack=dataclasses.replace(settings.slack, bot_token="")
    )
    caplog.set_level(logging.INFO, logger="foibot")
    service = await start_service(settings)
    try:
        assert service.slack is None
        said = [r for r in caplog.records if "Slack is not configured" in r.getMessage()]
        assert [r.getMessage() for r in said] == ["Slack is not configured: running email-only"]
    finally:
        await service.stop()
    assert fake_slack.calls == []
