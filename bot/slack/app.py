"""The Bolt app: one AsyncApp with foibot's listeners, sharing the service's event loop."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.slack import on_commands, on_drafts, on_intake, on_triage
from bot.slack.context import SlackContext

log = logging.getLogger("foibot.slack")


def build_app(ctx: SlackContext) -> AsyncApp:
    slack = ctx.settings.slack
    app = AsyncApp(
        client=ctx.client,
        # HTTP mode checks every request's v0 signature and refuses anything older than five
        # minutes (replay); Socket Mode requests come over the app's own websocket instead.
        signing_secret=slack.signing_secret,
        request_verification_enabled=True,
        # Acknowledge first, work after: listeners run once Slack has its answer.
        process_before_response=False,
        logger=logging.getLogger("foibot.slack.bolt"),
        name="foibot",
    )
    on_intake.register(app, ctx)
    on_triage.register(app, ctx)
    on_drafts.register(app, ctx)
    on_commands.register(app, ctx)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        log.error("slack listener failed for %s: %r", body.get("type"), error, exc_info=error)
        return None

    return app
