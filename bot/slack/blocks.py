"""Block Kit primitives: small pure helpers the card, modal and home builders share.

Slack's mrkdwn treats `&`, `<` and `>` as control characters, so anything a requester or an
officer typed goes through `esc` before it is shown: a request can't ping @channel or forge a
link.
"""

from __future__ import annotations

from datetime import date
from typing import Any

Block = dict[str, Any]

SECTION_LIMIT = 3000  # characters of text in one section block
OPTION_LIMIT = 75  # characters of an option's text


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(text: str, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(clip(text, 150))}


def section(text: str, block_id: str | None = None, **extra: Any) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(clip(text, SECTION_LIMIT))}
    if block_id:
        block["block_id"] = block_id
    block.update(extra)
    return block


def fields(*pairs: tuple[str, str]) -> Block:
    return {
        "type": "section",
        "fields": [mrkdwn(clip(f"*{name}*\n{value}", 2000)) for name, value in pairs[:10]],
    }


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(clip(t, SECTION_LIMIT)) for t in texts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str,
    action_id: str,
    value: str,
    style: str = "",
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, yes: str, no: str = "Cancel") -> dict[str, Any]:
    return {
        "title": plain(clip(title, 100)),
        "text": mrkdwn(clip(text, 300)),
        "confirm": plain(clip(yes, 30)),
        "deny": plain(clip(no, 30)),
    }


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(clip(text, OPTION_LIMIT)), "value": value}


def actions(block_id: str, *elements: dict[str, Any]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements[:25])}


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    optional: bool = False,
    hint: str = "",
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(clip(hint, 2000))
    return block


def text_input(
    action_id: str,
    multiline: bool = False,
    initial: str = "",
    placeholder: str = "",
    max_length: int = 3000,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(clip(placeholder, 150))
    return element


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    submit: str = "Submit",
    private_metadata: str = "",
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(clip(title, 24)),
        "submit": plain(clip(submit, 24)),
        "close": plain("Cancel"),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def long_date(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def mention(user: str) -> str:
    return f"<@{user}>" if user else "nobody"
