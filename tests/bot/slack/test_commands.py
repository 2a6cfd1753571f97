"""`/foi status|due|mine|find` and the App Home tab."""

from __future__ import annotations

from tests.bot.slack import payloads
from tests.bot.slack.conftest import FOI_TEXT, OFFICER, Harness
from tests.bot.slack.test_triage import open_case

BINS = FOI_TEXT.replace("potholes", "missed bin collections")


async def test_status_answers_privately_with_where_a_case_stands(slack: Harness) -> None:
    case = await open_case(slack)
    status, reply = await slack.command(f"status {case.reference.lower()}")
    assert status == 200 and reply["response_type"] == "ephemeral"
    text = str(reply["blocks"])
    assert case.reference in text and "Jo Bloggs" in text and "Open" in text

    forged = case.reference[:-1] + ("X" if case.reference[-1] != "X" else "Y")
    _, reply = await slack.command(f"status {forged}")
    assert "No case has the reference" in reply["text"]
    _, reply = await slack.command("status")
    assert "Usage" in reply["text"]


async def test_due_lists_cases_due_within_n_working_days(slack: Harness) -> None:
    case = await open_case(slack)
    _, reply = await slack.command("due 30")
    assert case.reference in str(reply["blocks"])
    _, reply = await slack.command("due 2")  # a new request has 20 working days
    assert case.reference not in str(reply["blocks"]) and "Nothing due" in str(reply["blocks"])
    _, reply = await slack.command("due soon")
    assert "Usage" in reply["text"]


async def test_mine_lists_the_cases_assigned_to_me(slack: Harness) -> None:
    case = await open_case(slack)
    _, reply = await slack.command("mine")
    assert "Nothing assigned" in str(reply["blocks"])
    await slack.click(OFFICER, slack.card(case.reference), "case_assign")
    await slack.until_db(lambda s: s.get(type(case), case.id).assignee == OFFICER)  # type: ignore[union-attr]
    _, reply = await slack.command("mine", user=OFFICER)
    assert case.reference in str(reply["blocks"])


async def test_find_is_fuzzy_over_references_requesters_and_subjects(slack: Harness) -> None:
    potholes = await open_case(slack)
    bins = await open_case(slack, BINS, user=OFFICER)
    _, reply = await slack.command("find jo blogs")  # a typo in the requester's name
    assert potholes.reference in str(reply["blocks"])
    _, reply = await slack.command("find missed bin colections")
    found = str(reply["blocks"])
    assert bins.reference in found
    if potholes.reference in found:  # the best match comes first
        assert found.index(bins.reference) < found.index(potholes.reference)
    _, reply = await slack.command(f"find {bins.reference}")
    assert bins.reference in str(reply["blocks"])
    _, reply = await slack.command("find")
    assert "Usage" in reply["text"]


async def test_help_for_anything_else(slack: Harness) -> None:
    _, reply = await slack.command("")
    assert "/foi status REF" in reply["text"]


async def test_app_home_shows_my_cases_and_the_teams_due_soon(slack: Harness) -> None:
    mine = await open_case(slack)
    await slack.click(OFFICER, slack.card(mine.reference), "case_assign")
    await slack.until_db(lambda s: s.get(type(mine), mine.id).assignee == OFFICER)  # type: ignore[union-attr]
    event = {
        "type": "app_home_opened",
        "user": OFFICER,
        "channel": "D0OFFICER",
        "tab": "home",
        "event_ts": payloads.new_ts(),
    }
    status, _ = await slack.event(event)
    assert status == 200
    published = await slack.until(lambda: slack.fake.made("views.publish"))
    assert published[0].args["user_id"] == OFFICER
    view = published[0].args["view"]
    assert view["type"] == "home"
    text = str(view["blocks"])
    assert "Your cases" in text and mine.reference in text and "due in the next" in text
