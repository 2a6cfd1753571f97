"""Who may sign a letter off: named users, and the members of one Slack user group.

The group's members are fetched from Slack (usergroups.users.list) and kept for a minute, so a
change in Slack takes effect quickly without a call on every click. When Slack can't be asked,
the answer is no: approval is refused, never granted, on doubt.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from config.settings import SlackSettings

log = logging.getLogger("foibot.slack")

GROUP_TTL_SECONDS = 60.0


class Approvers:
    def __init__(self, settings: SlackSettings, client: AsyncWebClient) -> None:
        self._settings = settings
        self._client = client
        self._members: frozenset[str] = frozenset()
        self._fetched = float("-inf")

    async def is_approver(self, user: str) -> bool:
        if user in self._settings.approvers:
            return True
        if not self._settings.approver_group:
            return False
        return user in await self._group()

    async def _group(self) -> frozenset[str]:
        if time.monotonic() - self._fetched < GROUP_TTL_SECONDS:
            return self._members
        group = self._settings.approver_group
        try:
            response = await self._client.usergroups_users_list(usergroup=group)
        except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("cannot read the approver group %s: %s", group, exc)
            return frozenset()
        users: list[Any] = response.get("users") or []
        self._members = frozenset(str(u) for u in users)
        self._fetched = time.monotonic()
        return self._members

    async def refusal(self, user: str, drafter: str) -> str:
        """Why `user` may not approve a draft by `drafter`; empty when they may."""
        if not await self.is_approver(user):
            who = "the approvers named in foibot's settings"
            if self._settings.approver_group:
                who = f"members of <!subteam^{self._settings.approver_group}>"
            return f"Only approvers can sign off letters: that is {who}."
        if user == drafter and not self._settings.allow_self_approval:
            return "You drafted this one: another approver needs to sign it off."
        return ""
