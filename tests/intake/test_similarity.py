"""Reply matching and repeat detection, on references and requests made up for these tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from rapidfuzz import fuzz, process
from sqlmodel import Session

from bot.database import Database
from config.settings import load_settings
from intake import similarity
from intake.cases import NewCase, open_case
from intake.history import History
from intake.models import Channel
from intake.regime import Jurisdiction, Regime
from intake.similarity import (
    MOST_SIMILAR,
    Indexed,
    PriorRequest,
    RequestIndex,
    SimilarCase,
    _prepare,
    comparable,
    find_quoted_case,
    find_repeats,
    find_round_robins,
    match_mistyped_reference,
    match_quoted_subject,
    reference_like,
    subject_key,
)

SETTINGS = dataclasses.replace(
    load_settings(env={}),
    references=dataclasses.replace(load_settings(env={}).references, secret="test-secret"),
)

OPEN = ["IC-315773-L9G6", "IC-402118-7KQM", "IC-100245-X3RT"]


# ---------------------------------------------------------------------------------------------
# Mistyped references


@pytest.mark.parametrize(
    "typed",
    [
        "IC-31573-L9G6",  # a digit dropped
        "IC 315773 L9C6",  # spaces, and G read as C
        "ic315773l9g6",  # lower case, no separators
        "IC-315737-L9G6",  # two digits swapped
        "IC-3157773-L9G6",  # a digit doubled
        "IC-315773-L9G",  # the code cut short
    ],
)
def test_a_mistyped_reference_finds_the_senders_case(typed: str) -> None:
    text = f"Hello, about my request ({typed}) - is there any news?"
    assert match_mistyped_reference(text, OPEN) == "IC-315773-L9G6"


def test_the_exact_reference_matches_itself() -> None:
    assert match_mistyped_reference("Re: IC-402118-7KQM", OPEN) == "IC-402118-7KQM"


def test_no_clear_winner_goes_to_triage() -> None:
    # One slip away from two open cases: which one is meant is a person's call.
    twins = ["IC-315771-L9G6", "IC-315772-L9G6"]
    assert match_mistyped_reference("my reference IC-315770-L9G6", twins) is None


def test_nothing_close_enough_is_none() -> None:
    assert match_mistyped_reference("my reference is AB-999999-ZZZZ", OPEN) is None
    assert match_mistyped_reference("no reference here at all", OPEN) is None
    assert match_mistyped_reference("IC-315773-L9G6", []) is None


def test_reference_shaped_tokens() -> None:
    text = "Re: FOI 2024/118 and IC 315773 L9G6, sent 3 May"
    assert reference_like(text) == ["IC-315773-L9G6", "FOI-2024-118"]
    assert reference_like("the big brown fox") == []  # no digits
    assert reference_like("0161 496 0000") == []  # no letters
    assert match_mistyped_reference("please call 0161 496 0000", OPEN) is None


# ---------------------------------------------------------------------------------------------
# Quoted subjects

CASES = [
    ("IC-315773-L9G6", "Freedom of Information request - Bus lane fines 2023"),
    ("IC-402118-7KQM", "Library closures"),
    ("IC-100245-X3RT", "Gritting routes"),
]


def test_subject_key_strips_prefixes_and_tags() -> None:
    assert subject_key("RE: Fwd: [EXTERNAL] Library Closures!") == "library closures"
    assert subject_key("Re: Freedom of Information request - Bus lane fines") == "bus lane fines"
    assert subject_key("Internal review of FOI request: Gritting") == "gritting"


@pytest.mark.parametrize(
    ("subject", "reference"),
    [
        ("Re: Freedom of Information request - Bus lane fines 2023", "IC-315773-L9G6"),
        ("RE: [EXTERNAL] Library closures", "IC-402118-7KQM"),
        ("Re: LIBRARY CLOSURES", "IC-402118-7KQM"),  # retyped in another case
        ("Re: Gritting routs", "IC-100245-X3RT"),  # a typo
        ("Internal review of Freedom of Information request - Gritting routes", "IC-100245-X3RT"),
    ],
)
def test_a_quoted_subject_finds_the_case(subject: str, reference: str) -> None:
    assert match_quoted_subject(subject, CASES) == reference


def test_an_unclear_subject_is_none() -> None:
    assert match_quoted_subject("Re: Parking permits", CASES) is None
    assert match_quoted_subject("Re:", CASES) is None
    assert match_quoted_subject("Re: Library closures", []) is None
    twins = [("IC-1", "Library closures"), ("IC-2", "Library closures")]
    assert match_quoted_subject("Re: Library closures", twins) is None


def test_a_subject_of_request_wording_names_no_case() -> None:
    # Many requesters give every request the same subject: a new one must open a new case.
    generic = [("IC-1", "Freedom of Information request"), ("IC-2", "FOI Request")]
    for subject in ("Freedom of Information request", "Re: FOI request", "FOI Act 2000 request"):
        assert match_quoted_subject(subject, generic[:1]) is None
        assert match_quoted_subject(subject, generic[1:]) is None


def test_the_numbers_in_a_subject_must_be_the_cases_own() -> None:
    cases = [("IC-1", "Parking fines 2023"), ("IC-2", "Library closures")]
    assert match_quoted_subject("Parking fines 2024", cases) is None  # a new request
    assert match_quoted_subject("Re: Parking fines 2023", cases) == "IC-1"
    assert match_quoted_subject("Re: Parking fnes 2023", cases) == "IC-1"  # typos still match


# ---------------------------------------------------------------------------------------------
# Repeats and round robins

BUDGET = (
    "Dear Council,\n\nPlease send me the library service budget for 2023/24 broken down by "
    "branch, and the number of staff employed at each branch.\n\nYours faithfully,\nJo Bloggs"
)
BUDGET_AGAIN = (
    "Hello,\nCould you send me the library service budget for 2023/24 broken down by branch, "
    "and the number of staff employed at each branch?\nThanks\nJo Bloggs"
)
GRITTING = (
    "Dear Council,\n\nPlease send me a map of the roads gritted in winter 2023 and the cost of "
    "the salt used.\n\nYours faithfully,\nJo Bloggs"
)


def _prior(reference: str, text: str, sender: str = "jo@example.org") -> PriorRequest:
    return PriorRequest(reference, sender, "Request", text)


def test_the_same_request_again_is_a_repeat() -> None:
    earlier = [_prior("IC-1", GRITTING), _prior("IC-2", BUDGET)]
    repeats = find_repeats(BUDGET_AGAIN, earlier)
    assert [r.reference for r in repeats] == ["IC-2"]
    assert repeats[0].score >= 85


def test_a_different_request_is_not_a_repeat() -> None:
    assert find_repeats(GRITTING, [_prior("IC-2", BUDGET)]) == []


def test_the_threshold_decides() -> None:
    earlier = [_prior("IC-2", BUDGET)]
    score = find_repeats(BUDGET_AGAIN, earlier, threshold=0)[0].score
    assert find_repeats(BUDGET_AGAIN, earlier, threshold=score + 0.1) == []
    assert find_repeats(BUDGET_AGAIN, earlier, threshold=score - 0.01) == [
        SimilarCase("IC-2", score)
    ]


def test_a_short_message_is_never_a_repeat() -> None:
    assert find_repeats("Thanks very much.", [_prior("IC-9", "Thanks very much.")]) == []


def test_a_short_request_inside_a_long_one_is_not_the_same() -> None:
    short = "Please send me the library service budget for 2023/24."
    assert find_repeats(short, [_prior("IC-2", BUDGET)]) == []


def test_greeting_and_sign_off_do_not_count() -> None:
    assert comparable(BUDGET).startswith("please send me the library service budget")
    assert "bloggs" not in comparable(BUDGET)


TEMPLATE = (
    "I am writing to request the following information:\n1. The number of electric vehicle "
    "charging points the council has installed since 2020.\n2. The council's budget for new "
    "charging points in 2025."
)


def test_a_campaign_from_many_senders_is_a_round_robin() -> None:
    others = [
        _prior("IC-7", f"Dear Anytown Council,\n\n{TEMPLATE}\n\nRegards,\nAmy Lee", "a@x.org"),
        _prior("IC-8", f"Dear Othertown Council,\n\n{TEMPLATE}\n\nThanks,\nBo Li", "b@x.org"),
        _prior("IC-9", GRITTING, "c@x.org"),
    ]
    text = f"Dear Sir or Madam,\n\n{TEMPLATE}\n\nYours faithfully,\nCal Ng"
    robins = find_round_robins(text, others)
    assert {r.reference for r in robins} == {"IC-7", "IC-8"}
    assert all(r.score >= 90 for r in robins)
    assert [r.score for r in robins] == sorted((r.score for r in robins), reverse=True)


def test_nothing_to_compare_is_no_round_robin() -> None:
    assert find_round_robins(TEMPLATE, []) == []


def test_a_long_template_is_found_against_the_opening_intake_keeps() -> None:
    # intake.history keeps the first 1,500 characters of each request; a new message arrives
    # whole. A long campaign template must still match its stored opening.
    points = [
        f"{n}. The number of {thing} in each ward for each year since 2015, with the cost."
        for n, thing in enumerate(
            ["street lights", "gritting bins", "bus shelters", "public toilets", "benches"] * 6,
            start=1,
        )
    ]
    template = "I request the following information:\n" + "\n".join(points)
    assert len(template) > 2000
    stored = f"Dear Anytown Council,\n\n{template}\n\nRegards,\nAmy Lee"[:1500]
    text = f"Dear Sir or Madam,\n\n{template}\n\nYours faithfully,\nCal Ng"
    robins = find_round_robins(text, [_prior("IC-7", stored, "a@x.org")])
    assert [r.reference for r in robins] == ["IC-7"]


def _crowd(count: int) -> list[PriorRequest]:
    """Unrelated requests, on other subjects, in other words."""
    topics = ["library", "pothole", "parking", "school", "housing", "tree", "bin", "pool"]
    kinds = ["budget", "complaints", "staff", "contracts", "repairs", "visits", "fines"]
    return [
        _prior(
            f"IC-X{n}",
            f"Please send me the {topics[n % 8]} {kinds[n % 7]} for {2000 + n % 25} and the "
            f"names of the {kinds[(n + 3) % 7]} officers for ward {n}.",
            f"x{n}@example.org",
        )
        for n in range(count)
    ]


def test_the_shortlist_loses_no_reworded_request() -> None:
    # Every request is scored cheaply on its content words, and only those that come close
    # are compared in full: a rewording with typos and inflections must still be found among
    # thousands of others, with the score the full comparison gives.
    others = [*_crowd(3000), _prior("IC-2", BUDGET)]
    again = (
        BUDGET_AGAIN.replace("library service", "libary sevrice")
        .replace("each branch", "each brnach")
        .replace("staff", "stafff")
    )
    repeats = find_repeats(again, others)
    assert [r.reference for r in repeats] == ["IC-2"]
    assert repeats[0].score == find_repeats(again, [_prior("IC-2", BUDGET)])[0].score


def test_a_request_of_small_words_is_compared_in_full() -> None:
    small = "Could you please have all of it that you have and any of it you had"
    others = [*_crowd(50), _prior("IC-3", f"{small} now")]
    assert [r.reference for r in find_repeats(small, others)] == ["IC-3"]


def test_a_request_is_prepared_once() -> None:
    prior = _prior("IC-2", BUDGET)
    assert prior.prepared is prior.prepared
    assert prior.prepared.size >= 6


# ---------------------------------------------------------------------------------------------
# Reviews that quote the request they are about


def test_a_review_naming_the_request_title_is_linked() -> None:
    earlier = [
        PriorRequest("IC-1", "jo@example.org", "Library closures", BUDGET),
        PriorRequest("IC-2", "jo@example.org", "Gritting routes", GRITTING),
    ]
    text = (
        "I am writing to request an internal review of Anytown Council's handling of my FOI "
        "request 'Gritting routes'. The salt costs were withheld without reason."
    )
    assert find_quoted_case(text, earlier) == "IC-2"
    curly = text.replace("'Gritting routes'", "\u201cGritting routes\u201d")
    assert find_quoted_case(curly, earlier) == "IC-2"


def test_a_review_quoting_the_request_text_is_linked() -> None:
    earlier = [
        PriorRequest("IC-1", "jo@example.org", "Budget", BUDGET),
        PriorRequest("IC-2", "jo@example.org", "Gritting", GRITTING),
    ]
    below = (
        "Please review this response: the map was not sent.\n\n"
        "On 3 May 2024, FOI Team <foi@example.gov.uk> wrote:\n"
        "> Thank you for your request, which we have answered below.\n> \n"
        "> Please send me a map of the roads gritted in winter 2023 and the cost of the salt used."
    )
    assert find_quoted_case(below, earlier) == "IC-2"


def test_a_review_whose_subject_names_the_request_is_linked() -> None:
    # Request sites put the title in the review's subject, not in quotes in the body.
    earlier = [
        PriorRequest("IC-1", "jo@example.org", "Library closures", BUDGET),
        PriorRequest("IC-2", "jo@example.org", "Gritting routes", GRITTING),
    ]
    text = "I am writing to request an internal review of your handling of my request."
    subject = "Internal review of Freedom of Information request - Gritting routes"
    assert find_quoted_case(text, earlier) is None
    assert find_quoted_case(text, earlier, subject) == "IC-2"
    assert find_quoted_case(text, earlier, "Internal review of FOI request") is None


def test_no_quote_or_two_candidates_is_none() -> None:
    earlier = [
        PriorRequest("IC-1", "jo@example.org", "Library closures", BUDGET),
        PriorRequest("IC-3", "jo@example.org", "Library closures", BUDGET),
    ]
    assert find_quoted_case("Please review my request.", earlier) is None
    text = "An internal review of my FOI request 'Library closures', please."
    assert find_quoted_case(text, earlier) is None
    assert find_quoted_case(text, []) is None


def test_a_large_campaign_names_only_the_closest_cases() -> None:
    """Hundreds of identical requests: the new one is flagged, naming at most ten of them."""
    from intake.similarity import MOST_SIMILAR, PriorRequest, find_round_robins

    text = (
        "Under the Freedom of Information Act please tell me how many electric vehicle "
        "charging points the council installed in each year since 2019, and their cost."
    )
    campaign = [
        PriorRequest(f"IC-{100000 + i}-AAAA", f"person{i}@example.org", "EV charging", text)
        for i in range(300)
    ]
    found = find_round_robins(text, campaign)
    assert 1 <= len(found) <= MOST_SIMILAR == 10
    assert all(s.score == 100.0 for s in found)


# ---------------------------------------------------------------------------------------------
# Recent requests held in an index (intake.history keeps its requests in one) are searched
# through it, with the same answers as a plain list gets.


def _round_robin(count: int, start: int = 0) -> list[PriorRequest]:
    """A campaign template sent by many, each with a detail of their own (a street number)."""
    return [
        _prior(
            f"IC-R{n}",
            f"Dear Council,\n\n{TEMPLATE} I live at number {n} in ward {n % 7}.\n\nRegards,\nP{n}",
            f"p{n}@example.org",
        )
        for n in range(start, start + count)
    ]


PROBES = [
    BUDGET,
    BUDGET_AGAIN,
    GRITTING,
    TEMPLATE,
    f"Dear Sir or Madam,\n\n{TEMPLATE} I live at number 5 in ward 5.\n\nThanks,\nQ",
    f"Hello,\n{TEMPLATE}\nThanks",
    f"{TEMPLATE} I live at number 5 in ward 5, flat 12, block 12, floor 12, door 12.",
    "Please send me the library budget for 2001 and the names of the staff officers for ward 1.",
    "Could you please have all of it that you have and any of it you had now",
]


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search through the index however few requests it holds (small lists are searched in
    full otherwise, which costs less)."""
    monkeypatch.setattr(similarity, "_INDEX_FROM", 0)


def _answers(requests: Sequence[PriorRequest] | Indexed) -> list[list[SimilarCase]]:
    # Round robins at 90 and lower thresholds (as repeats use), so ties and cut-offs are met.
    return [
        find_round_robins(text, requests, threshold)
        for text in PROBES
        for threshold in (90.0, 85.0, 60.0, 20.0)
    ]


def _index(requests: Sequence[PriorRequest]) -> RequestIndex:
    index = RequestIndex()
    for request in requests:
        index.add(request)
    return index


def test_an_indexed_list_gets_the_same_answers_as_a_plain_one(indexed: None) -> None:
    # A large campaign (more than the shortlist holds, many tied on the cheap score), a crowd
    # of unrelated requests and a few close ones: ties must fall the same way.
    requests = [*_round_robin(70), *_crowd(400), _prior("IC-2", BUDGET), *_round_robin(70, 500)]
    held = _index(requests).without([])
    assert held.requests == requests
    answers = _answers(held)
    assert answers == _answers(list(requests))
    assert any(len(answer) == MOST_SIMILAR for answer in answers)


def test_the_index_shortlists_what_process_extract_does() -> None:
    requests = [*_round_robin(70), *_crowd(400), _prior("IC-2", BUDGET), *_round_robin(70, 500)]
    index = _index(requests)
    codes = [r.prepared.code for r in requests]
    for text in PROBES:
        query = _prepare(text)
        for cutoff in (5.0, 30.0, 55.0, 60.0, 80.0):
            rows = index.shortlist(query, cutoff, frozenset())
            assert rows is not None
            expected = process.extract(
                query.code, codes, scorer=fuzz.ratio, limit=50, score_cutoff=cutoff
            )
            assert [row.request for row in rows] == [requests[i] for _, _, i in expected]


def test_an_indexed_list_less_some_rows_gets_the_same_answers(indexed: None) -> None:
    requests = [*_round_robin(60), *_crowd(100), _prior("IC-2", BUDGET), *_round_robin(60, 300)]
    left_out = [0, 3, 59, 100, 160, 161, 219]
    others = _index(requests).without(left_out)
    plain = [r for i, r in enumerate(requests) if i not in left_out]
    assert others.requests == plain
    assert _answers(others) == _answers(plain)


def test_a_list_taken_before_a_request_was_added_never_finds_it(indexed: None) -> None:
    requests = [*_crowd(50), *_round_robin(20)]
    index = _index(requests)
    others = index.without([3])
    index.add(_prior("IC-NEW", f"Dear Council,\n\n{TEMPLATE}\n\nRegards", "n@x.org"))
    # The new request is no part of that list, and must not be found through it.
    assert not index.holds(others)
    answers = _answers(others)
    assert answers == _answers(list(others.requests))
    assert all(case.reference != "IC-NEW" for answer in answers for case in answer)


def test_an_index_forgets_requests_as_a_plain_list_would(indexed: None) -> None:
    requests = [*_round_robin(80), *_crowd(200), _prior("IC-2", BUDGET)]
    index = _index(requests)
    gone = list(range(0, 281, 3))
    index.discard(gone)
    kept = [r for i, r in enumerate(requests) if i not in gone]
    for request in _round_robin(30, 900):  # and more come after
        index.add(request)
        kept.append(request)
    held = index.without([])
    assert held.requests == kept
    assert _answers(held) == _answers(list(kept))


def _open(session: Session, request: PriorRequest, at: datetime) -> None:
    open_case(
        session,
        NewCase(
            channel=Channel.EMAIL,
            received_at=at,
            received_on=at.date(),
            subject=request.subject,
            text=request.text,
            regime=Regime.FOI,
            label="foi",
            requester_name="",
            requester_email=request.sender,
        ),
        SETTINGS.references,
        Jurisdiction.ENGLAND_AND_WALES,
        at,
    )


def test_the_history_finds_what_plain_lists_of_its_requests_find(
    db: Database, indexed: None
) -> None:
    start = datetime(2024, 6, 3, 9, tzinfo=UTC)
    campaign = [
        PriorRequest(r.reference, "same@example.org" if n % 9 == 0 else r.sender, "", r.text)
        for n, r in enumerate(_round_robin(40))
    ]
    with Session(db.engine) as session:
        for n, request in enumerate([*campaign, *_crowd(30), _prior("IC-2", BUDGET)]):
            _open(session, request, start + timedelta(days=n))
        history = History()
        history.refresh(session, start + timedelta(days=75))
        assert len(history.of_sender("same@example.org")) == 5
        history.refresh(session, start + timedelta(days=100))  # the first ten are too old now
        assert len(history.of_sender("same@example.org")) == 3
        for sender in ["same@example.org", "jo@example.org", "p3@example.org", "new@x.org"]:
            mine = [recent.request for recent in history.of_sender(sender)]
            everyone = history.others_than("").requests  # no request has an empty sender
            others = [r for r in everyone if r.sender != sender]
            assert all(r.sender == sender for r in mine)
            assert len(mine) + len(others) == len(everyone)
            indexed_others = history.others_than(sender)
            assert indexed_others.requests == others
            assert _answers(indexed_others) == _answers(others)
