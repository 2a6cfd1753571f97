"""`foibot run`: the listener, processing and delivery in one event loop until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from bot.database import Database, migrate
from bot.dispatcher import Dispatcher
from bot.listener import start_listener
from bot.processor import Processor
from bot.scheduler import TICK_SECONDS, ReminderScheduler
from bot.slack.server import SlackService, build_slack
from bot.spool import Spool
from bot.transport import make_transport
from config.settings import DEVELOPMENT_SECRET, Settings

log = logging.getLogger("foibot")


@dataclass
class Service:
    settings: Settings
    db: Database
    spool: Spool
    processor: Processor
    dispatcher: Dispatcher
    server: asyncio.Server
    slack: SlackService | None = None
    reminders: ReminderScheduler | None = None

    @property
    def port(self) -> int:
        sockets = self.server.sockets
        return int(sockets[0].getsockname()[1]) if sockets else self.settings.smtp.port

    async def stop(self) -> None:
        if self.reminders is not None:
            await self.reminders.stop()
        if self.slack is not None:
            await self.slack.stop()
        self.server.close()
        await self.server.wait_closed()
        await self.spool.stop()
        await self.processor.stop()
        await self.dispatcher.stop()
        await asyncio.to_thread(self.db.close)


async def start_service(settings: Settings) -> Service:
    db = Database(settings.database.url)
    await asyncio.to_thread(migrate, db.engine)
    transport = make_transport(settings.outbound)
    dispatcher = Dispatcher(db, settings, transport)
    slack = build_slack(settings, db, dispatcher.wake) if settings.slack.enabled else None
    processor = Processor(db, settings, on_queued=_waker(dispatcher, slack))
    spool = Spool(db, on_committed=processor.submit)
    # During a burst, accepting mail (and so the 250s) comes before processing it.
    processor.give_way_to(spool.wait_idle)
    spool.start()
    processor.start()
    dispatcher.start()
    server = await start_listener(spool, settings.smtp)
    reminders = None
    if settings.reminders.enabled:
        # First sweep one tick after start-up: it catches up after downtime.
        reminders = ReminderScheduler(
            db, settings, _waker(dispatcher, slack), first_sweep_after=TICK_SECONDS
        )
    service = Service(settings, db, spool, processor, dispatcher, server, slack, reminders)
    if settings.references.secret == DEVELOPMENT_SECRET:
        # References carry a keyed check code so they can't be guessed; with the published
        # default key anyone could forge one.
        log.warning(
            "[references] secret is the built-in development value: set your own before "
            "real requests arrive, or references can be forged"
        )
    if slack is None:
        log.info("Slack is not configured: running email-only")
    else:
        try:
            await slack.start()
        except BaseException:
            await service.stop()
            raise
    if reminders is not None:
        reminders.start()
    mailboxes = ", ".join(settings.smtp.mailboxes)
    log.info("listening for mail on %s:%d for %s", settings.smtp.host, service.port, mailboxes)
    log.info("database: %s", _redacted(settings.database.url))
    log.info("outgoing mail: %s", transport.description)
    return service


def _waker(dispatcher: Dispatcher, slack: SlackService | None) -> Callable[[], None]:
    """New cases queue mail and, with Slack, their staff cards: wake both lanes."""
    if slack is None:
        return dispatcher.wake
    poster = slack.ctx.poster

    def wake() -> None:
        dispatcher.wake()
        poster.wake()

    return wake


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def serve(settings: Settings) -> None:
    service = await start_service(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(
        f"foibot is running: SMTP on {settings.smtp.host}:{service.port} for "
        f"{', '.join(settings.smtp.mailboxes)}; outgoing mail: "
        f"{service.dispatcher._transport.description}. Ctrl-C stops it.",
        flush=True,
    )
    await stop.wait()
    log.info("shutting down")
    await service.stop()
