"""The shipped app manifest asks for what the app handles: its shortcuts, command, events and
the scopes they need (PyYAML is not a dependency, so this reads it as text)."""

from __future__ import annotations

from pathlib import Path

from bot.slack.on_intake import LOG_MESSAGE, NEW_REQUEST
from bot.slack.server import EVENTS_PATH

MANIFEST = Path(__file__).resolve().parents[3] / "config" / "slack-manifest.yml"


def test_manifest_names_every_entry_point_and_scope() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert "\t" not in text
    for needed in (
        f"callback_id: {LOG_MESSAGE}",
        f"callback_id: {NEW_REQUEST}",
        "type: message",
        "type: global",
        "command: /foi",
        "home_tab_enabled: true",
        "messages_tab_enabled: true",
        "is_enabled: true",
        "message_menu_options_url:",
    ):
        assert needed in text, needed
    events = ("app_home_opened", "app_mention", "message.channels", "message.groups", "message.im")
    scopes = (
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "im:history",
        "chat:write",
        "commands",
        "users:read",
        "users:read.email",
        "usergroups:read",
    )
    for item in (*events, *scopes):
        assert f"- {item}" in text, item
    urls = [
        line.split(": ", 1)[1].split()[0]
        for line in text.splitlines()
        if line.strip().startswith(("url:", "request_url:", "message_menu_options_url:"))
    ]
    assert urls and all(url.endswith(EVENTS_PATH) for url in urls)
