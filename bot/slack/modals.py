"""The modals staff fill in, and reading their answers back. Pure: values in, views out."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from bot.slack.blocks import (
    esc,
    input_block,
    modal,
    option,
    section,
    text_input,
)
from bot.slack.cards import REGIME_NAMES
from intake.models import Channel


class View(StrEnum):
    """callback_id of every modal foibot opens."""

    CLARIFY = "clarify_modal"
    DUPLICATE = "duplicate_modal"
    DRAFT = "draft_modal"
    REJECT = "reject_modal"
    NEW_REQUEST = "new_request_modal"


class Relation(StrEnum):
    DUPLICATE = "duplicate"  # the same request again: closed, answered under the other case
    REPEAT = "repeat"  # a repeat of an answered request: stays open for a s14(2) refusal


AUTO = "auto"  # "let foibot decide" in the regime picker


def values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    state = view.get("state", {}).get("values", {})
    return {block: next(iter(actions.values()), {}) for block, actions in state.items()}


def text_of(view: dict[str, Any], block: str) -> str:
    return str(values(view).get(block, {}).get("value") or "").strip()


def selected(view: dict[str, Any], block: str) -> str:
    chosen = values(view).get(block, {}).get("selected_option") or {}
    return str(chosen.get("value", ""))


def selected_many(view: dict[str, Any], block: str) -> list[str]:
    chosen = values(view).get(block, {}).get("selected_options") or []
    return [str(o.get("value", "")) for o in chosen if o.get("value")]


def date_of(view: dict[str, Any], block: str) -> str:
    return str(values(view).get(block, {}).get("selected_date") or "")


def clarify_modal(case_id: int, reference: str, requester: str) -> dict[str, Any]:
    return modal(
        View.CLARIFY.value,
        "Ask for clarification",
        [
            section(
                f"foibot will email *{esc(requester) or 'the requester'}* a clarification "
                f"letter for *{esc(reference)}* and stop the clock until they reply "
                "(FOIA s1(3), EIR reg 9(4))."
            ),
            input_block(
                "question",
                "What do you need them to clarify?",
                text_input("value", multiline=True, placeholder="Which period do you mean…"),
                hint="Say what is unclear and, where you can, how they could narrow it (s16).",
            ),
        ],
        submit="Send letter",
        private_metadata=str(case_id),
    )


def duplicate_modal(case_id: int, reference: str) -> dict[str, Any]:
    relation = {
        "type": "radio_buttons",
        "action_id": "value",
        "initial_option": option("Duplicate: close this case", Relation.DUPLICATE.value),
        "options": [
            option("Duplicate: close this case", Relation.DUPLICATE.value),
            option("Repeat request (s14(2)): keep open", Relation.REPEAT.value),
        ],
    }
    return modal(
        View.DUPLICATE.value,
        "Repeat or duplicate",
        [
            section(f"Link *{esc(reference)}* to an earlier case."),
            input_block(
                "reference",
                "Earlier case reference",
                text_input("value", placeholder="IC-100001-ABCD", max_length=40),
            ),
            input_block("relation", "This case is a", relation),
        ],
        submit="Link",
        private_metadata=str(case_id),
    )


def reject_modal(draft_id: int, reference: str) -> dict[str, Any]:
    return modal(
        View.REJECT.value,
        "Return the draft",
        [
            section(f"The draft for *{esc(reference)}* goes back to its drafter with your reason."),
            input_block("reason", "Why?", text_input("value", multiline=True, max_length=2000)),
        ],
        submit="Return it",
        private_metadata=str(draft_id),
    )


def regime_select(initial: str = AUTO) -> dict[str, Any]:
    options = [option("Let foibot decide", AUTO)] + [
        option(name, regime.value) for regime, name in REGIME_NAMES.items()
    ]
    chosen = next((o for o in options if o["value"] == initial), options[0])
    return {
        "type": "static_select",
        "action_id": "value",
        "options": options,
        "initial_option": chosen,
    }


def new_request_modal(today: date, text: str = "") -> dict[str, Any]:
    """A request that arrived by post or phone (or from the global shortcut)."""
    via = {
        "type": "radio_buttons",
        "action_id": "value",
        "initial_option": option("Post", Channel.POST.value),
        "options": [option("Post", Channel.POST.value), option("Phone", Channel.PHONE.value)],
    }
    return modal(
        View.NEW_REQUEST.value,
        "Log a request",
        [
            input_block("name", "Requester's name", text_input("value", max_length=200)),
            input_block(
                "email",
                "Email address",
                {"type": "email_text_input", "action_id": "value"},
                optional=True,
                hint="We email the acknowledgement and the response here.",
            ),
            input_block(
                "address",
                "Postal address",
                text_input("value", multiline=True, max_length=1000),
                optional=True,
                hint="Needed when there is no email address.",
            ),
            input_block(
                "received",
                "Date received",
                {"type": "datepicker", "action_id": "value", "initial_date": today.isoformat()},
            ),
            input_block("via", "Received by", via),
            input_block(
                "text",
                "The request",
                text_input("value", multiline=True, initial=text, max_length=3000),
            ),
            input_block("regime", "Type", regime_select()),
        ],
        submit="Log it",
    )


def errors(**by_block: str) -> dict[str, Any]:
    """The ack body that shows errors beside the fields in an open modal."""
    return {"response_action": "errors", "errors": by_block}
