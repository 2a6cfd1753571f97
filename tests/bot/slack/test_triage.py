"""Triage from the staff card: every button changes the case, records who did it, and redraws
the card in place."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import select

from intake.clock import compute_deadline
from intake.models import Case, CaseStatus, EventKind
from intake.regime import Regime
from tests.bot.slack import payloads
from tests.bot.slack.conftest import FOI_TEXT, INTAKE, OFFICER, REQUESTER, STAFF, Harness


async def open_case(slack: Harness, text: str = FOI_TEXT, user: str = REQUESTER) -> Case:
    before = {c.id for c in await slack.cases()}
    await slack.event(payloads.message_event(INTAKE, user, text))
    cases = await slack.until_db(
        lambda s: [c for c in s.exec(select(Case)).all() if c.id not in before]
    )
    case = cases[0]
    await slack.until_card(case.reference, lambda c: True)
    await slack.until(lambda: slack.relay.to(case.requester_email) if case.requester_email else 1)
    return case


def card_text(card: dict[str, Any]) -> str:
    return str(card["blocks"])


async def test_assign_to_me_updates_the_card_in_place(slack: Harness) -> None:
    case = await open_case(slack)
    status, _ = await slack.click(OFFICER, slack.card(case.reference), "case_assign")
    assert status == 200
    card = await slack.until_card(case.reference, lambda c: "took the case" in card_text(c))
    assert f"<@{OFFICER}>" in card_text(card)
    updates = slack.fake.made("chat.update")
    assert updates and updates[-1].args["channel"] == STAFF  # the same message, redrawn
    assert (await slack.case(case.id or 0)).assignee == OFFICER
    kinds = [e.kind for e in await slack.events(case.id or 0)]
    assert EventKind.ASSIGNED.value in kinds

    # Again: nothing to do, and only the clicker hears so.
    await slack.click(OFFICER, slack.card(case.reference), "case_assign")
    note = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert "already assigned to you" in note[0].args["text"]


async def test_change_type_recomputes_the_deadline(slack: Harness) -> None:
    case = await open_case(slack)
    assert case.regime == "foi"
    card = slack.card(case.reference)
    await slack.click(
        OFFICER,
        card,
        "case_change_type",
        selected_option={"text": {"type": "plain_text", "text": "Subject access"}, "value": "sar"},
    )
    card = await slack.until_card(case.reference, lambda c: "changed the type" in card_text(c))
    assert "Subject access" in card["blocks"][0]["text"]["text"]
    assert "changed the type from FOI to Subject access" in card_text(card)
    changed = await slack.case(case.id or 0)
    assert changed.regime == "sar"
    # The clock is the subject access one now: a calendar month (UK GDPR Art 12(3)).
    expected = compute_deadline(Regime.SAR, case.received_on).due
    assert changed.due == expected
    kinds = [e.kind for e in await slack.events(case.id or 0)]
    assert EventKind.REGIME_CHANGED.value in kinds
    if expected != case.due:
        assert kinds.count(EventKind.DEADLINE_CHANGED.value) == 2  # at opening, and now


async def test_not_a_request_closes_the_case_and_removes_the_buttons(slack: Harness) -> None:
    case = await open_case(slack)
    await slack.click(OFFICER, slack.card(case.reference), "case_not_request")
    card = await slack.until_card(
        case.reference, lambda c: "marked it not a request" in card_text(c)
    )
    assert not any(b["type"] == "actions" for b in card["blocks"])
    assert (await slack.case(case.id or 0)).status == CaseStatus.NOT_A_REQUEST.value


async def test_clarification_sends_the_letter_and_stops_the_clock(slack: Harness) -> None:
    case = await open_case(slack)
    await slack.click(OFFICER, slack.card(case.reference), "case_clarify")
    opened = await slack.until(lambda: slack.fake.made("views.open"))
    view = opened[0].args["view"]
    assert view["callback_id"] == "clarify_modal"

    # An empty question is refused beside the field.
    empty = {"question": {"value": {"type": "plain_text_input", "value": " "}}}
    status, body = await slack.submit(OFFICER, view, empty)
    assert status == 200 and "errors" in body

    question = "Which roads do you mean: all council roads, or only A roads?"
    values = {"question": {"value": {"type": "plain_text_input", "value": question}}}
    status, body = await slack.submit(OFFICER, view, values)
    assert (status, body) == (200, "")
    letters = await slack.until(
        lambda: [m for m in slack.relay.to("jo.bloggs@example.org") if "understand" in m["Subject"]]
    )
    body_text = letters[0].get_body(("plain",)).get_content()
    assert "only A roads" in body_text and case.reference in str(letters[0]["Subject"])
    card = await slack.until_card(case.reference, lambda c: "Clock stopped" in card_text(c))
    assert "asked the requester to clarify" in card_text(card)
    changed = await slack.case(case.id or 0)
    assert changed.status == CaseStatus.AWAITING_CLARIFICATION.value
    assert changed.clock_stopped and changed.due is None
    kinds = [e.kind for e in await slack.events(case.id or 0)]
    assert EventKind.CLOCK.value in kinds and EventKind.LETTER_QUEUED.value in kinds


async def test_duplicate_links_and_closes_and_a_bad_reference_is_refused(slack: Harness) -> None:
    first = await open_case(slack)
    second = await open_case(slack, FOI_TEXT.replace("potholes", "street lights"), user=OFFICER)
    await slack.click(OFFICER, slack.card(second.reference), "case_duplicate")
    opened = await slack.until(lambda: slack.fake.made("views.open"))
    view = opened[0].args["view"]

    def values(reference: str) -> dict[str, Any]:
        return {
            "reference": {"value": {"type": "plain_text_input", "value": reference}},
            "relation": {
                "value": {"type": "radio_buttons", "selected_option": {"value": "duplicate"}}
            },
        }

    forged = first.reference[:-4] + ("AAAA" if not first.reference.endswith("AAAA") else "BBBB")
    status, body = await slack.submit(OFFICER, view, values(forged))
    assert status == 200 and "errors" in body and "reference" in body
    await asyncio.sleep(0.2)
    assert (await slack.case(second.id or 0)).status == CaseStatus.OPEN.value

    status, body = await slack.submit(OFFICER, view, values(first.reference.lower()))
    assert (status, body) == (200, "")
    card = await slack.until_card(second.reference, lambda c: "duplicate of" in card_text(c))
    assert first.reference in card_text(card)
    linked = await slack.case(second.id or 0)
    assert linked.status == CaseStatus.CLOSED.value and linked.parent_id == first.id


async def test_a_click_on_a_closed_case_changes_nothing(slack: Harness) -> None:
    case = await open_case(slack)
    card = slack.card(case.reference)
    await slack.click(OFFICER, card, "case_not_request")
    await slack.until_card(case.reference, lambda c: "marked it not a request" in card_text(c))
    events = len(await slack.events(case.id or 0))
    await slack.click(OFFICER, card, "case_assign")  # the old card, still on someone's screen
    note = await slack.until(lambda: slack.fake.made("chat.postEphemeral"))
    assert "already not a request" in note[0].args["text"]
    assert len(await slack.events(case.id or 0)) == events


async def test_the_card_shows_repeat_round_robin_and_invalid_request_flags(
    slack: Harness,
) -> None:
    first = await open_case(slack)
    again = await open_case(slack)  # the same requester asks the same thing again
    card = card_text(slack.card(again.reference))
    assert "Possible repeat of an earlier request" in card and first.reference in card
    other = await open_case(slack, FOI_TEXT.replace("Jo Bloggs", "Sam Officer"), user=OFFICER)
    card = card_text(slack.card(other.reference))
    assert "Round robin" in card and first.reference in card

    slack.fake.add_user("UBATMAN", "Batman", "bat@example.org")
    signed = FOI_TEXT.replace("Yours faithfully,\nJo Bloggs", "Thanks,\nBatman").replace(
        "potholes", "gritting routes"
    )
    batman = await open_case(slack, signed, user="UBATMAN")
    assert "Possible invalid request: no real name" in card_text(slack.card(batman.reference))


async def test_a_repeat_stays_open_and_its_draft_starts_as_a_repeated_request_refusal(
    slack: Harness,
) -> None:
    first = await open_case(slack)
    second = await open_case(slack, FOI_TEXT.replace("potholes", "street lights"), user=OFFICER)
    await slack.click(OFFICER, slack.card(second.reference), "case_duplicate")
    opened = await slack.until(lambda: slack.fake.made("views.open"))
    values: dict[str, dict[str, Any]] = {
        "reference": {"value": {"type": "plain_text_input", "value": first.reference}},
        "relation": {"value": {"type": "radio_buttons", "selected_option": {"value": "repeat"}}},
    }
    status, body = await slack.submit(OFFICER, opened[0].args["view"], values)
    assert (status, body) == (200, "")
    card = await slack.until_card(second.reference, lambda c: "repeat of" in card_text(c))
    assert any(b["type"] == "actions" for b in card["blocks"])  # still open: buttons stay
    linked = await slack.case(second.id or 0)
    assert linked.status == CaseStatus.OPEN.value and linked.parent_id == first.id
    assert "repeat_request" in linked.flags

    await slack.click(OFFICER, slack.card(second.reference), "case_draft")
    drafts = await slack.until(lambda: slack.fake.made("views.open")[1:])
    view = drafts[0].args["view"]
    outcome = next(b for b in view["blocks"] if b.get("block_id") == "outcome")
    assert outcome["element"]["initial_option"]["value"] == "repeated"
    earlier = next(b for b in view["blocks"] if b.get("block_id") == "previous_request")
    assert earlier["element"]["initial_value"] == first.reference
