"""Requests shaped like the ones Slack sends, and signed the way Slack signs them.

Shapes follow Slack's reference pages for the Events API (`event_callback`), slash commands
(form-encoded), and interactivity payloads (`block_actions`, `view_submission`,
`message_action`, `shortcut`, `block_suggestion`: form-encoded with one `payload` field).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.bot.slack.fake_slack import BOT_ID, BOT_USER, TEAM

APP_ID = "A0FOIBOT"
_ids = itertools.count(1)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(secret, ts, body),
    }


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):08d}"


def new_ts() -> str:
    return f"{time.time():.6f}"


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_id("Ev"),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": new_id("4-"),
    }


def message_event(
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    ts = ts or new_ts()
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "client_msg_id": new_id("msg-"),
        "team": TEAM,
        **extra,
    }


def mention_event(channel: str, user: str, text: str, ts: str) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "event_ts": ts,
        "client_msg_id": new_id("msg-"),
        "team": TEAM,
    }


def slash_command(text: str, user: str, channel: str = "CSTAFF") -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "team_domain": "council",
        "channel_id": channel,
        "channel_name": "foi-staff",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/foi",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0TEAM/1/abc",
        "trigger_id": new_id("trigger."),
    }


def _user(user: str) -> dict[str, Any]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}


def block_actions(
    user: str,
    action: dict[str, Any],
    channel: str,
    message: dict[str, Any],
) -> dict[str, Any]:
    """A click on an element of a message foibot posted."""
    element = {**action, "action_ts": new_ts()}
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
            **({"thread_ts": message["thread_ts"]} if message.get("thread_ts") else {}),
        },
        "trigger_id": new_id("trigger."),
        "team": {"id": TEAM, "domain": "council"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "foi-staff"},
        "message": {**message, "type": "message", "bot_id": BOT_ID, "user": BOT_USER},
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0TEAM/1/abc",
        "actions": [element],
    }


def view_actions(user: str, action: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    """A choice made inside an open modal (an input with dispatch_action)."""
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": new_id("trigger."),
        "team": {"id": TEAM, "domain": "council"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
        "actions": [{**action, "action_ts": new_ts()}],
    }


def opened_view(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The view as Slack sends it back: the modal foibot opened, with id, hash and state."""
    return {
        "id": new_id("V"),
        "team_id": TEAM,
        "type": "modal",
        "hash": new_id("hash."),
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        "root_view_id": None,
        "previous_view_id": None,
        "external_id": "",
        "app_installed_team_id": TEAM,
        **{k: v for k, v in view.items() if k != "id"},
        "state": {"values": values},
    }


def view_submission(user: str, view: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "council"},
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": new_id("trigger."),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def message_action(user: str, channel: str, message: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": new_ts(),
        "team": {"id": TEAM, "domain": "council"},
        "user": _user(user),
        "channel": {"id": channel, "name": "general"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "log_as_request",
        "trigger_id": new_id("trigger."),
        "response_url": "https://hooks.slack.com/app/T0TEAM/1/abc",
        "message_ts": message["ts"],
        "message": {"type": "message", **message},
    }


def global_shortcut(user: str, callback_id: str) -> dict[str, Any]:
    return {
        "type": "shortcut",
        "token": "legacy-verification-token",
        "action_ts": new_ts(),
        "team": {"id": TEAM, "domain": "council"},
        "user": _user(user),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": new_id("trigger."),
    }


def block_suggestion(
    user: str, action_id: str, block_id: str, value: str, view: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "block_suggestion",
        "user": _user(user),
        "container": {"type": "view", "view_id": view["id"]},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "team": {"id": TEAM, "domain": "council"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
    }


def as_form_payload(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()
