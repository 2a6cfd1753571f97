"""What every Slack handler needs: settings, the database, the Web API client, the poster,
and the inbound worker that stores requests before their ack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot.database import Database
from bot.slack.approvers import Approvers
from bot.slack.inbound import InboundWorker
from bot.slack.poster import SlackPoster
from config.exemptions import Catalogue
from config.settings import Settings

T = TypeVar("T")
log = logging.getLogger("foibot.slack")


@dataclass(frozen=True)
class Profile:
    name: str
    email: str
    is_bot: bool = False


@dataclass
class SlackContext:
    settings: Settings
    db: Database
    client: AsyncWebClient
    poster: SlackPoster
    approvers: Approvers
    catalogue: Catalogue
    wake_mail: Callable[[], None]
    inbound: InboundWorker

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run work in one transaction, then wake both outbox lanes for what it queued."""
        result = await self.db.run(work)
        self.poster.wake()
        self.wake_mail()
        return result

    async def profile(self, user: str) -> Profile:
        """The Slack user's name and email (users.info); blank when Slack can't say."""
        if not user:
            return Profile("", "")
        try:
            response = await self.client.users_info(user=user)
        except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("users.info %s failed: %s", user, exc)
            return Profile("", "")
        data = response.get("user") or {}
        profile = data.get("profile") or {}
        name = profile.get("real_name") or data.get("real_name") or data.get("name") or ""
        return Profile(str(name), str(profile.get("email") or ""), bool(data.get("is_bot")))

    async def open_view(self, trigger_id: str, view: dict[str, object]) -> None:
        """Modals must open within 3 seconds of the click, so this is a direct call."""
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("views.open failed: %s", exc)
