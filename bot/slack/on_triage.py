"""The card's buttons: Assign to me, Change type, Not a request, Ask for clarification,
Repeat/duplicate. Every click is acknowledged first; a refusal (the case closed meanwhile, a
bad reference) comes back as an ephemeral message and changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from sqlmodel import Session

from bot.slack.cards import Action
from bot.slack.context import SlackContext
from bot.slack.letters import ask_for_clarification
from bot.slack.modals import (
    Relation,
    View,
    clarify_modal,
    duplicate_modal,
    errors,
    selected,
    text_of,
)
from bot.slack.notify import queue_ephemeral, queue_message
from bot.slack.triage import Done, assign, change_type, link, not_a_request, open_case_by_id
from intake.models import Case
from intake.regime import Regime

log = logging.getLogger("foibot.slack")


def case_id_of(action: dict[str, Any]) -> int | None:
    """Buttons carry the case id as their value; the type menu has it in its block id."""
    raw = action.get("value") or str(action.get("block_id", "")).partition(":")[2]
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def where(body: dict[str, Any]) -> tuple[str, str]:
    """(channel, user) of a click: where to answer it privately."""
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get(
        "channel_id", ""
    )
    return str(channel), str(body["user"]["id"])


def register(app: AsyncApp, ctx: SlackContext) -> None:
    settings = ctx.settings

    async def apply(body: dict[str, Any], work: Callable[[Session], Done]) -> Done:
        """Run a change; tell the user privately when it was refused."""
        channel, user = where(body)

        def run(session: Session) -> Done:
            done = work(session)
            if not done.ok and channel:
                queue_ephemeral(session, channel, user, done.refusal, ctx.now())
            return done

        return await ctx.run(run)

    async def open_modal_for_case(
        body: dict[str, Any],
        action: dict[str, Any],
        modal: Callable[[Case], dict[str, Any]],
    ) -> None:
        """Open a modal about the clicked card's case; if it is closed or gone, say so privately
        to whoever clicked."""
        case_id = case_id_of(action)
        if case_id is None:
            return

        def read(session: Session) -> dict[str, Any] | None:
            case, refusal = open_case_by_id(session, case_id)
            if case is None:
                channel, user = where(body)
                queue_ephemeral(session, channel, user, refusal, ctx.now())
                return None
            return modal(case)

        view = await ctx.run(read)
        if view is not None:
            await ctx.open_view(body["trigger_id"], view)

    @app.action(Action.ASSIGN.value)
    async def on_assign(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        case_id, user = case_id_of(action), body["user"]["id"]
        if case_id is not None:
            await apply(body, lambda s: assign(s, case_id, user, settings, ctx.now()))

    @app.action(Action.CHANGE_TYPE.value)
    async def on_change_type(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        case_id, user = case_id_of(action), body["user"]["id"]
        value = (action.get("selected_option") or {}).get("value", "")
        if case_id is None or value not in {r.value for r in Regime}:
            return
        regime = Regime(value)
        await apply(body, lambda s: change_type(s, case_id, regime, user, settings, ctx.now()))

    @app.action(Action.NOT_REQUEST.value)
    async def on_not_request(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        case_id, user = case_id_of(action), body["user"]["id"]
        if case_id is not None:
            await apply(body, lambda s: not_a_request(s, case_id, user, settings, ctx.now()))

    @app.action(Action.CLARIFY.value)
    async def on_clarify(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()

        def modal(case: Case) -> dict[str, Any]:
            requester = case.requester_name or case.requester_email or case.requester_address
            return clarify_modal(case.id or 0, case.reference, requester)

        await open_modal_for_case(body, action, modal)

    @app.view(View.CLARIFY.value)
    async def on_clarify_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        question = text_of(view, "question")
        if not question:
            await ack(errors(question="Say what you need them to clarify."))
            return
        await ack()
        case_id, user = int(view["private_metadata"]), body["user"]["id"]
        done = await ctx.run(
            lambda s: ask_for_clarification(
                s, case_id, question, user, settings, ctx.now(), ctx.catalogue
            )
        )
        if not done.ok:
            await _tell(ctx, user, done.refusal)

    @app.action(Action.DUPLICATE.value)
    async def on_duplicate(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await open_modal_for_case(
            body, action, lambda case: duplicate_modal(case.id or 0, case.reference)
        )

    @app.view(View.DUPLICATE.value)
    async def on_duplicate_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        reference = text_of(view, "reference")
        relation = Relation(selected(view, "relation") or Relation.DUPLICATE.value)
        case_id, user = int(view["private_metadata"]), body["user"]["id"]
        # The reference is checked before the ack, so a typo is shown beside the field.
        done = await ctx.run(
            lambda s: link(s, case_id, reference, relation, user, settings, ctx.now())
        )
        if not done.ok:
            await ack(errors(reference=done.refusal))
            return
        await ack()


async def _tell(ctx: SlackContext, user: str, text: str) -> None:
    """A private note in the user's DM with foibot (modals have no channel to answer in)."""
    await ctx.run(lambda s: queue_message(s, user, text, ctx.now()))
