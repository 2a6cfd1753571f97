"""Drafting and approval: the draft modal (outcome, searchable exemptions, public interest),
the lawful-letter check shown in the modal, the draft in the case's thread, and Approve /
Edit / Reject, with only approvers signing off and never their own drafts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.service import start_service
from intake.models import Case, CaseStatus, EventKind
from tests.bot.slack import payloads
from tests.bot.slack.conftest import (
    APPROVER,
    FOI_TEXT,
    GROUP_APPROVER,
    OFFICER,
    STAFF,
    STRANGER,
    Harness,
    Relay,
    find_element,
    slack_settings,
)
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.test_triage import open_case

REQUESTER_EMAIL = "jo.bloggs@example.org"


def text_value(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


S31_WHY = (
    "The exact locations of unrepaired potholes under police investigation would prejudice "
    "the detection of crime."
)


def reasons_for(
    ref: str,
    why: str = S31_WHY,
    pit_for: str = "Transparency about road safety\nAccountability for spending",
    pit_against: str = "Prejudice to live investigations",
    conclusion: str = "The public interest favours withholding the locations.",
    qualified: bool = True,
) -> dict[str, dict[str, Any]]:
    """The state of one exemption's group of fields in the draft modal."""
    state = {f"why:{ref}": text_value(why)}
    if qualified:
        state[f"pit_for:{ref}"] = text_value(pit_for)
        state[f"pit_against:{ref}"] = text_value(pit_against)
        state[f"conclusion:{ref}"] = text_value(conclusion)
    return state


def picked(exemptions: list[str]) -> dict[str, Any]:
    return {
        "draft_exemptions": {
            "type": "multi_external_select",
            "selected_options": [{"value": ref} for ref in exemptions],
        }
    }


def part_response(exemptions: list[str]) -> dict[str, dict[str, Any]]:
    """The modal's state for a partial disclosure citing these (qualified) exemptions, each
    with its own reasons."""
    state: dict[str, dict[str, Any]] = {
        "outcome": {
            "draft_outcome": {"type": "static_select", "selected_option": {"value": "part"}}
        },
        "summary": text_value("The numbers of potholes reported are in the attached table."),
        "exemptions": picked(exemptions),
    }
    for ref in exemptions:
        state.update(reasons_for(ref))
    return state


async def open_modal(slack: Harness, user: str, message: dict[str, Any], action: str) -> Any:
    before = len(slack.fake.made("views.open"))
    await slack.click(user, message, action)
    opened = await slack.until(lambda: slack.fake.made("views.open")[before:])
    return opened[0].args["view"]


async def drafted(slack: Harness, drafter: str = OFFICER) -> tuple[Case, dict[str, Any]]:
    """A case with a complete draft posted for approval; returns the draft message."""
    case = await open_case(slack)
    view = await open_modal(slack, drafter, slack.card(case.reference), "case_draft")
    state = part_response(["s31(1)(a)"])
    view = await redrawn(slack, view, state)
    status, body = await slack.submit(drafter, view, state)
    assert (status, body) == (200, "")
    message = await draft_message(slack, case)
    return case, message


async def draft_message(slack: Harness, case: Case, version: int = 1) -> dict[str, Any]:
    title = f"Draft response v{version} · {case.reference}"

    def find() -> dict[str, Any] | None:
        for call in slack.fake.made("chat.postMessage"):
            blocks = call.args.get("blocks") or []
            if blocks and blocks[0]["text"]["text"] == title:
                return {**call.args, "ts": call.response["ts"]}
        return None

    return await slack.until(find)  # type: ignore[no-any-return]


def latest(slack: Harness, message: dict[str, Any]) -> dict[str, Any]:
    """The message as last updated."""
    current = message
    for call in slack.fake.made("chat.update"):
        if call.args.get("ts") == message["ts"]:
            current = {**call.args, "thread_ts": message.get("thread_ts")}
    return current


async def test_draft_modal_offers_the_fields_of_each_outcome_and_searches_exemptions(
    slack: Harness,
) -> None:
    case = await open_case(slack)
    view = await open_modal(slack, OFFICER, slack.card(case.reference), "case_draft")
    assert view["callback_id"] == "draft_modal"
    blocks = [b.get("block_id") for b in view["blocks"]]
    assert "summary" in blocks and "exemptions" not in blocks  # "provided in full" by default

    # Choosing "in part" redraws the modal with the exemption and public interest fields.
    opened = payloads.opened_view(view, {})
    choice = {
        "type": "static_select",
        "action_id": "draft_outcome",
        "block_id": "outcome",
        "selected_option": {"text": {"type": "plain_text", "text": "In part"}, "value": "part"},
    }
    opened["state"]["values"] = {"outcome": {"draft_outcome": choice}}
    await slack.interact(payloads.view_actions(OFFICER, choice, opened))
    updated = await slack.until(lambda: slack.fake.made("views.update"))
    assert updated[0].args["view_id"] == opened["id"] and updated[0].args["hash"] == opened["hash"]
    redrawn = [b.get("block_id") for b in updated[0].args["view"]["blocks"]]
    assert {"summary", "exemptions"} <= set(redrawn)
    picker = next(b for b in updated[0].args["view"]["blocks"] if b.get("block_id") == "exemptions")
    assert picker["dispatch_action"] is True  # choosing exemptions redraws the modal again

    # The exemption picker searches the catalogue for the case's law.
    status, body = await slack.interact(
        payloads.block_suggestion(
            OFFICER, "draft_exemptions", "exemptions", "prevention crime", opened
        )
    )
    assert status == 200
    values = [o["value"] for o in json.loads(body)["options"]]
    assert "s31(1)(a)" in values[:5]
    assert not any(v.startswith("reg") for v in values)  # an FOI case: no EIR exceptions


async def test_an_incomplete_refusal_is_shown_in_the_modal_and_saves_nothing(
    slack: Harness,
) -> None:
    case = await open_case(slack)
    view = await open_modal(slack, OFFICER, slack.card(case.reference), "case_draft")
    state = part_response([])
    status, body = await slack.submit(OFFICER, view, state)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "exemption" in answer["errors"]["exemptions"]
    await asyncio.sleep(0.2)
    assert (await slack.case(case.id or 0)).status == CaseStatus.OPEN.value
    assert EventKind.DRAFTED.value not in [e.kind for e in await slack.events(case.id or 0)]


async def test_approval_by_an_approver_sends_the_letter_and_closes_the_case(
    slack: Harness,
) -> None:
    case, message = await drafted(slack)
    card = slack.card(case.reference)
    assert message["thread_ts"] == card["ts"]  # in the case's thread
    text = str(message["blocks"])
    assert "section 31(1)(a)" in text and "public interest" in text.lower()
    assert (await slack.case(case.id or 0)).status == CaseStatus.AWAITING_APPROVAL.value
    message = {**message, "thread_ts": card["ts"]}
    approve_button, _ = find_element(message["blocks"], "draft_approve")
    assert "confirm" in approve_button  # Slack asks "Send this letter?" before the click counts

    # Someone who is not an approver: a private explanation, nothing else.
    events_before = len(await slack.events(case.id or 0))
    await slack.click(STRANGER, message, "draft_approve")
    note = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert note[0].args["user"] == STRANGER and "Only approvers" in note[0].args["text"]
    assert note[0].args.get("thread_ts") == card["ts"]
    await asyncio.sleep(0.3)
    assert len(await slack.events(case.id or 0)) == events_before
    assert [m for m in slack.relay.to(REQUESTER_EMAIL) if "Our response" in m["Subject"]] == []

    # A member of the approvers' user group signs it off.
    await slack.click(GROUP_APPROVER, message, "draft_approve")
    letters = await slack.until(
        lambda: [m for m in slack.relay.to(REQUESTER_EMAIL) if "Our response" in m["Subject"]]
    )
    letter = letters[0]
    assert case.reference in str(letter["Subject"])
    assert "Auto-Submitted" not in letter  # a person sent it
    body = letter.get_body(("plain",)).get_content()
    assert "31(1)(a)" in body and "Transparency about road safety" in body

    await slack.until_db(
        lambda s: (c := s.get(Case, case.id)) is not None and c.status == CaseStatus.CLOSED.value
    )
    assert (await slack.case(case.id or 0)).outcome == "part"
    events = await slack.events(case.id or 0)
    kinds = [e.kind for e in events]
    assert EventKind.APPROVED.value in kinds and EventKind.LETTER_QUEUED.value in kinds
    closing = [e for e in events if e.kind == EventKind.STATUS_CHANGED.value][-1]
    assert closing.detail["exemptions"] == ["s31(1)(a)"] and closing.detail["outcome"] == "part"
    assert closing.actor == f"slack:{GROUP_APPROVER}"

    # The buttons make way for who approved it and when.
    decided = await slack.until(
        lambda: "Approved" in str(latest(slack, message)["blocks"]) and latest(slack, message)
    )
    assert not any(b["type"] == "actions" for b in decided["blocks"])
    assert f"<@{GROUP_APPROVER}>" in str(decided["blocks"])
    card = await slack.until_card(case.reference, lambda c: "approved version 1" in str(c))
    assert not any(b["type"] == "actions" for b in card["blocks"])


async def test_nobody_approves_their_own_draft(slack: Harness) -> None:
    case, message = await drafted(slack, drafter=APPROVER)
    await slack.click(APPROVER, message, "draft_approve")
    note = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert "another approver" in note[0].args["text"]
    await asyncio.sleep(0.3)
    assert (await slack.case(case.id or 0)).status == CaseStatus.AWAITING_APPROVAL.value
    assert EventKind.APPROVED.value not in [e.kind for e in await slack.events(case.id or 0)]


async def test_reject_asks_for_a_reason_and_returns_the_case_to_its_drafter(
    slack: Harness,
) -> None:
    case, message = await drafted(slack)
    # A non-approver can't return it either.
    await slack.click(STRANGER, message, "draft_reject")
    await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert slack.fake.made("views.open")[-1].args["view"]["callback_id"] == "draft_modal"

    view = await open_modal(slack, APPROVER, message, "draft_reject")
    assert view["callback_id"] == "reject_modal"
    reason = "Please give the totals by ward as well."
    status, body = await slack.submit(APPROVER, view, {"reason": text_value(reason)})
    assert (status, body) == (200, "")
    await slack.until_db(
        lambda s: (c := s.get(Case, case.id)) is not None and c.status == CaseStatus.OPEN.value
    )
    assert (await slack.case(case.id or 0)).assignee == OFFICER
    rejected = [e for e in await slack.events(case.id or 0) if e.kind == EventKind.REJECTED.value]
    assert rejected[0].detail["reason"] == reason and rejected[0].actor == f"slack:{APPROVER}"
    notice = await slack.until(
        lambda: [p for p in slack.fake.posts(channel=STAFF) if "was returned" in p["text"]]
    )
    assert f"<@{OFFICER}>" in notice[0]["text"] and reason in notice[0]["text"]
    decided = await slack.until(
        lambda: "Returned" in str(latest(slack, message)["blocks"]) and latest(slack, message)
    )
    assert not any(b["type"] == "actions" for b in decided["blocks"])


async def test_edit_reopens_the_modal_with_the_drafts_values_and_supersedes_it(
    slack: Harness,
) -> None:
    case, message = await drafted(slack)
    view = await open_modal(slack, OFFICER, message, "draft_edit")
    summary = next(b for b in view["blocks"] if b.get("block_id") == "summary")
    assert "attached table" in summary["element"]["initial_value"]
    picked = next(b for b in view["blocks"] if b.get("block_id") == "exemptions")
    assert [o["value"] for o in picked["element"]["initial_options"]] == ["s31(1)(a)"]

    state = part_response(["s31(1)(a)"])
    state["summary"] = text_value("The numbers, by ward, are in the attached table.")
    status, body = await slack.submit(OFFICER, view, state)
    assert (status, body) == (200, "")
    second = await draft_message(slack, case, version=2)
    assert "by ward" in str(second["blocks"])
    replaced = await slack.until(
        lambda: "Replaced by version 2" in str(latest(slack, message)["blocks"])
    )
    assert replaced
    # The old version can no longer be approved.
    await slack.click(APPROVER, message, "draft_approve")
    note = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert "already superseded" in note[0].args["text"]
    kinds = [e.kind for e in await slack.events(case.id or 0)]
    assert kinds.count(EventKind.DRAFTED.value) == 2


async def retype(slack: Harness, case: Case, regime: str, label: str) -> None:
    await slack.click(
        OFFICER,
        slack.card(case.reference),
        "case_change_type",
        selected_option={"text": {"type": "plain_text", "text": label}, "value": regime},
    )
    await slack.until_db(lambda s: (c := s.get(Case, case.id)) is not None and c.regime == regime)


async def approve_and_get_letter(
    slack: Harness, case: Case, subject: str, approver: str = APPROVER
) -> Any:
    message = await draft_message(slack, case)
    await slack.click(approver, message, "draft_approve")
    letters = await slack.until(
        lambda: [m for m in slack.relay.to(REQUESTER_EMAIL) if subject in m["Subject"]]
    )
    return letters[0]


async def test_subject_access_cases_get_the_subject_access_response(slack: Harness) -> None:
    case = await open_case(slack)
    await retype(slack, case, "sar", "Subject access")
    view = await open_modal(slack, OFFICER, slack.card(case.reference), "case_draft")
    outcome = next(b for b in view["blocks"] if b.get("block_id") == "outcome")
    assert [o["value"] for o in outcome["element"]["options"]] == ["sar-response"]
    assert {"enclosed", "withheld"} <= {b.get("block_id") for b in view["blocks"]}

    state: dict[str, Any] = {
        "outcome": {
            "draft_outcome": {
                "type": "static_select",
                "selected_option": {"value": "sar-response"},
            }
        },
        "enclosed": text_value(""),
        "withheld": text_value(""),
    }
    status, body = await slack.submit(OFFICER, view, state)
    assert "enclosed" in json.loads(body)["errors"]

    state["enclosed"] = text_value("Copies of the emails that mention you, in date order.")
    status, body = await slack.submit(OFFICER, view, state)
    assert (status, body) == (200, "")
    letter = await approve_and_get_letter(slack, case, "subject access")
    assert "in date order" in letter.get_body(("plain",)).get_content()
    closed = await slack.case(case.id or 0)
    assert closed.status == CaseStatus.CLOSED.value and closed.outcome == "sar-response"


async def test_internal_review_cases_get_the_review_outcome(slack: Harness) -> None:
    case = await open_case(slack)
    await retype(slack, case, "review", "Internal review")
    view = await open_modal(slack, OFFICER, slack.card(case.reference), "case_draft")
    outcome = next(b for b in view["blocks"] if b.get("block_id") == "outcome")
    assert [o["value"] for o in outcome["element"]["options"]] == [
        "upheld",
        "partly-upheld",
        "overturned",
    ]
    state = part_response(["s31(1)(a)"])
    state["outcome"] = {
        "draft_outcome": {"type": "static_select", "selected_option": {"value": "upheld"}}
    }
    state["findings"] = text_value("The original response applied section 31 correctly.")
    view = await redrawn(slack, view, state)
    status, body = await slack.submit(OFFICER, view, state)
    assert (status, body) == (200, "")
    letter = await approve_and_get_letter(slack, case, "review")
    text = letter.get_body(("plain",)).get_content()
    assert "applied section 31 correctly" in text
    assert (await slack.case(case.id or 0)).outcome == "upheld"


S40_WHY = "The names of the inspectors are their personal data; disclosure would be unfair."


async def choose(
    slack: Harness, view: dict[str, Any], state: dict[str, dict[str, Any]], action: dict[str, Any]
) -> dict[str, Any]:
    """Make a choice inside the open modal; returns the view foibot redraws it as."""
    before = len(slack.fake.made("views.update"))
    opened = payloads.opened_view(view, state)
    await slack.interact(payloads.view_actions(OFFICER, action, opened))
    updated = await slack.until(lambda: slack.fake.made("views.update")[before:])
    assert updated[0].args["view_id"] == opened["id"]
    return updated[0].args["view"]  # type: ignore[no-any-return]


async def redrawn(
    slack: Harness, view: dict[str, Any], state: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The modal as foibot redraws it once the exemptions in `state` are chosen."""
    chosen = state.get("exemptions", {}).get("draft_exemptions", {})
    action = {**chosen, "action_id": "draft_exemptions", "block_id": "exemptions"}
    return await choose(slack, view, state, action)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def test_each_exemption_gets_its_own_reasons_and_public_interest_test(
    slack: Harness,
) -> None:
    """FOIA s17(1)(c): why each exemption applies; s17(3): the public interest test for each
    qualified one. Choosing exemptions redraws the modal with a group of fields per exemption,
    and the letter gives each exemption its own reasons."""
    case = await open_case(slack)
    view = await open_modal(slack, OFFICER, slack.card(case.reference), "case_draft")
    outcome = {
        "type": "static_select",
        "action_id": "draft_outcome",
        "block_id": "outcome",
        "selected_option": {"value": "part"},
    }
    state: dict[str, dict[str, Any]] = {
        "outcome": {"draft_outcome": outcome},
        "summary": text_value("The numbers of potholes reported are in the attached table."),
    }
    view = await choose(slack, view, state, outcome)
    assert not [b for b in view["blocks"] if ":" in str(b.get("block_id", ""))]

    # Two exemptions chosen: a qualified one (s31) and an absolute one (s40(2)).
    chosen = {
        "type": "multi_external_select",
        "action_id": "draft_exemptions",
        "block_id": "exemptions",
        "selected_options": [{"value": "s31(1)(a)"}, {"value": "s40(2)"}],
    }
    state["exemptions"] = {"draft_exemptions": chosen}
    view = await choose(slack, view, state, chosen)
    ids = [b.get("block_id") for b in view["blocks"]]
    s31 = ["why:s31(1)(a)", "pit_for:s31(1)(a)", "pit_against:s31(1)(a)", "conclusion:s31(1)(a)"]
    assert all(i in ids for i in s31) and "why:s40(2)" in ids
    assert not [i for i in ids if str(i).endswith(":s40(2)") and i != "why:s40(2)"]
    assert ids.index("conclusion:s31(1)(a)") < ids.index("why:s40(2)")  # one group each
    assert "attached table" in block(view, "summary")["element"]["initial_value"]  # kept
    assert "absolute" in str(view["blocks"]) and "qualified" in str(view["blocks"])

    # A reason for s31 only: the missing one is shown beside s40(2)'s own field.
    state.update(reasons_for("s31(1)(a)"))
    state.update(reasons_for("s40(2)", why="", qualified=False))
    status, body = await slack.submit(OFFICER, view, state)
    errors = json.loads(body)["errors"]
    assert list(errors) == ["why:s40(2)"] and "s17(1)(c)" in errors["why:s40(2)"]

    # Without s31's public interest test: beside each of its fields.
    state.update(reasons_for("s40(2)", why=S40_WHY, qualified=False))
    state.update(reasons_for("s31(1)(a)", pit_for="", conclusion=""))
    status, body = await slack.submit(OFFICER, view, state)
    errors = json.loads(body)["errors"]
    assert set(errors) == {"pit_for:s31(1)(a)", "conclusion:s31(1)(a)"}

    state.update(reasons_for("s31(1)(a)"))
    status, body = await slack.submit(OFFICER, view, state)
    assert (status, body) == (200, "")
    letter = await approve_and_get_letter(slack, case, "Our response")
    text = letter.get_body(("plain",)).get_content()
    s31_at, s40_at = text.index("section 31(1)(a)"), text.index("section 40(2)")
    assert s31_at < text.index("detection of crime") < s40_at < text.index("personal data")
    assert text.count("Transparency about road safety") == 1  # only s31 weighs the interest
    assert text.index("Transparency about road safety") < s40_at
    drafted = [e for e in await slack.events(case.id or 0) if e.kind == EventKind.DRAFTED.value]
    assert drafted[0].detail["exemptions"] == ["s31(1)(a)", "s40(2)"]


async def test_a_submit_before_the_redraw_shows_the_new_exemptions_fields(slack: Harness) -> None:
    case = await open_case(slack)
    view = await open_modal(slack, OFFICER, slack.card(case.reference), "case_draft")
    state = part_response([])
    state["exemptions"] = picked(["s31(1)(a)"])  # chosen, but its fields not drawn yet
    status, body = await slack.submit(OFFICER, view, state)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    assert "why:s31(1)(a)" in [b.get("block_id") for b in answer["view"]["blocks"]]
    await asyncio.sleep(0.2)
    assert EventKind.DRAFTED.value not in [e.kind for e in await slack.events(case.id or 0)]


async def test_an_eir_refusal_as_manifestly_unreasonable_weighs_the_public_interest(
    slack: Harness,
) -> None:
    """EIR reg 12(4)(b) is an exception like any other (reg 12(1)(b)): a cost refusal under
    the EIR needs its public interest test, and the modal collects it."""
    case = await open_case(slack)
    await retype(slack, case, "eir", "EIR")
    view = await open_modal(slack, OFFICER, slack.card(case.reference), "case_draft")
    outcome = {
        "type": "static_select",
        "action_id": "draft_outcome",
        "block_id": "outcome",
        "selected_option": {"value": "cost"},
    }
    state: dict[str, dict[str, Any]] = {"outcome": {"draft_outcome": outcome}}
    view = await choose(slack, view, state, outcome)
    ids = [b.get("block_id") for b in view["blocks"]]
    assert "pit_for:reg12(4)(b)" in ids and "why:reg12(4)(b)" not in ids  # why: the estimate

    state["cost_estimate"] = text_value("Reading 40,000 inspection sheets: 1,300 hours.")
    state["cost_advice"] = text_value("Asking for one ward would bring it within reach.")
    status, body = await slack.submit(OFFICER, view, state)
    errors = json.loads(body)["errors"]
    assert {"pit_for:reg12(4)(b)", "pit_against:reg12(4)(b)"} <= set(errors)

    state.update(
        reasons_for(
            "reg12(4)(b)",
            pit_for="Openness about road maintenance",
            pit_against="Diverting inspectors from repairs",
            conclusion="The burden outweighs the public interest in disclosure.",
        )
    )
    status, body = await slack.submit(OFFICER, view, state)
    assert (status, body) == (200, "")
    letter = await approve_and_get_letter(slack, case, "Our response")
    text = letter.get_body(("plain",)).get_content()
    assert "12(4)(b)" in text and "Diverting inspectors from repairs" in text
    assert "40,000 inspection sheets" in text


def test_a_draft_saved_with_one_reason_for_all_reads_as_one_per_exemption() -> None:
    """Drafts saved before reasons were per exemption still open (Edit) and approve."""
    from bot.slack.drafting import DraftForm, Reasons

    old = {
        "outcome": "withheld",
        "exemptions": ["s31(1)(a)", "s30(1)(a)"],
        "reason": "Shared reason.",
        "pit_for": "For",
        "pit_against": "Against",
        "conclusion": "Balance.",
        "summary": "",
        "letter_text": "…",
    }
    form = DraftForm.from_values(old)
    assert form.reasons == (
        Reasons("s31(1)(a)", "Shared reason.", "For", "Against", "Balance."),
        Reasons("s30(1)(a)", "Shared reason.", "For", "Against", "Balance."),
    )
    assert DraftForm.from_values(form.values()) == form


async def test_a_postal_requests_letter_is_posted_in_the_thread_to_print_and_post(
    slack: Harness,
) -> None:
    await slack.command("new")
    opened = await slack.until(lambda: slack.fake.made("views.open"))
    values: dict[str, dict[str, Any]] = {
        "name": {"value": {"type": "plain_text_input", "value": "Mary Smith"}},
        "email": {"value": {"type": "email_text_input", "value": ""}},
        "address": {"value": {"type": "plain_text_input", "value": "1 High St\nAmbridge"}},
        "received": {"value": {"type": "datepicker", "selected_date": "2024-06-27"}},
        "via": {"value": {"type": "radio_buttons", "selected_option": {"value": "post"}}},
        "text": {"value": {"type": "plain_text_input", "value": FOI_TEXT}},
        "regime": {"value": {"type": "static_select", "selected_option": {"value": "foi"}}},
    }
    assert (await slack.submit(OFFICER, opened[0].args["view"], values)) == (200, "")
    case = (await slack.until_db(lambda s: list(s.exec(select(Case)).all())))[0]
    card = await slack.until_card(case.reference, lambda c: True)
    view = await open_modal(slack, OFFICER, card, "case_draft")
    full = {
        "outcome": {
            "draft_outcome": {"type": "static_select", "selected_option": {"value": "full"}}
        },
        "summary": text_value("The numbers of potholes reported are in the enclosed table."),
    }
    assert (await slack.submit(OFFICER, view, full)) == (200, "")
    message = await draft_message(slack, case)
    assert "post tray" in str(message["blocks"])  # the confirmation says where it goes
    await slack.click(APPROVER, message, "draft_approve")
    posted = await slack.until(
        lambda: [p for p in slack.fake.posts(channel=STAFF) if "print this" in p["text"]]
    )
    assert posted[0]["thread_ts"] == card["ts"] and "1 High St Ambridge" in posted[0]["text"]
    assert "enclosed table" in posted[0]["text"]
    await slack.until_db(
        lambda s: (c := s.get(Case, case.id)) is not None and c.status == CaseStatus.CLOSED.value
    )
    assert (await slack.case(case.id or 0)).outcome == "full"
    assert [m for m in slack.relay.messages if case.reference in str(m["Subject"])] == []


async def test_when_slack_cant_say_who_the_approvers_are_nobody_approves(slack: Harness) -> None:
    case, message = await drafted(slack)
    slack.fake.fail("usergroups.users.list", 500)
    await slack.click(GROUP_APPROVER, message, "draft_approve")
    note = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert note[0].args["user"] == GROUP_APPROVER and "Only approvers" in note[0].args["text"]
    await asyncio.sleep(0.3)
    assert (await slack.case(case.id or 0)).status == CaseStatus.AWAITING_APPROVAL.value


async def test_self_approval_when_the_authority_allows_it(
    database_url: str, tmp_path: Path, fake_slack: FakeSlack, relay: Relay
) -> None:
    settings = slack_settings(database_url, tmp_path, fake_slack, relay, allow_self_approval=True)
    slack = Harness(await start_service(settings), fake_slack, relay)
    try:
        case, message = await drafted(slack, drafter=APPROVER)
        await slack.click(APPROVER, message, "draft_approve")
        await slack.until_db(
            lambda s: (c := s.get(Case, case.id)) and c.status == CaseStatus.CLOSED.value
        )
    finally:
        await slack.close()
        await slack.service.stop()
