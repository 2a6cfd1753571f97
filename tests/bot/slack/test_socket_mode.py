"""Socket Mode: with an app-level token foibot opens a websocket to Slack instead of
listening for HTTP, and the same handlers answer over it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlmodel import select

from bot.service import start_service
from intake.models import Case
from tests.bot.slack import payloads
from tests.bot.slack.conftest import (
    FOI_TEXT,
    INTAKE,
    OFFICER,
    REQUESTER,
    STAFF,
    Relay,
    slack_settings,
)
from tests.bot.slack.fake_slack import FakeSlack


async def test_socket_mode_takes_events_and_commands_over_the_websocket(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, relay: Relay
) -> None:
    settings = slack_settings(database_url, tmp_path, fake_slack, relay)
    settings = dataclasses.replace(
        settings,
        slack=dataclasses.replace(settings.slack, app_token="xapp-test", signing_secret=""),
    )
    service = await start_service(settings)
    try:
        assert service.slack is not None and service.slack.mode == "socket"
        opened = fake_slack.made("apps.connections.open")
        assert opened and opened[0].token == "xapp-test"  # the app-level token opens it

        event = payloads.message_event(INTAKE, REQUESTER, FOI_TEXT)
        ack = await fake_slack.socket_send("events_api", payloads.event_callback(event))
        assert ack["envelope_id"]
        cases = await fake_slack.wait_for(
            lambda: service.db.transact(lambda s: list(s.exec(select(Case)).all()))
        )
        reference = cases[0].reference
        await fake_slack.wait_for(lambda: fake_slack.posts(channel=STAFF))
        posted = fake_slack.made("chat.postMessage")
        assert {c.token for c in posted} == {"xoxb-test-token"}  # posts use the bot token

        ack = await fake_slack.socket_send(
            "slash_commands", payloads.slash_command(f"status {reference}", OFFICER)
        )
        assert reference in str(ack["payload"]["blocks"])
    finally:
        await service.stop()
