"""The reminder scheduler: every minute, sweep for due milestones, queue them, wake the outbox.

Time comes only from the injected `now` function, so tests (and `foibot reminders --at`) can
set it. After downtime the first sweep catches up, with the one message per case per milestone
that is still relevant (intake.reminders). `foibot run` makes that first sweep one tick after
start-up, once the backlog of mail and Slack work has been picked up.

A failed sweep (the database unreachable, SQLite busy past its timeout) is logged and tried
again at the next tick: nothing is recorded for a milestone whose messages were not queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.database import Database
from bot.reminders import Result, SweepReport, sweep_async
from config.settings import Settings

log = logging.getLogger("foibot.reminders")

TICK_SECONDS = 60.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class ReminderScheduler:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        wake: Callable[[], None],
        now: Callable[[], datetime] = utc_now,
        interval: float = TICK_SECONDS,
        first_sweep_after: float = 0.0,
    ) -> None:
        self._db = db
        self._settings = settings
        self._wake = wake
        self._now = now
        self._interval = interval
        self._first_sweep_after = first_sweep_after
        self._task: asyncio.Task[None] | None = None
        self.last_report: SweepReport | None = None
        self.sweeps = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="foibot-reminders")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run_once(self) -> SweepReport | None:
        """One sweep at the injected clock's `now`; wakes the outbox lanes if it queued."""
        now = self._now()
        try:
            report = await sweep_async(self._db, self._settings, now)
        except Exception:
            log.exception("reminder sweep at %s failed; trying again next tick", now.isoformat())
            return None
        self.sweeps += 1
        self.last_report = report
        for outcome in report.outcomes:
            milestone = outcome.planned.milestone
            if outcome.result is Result.FAILED:
                log.warning("reminder %s (case %s) failed", milestone.key, milestone.case_id)
            elif outcome.result is Result.SENT:
                log.info(
                    "reminder %s (case %s) queued: %s",
                    milestone.key,
                    milestone.case_id,
                    ", ".join(outcome.routes),
                )
        if report.queued:
            self._wake()
        return report

    async def _run(self) -> None:
        if self._first_sweep_after > 0:
            await asyncio.sleep(self._first_sweep_after)
        while True:
            await self.run_once()
            await asyncio.sleep(self._interval)
