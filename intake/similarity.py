"""Fuzzy matching of a message to cases: mistyped references, quoted subjects and texts,
repeated requests and round robins.

Pure: the caller fetches the candidates from the database (already narrowed to the sender's
open cases, or to a time window) and passes them in. Every comparison against a list of
candidates goes through rapidfuzz's `process` functions, which loop in C, never a Python loop
over the cases.

A case is only named when there is one clear winner; when two are about equally close the
answer is None and a person decides, because attaching a message to the wrong case would show
it to the wrong requester.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from intake.classifier import clean_subject, split_reply


@dataclass(frozen=True)
class PriorRequest:
    reference: str
    sender: str
    subject: str
    text: str


@dataclass(frozen=True)
class SimilarCase:
    reference: str
    score: float  # rapidfuzz score, 0-100


# A score below the cutoff doesn't count; a winner must also lead the runner-up by the margin.
REFERENCE_CUTOFF = 80.0
REFERENCE_MARGIN = 6.0
SUBJECT_CUTOFF = 90.0
SUBJECT_MARGIN = 5.0
QUOTE_CUTOFF = 88.0
QUOTE_MARGIN = 5.0
REPEAT_THRESHOLD = 85.0  # FOIA s14(2): "identical or substantially similar"
ROUND_ROBIN_THRESHOLD = 90.0  # the same template, with another greeting and name

# Texts are compared on their opening, where a request says what it wants: long pasted
# material must not make one comparison cost as much as thousands.
_COMPARE_CHARS = 3000
# With fewer words than this there is too little to call two requests the same.
_MIN_WORDS = 6


def _clear_winner(scored: Sequence[tuple[str, float]], cutoff: float, margin: float) -> str | None:
    """The best key if it reaches the cutoff and no other key comes within the margin."""
    best: dict[str, float] = {}
    for key, score in scored:
        best[key] = max(score, best.get(key, 0.0))
    ranked = sorted(best.values(), reverse=True)
    if not ranked or ranked[0] < cutoff:
        return None
    if len(ranked) > 1 and ranked[0] - ranked[1] < margin:
        return None
    return max(best, key=lambda k: best[k])


# ---------------------------------------------------------------------------------------------
# References

# Anything shaped like a reference: letters, digits, a short code, any separators or none,
# with the slips people make (O for 0, I or l for 1). Deliberately looser than
# intake.reference, which only accepts a reference whose check code is right.
_REFERENCE_LIKE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{1,5}[\s\-_/.#:]{0,3}[0-9OoIl]{3,9}[\s\-_/.]{0,3}[0-9A-Za-z]{2,6}"
    r"(?![A-Za-z0-9])"
)
_SEPARATORS = re.compile(r"[\s\-_/.#:]+")


def reference_like(text: str) -> list[str]:
    """Reference-shaped tokens in the text, upper case with "-" separators, in order."""
    found: list[str] = []
    for m in _REFERENCE_LIKE.finditer(text):
        token = _SEPARATORS.sub("-", m.group().upper()).strip("-")
        if sum(c.isdigit() for c in token) >= 3 and token not in found:
            found.append(token)
    return found


def match_mistyped_reference(text: str, candidates: Sequence[str]) -> str | None:
    """The open case that a reference typed with errors in `text` stands for, if one is clear.

    `candidates` are the sender's own open case references as issued ("IC-315773-L9G6").
    None when nothing is close enough, or when two cases are about equally close (the caller
    sends the message to triage then).
    """
    if not candidates:
        return None
    scored: list[tuple[str, float]] = []
    for token in reference_like(text):
        # The token is put in the form our references are issued in (upper case, "-"), so
        # the candidates need no processing, which would cost more than the match itself.
        for choice, score, _ in process.extract(
            token, candidates, scorer=fuzz.ratio, limit=2, score_cutoff=REFERENCE_CUTOFF / 2
        ):
            scored.append((choice, score))
    return _clear_winner(scored, REFERENCE_CUTOFF, REFERENCE_MARGIN)


# ---------------------------------------------------------------------------------------------
# Subjects

# What request sites and mail clients put around the title of a request.
_REQUEST_PREFIX = re.compile(
    r"^\s*(?:internal review of\s+)?(?:freedom of information|foi|eir|environmental information"
    r"|information|subject access|data protection)\s+request\s*[-:\u2013]\s*",
    re.IGNORECASE,
)


def subject_key(subject: str) -> str:
    """A subject reduced to its title: no Re:/Fwd:/[tags], no "FOI request -", lower case."""
    return str(utils.default_process(_REQUEST_PREFIX.sub("", clean_subject(subject), count=1)))


def _subject_processor(choice: Hashable) -> str:
    return subject_key(str(choice))


def match_quoted_subject(subject: str, candidates: Sequence[tuple[str, str]]) -> str | None:
    """The one open case, of (reference, subject) pairs, whose subject this message quotes."""
    key = subject_key(subject)
    if len(key) < 4 or not candidates:
        return None
    titles = [title for _, title in candidates]
    # Replies quote the subject verbatim, so a raw comparison finds the few likely cases
    # cheaply and only those are compared properly. If it finds nothing (the sender retyped
    # the subject in another case, say) every subject is compared properly.
    shortlist = process.extract(
        clean_subject(subject), titles, scorer=fuzz.ratio, limit=5, score_cutoff=60
    )
    if not shortlist:
        shortlist = process.extract(
            subject,
            titles,
            scorer=fuzz.ratio,
            processor=_subject_processor,
            limit=5,
            score_cutoff=60,
        )
    scored = [
        (candidates[index][0], fuzz.ratio(key, subject_key(title))) for title, _, index in shortlist
    ]
    return _clear_winner(scored, SUBJECT_CUTOFF, SUBJECT_MARGIN)


# ---------------------------------------------------------------------------------------------
# Whole requests

_GREETING = re.compile(r"\A\s*(?:dear|hello|hi|good (?:morning|afternoon|evening))\b[^\n]*\n", re.I)
_SIGN_OFF = re.compile(
    r"\n\s*(?:yours (?:faithfully|sincerely|truly)|kind regards|best regards|regards"
    r"|many thanks|best wishes|thanks|thank you)\b.*\Z",
    re.IGNORECASE | re.DOTALL,
)


def comparable(text: str) -> str:
    """A request's substance, for comparing requests: the sender's own words without the
    greeting and sign-off (which differ between the senders of a round robin while the request
    is the same), lower case, punctuation gone, capped in length."""
    body = split_reply(text)[0]
    body = _SIGN_OFF.sub("", _GREETING.sub("", body, count=1))
    return str(utils.default_process(body[:_COMPARE_CHARS]))


def _comparable_processor(choice: Hashable) -> str:
    return comparable(str(choice))


def _similar(text: str, requests: Sequence[PriorRequest], threshold: float) -> list[SimilarCase]:
    if not requests or len(comparable(text).split()) < _MIN_WORDS:
        return []
    # token_sort_ratio: the same words in any order, with extra or missing material costing in
    # proportion. (token_set_ratio would call a short request "the same" as any long one that
    # happens to contain its words.)
    found = process.extract(
        text,
        [r.text for r in requests],
        scorer=fuzz.token_sort_ratio,
        processor=_comparable_processor,
        limit=None,
        score_cutoff=threshold,
    )
    best: dict[str, float] = {}
    for _, score, index in found:
        reference = requests[index].reference
        best[reference] = max(score, best.get(reference, 0.0))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    return [SimilarCase(reference, score) for reference, score in ranked]


def find_repeats(
    text: str, earlier: Sequence[PriorRequest], threshold: float = REPEAT_THRESHOLD
) -> list[SimilarCase]:
    """The requester's earlier requests asking substantially the same thing, best first.

    For FOIA s14(2) (repeated requests) and aggregation under the cost limit (Fees
    Regulations 2004 reg 5). `earlier` is the same requester's requests in the window
    (60 working days), fetched by the caller.
    """
    return _similar(text, earlier, threshold)


def find_round_robins(
    text: str, others: Sequence[PriorRequest], threshold: float = ROUND_ROBIN_THRESHOLD
) -> list[SimilarCase]:
    """Other senders' requests with the same text (a campaign sent to many), best first,
    so the case can be flagged "similar to IC-..." and one answer serve them all."""
    return _similar(text, others, threshold)


# A title in quotation marks, as request sites write it: my FOI request 'Library closures'.
_QUOTED_TITLE = re.compile(
    "(?<!\\w)[\"\u201c\u2018']([^\"\u201c\u201d\u2018\u2019'\n]{8,200})[\"\u201d\u2019'](?!\\w)"
)


def _plain_processor(choice: Hashable) -> str:
    return str(utils.default_process(str(choice)[:_COMPARE_CHARS]))


def find_quoted_case(text: str, earlier: Sequence[PriorRequest]) -> str | None:
    """The earlier request this message (a review request, say) quotes, if one is clear.

    Two kinds of quoting count: the earlier request's text pasted in ("> " lines, or the
    message under "On ... wrote:"), and its title in quotation marks, as request sites write
    it ("my FOI request 'Library closures'").
    """
    if not earlier:
        return None
    own, quoted = split_reply(text)
    scored: list[tuple[str, float]] = []
    if len(quoted) >= 30:
        # partial_ratio aligns the shorter text inside the longer: the earlier request inside
        # a quote that also holds our reply, or a quoted excerpt inside the earlier request.
        for _, score, index in process.extract(
            quoted,
            [r.text for r in earlier],
            scorer=fuzz.partial_ratio,
            processor=_plain_processor,
            limit=3,
            score_cutoff=QUOTE_CUTOFF / 2,
        ):
            scored.append((earlier[index].reference, score))
    titles = [r.subject for r in earlier]
    for m in _QUOTED_TITLE.finditer(own):
        if len(subject_key(m.group(1)).split()) < 2:
            continue
        for _, score, index in process.extract(
            m.group(1),
            titles,
            scorer=fuzz.ratio,
            processor=_subject_processor,
            limit=3,
            score_cutoff=QUOTE_CUTOFF / 2,
        ):
            scored.append((earlier[index].reference, score))
    return _clear_winner(scored, QUOTE_CUTOFF, QUOTE_MARGIN)
