"""Drafting and approval in Slack: Draft response (the modal, its outcome menu and exemption
search), then Approve / Edit / Reject on the draft posted in the case's thread.

Only approvers may approve or reject, and by default nobody approves their own draft: anyone
else's click gets a private explanation and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from sqlmodel import Session

from bot.slack.approval import approve, draft_meta, pending, reject, submit_draft
from bot.slack.cards import Action
from bot.slack.context import SlackContext
from bot.slack.drafting import (
    MAX_EXEMPTIONS,
    OUTCOME_ACTION,
    DraftForm,
    DraftMeta,
    LetterType,
    draft_modal,
    exemption_block_ids,
    search_exemptions,
)
from bot.slack.modals import View, errors, reject_modal, text_of
from bot.slack.notify import queue_ephemeral, queue_message
from bot.slack.on_triage import case_id_of, where
from bot.slack.triage import open_case_by_id
from intake.drafts import pending_draft
from intake.models import Case
from replies.response import Outcome

log = logging.getLogger("foibot.slack")


def thread_of(body: dict[str, Any]) -> str:
    message = body.get("message") or {}
    return str(message.get("thread_ts") or body.get("container", {}).get("thread_ts") or "")


def first_form(session: Session, case: Case, letter: LetterType) -> DraftForm:
    """A new draft starts from what the case already says (a repeat names its original)."""
    parent = session.get(Case, case.parent_id) if case.parent_id else None
    if letter is LetterType.RESPONSE and parent is not None and "repeat_request" in case.flags:
        return DraftForm(outcome=Outcome.REPEATED.value, previous_request=parent.reference)
    return DraftForm.first(letter)


def draft_id_of(action: dict[str, Any]) -> int | None:
    try:
        return int(action.get("value", ""))
    except (TypeError, ValueError):
        return None


def register(app: AsyncApp, ctx: SlackContext) -> None:
    settings = ctx.settings

    async def refuse(body: dict[str, Any], text: str) -> None:
        channel, user = where(body)
        thread = thread_of(body)
        if channel:
            await ctx.run(
                lambda s: queue_ephemeral(s, channel, user, text, ctx.now(), thread_ts=thread)
            )
        else:
            await ctx.run(lambda s: queue_message(s, user, text, ctx.now()))

    @app.action(Action.DRAFT.value)
    async def on_draft(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        case_id = case_id_of(action)
        if case_id is None:
            return

        def read(session: Session) -> dict[str, Any] | str:
            case, refusal = open_case_by_id(session, case_id)
            if case is None:
                return refusal
            existing = pending_draft(session, case_id)
            meta = draft_meta(case, existing.id if existing else None)
            if meta is None:
                return f"{case.reference} has no type yet: set it on the card first."
            if existing is not None:
                form = DraftForm.from_values(existing.content)
            else:
                form = first_form(session, case, meta.letter)
            return draft_modal(meta, form, ctx.catalogue)

        view = await ctx.db.run(read)
        if isinstance(view, str):
            await refuse(body, view)
            return
        await ctx.open_view(body["trigger_id"], view)

    @app.action(OUTCOME_ACTION)
    @app.action(Action.EXEMPTIONS.value)
    async def on_redraw(ack: AsyncAck, body: dict[str, Any]) -> None:
        """Choosing an outcome redraws the modal with the fields that outcome needs; choosing
        or removing an exemption, with a group of reasons for each one chosen. What was typed
        so far is carried over (the view's state is read back into the new view)."""
        await ack()
        view = body.get("view") or {}
        meta = DraftMeta.load(view.get("private_metadata", "{}"))
        form = DraftForm.from_view(view, meta.letter, meta.law)
        try:
            await ctx.client.views_update(
                view_id=view["id"],
                hash=view.get("hash"),
                view=draft_modal(meta, form, ctx.catalogue),
            )
        except Exception as exc:  # a stale hash: the user changed it again meanwhile
            log.info("views.update for the draft modal: %s", exc)

    @app.options(Action.EXEMPTIONS.value)
    async def on_exemption_search(ack: AsyncAck, body: dict[str, Any]) -> None:
        meta = DraftMeta.load((body.get("view") or {}).get("private_metadata", "{}"))
        await ack(options=search_exemptions(ctx.catalogue, meta.law, str(body.get("value", ""))))

    @app.view(View.DRAFT.value)
    async def on_draft_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = DraftMeta.load(view["private_metadata"])
        form = DraftForm.from_view(view, meta.letter, meta.law)
        user = body["user"]["id"]
        if len(form.exemptions) > MAX_EXEMPTIONS:
            await ack(errors(exemptions=f"At most {MAX_EXEMPTIONS} exemptions in one draft."))
            return
        drawn = {b.get("block_id") for b in view.get("blocks") or []}
        if not set(exemption_block_ids(form, ctx.catalogue, meta.law)) <= drawn:
            # Submitted before the redraw for a newly chosen exemption arrived: show its
            # fields now rather than judge the draft without them.
            await ack(response_action="update", view=draft_modal(meta, form, ctx.catalogue))
            return
        # The letter's completeness check runs before the ack so its findings can be shown in
        # the modal; it is a render and a few reads, well inside Slack's 3 seconds.
        submitted = await ctx.run(
            lambda s: submit_draft(s, meta, form, user, settings, ctx.now(), ctx.catalogue)
        )
        if submitted.errors:
            await ack(errors(**submitted.errors))
            return
        await ack()

    @app.action(Action.APPROVE.value)
    async def on_approve(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        draft_id, user = draft_id_of(action), body["user"]["id"]
        if draft_id is None:
            return
        draft, _, refusal = await ctx.db.run(lambda s: pending(s, draft_id))
        if draft is None:
            await refuse(body, refusal)
            return
        refusal = await ctx.approvers.refusal(user, draft.drafter)
        if refusal:
            await refuse(body, refusal)
            return
        done = await ctx.run(
            lambda s: approve(s, draft_id, user, settings, ctx.now(), ctx.catalogue)
        )
        if not done.ok:
            await refuse(body, done.refusal)

    @app.action(Action.EDIT.value)
    async def on_edit(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        draft_id = draft_id_of(action)
        if draft_id is None:
            return

        def read(session: Session) -> dict[str, Any] | str:
            draft, case, refusal = pending(session, draft_id)
            if draft is None or case is None:
                return refusal
            meta = draft_meta(case, draft.id)
            if meta is None:
                return f"{case.reference} has no type any more: set it on the card first."
            return draft_modal(meta, DraftForm.from_values(draft.content), ctx.catalogue)

        view = await ctx.db.run(read)
        if isinstance(view, str):
            await refuse(body, view)
            return
        await ctx.open_view(body["trigger_id"], view)

    @app.action(Action.REJECT.value)
    async def on_reject(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        draft_id, user = draft_id_of(action), body["user"]["id"]
        if draft_id is None:
            return
        if not await ctx.approvers.is_approver(user):
            await refuse(body, "Only approvers can return a draft. Ask one to look at it.")
            return
        draft, case, refusal = await ctx.db.run(lambda s: pending(s, draft_id))
        if draft is None or case is None:
            await refuse(body, refusal)
            return
        await ctx.open_view(body["trigger_id"], reject_modal(draft_id, case.reference))

    @app.view(View.REJECT.value)
    async def on_reject_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        reason = text_of(view, "reason")
        if not reason:
            await ack(errors(reason="Say why, so the drafter can fix it."))
            return
        await ack()
        draft_id, user = int(view["private_metadata"]), body["user"]["id"]
        if not await ctx.approvers.is_approver(user):
            await ctx.run(
                lambda s: queue_message(s, user, "Only approvers can return a draft.", ctx.now())
            )
            return
        done = await ctx.run(lambda s: reject(s, draft_id, reason, user, settings, ctx.now()))
        if not done.ok:
            await ctx.run(lambda s: queue_message(s, user, done.refusal, ctx.now()))
