"""Run the Slack app inside foibot's service: HTTP mode on [slack] host:port at /slack/events,
or Socket Mode when an app-level token is set (no public URL needed: the usual choice behind a
firewall). Either way the Slack outbox lane and the inbound worker run beside it.

Stopping is orderly: first no new requests (the HTTP server or the socket closes), then the
listeners still handling earlier ones finish, then the inbound worker's requests, and last the
outbox lane, which they may have queued posts for. Each wait is bounded; whatever is cut short
is still in the database (a stored request, a queued post) and is picked up on the next start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.database import Database
from bot.slack.app import ListenerTasks, build_app
from bot.slack.approvers import Approvers
from bot.slack.context import SlackContext
from bot.slack.inbound import InboundWorker
from bot.slack.poster import SlackPoster
from config.exemptions import load_catalogue
from config.settings import Settings

log = logging.getLogger("foibot.slack")

EVENTS_PATH = "/slack/events"
API_TIMEOUT_SECONDS = 10
DRAIN_SECONDS = 10.0  # how long stopping waits for requests being handled


def web_client(settings: Settings, token: str) -> AsyncWebClient:
    base = settings.slack.api_url
    return AsyncWebClient(
        token=token,
        base_url=base if base.endswith("/") else base + "/",
        timeout=API_TIMEOUT_SECONDS,
        retry_handlers=[],  # retries belong to the outbox, where they survive a restart
    )


class SlackService:
    def __init__(
        self, ctx: SlackContext, app: AsyncApp, listeners: ListenerTasks | None = None
    ) -> None:
        self.ctx = ctx
        self.app = app
        self.listeners = listeners or ListenerTasks()
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self.port = ctx.settings.slack.port

    @property
    def mode(self) -> str:
        return "socket" if self.ctx.settings.slack.app_token else "http"

    async def _handle(self, request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def start(self) -> None:
        slack = self.ctx.settings.slack
        self.ctx.poster.start()
        self.ctx.inbound.start()  # first, anything stored but not processed before a stop
        if slack.app_token:
            self._socket = AsyncSocketModeHandler(
                self.app, slack.app_token, web_client=web_client(self.ctx.settings, "")
            )
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack: Socket Mode connected via %s", slack.api_url)
            return
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._handle)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, slack.host, slack.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("Slack: HTTP mode on http://%s:%d%s", slack.host, self.port, EVENTS_PATH)

    async def stop(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        """Stop taking requests, let those in hand finish (bounded), then stop posting."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + drain_seconds
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.listeners.wait(deadline - loop.time())
        await self.ctx.inbound.stop(deadline - loop.time())
        await self.ctx.poster.stop()


def build_slack(settings: Settings, db: Database, wake_mail: Callable[[], None]) -> SlackService:
    """Wire the Slack side from settings (nothing starts until `start()`)."""
    client = web_client(settings, settings.slack.bot_token)
    ctx = SlackContext(
        settings=settings,
        db=db,
        client=client,
        poster=SlackPoster(db, client, settings.outbound),
        approvers=Approvers(settings.slack, client),
        catalogue=load_catalogue(settings.authority.exemptions or None),
        wake_mail=wake_mail,
        inbound=InboundWorker(db),
    )
    listeners = ListenerTasks()
    return SlackService(ctx, build_app(ctx, listeners), listeners)


async def start_slack(
    settings: Settings, db: Database, wake_mail: Callable[[], None]
) -> SlackService:
    service = build_slack(settings, db, wake_mail)
    await service.start()
    return service
