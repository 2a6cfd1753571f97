"""Fuzzy matching of a message to cases: mistyped references, quoted subjects and texts,
repeated requests and round robins.

Pure: the caller fetches the candidates from the database (already narrowed to the sender's
open cases, or to a time window) and passes them in. Every comparison against the list of
candidates goes through rapidfuzz's `process` functions, which loop in C, never a Python loop
over the cases: only a shortlist is looked at again one by one (at most ten for references
and subjects; for repeats and round robins, the requests whose content words come close).
Preparing request texts for comparison is remembered between messages, since the same recent
requests are compared against every new one.

A case is only named when there is one clear winner; when two are about equally close the
answer is None and a person decides, because attaching a message to the wrong case would show
it to the wrong requester.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, process, utils

from intake.classifier import clean_subject, split_reply


@dataclass(frozen=True)
class PriorRequest:
    reference: str
    sender: str
    subject: str
    text: str

    @cached_property
    def prepared(self) -> _Prepared:
        """The text made ready for comparing, kept with the request: a caller that holds its
        recent requests (intake.history) prepares each once, however many it holds."""
        return _prepare(self.text)


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
# material must not make one comparison cost as much as thousands. Both sides must be cut
# alike, and the recent requests callers hold are cut short (intake.history and Slack intake
# keep 1,500 characters of each, greeting included): a new message compared in full against
# a stored opening would never look the same as it, however long a template they share.
_COMPARE_CHARS = 1200
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

# A reference typed by hand: one to three runs of letters and digits with at most two
# separator characters between them ("IC-315773-L9G6", "IC 315773 L9C6", "ic315773l9g6"),
# about as long as our references, with at least three digits and a letter. Deliberately
# looser than intake.reference, which only accepts a reference whose check code is right:
# any character may be mistyped here, including a letter among the digits.
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
_MAX_TOKENS = 5  # only the best-shaped few are compared: each costs a pass over the cases


def reference_like(text: str, length: int = 12) -> list[str]:
    """Reference-shaped tokens in the text, upper case joined by "-", best-shaped first.

    `length` is how many letters and digits our references have (12 in "IC-315773-L9G6");
    tokens within three of it count.
    """
    runs = list(_ALNUM_RUN.finditer(text))
    shaped: list[tuple[int, int, int, str]] = []  # (distance from length, first, last, token)
    for i in range(len(runs)):
        size = 0
        for j in range(i, min(i + 3, len(runs))):
            if j > i:
                gap = text[runs[j - 1].end() : runs[j].start()]
                if len(gap) > 2 or "\n" in gap:
                    break
            size += len(runs[j].group())
            parts = [run.group() for run in runs[i : j + 1]]
            joined = "".join(parts)
            if (
                abs(size - length) <= 3
                and sum(c.isdigit() for c in joined) >= 3
                and any(c.isalpha() for c in joined)
            ):
                shaped.append((abs(size - length), i, j, "-".join(parts).upper()))
    chosen: list[tuple[int, int, str]] = []
    for _, first, last, token in sorted(shaped):
        if all(last < start or first > end for start, end, _ in chosen):
            chosen.append((first, last, token))
    tokens = list(dict.fromkeys(token for _, _, token in chosen))
    return tokens[:_MAX_TOKENS]


def match_mistyped_reference(text: str, candidates: Sequence[str]) -> str | None:
    """The open case that a reference typed with errors in `text` stands for, if one is clear.

    `candidates` are the sender's own open case references as issued ("IC-315773-L9G6").
    None when nothing is close enough, or when two cases are about equally close (the caller
    sends the message to triage then).
    """
    if not candidates:
        return None
    scored: list[tuple[str, float]] = []
    length = sum(c.isalnum() for c in candidates[0])
    for token in reference_like(text, length):
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


@lru_cache(maxsize=8192)
def subject_key(subject: str) -> str:
    """A subject reduced to its title: no Re:/Fwd:/[tags], no "FOI request -", lower case."""
    return str(utils.default_process(_REQUEST_PREFIX.sub("", clean_subject(subject), count=1)))


def _subject_processor(choice: Hashable) -> str:
    return subject_key(str(choice))


# Words a subject may hold without naming anything: "Freedom of Information request", "FOI",
# "Subject access request". Many requesters give every request such a subject, so quoting it
# says nothing about which case a message belongs to.
_GENERIC_WORDS = (
    "freedom of information foi foia foisa eir environmental regulations request requests act "
    "2000 2002 2004 data protection subject access sar dsar gdpr uk internal review complaint "
    "enquiry query question for the a an my new under re fw fwd"
)
_GENERIC_TITLE = frozenset(_GENERIC_WORDS.split())


def _is_generic(key: str) -> bool:
    return set(key.split()) <= _GENERIC_TITLE


def _numbers(key: str) -> frozenset[str]:
    """The words of a subject key with digits in them: "2023", "q3", "118"."""
    return frozenset(w for w in key.split() if any(c.isdigit() for c in w))


def match_quoted_subject(subject: str, candidates: Sequence[tuple[str, str]]) -> str | None:
    """The one open case, of (reference, subject) pairs, whose subject this message quotes.

    A subject of request wording only ("FOI request") names no case, and the numbers in a
    subject must be the case's own: "Parking fines 2024" is a new request, not a reply about
    "Parking fines 2023", however alike the two look to a fuzzy match.
    """
    key = subject_key(subject)
    if len(key) < 4 or not candidates or _is_generic(key):
        return None
    numbers = _numbers(key)
    titles = [title for _, title in candidates]
    # Replies quote the subject verbatim, so comparing it as typed (whole, and without a
    # "Internal review of FOI request -" in front) shortlists the likely cases cheaply, and only
    # those are compared properly. If that finds nothing good (the sender retyped the subject
    # in another case, say) every subject is compared properly, which costs more.
    typed = clean_subject(subject)
    shortlist = {
        index
        for query in {typed, _REQUEST_PREFIX.sub("", typed, count=1)}
        for _, _, index in process.extract(
            query, titles, scorer=fuzz.ratio, limit=5, score_cutoff=60
        )
    }
    scored = [(i, fuzz.ratio(key, subject_key(titles[i]))) for i in shortlist]
    if not any(score >= SUBJECT_CUTOFF for _, score in scored):
        scored = [
            (index, score)
            for _, score, index in process.extract(
                subject, titles, scorer=fuzz.ratio, processor=_subject_processor, limit=5
            )
        ]
    return _clear_winner(
        [
            (candidates[i][0], score)
            for i, score in scored
            if _numbers(subject_key(titles[i])) == numbers
        ],
        SUBJECT_CUTOFF,
        SUBJECT_MARGIN,
    )


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


# Comparing two requests in full costs time in proportion to their lengths multiplied; against
# every request of the last 90 days that is too slow. So each request is also kept as a short
# code: its words, less the commonest small ones, cut to their first four letters ("charging"
# and "charges" alike), each coded as one character, sorted. fuzz.ratio on two codes is the
# share of content words the texts have in common, on strings a sixth as long, which
# shortlists the candidates; only those are compared in full. Across rewordings, typos and
# inflections of real requests, those that reach the threshold in full scored at least 11
# points above threshold - _SHORTLIST_SLACK on their codes, and unrelated requests under 45:
# the shortlist lost none of 851 matches in 800 searches, and keeps few.
_STEM = 4
_SHORTLIST_SLACK = 30.0
_SHORTLIST_LIMIT = 50  # requests scored in full per new message, at most
MOST_SIMILAR = 10  # similar cases named on a case, at most (the closest)
_CODE_BASE = 0x100  # codes stay below the surrogates (0xD800): any string rapidfuzz takes
_CODE_SPAN = 0xD800 - _CODE_BASE
# Small words every request has: left out of the codes, which they would make look alike.
_COMMON_WORDS = (
    "a an the of to for in on at by with and or is are be been was were this that it as from "
    "i we you me my our your please any all would could can will have has had not no do does "
    "did which what when where who how"
)
_COMMON = frozenset(_COMMON_WORDS.split())


def _code(words: Iterable[str]) -> str:
    # A hash, not a table: no state grows, and a collision only makes two texts look closer.
    return "".join(
        sorted(
            chr(_CODE_BASE + zlib.crc32(w[:_STEM].encode()) % _CODE_SPAN)
            for w in words
            if w not in _COMMON
        )
    )


@dataclass(frozen=True)
class _Prepared:
    words: str  # the request's words, sorted: what token_sort_ratio compares
    code: str  # its content word stems, one character each: the cheap shortlist
    size: int  # how many words it has


# Memoised: the same recent requests (90 days' worth, held by the caller anyway) are compared
# against every new message.
@lru_cache(maxsize=32768)
def _prepare(text: str) -> _Prepared:
    words = sorted(comparable(text).split())
    return _Prepared(" ".join(words), _code(words), len(words))


def _sorted_words(text: str) -> str:
    return _prepare(text).words


def _similar(text: str, requests: Sequence[PriorRequest], threshold: float) -> list[SimilarCase]:
    query = _prepare(text)
    if not requests or query.size < _MIN_WORDS:
        return []
    if len(query.code) < _MIN_WORDS:
        # Hardly a content word to shortlist on ("please could you send me all of it"): every
        # request is compared in full, which costs more but is rare.
        return _ranked(
            (requests[index].reference, score)
            for _, score, index in process.extract(
                query.words,
                [r.prepared.words for r in requests],
                scorer=fuzz.ratio,
                limit=_SHORTLIST_LIMIT,
                score_cutoff=threshold,
            )
        )
    # The same words in any order, with extra or missing material costing in proportion: this
    # is token_sort_ratio, with each text's words sorted once (and remembered) rather than on
    # every comparison. (token_set_ratio would call a short request "the same" as any long one
    # that happens to contain its words.) Every request is scored on its code by rapidfuzz's
    # process.extract, which loops in C; the few that come close are scored in full.
    shortlist = process.extract(
        query.code,
        [r.prepared.code for r in requests],
        scorer=fuzz.ratio,
        # A campaign can send hundreds of near-identical requests: scoring every one of them
        # in full for every new one would grow with the square of the campaign. The closest
        # few by the cheap score are enough to flag it and name the cases.
        limit=_SHORTLIST_LIMIT,
        score_cutoff=max(0.0, threshold - _SHORTLIST_SLACK),
    )
    return _ranked(
        (requests[index].reference, score)
        for _, _, index in shortlist
        if (
            score := fuzz.ratio(query.words, requests[index].prepared.words, score_cutoff=threshold)
        )
    )


def _ranked(scored: Iterable[tuple[str, float]]) -> list[SimilarCase]:
    """Each reference once, at its best score; best first, then by reference."""
    best: dict[str, float] = {}
    for reference, score in scored:
        best[reference] = max(score, best.get(reference, 0.0))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    return [SimilarCase(reference, score) for reference, score in ranked[:MOST_SIMILAR]]


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


def _flat(text: str) -> str:
    return " ".join(str(utils.default_process(text)).split())


def find_quoted_case(text: str, earlier: Sequence[PriorRequest], subject: str = "") -> str | None:
    """The earlier request this message (a review request, say) quotes, if one is clear.

    Three kinds of quoting count: the earlier request's text pasted in ("> " lines, or the
    message under "On ... wrote:"); its title in quotation marks, as request sites write it
    ("my FOI request 'Library closures'"); and its title in this message's `subject`, as they
    also write it ("Internal review of Freedom of Information request - Library closures").
    """
    if not earlier:
        return None
    own, quoted = split_reply(text)
    scored: list[tuple[str, float]] = []
    pasted = _flat(quoted.replace(">", " "))[: _COMPARE_CHARS * 4]
    if len(pasted) >= 30:
        # partial_ratio aligns the shorter text inside the longer: the earlier request inside
        # a quote that also holds our reply, or a quoted excerpt inside the earlier request.
        # Both are compared without greetings, sign-offs and punctuation.
        for _, score, index in process.extract(
            pasted,
            [_flat(comparable(r.text)) for r in earlier],
            scorer=fuzz.partial_ratio,
            limit=3,
            score_cutoff=QUOTE_CUTOFF / 2,
        ):
            scored.append((earlier[index].reference, score))
    titles = [r.subject for r in earlier]
    quoted_titles = [m.group(1) for m in _QUOTED_TITLE.finditer(own)]
    if subject and not _is_generic(subject_key(subject)):
        quoted_titles.append(subject)
    for title in quoted_titles:
        if len(subject_key(title).split()) < 2:
            continue
        for _, score, index in process.extract(
            title,
            titles,
            scorer=fuzz.ratio,
            processor=_subject_processor,
            limit=3,
            score_cutoff=QUOTE_CUTOFF / 2,
        ):
            scored.append((earlier[index].reference, score))
    return _clear_winner(scored, QUOTE_CUTOFF, QUOTE_MARGIN)
