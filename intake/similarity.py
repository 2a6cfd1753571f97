"""Fuzzy matching of a message to cases: mistyped references, quoted subjects and texts,
repeated requests and round robins.

Pure: the caller fetches the candidates from the database (already narrowed to the sender's
open cases, or to a time window) and passes them in. Every comparison against the list of
candidates goes through rapidfuzz's `process` functions, which loop in C, never a Python loop
over the cases: only a shortlist is looked at again one by one (at most ten for references
and subjects; for repeats and round robins, the requests whose content words come close).
Preparing request texts for comparison is remembered between messages, since the same recent
requests are compared against every new one. A caller that holds many of them in a
RequestIndex (as intake.history does) has them searched through it instead, with the same
results: it scores a group of near-identical requests once, and finds the groups that could
come close with a few operations on big integers rather than a pass over every request.

A case is only named when there is one clear winner; when two are about equally close the
answer is None and a person decides, because attaching a message to the wrong case would show
it to the wrong requester.
"""

from __future__ import annotations

import heapq
import re
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import filterfalse, islice
from typing import TypeVar

from rapidfuzz import fuzz, process, utils

from intake.classifier import clean_subject, split_reply

_T = TypeVar("_T")


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


# A hash, not a table, so that no state grows, and a collision only makes two texts look
# closer; remembered for the words seen most, since hashing is most of the cost of a code.
@lru_cache(maxsize=16384)
def _word_code(word: str) -> str:
    return chr(_CODE_BASE + zlib.crc32(word[:_STEM].encode()) % _CODE_SPAN)


def _code(words: Iterable[str]) -> str:
    return "".join(sorted(map(_word_code, filterfalse(_COMMON.__contains__, words))))


@dataclass(frozen=True)
class _Prepared:
    words: str  # the request's words, sorted: what token_sort_ratio compares
    code: str  # its content word stems, one character each: the cheap shortlist
    size: int  # how many words it has


# Memoised: the same recent requests (90 days' worth, held by the caller anyway) are compared
# against every new message.
@lru_cache(maxsize=32768)
def _prepare(text: str) -> _Prepared:
    return _prepare_comparable(comparable(text))


# A request and the opening of it that intake.history keeps are usually the same once made
# comparable (which caps their length): they are sorted and coded once.
@lru_cache(maxsize=4096)
def _prepare_comparable(text: str) -> _Prepared:
    words = sorted(text.split())
    return _Prepared(" ".join(words), _code(words), len(words))


def _sorted_words(text: str) -> str:
    return _prepare(text).words


def _similar(
    text: str,
    requests: Sequence[PriorRequest],
    threshold: float,
    held: Indexed | None = None,
) -> list[SimilarCase]:
    query = _prepare(text)
    if not requests or query.size < _MIN_WORDS:
        return []
    if len(query.code) < _MIN_WORDS:
        # Hardly a content word to shortlist on ("please could you send me all of it"): every
        # request is compared in full, which costs more but is rare.
        words = [r.prepared.words for r in requests]
        return _ranked(
            (requests[i].reference, score) for i, score in _extract(query.words, words, threshold)
        )
    # The same words in any order, with extra or missing material costing in proportion: this
    # is token_sort_ratio, with each text's words sorted once (and remembered) rather than on
    # every comparison. (token_set_ratio would call a short request "the same" as any long one
    # that happens to contain its words.) Every request is scored on its code, and the few
    # that come closest are scored in full.
    cutoff = max(0.0, threshold - _SHORTLIST_SLACK)
    if held is not None and len(requests) >= _INDEX_FROM and held.index.holds(held):
        found = held.index.search(query, cutoff, threshold, held.excluded)
        if found is not None:
            return found
    # No index (or a list too short to be worth it): process.extract scores every code, in C.
    codes = [r.prepared.code for r in requests]
    shortlist = [requests[i] for i, _ in _extract(query.code, codes, cutoff)]
    return _closest(query.words, shortlist, threshold)


def _extract(query: str, choices: list[str], cutoff: float) -> list[tuple[int, float]]:
    """(position, score) of the choices closest to the query by fuzz.ratio, best first.

    A campaign can send hundreds of near-identical requests: scoring every one of them in full
    for every new one would grow with the square of the campaign. The closest few by the cheap
    score are enough to flag it and name the cases.
    """
    found = process.extract(
        query, choices, scorer=fuzz.ratio, limit=_SHORTLIST_LIMIT, score_cutoff=cutoff
    )
    return [(i, score) for _, score, i in found]


def _closest(words: str, shortlist: Iterable[PriorRequest], threshold: float) -> list[SimilarCase]:
    """The shortlisted requests scored in full, ranked as _ranked ranks them.

    Only the closest MOST_SIMILAR are named, so once that many are found a request is scored
    only if it could still join them: not if even its length rules that out (texts of
    different lengths can't match in full), and otherwise with the score to beat as rapidfuzz's
    cutoff, which lets it stop early.
    """
    best: dict[str, float] = {}
    to_beat = 0.0  # the MOST_SIMILAR-th best score so far: anything below it can't be named
    for request in shortlist:
        other = request.prepared.words
        cutoff = threshold
        if len(best) >= MOST_SIMILAR:
            if _ratio_of(min(len(words), len(other)), len(words), len(other)) < to_beat:
                continue
            # A hair below, so that a score equal to it (ranked by reference) still shows.
            cutoff = max(threshold, to_beat - 1e-6)
        score = fuzz.ratio(words, other, score_cutoff=cutoff)
        if score > best.get(request.reference, 0.0):
            best[request.reference] = score
            if len(best) >= MOST_SIMILAR:
                to_beat = heapq.nlargest(MOST_SIMILAR, best.values())[-1]
    return _ranked(best.items())


def _ranked(scored: Iterable[tuple[str, float]]) -> list[SimilarCase]:
    """Each reference once, at its best score; best first, then by reference."""
    best: dict[str, float] = {}
    for reference, score in scored:
        best[reference] = max(score, best.get(reference, 0.0))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    return [SimilarCase(reference, score) for reference, score in ranked[:MOST_SIMILAR]]


@lru_cache(maxsize=65536)
def _ratio_of(common: int, len1: int, len2: int, cutoff: float = 0.0) -> float:
    """fuzz.ratio of two texts of these lengths whose longest common subsequence is `common`
    long: the score depends on nothing else, and asking rapidfuzz (on stand-in texts) gives it
    with rapidfuzz's own rounding and cutoff, so that it equals the score of the real texts."""
    return fuzz.ratio(
        "a" * common + "b" * (len1 - common),
        "a" * common + "c" * (len2 - common),
        score_cutoff=cutoff,
    )


@lru_cache(maxsize=4096)
def _least_common(length: int, cutoff: float) -> int:
    """The fewest characters a code must share with a code this long to reach the cutoff
    (sharing them all and nothing more is its best case)."""
    return bisect_left(range(length + 1), True, key=lambda n: _ratio_of(n, length, n) >= cutoff)


# ---------------------------------------------------------------------------------------------
# Recent requests, indexed

# Why an index: scoring every recent request's code against each new message costs a pass over
# all of them per message, which a campaign of thousands makes slow. What makes it cheap:
#
# - Codes are sorted, so the characters two codes have in common (copies counted) are their
#   longest common subsequence, and so give their fuzz.ratio: it depends on nothing else.
# - The requests of a campaign differ only in a few words their senders add (a name, a
#   number), which are new when they come. A request's characters that no other indexed
#   request had when it came are kept apart ("rare"); requests with the same code but for
#   those are one group, scored once. A rare character is held by one request, so what it adds
#   to that request's score is counted on its own.
# - When there are many groups, characters in common are counted for all of them at once, in
#   big integers with a bit per group (bit-sliced: one integer per bit of the counts), so only
#   the groups that share enough to reach the cutoff are looked at one by one.
#
# Within a score, requests keep the order of the list searched (process.extract's tie-break),
# which is the order they were added in: the index searches only lists it can recognise as
# its own requests in that order, less some rows.


class _Tally:
    """Masks of counted characters, a bit per (character, copy): the characters two counts
    share, copies included, are the bits their masks share."""

    def __init__(self) -> None:
        # character -> the mask of its first n copies, by n
        self._masks: dict[str, list[int]] = {}
        self.bits = 0  # how many are given out

    def mask(self, counts: Counter[str], grow: bool = False) -> int:
        """The mask of `counts`; copies no mask has yet are left out (they can be shared with
        nothing), unless `grow` gives them bits."""
        mask = 0
        for char, n in counts.items():
            masks = self._masks.get(char)
            if masks is None:
                if not grow:
                    continue
                masks = self._masks[char] = [0]
            if n >= len(masks):
                if not grow:
                    n = len(masks) - 1
                while n >= len(masks):
                    masks.append(masks[-1] | 1 << self.bits)
                    self.bits += 1
            mask |= masks[n]
        return mask


@dataclass(eq=False)
class _Group:
    core: str  # the code less the rare characters, sorted
    length: int  # the whole code's length, which is every member's
    mask: int  # a bit per (character, copy) of the core
    slot: int  # its bit in the columns
    seqs: list[int] = field(default_factory=list)  # its rows, oldest first


@dataclass(eq=False)
class _Row:
    seq: int
    request: PriorRequest
    group: _Group
    rare: dict[str, int]  # its characters no other indexed request had when it came, counted


def _at_least(planes: Sequence[int], n: int) -> int:
    """The bits whose count is at least n, where bit i of each count is in planes[i]."""
    if n >= 1 << len(planes):
        return 0
    above, equal = 0, -1
    for i in reversed(range(len(planes))):
        if n >> i & 1:
            equal &= planes[i]
        else:
            above |= equal & planes[i]
            equal &= ~planes[i]
    return above | equal


def _set_bits(mask: int) -> Iterator[int]:
    bits = bin(mask)[:1:-1]  # lowest bit first
    bit = bits.find("1")
    while bit >= 0:
        yield bit
        bit = bits.find("1", bit + 1)


# Below this many requests, scoring every code costs less than keeping and searching an index.
_INDEX_FROM = 300
# Checking a group costs about a quarter of what counting one (character, copy) for all costs.
_GROUPS_PER_CHARACTER = 4
# Bits of copies no core has now that the cores' masks may carry before they are made anew.
_TALLY_SLACK = 4096


def omit(items: list[_T], positions: Sequence[int]) -> list[_T]:
    """`items` less those at these positions (ascending), copied in slices, in C."""
    out: list[_T] = []
    start = 0
    for position in positions:
        out += items[start:position]
        start = position + 1
    out += items[start:]
    return out


class RequestIndex:
    """Requests prepared and indexed once, for find_repeats and find_round_robins.

    The holder (intake.history) adds requests in order and discards them by position, and
    hands find_round_robins `without(...)`: its requests less the sender's own. Once that list
    is long enough to be worth it (requests are indexed then) the search goes through the
    index; the results are the same as for the plain list.
    """

    def __init__(self) -> None:
        self._requests: list[PriorRequest] = []  # oldest first
        self._seqs: list[int] = []  # their rows, ascending
        self._rows: dict[int, _Row] = {}
        self._waiting: dict[int, PriorRequest] = {}  # held, not yet indexed, by row
        self._next_seq = 0
        self._groups: dict[tuple[str, int], _Group] = {}
        self._slots: list[_Group | None] = []  # groups by slot
        self._free: list[int] = []  # slots of groups gone
        # (character, copy) -> a bit per group (by slot) whose core has that many copies
        self._columns: dict[tuple[str, int], int] = {}
        self._rare: dict[str, _Row] = {}  # character -> the request that has it as rare
        self._held: Counter[str] = Counter()  # character -> how many indexed requests have it
        self._tally = _Tally()  # for the cores' masks
        self._version = 0  # changes with every add and discard

    def add(self, request: PriorRequest) -> None:
        """Hold a request, after those already held (it is indexed when first searched)."""
        self._requests.append(request)
        self._seqs.append(self._next_seq)
        self._waiting[self._next_seq] = request
        self._next_seq += 1
        self._version += 1

    def _index_waiting(self) -> None:
        for seq, request in self._waiting.items():
            counts = Counter(request.prepared.code)
            rare = {char: n for char, n in counts.items() if not self._held[char]}
            core = "".join(char * n for char, n in counts.items() if char not in rare)
            key = (core, counts.total())
            group = self._groups.get(key)
            if group is None:
                group = self._new_group(core, key[1])
            row = _Row(seq, request, group, rare)
            group.seqs.append(seq)
            for char in rare:
                self._rare[char] = row
            self._held.update(counts.keys())
            self._rows[seq] = row
        self._waiting.clear()

    def _new_group(self, core: str, length: int) -> _Group:
        counts = Counter(core)
        slot = self._free.pop() if self._free else len(self._slots)
        group = _Group(core, length, self._tally.mask(counts, grow=True), slot)
        if slot == len(self._slots):
            self._slots.append(group)
        else:
            self._slots[slot] = group
        self._groups[(core, length)] = group
        for char, n in counts.items():
            for copy in range(n):
                self._columns[(char, copy)] = self._columns.get((char, copy), 0) | 1 << slot
        return group

    def discard(self, positions: Collection[int]) -> None:
        """Forget the requests at these positions."""
        gone = {self._seqs[p] for p in positions}
        for seq in gone:
            if self._waiting.pop(seq, None) is not None:
                continue
            row = self._rows.pop(seq)
            group = row.group
            group.seqs.remove(seq)
            if not group.seqs:
                del self._groups[(group.core, group.length)]
                for char, n in Counter(group.core).items():
                    for copy in range(n):
                        column = self._columns[(char, copy)] & ~(1 << group.slot)
                        if column:
                            self._columns[(char, copy)] = column
                        else:
                            del self._columns[(char, copy)]
                self._slots[group.slot] = None
                self._free.append(group.slot)
            for char in row.rare:
                if self._rare.get(char) is row:
                    del self._rare[char]
            self._held.subtract(set(row.request.prepared.code))
        self._held = +self._held  # drop the characters no request has now
        if self._tally.bits > 2 * len(self._columns) + _TALLY_SLACK:
            # Mostly bits of copies no core has now, which make every mask longer: start again.
            self._tally = _Tally()
            for group in self._groups.values():
                group.mask = self._tally.mask(Counter(group.core), grow=True)
        kept = [i for i, seq in enumerate(self._seqs) if seq not in gone]
        self._requests = [self._requests[i] for i in kept]
        self._seqs = [self._seqs[i] for i in kept]
        self._version += 1

    def without(self, positions: Sequence[int]) -> Indexed:
        """The held requests less those at these positions (ascending), searchable here until
        the index next changes."""
        return Indexed(
            self,
            omit(self._requests, positions),
            frozenset(self._seqs[p] for p in positions),
            self._version,
        )

    def holds(self, indexed: Indexed) -> bool:
        """Whether `indexed` still describes what this index holds (nothing added or gone)."""
        return indexed.index is self and indexed.version == self._version

    def search(
        self, query: _Prepared, cutoff: float, threshold: float, excluded: frozenset[int]
    ) -> list[SimilarCase] | None:
        """_similar's answer for the requests less the excluded rows; None if the index can't
        give it."""
        rows = self.shortlist(query, cutoff, excluded)
        if rows is None:
            return None
        return _closest(query.words, [row.request for row in rows], threshold)

    def _shared(self, counts: Counter[str]) -> list[int]:
        """The characters each group's core shares with `counts`, copies counted, for every
        group at once: the columns of its (character, copy)s added up bit-sliced, so that
        bit i of every group's sum is in the i-th integer returned, at the group's slot."""
        planes: list[int] = []
        for char, n in counts.items():
            for copy in range(n):
                carry = self._columns.get((char, copy), 0)
                if not carry:
                    break  # nor has any core more copies
                for i, plane in enumerate(planes):
                    planes[i] = plane ^ carry
                    carry &= plane
                    if not carry:
                        break
                else:
                    planes.append(carry)
        return planes

    def shortlist(
        self, query: _Prepared, cutoff: float, excluded: frozenset[int]
    ) -> list[_Row] | None:
        """What process.extract(query.code, codes, scorer=fuzz.ratio, limit=_SHORTLIST_LIMIT,
        score_cutoff=cutoff) gives on the codes of these requests less the excluded rows, as
        rows; None when the cutoff admits every request (the index only finds those that
        share characters with the query)."""
        length = len(query.code)
        need = _least_common(length, cutoff)
        if need < 1:
            return None
        self._index_waiting()
        counts = Counter(query.code)
        mask = self._tally.mask(counts)
        groups: Iterable[_Group | None]
        if len(self._groups) <= _GROUPS_PER_CHARACTER * length:
            # Few groups for so long a code: checking each costs less than counting for all.
            groups = self._groups.values()
        else:
            enough = _at_least(self._shared(counts), need)
            groups = [self._slots[slot] for slot in _set_bits(enough)]
        # What rare characters add to the requests that have them, which are scored alone.
        extra: dict[int, int] = {}
        for char, n in counts.items():
            row = self._rare.get(char)
            if row is not None and row.seq not in excluded:
                extra[row.seq] = extra.get(row.seq, 0) + min(n, row.rare[char])
        # Requests by score: whole groups (their rows that no rare character touches), and
        # the touched rows alone. Scores depend only on lengths and characters shared, so the
        # few combinations are scored once.
        members: list[tuple[_Group | int, int, int]] = [
            (group, shared, group.length)
            for group in groups
            if group is not None and (shared := (mask & group.mask).bit_count()) >= need
        ]
        for seq, more in extra.items():
            group = self._rows[seq].group
            members.append((seq, (mask & group.mask).bit_count() + more, group.length))
        by_score: dict[float, list[_Group | int]] = {}
        scores: dict[tuple[int, int], float] = {}
        for member, shared, group_length in members:
            score = scores.get((shared, group_length))
            if score is None:
                score = _ratio_of(shared, length, group_length, cutoff)
                scores[(shared, group_length)] = score
            if score >= cutoff:
                by_score.setdefault(score, []).append(member)
        skip = excluded | extra.keys()
        chosen: list[int] = []
        for score in sorted(by_score, reverse=True):
            wanted = _SHORTLIST_LIMIT - len(chosen)
            seqs: list[int] = []
            for member in by_score[score]:
                if isinstance(member, int):
                    seqs.append(member)
                else:
                    seqs.extend(islice((s for s in member.seqs if s not in skip), wanted))
            seqs.sort()
            chosen += seqs[:wanted]
            if len(chosen) >= _SHORTLIST_LIMIT:
                break
        return [self._rows[seq] for seq in chosen]


@dataclass(frozen=True)
class Indexed:
    """Requests an index holds (all of them less the `excluded` rows), in order."""

    index: RequestIndex
    requests: list[PriorRequest]
    excluded: frozenset[int]
    version: int  # the index's, when this was taken


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
    text: str,
    others: Sequence[PriorRequest] | Indexed,
    threshold: float = ROUND_ROBIN_THRESHOLD,
) -> list[SimilarCase]:
    """Other senders' requests with the same text (a campaign sent to many), best first,
    so the case can be flagged "similar to IC-..." and one answer serve them all. Requests
    held in an index (intake.history) are searched through it: the same answer, sooner."""
    if isinstance(others, Indexed):
        return _similar(text, others.requests, threshold, others)
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
