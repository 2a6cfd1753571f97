"""The Bolt app: one AsyncApp with foibot's listeners, sharing the service's event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_completion_handler import (
    AsyncListenerCompletionHandler,
)
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack import on_commands, on_drafts, on_intake, on_triage
from bot.slack.context import SlackContext
from bot.slack.inbound import drain

log = logging.getLogger("foibot.slack")


class ListenerTasks:
    """The tasks Bolt runs our listeners in once it has acknowledged a request.

    With process_before_response=False Bolt starts each listener with asyncio.ensure_future and
    keeps no handle on it, so nothing would wait for a click being handled when foibot stops.
    Bolt calls its listener start and completion handlers inside that task, so they record it
    here and shutdown can let it finish (bot.slack.server.SlackService.stop).
    """

    def __init__(self) -> None:
        self.running: set[asyncio.Task[Any]] = set()

    def started(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
            task.add_done_callback(self.running.discard)

    def finished(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.running.discard(task)

    async def wait(self, timeout: float) -> None:
        """Let running listeners finish (up to `timeout` seconds), then cancel the rest."""
        await drain(self.running, timeout)


class _OnStart(AsyncListenerStartHandler):
    def __init__(self, tasks: ListenerTasks) -> None:
        self._tasks = tasks

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        self._tasks.started()


class _OnFinish(AsyncListenerCompletionHandler):
    def __init__(self, tasks: ListenerTasks) -> None:
        self._tasks = tasks

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        self._tasks.finished()


def build_app(ctx: SlackContext, tasks: ListenerTasks | None = None) -> AsyncApp:
    slack = ctx.settings.slack
    app = AsyncApp(
        client=ctx.client,
        # HTTP mode checks every request's v0 signature and refuses anything older than five
        # minutes (replay); Socket Mode requests come over the app's own websocket instead.
        signing_secret=slack.signing_secret,
        request_verification_enabled=True,
        # Acknowledge first, work after: listeners run once Slack has its answer. Requests
        # that open cases are stored before that answer (bot.slack.inbound).
        process_before_response=False,
        logger=logging.getLogger("foibot.slack.bolt"),
        name="foibot",
    )
    if tasks is not None:
        runner = app.listener_runner
        runner.listener_start_handler = _OnStart(tasks)
        runner.listener_completion_handler = _OnFinish(tasks)
    on_intake.register(app, ctx)
    on_triage.register(app, ctx)
    on_drafts.register(app, ctx)
    on_commands.register(app, ctx)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        log.error("slack listener failed for %s: %r", body.get("type"), error, exc_info=error)
        return None

    return app
