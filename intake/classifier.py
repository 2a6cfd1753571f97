"""Classify an incoming message: which kind of mail it is, how sure foibot is, and why.

Pure: text in, decision out. The phrases, weights and thresholds come from `config.rules`
(the shipped `classifier.toml`, which an authority can extend). rapidfuzz does the fuzzy
comparison: a word of the text stands for a phrase word it is one slip from
(`process.extractOne` with the OSA distance: typos, swapped letters) or that shares its stem
(inflections); a phrase whose words all turn up close together in one sentence is then
scored against those words with `fuzz.ratio` in order and `fuzz.token_sort_ratio` in any
order. That score is what staff see on the card: "sar: 'all the information you hold about
me' (96)". Only phrases sharing a word with the message are scored, and each word is looked
up once per process, which keeps a message well under a millisecond.

How the decision is made, the way an information-rights officer reads a message:
1. Only the sender's own words count: quoted earlier messages and signatures are dropped.
2. Intent first: a new request for information, a subject access request, an internal review,
   a complaint, something about an existing request (clarification), or none of these (other).
   Each intent's evidence is summed with diminishing returns; "other" starts with a baseline,
   so a message must show some sign of being anything else. A phrase that names a topic asked
   about ("how many complaints") rather than the message's own kind counts for little, and a
   request that asks for the sender's own data is a subject access request whatever request
   wording it uses.
3. Regime second: a new request about the environment is EIR whether or not it says so.
4. Validity (FOIA s8): a new request without a real name or without a description of the
   information is flagged for advice and assistance (s16), never refused here.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import chain
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from config.rules import PhraseRole, Rules, default_rules


class Label(StrEnum):
    FOI = "foi"
    EIR = "eir"
    SAR = "sar"
    INTERNAL_REVIEW = "internal_review"
    COMPLAINT = "complaint"
    CLARIFICATION = "clarification"
    OTHER = "other"


class Flag(StrEnum):
    NEEDS_TRIAGE = "needs_triage"  # confidence below the configured threshold: a person decides
    NO_REAL_NAME = "no_real_name"  # FOIA s8(1)(b): advise and assist (s16), don't refuse
    NO_DESCRIPTION = "no_description"  # FOIA s8(1)(c) / EIR reg 9(2): ask what is wanted
    ICO_MENTIONED = "ico_mentioned"  # the sender threatens or mentions going to the regulator
    AUTOMATED_REPLY = "automated_reply"  # an auto-reply that got past the header checks


@dataclass(frozen=True)
class Evidence:
    label: Label
    phrase: str  # the configured phrase (or structural cue)
    matched: str  # the sender's words that matched it
    score: float  # rapidfuzz score, 0-100
    weight: float  # the weight it carried (after the subject-line factor)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label.value,
            "phrase": self.phrase,
            "matched": self.matched,
            "score": round(self.score, 1),
            "weight": round(self.weight, 2),
        }

    def __str__(self) -> str:
        return f"{self.label}: '{self.matched}' ({self.score:.0f})"


@dataclass(frozen=True)
class Classification:
    label: Label
    confidence: float  # 0-1
    evidence: tuple[Evidence, ...]  # strongest first
    flags: tuple[Flag, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label.value,
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_json() for e in self.evidence],
            "flags": [f.value for f in self.flags],
        }


@dataclass(frozen=True)
class Incoming:
    subject: str
    text: str  # plain text (HTML already converted upstream)
    sender: str = ""  # email address or Slack user
    sender_name: str = ""  # display name, if any


# ---------------------------------------------------------------------------------------------
# The sender's own words


_REPLY_HEADER = re.compile(
    r"^[ \t]*(?:"
    r"On\b[^\n]{0,300}(?:\n[^\n]{0,300})?\bwrote:[ \t]*$"  # Gmail, Apple Mail, Thunderbird
    r"|-{2,}[ \t]*Original Message[ \t]*-{2,}"  # Outlook
    r"|_{10,}[ \t]*$"  # Outlook's rule above the quoted header
    r"|From:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:Sent|Date):"  # a quoted header block
    r")",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*Forwarded message[ \t]*-{2,}|Begin forwarded message:)[^\n]*\n?",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(r"^(?:from|sent|date|to|cc|subject):", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|fw|aw|sv|wg|tr)\s*(?:\[\d+\])?\s*:|\[[^\]]*\])\s*", re.I
)
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv)\s*(?:\[\d+\])?\s*:", re.I)


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and [tags]."""
    previous = None
    while previous != subject:
        previous, subject = subject, _SUBJECT_PREFIX.sub("", subject, count=1)
    return subject.strip()


def is_reply_subject(subject: str) -> bool:
    """Whether the subject says this answers an earlier message ("Re: ...")."""
    previous = None
    while previous != subject:
        if _REPLY_PREFIX.match(subject):
            return True
        previous, subject = subject, _SUBJECT_PREFIX.sub("", subject, count=1)
    return False


def split_reply(text: str, rules: Rules | None = None) -> tuple[str, str]:
    """(the sender's own words, the earlier messages they quote).

    Own words lose quoted replies, signatures and footers, and are capped in length. Quoted
    replies go entirely: a reply that quotes our acknowledgement must be judged on what the
    sender wrote, not on our wording. A forwarded message is kept as the sender's own, since
    forwarding a request to the desk is how requests reach us from elsewhere in the authority.
    """
    rules = rules or default_rules()
    quoted: list[str] = []  # "> " lines first, then everything under a reply header
    below = ""
    forward = _FORWARD.search(text)
    reply = _REPLY_HEADER.search(text)
    if reply is not None and (forward is None or reply.start() < forward.start()):
        below = text[reply.start() :]
        after = text[reply.end() :].splitlines()
        text = text[: reply.start()]
        if reply.group().lstrip()[:2].lower() == "on" and any(
            line.lstrip().startswith(">") for line in after
        ):
            # "On ... wrote:" over "> " lines: a reply written below the quote, or between
            # its lines. The unquoted lines are the sender's; the quoted ones are ours.
            text += "\n" + "\n".join(line for line in after if not line.lstrip().startswith(">"))
            below = "\n".join(
                line.lstrip().lstrip("> ") for line in after if line.lstrip().startswith(">")
            )
    kept: list[str] = []
    markers = rules.text.signature_markers
    in_forward_header = False
    for line in text.splitlines():
        stripped = line.strip()
        if _FORWARD.match(line):
            in_forward_header = True
            continue
        if in_forward_header:
            if not stripped or _HEADER_LINE.match(stripped):
                continue
            in_forward_header = False
        if stripped.startswith(">"):
            quoted.append(stripped.lstrip("> "))
            continue
        if line.rstrip() == "--" or line == "-- ":
            break  # RFC 3676 signature separator
        lowered = stripped.lower()
        if lowered and any(lowered.startswith(m) for m in markers):
            break
        kept.append(line)
    quoted.append(below)
    return "\n".join(kept).strip()[: rules.text.max_chars], "\n".join(quoted).strip()


def own_words(text: str, rules: Rules | None = None) -> str:
    """The sender's own words (see split_reply)."""
    return split_reply(text, rules)[0]


# ---------------------------------------------------------------------------------------------
# Words and phrases

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_APOSTROPHES = str.maketrans("", "", "'\u2019")
# The same words as _WORD once apostrophes are gone (so token numbers agree between the two).
_PLAIN_WORD = re.compile(r"[^\W_]+")
# Contractions are spelt out, so "I'm requesting" matches "i am requesting" and "haven't had"
# matches "have not had" (apostrophes are often left out, so "dont" counts too).
_CONTRACTIONS = {
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "id": ("i", "would"),
    "youre": ("you", "are"),
    "youve": ("you", "have"),
    "weve": ("we", "have"),
    "theyre": ("they", "are"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "hadnt": ("had", "not"),
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "wont": ("will", "not"),
    "wouldnt": ("would", "not"),
    "couldnt": ("could", "not"),
    "shouldnt": ("should", "not"),
}


def words_of(text: str) -> list[str]:
    """Lower-case words as phrases are compared: apostrophes dropped, contractions spelt out."""
    plain = text.lower().translate(_APOSTROPHES)
    return [
        part for word in _PLAIN_WORD.findall(plain) for part in _CONTRACTIONS.get(word, (word,))
    ]


# How a text word stands for a phrase word it is not spelt like:
# - a typo: one slip (a letter wrong, missing, extra, or two swapped: rapidfuzz's OSA distance)
#   in a word of six letters or more, two in one of twelve or more, and the same first letter
#   (slips there are rare, and it keeps "later"/"water" and "omission"/"emission" apart);
# - an inflection: the phrase word plus an ending of up to three letters ("complained",
#   "reviews", "requesting");
# - another inflection of the same stem: both words lose one of _SUFFIXES and leave the same
#   stem of four letters or more ("charge" for "charging", "recycled" for "recycling").
# Shorter words must be spelt exactly: too many short words are one letter apart. Words in the
# rules' exact_words are never matched any of these ways.
_TYPO_MIN_LENGTH = 6
_ENDING_MAX = 3
_STEM_MIN = 4
_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _STEM_MIN:
            return word[: -len(suffix)]
    return word


_WORD_CACHE_LIMIT = 200_000


def _slips_allowed(length: int) -> int:
    return 2 if length >= 12 else 1


@dataclass(frozen=True)
class _Phrase:
    label: Label
    role: PhraseRole
    text: str  # normalised, as compared with rapidfuzz
    shown: str  # as configured, for evidence
    words: tuple[str, ...]  # distinct words, phrase order
    offsets: dict[str, int]  # where each word first comes in the phrase
    content: tuple[str, ...]  # the words that must all be present (not stopwords), in order
    needed: int  # distinct content words that must be present before it is scored
    radius: int  # how far (in words) from the anchor its other words may be
    weight: float
    flag: Flag | None


class _Compiled:
    """Phrase data prepared once per Rules: vocabulary, inverted index, word cache."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        stop = set(rules.text.stopwords)
        self.phrases: list[_Phrase] = []
        self.by_word: dict[str, list[int]] = {}
        self.single: dict[str, list[int]] = {}  # one-word phrases need no window
        vocab: set[str] = set()
        for rule in rules.phrases:
            words = words_of(rule.phrase)
            if not words:
                continue
            distinct = tuple(dict.fromkeys(words))
            # Small words may be missing from a long phrase, but in a short one they carry the
            # meaning ("as requested" is not "requested").
            content = [w for w in distinct if len(words) <= 3 or w not in stop] or list(distinct)
            index = len(self.phrases)
            self.phrases.append(
                _Phrase(
                    label=Label(rule.label),
                    role=rule.role,
                    text=" ".join(words),
                    shown=rule.phrase,
                    words=distinct,
                    offsets={w: words.index(w) for w in distinct},
                    content=tuple(content),
                    needed=len(content),
                    radius=len(words) + 3,
                    weight=rule.weight,
                    flag=Flag(rule.flag) if rule.flag else None,
                )
            )
            vocab.update(distinct)
            if len(distinct) == 1:
                self.single.setdefault(distinct[0], []).append(index)
            else:
                for word in content:
                    self.by_word.setdefault(word, []).append(index)
        self.vocab = frozenset(vocab)
        self.exact = frozenset(rules.text.exact_words)
        self.by_stem: dict[str, tuple[str, ...]] = {}
        for word in sorted(vocab - self.exact):
            stem = _stem(word)
            if stem != word:
                self.by_stem[stem] = (*self.by_stem.get(stem, ()), word)
        self.conditionals = frozenset(rules.text.conditional_words)
        self.polite = frozenset(rules.text.not_conditional_after)
        self.follow_up = frozenset(rules.text.not_conditional_before)
        self.negations = frozenset(rules.text.negation_words)
        self.existing = frozenset(rules.text.existing_request_words)
        self.topics = frozenset(rules.text.topic_words)
        by_initial: dict[str, list[str]] = {}
        for word in sorted(vocab):
            if len(word) >= _TYPO_MIN_LENGTH - _slips_allowed(_TYPO_MIN_LENGTH):
                by_initial.setdefault(word[0], []).append(word)
        self.by_initial = by_initial
        # Words are looked up once, then remembered (phrase words first: they are the commonest).
        self.cache: dict[str, tuple[str, ...]] = {}
        self._seed_cache()
        self.valedictions = tuple(sorted(rules.validity.valedictions, key=len, reverse=True))
        self.generic = frozenset(rules.validity.generic_words) | stop
        self.titles = frozenset(rules.validity.titles)
        self.not_names = frozenset(rules.validity.not_names)

    def _inflected(self, word: str) -> str | None:
        for cut in range(1, _ENDING_MAX + 1):
            stem = word[:-cut]
            if len(stem) < _STEM_MIN:
                break
            if stem in self.vocab:
                return stem
        return None

    def _mistyped(self, word: str) -> str | None:
        if len(word) < _TYPO_MIN_LENGTH:
            return None
        choices = self.by_initial.get(word[0])
        if not choices:
            return None
        best = process.extractOne(
            word, choices, scorer=OSA.distance, score_cutoff=_slips_allowed(len(word))
        )
        return None if best is None else best[0]

    def _seed_cache(self) -> None:
        self.cache = {}
        for word in self.vocab:
            self.canonical(word)

    def canonical(self, word: str) -> tuple[str, ...]:
        """The phrase words this text word stands for (memoised: words repeat a lot).

        A phrase word stands for itself, and also for the phrase word it inflects: "years" is
        a phrase word ("last three years") and also stands for "year" ("financial year").
        """
        try:
            return self.cache[word]
        except KeyError:
            pass
        found: tuple[str, ...] = ()
        if word in self.exact or word.isdigit():
            found = (word,) if word in self.vocab else ()
        else:
            inflected = self._inflected(word)
            same_stem = self.by_stem.get(_stem(word), ())
            found = tuple(
                dict.fromkeys(
                    w
                    for w in (word if word in self.vocab else None, inflected, *same_stem)
                    if w is not None
                )
            )
            if not found:
                near = self._mistyped(word)
                found = () if near is None else (near,)
        if len(self.cache) >= _WORD_CACHE_LIMIT:
            self._seed_cache()
        self.cache[word] = found
        return found


_COMPILED: dict[int, _Compiled] = {}


def _compiled(rules: Rules) -> _Compiled:
    compiled = _COMPILED.get(id(rules))
    if compiled is None or compiled.rules is not rules:
        if len(_COMPILED) > 16:
            _COMPILED.clear()
        compiled = _COMPILED[id(rules)] = _Compiled(rules)
    return compiled


@dataclass(frozen=True)
class _Match:
    phrase: _Phrase
    score: float
    segment: int
    first: int  # token span, for overlap checks
    last: int
    source: _Segment  # where the match is, to quote the sender's words
    weight: float

    @property
    def matched(self) -> str:
        # Worked out only for the evidence shown: most matches are overlapped or outweighed.
        return self.source.shown(self.first, self.last)

    @property
    def value(self) -> float:
        # Strength falls from 1 at a perfect match to 0 at a score of 50.
        return self.weight * max(0.0, (self.score - 50.0) / 50.0)


# Where a sentence (or list item, or paragraph) ends: a phrase never spans one, so "...the
# request. If I..." is not "I request".
_LIST_MARK = r"(?:\(?\d{1,2}[.):]|\(?[a-hA-H][.)]|\(?[ivx]{1,4}\)|[•·▪●*\u2013-])"
_SENTENCE_END = re.compile(rf"[.!?;:]+(?=\s|[A-Z]|$)|\n[ \t]*\n|\n(?=[ \t]*{_LIST_MARK})")


class _Segment:
    """One run of text (the subject, or the body) as words with their positions.

    This is the hot path: each sentence is lower-cased and split with one findall, and the
    character offsets needed to quote the sender's words are only worked out for matches.
    """

    def __init__(self, text: str, compiled: _Compiled) -> None:
        self.text = text
        self.words: list[str] = []
        self.sentence: list[int] = []
        self.origin: list[int] = []  # the word's token number within its sentence
        self.bounds: list[tuple[int, int]] = []  # each sentence's character range
        self.positions: dict[str, list[int]] = {}
        words, sentence, origin = self.words, self.sentence, self.origin
        positions = self.positions
        canonical, known = compiled.canonical, compiled.cache
        start = 0
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        ends.append(len(text))
        for number, end in enumerate(ends):
            self.bounds.append((start, end))
            plain = text[start:end].lower().translate(_APOSTROPHES)
            start = end
            tokens = _PLAIN_WORD.findall(plain)
            first = len(words)
            if _CONTRACTIONS.keys().isdisjoint(tokens):
                words.extend(tokens)
                origin.extend(range(len(tokens)))
            else:
                for token, word in enumerate(tokens):
                    parts = _CONTRACTIONS.get(word, (word,))
                    words.extend(parts)
                    origin.extend([token] * len(parts))
            sentence.extend([number] * (len(words) - first))
            for at in range(first, len(words)):
                word = words[at]
                canons = known.get(word)
                if canons is None:
                    canons = canonical(word)
                for canon in canons:
                    if canon in positions:
                        positions[canon].append(at)
                    else:
                        positions[canon] = [at]

    def _span(self, index: int) -> tuple[int, int]:
        start, end = self.bounds[self.sentence[index]]
        for number, m in enumerate(_WORD.finditer(self.text, start, end)):
            if number == self.origin[index]:
                return m.span()
        return start, end  # lower-casing split a word differently (rare scripts): quote it all

    def shown(self, first: int, last: int) -> str:
        start, end = self._span(first)[0], self._span(last)[1]
        snippet = " ".join(self.text[start:end].split())
        return snippet if len(snippet) <= 100 else snippet[:97] + "..."


def _nearest(
    positions: list[int], target: int, anchor: int, radius: int, sentence: list[int]
) -> int | None:
    """The occurrence nearest where the phrase puts the word (`target`), within `radius` of the
    anchor and in the anchor's sentence."""
    home = sentence[anchor]
    i = bisect_left(positions, target)
    best: int | None = None
    for at in positions[max(0, i - 2) : i + 2]:
        if abs(at - anchor) > radius or sentence[at] != home:
            continue
        if best is None or abs(at - target) < abs(best - target):
            best = at
    return best


# In order, typos and inflections cost little; the same words in another order ("the request
# may be refined" for "refine the request") cost a fixed penalty, and each extra word inside
# the match ("status of my FOI request") a small one.
_REORDER_PENALTY = 20.0
_GAP_PENALTY = 5.0


def _match_phrase(
    phrase: _Phrase, segment: _Segment, number: int, weight: float, cutoff: float
) -> _Match | None:
    positions = segment.positions
    present = [w for w in phrase.words if w in positions]
    # The rarest word anchors the match (the first of equally rare ones, so the same text
    # always gives the same match, whatever the process's hash seed).
    anchor_word = min(phrase.content, key=lambda w: len(positions[w]))
    best_score, best_span = 0.0, (0, 0)
    for anchor in positions[anchor_word][:50]:
        picked = {anchor}
        missing = False
        for word in present:
            if word == anchor_word:
                continue
            target = anchor + phrase.offsets[word] - phrase.offsets[anchor_word]
            at = _nearest(positions[word], target, anchor, phrase.radius, segment.sentence)
            if at is not None:
                picked.add(at)
            elif word in phrase.content:
                missing = True  # every content word must be in this window
                break
        if missing:
            continue
        ordered = sorted(picked)
        found = " ".join(segment.words[i] for i in ordered)
        score = max(
            fuzz.ratio(phrase.text, found),
            fuzz.token_sort_ratio(phrase.text, found) - _REORDER_PENALTY,
        ) - _GAP_PENALTY * (ordered[-1] - ordered[0] + 1 - len(ordered))
        if score >= cutoff and score > best_score:
            best_score, best_span = score, (ordered[0], ordered[-1])
            if score >= 100:
                break
    if not best_score:
        return None
    first, last = best_span
    return _Match(phrase, best_score, number, first, last, segment, weight)


def _find_matches(segments: Sequence[tuple[_Segment, float]], compiled: _Compiled) -> list[_Match]:
    cutoff = compiled.rules.thresholds.min_phrase_score
    matches: list[_Match] = []
    for number, (segment, weight) in enumerate(segments):
        positions = segment.positions
        by_word, single = compiled.by_word, compiled.single
        # How many of each phrase's words the text has (counted in C: this is the hot loop).
        counts = Counter(chain.from_iterable(by_word[w] for w in positions if w in by_word))
        for word in [w for w in positions if w in single]:
            for index in single[word]:
                phrase = compiled.phrases[index]
                # One word: score the best-spelt occurrence against the phrase word.
                found = max(
                    (segment.words[i] for i in positions[word]),
                    key=lambda w, p=phrase.text: fuzz.ratio(p, w),  # type: ignore[misc]
                )
                score = fuzz.ratio(phrase.text, found, score_cutoff=cutoff)
                if score:
                    at = positions[word][0]
                    for i in positions[word]:
                        if segment.words[i] == found:
                            at = i
                            break
                    matches.append(
                        _Match(
                            phrase,
                            score,
                            number,
                            at,
                            at,
                            segment,
                            phrase.weight * weight,
                        )
                    )
        for index, count in counts.items():
            phrase = compiled.phrases[index]
            if count < phrase.needed:
                continue
            match = _match_phrase(phrase, segment, number, phrase.weight * weight, cutoff)
            if match is not None:
                matches.append(match)
    hedge = compiled.rules.scoring.hedge_weight
    # "my FOI request" and "I made a request for information" name a request already made:
    # neither they nor a phrase inside them ("information request") say this is a new one.
    not_new = [
        (m.segment, m.first, m.last)
        for m in matches
        if _is_new_request(m) and _names_existing(segments[m.segment][0], m.first, compiled)
    ]
    # Nor does request wording inside a subject access phrase: "all the information [you
    # hold] about me" asks for the sender's own data, whatever "all the information" says alone.
    not_new += [
        (m.segment, m.first, m.last)
        for m in matches
        if m.phrase.label is Label.SAR and m.phrase.role is PhraseRole.INTENT
    ]
    kept: list[_Match] = []
    for m in matches:
        segment = segments[m.segment][0]
        if _is_new_request(m) and any(
            n == m.segment and first <= m.first and m.last <= last for n, first, last in not_new
        ):
            continue
        if (
            _conditional(segment, m.first, compiled)
            or _negated(segment, m, compiled)
            or (_names_a_kind(m) and _about_a_topic(segment, m, compiled))
        ):
            m = replace(m, weight=m.weight * hedge)
        kept.append(m)
    return kept


_ARTICLES = frozenset({"a", "an", "the", "this", "that"})


def _names_existing(segment: _Segment, first: int, compiled: _Compiled) -> bool:
    before = first - 1
    if before >= 0 and segment.words[before] in _ARTICLES:
        before -= 1  # "made a request", "sent the FOI request"
    return (
        before >= 0
        and segment.sentence[before] == segment.sentence[first]
        and segment.words[before] in compiled.existing
    )


def _is_new_request(match: _Match) -> bool:
    return match.phrase.label in (Label.FOI, Label.EIR) and match.phrase.role is PhraseRole.INTENT


def _names_a_kind(match: _Match) -> bool:
    """Whether the match says what kind of message this is other than a new request (a subject
    access request, a review, a complaint...), which a topic word can turn into a subject."""
    return match.phrase.role is PhraseRole.INTENT and not _is_new_request(match)


def _negated(segment: _Segment, match: _Match, compiled: _Compiled) -> bool:
    """Whether a negation word stands just before a phrase that is not itself negative."""
    if any(w in compiled.negations for w in match.phrase.words):
        return False
    home = segment.sentence[match.first]
    for i in range(max(0, match.first - 3), match.first):
        if segment.sentence[i] == home and segment.words[i] in compiled.negations:
            return True
    return False


def _about_a_topic(segment: _Segment, match: _Match, compiled: _Compiled) -> bool:
    """Whether a topic word ("number", "many", "policy"...) stands up to three words before the
    phrase: "the number of complaints" is something asked about, not a complaint."""
    home = segment.sentence[match.first]
    return any(
        segment.sentence[i] == home and segment.words[i] in compiled.topics
        for i in range(max(0, match.first - 3), match.first)
    )


def _conditional(segment: _Segment, first: int, compiled: _Compiled) -> bool:
    """Whether the match follows "if"/"unless"... in its sentence: "if this exceeds the cost
    limit I can refine my request" is a new request's boilerplate, not a refinement."""
    home = segment.sentence[first]
    i = first - 1
    while i >= 0 and segment.sentence[i] == home:
        if (
            segment.words[i] in compiled.conditionals
            # "I would be grateful if you could..." is politeness, not a condition, and "if so,
            # please provide..." follows a question rather than doubting the request.
            and not (i > 0 and segment.words[i - 1] in compiled.polite)
            and not (i + 1 < len(segment.words) and segment.words[i + 1] in compiled.follow_up)
        ):
            return True
        i -= 1
    return False


# ---------------------------------------------------------------------------------------------
# Structure and validity

_LIST_ITEM = re.compile(rf"^[ \t]*{_LIST_MARK}\s*\S")


def _list_items(text: str) -> int:
    return sum(1 for line in text.splitlines() if _LIST_ITEM.match(line))


_NAME_WORD = re.compile(r"^[^\W\d_]+(?:[-'\u2019.][^\W\d_]*)*$")


def _is_real_name(name: str, compiled: _Compiled) -> bool:
    """A first name and surname, initials and surname, or a title and surname."""
    parts = name.replace(",", " ").split()
    if not 1 <= len(parts) <= 5 or not all(_NAME_WORD.match(p) for p in parts):
        return False
    words = [p.strip(".").lower() for p in parts]
    named = [w for w in words if w not in compiled.titles]
    if not named or any(w in compiled.not_names for w in named):
        return False
    return len(named) >= (1 if len(named) < len(words) else 2)


def _signed_name(text: str, compiled: _Compiled) -> str:
    """The name under the sign-off ("Yours faithfully,\\nJo Bloggs"), if there is one."""
    lines = [line.strip() for line in text.splitlines()]
    for i in range(len(lines) - 1, -1, -1):
        lowered = lines[i].lower()
        for valediction in compiled.valedictions:
            if lowered.startswith(valediction) and not lowered[len(valediction) :][:1].isalnum():
                rest = lines[i][len(valediction) :].strip(" ,.!-")
                if rest:
                    return rest
                following = [line for line in lines[i + 1 :] if line]
                return following[0].strip(" ,.") if following else ""
    return ""


def _description_words(words: set[str], exclude: set[str], compiled: _Compiled) -> int:
    return sum(1 for w in words - compiled.generic - exclude if len(w) > 2 and not w.isdigit())


# ---------------------------------------------------------------------------------------------
# The decision

_INTENTS: tuple[Label, ...] = (
    Label.FOI,  # stands for "a new request", FOI or EIR
    Label.SAR,
    Label.INTERNAL_REVIEW,
    Label.COMPLAINT,
    Label.CLARIFICATION,
    Label.OTHER,
)


def _accept(matches: list[_Match]) -> list[_Match]:
    """Strongest first; a match overlapping a stronger one for the same label counts once."""
    taken: dict[tuple[Label, bool, int], list[tuple[int, int]]] = {}
    kept: list[_Match] = []
    # Between overlapping matches for the same label the stronger (then the longer) is kept.
    for m in sorted(matches, key=lambda m: (m.value, len(m.phrase.words)), reverse=True):
        key = (m.phrase.label, m.phrase.role is PhraseRole.TOPIC, m.segment)
        spans = taken.setdefault(key, [])
        if any(m.first <= last and first <= m.last for first, last in spans):
            continue
        seen = {k.phrase.text for k in kept if k.phrase.label is m.phrase.label}
        if m.phrase.text in seen:
            continue  # the same phrase in the subject and the body counts once
        spans.append((m.first, m.last))
        kept.append(m)
    return kept


def _combine(values: list[float], decay: float) -> float:
    return sum(v * decay**i for i, v in enumerate(sorted(values, reverse=True)))


def classify(message: Incoming, rules: Rules | None = None) -> Classification:
    """Label, confidence, evidence and flags for one incoming message."""
    rules = rules or default_rules()
    compiled = _compiled(rules)
    body = own_words(message.text, rules)
    subject = clean_subject(message.subject)
    segments = [
        (_Segment(subject, compiled), rules.scoring.subject_weight),
        (_Segment(body, compiled), 1.0),
    ]
    found = _find_matches(segments, compiled)
    reply = is_reply_subject(message.subject)
    if reply:
        # A reply's subject names the request it answers ("Re: Freedom of Information request
        # - Bus lanes"): that says nothing about a new request.
        found = [m for m in found if not (m.segment == 0 and _is_new_request(m))]
    matches = _accept(found)
    evidence = [
        Evidence(m.phrase.label, m.phrase.shown, m.matched, m.score, m.weight) for m in matches
    ]
    label, confidence = _decide(message, body, matches, reply, evidence, rules)

    flags: list[Flag] = []
    if confidence < rules.thresholds.triage_confidence:
        flags.append(Flag.NEEDS_TRIAGE)
    if label in (Label.FOI, Label.EIR):
        words = {*segments[0][0].words, *segments[1][0].words}
        flags.extend(_validity_flags(message, words, body, label, compiled))
    for m in matches:
        if m.phrase.flag is not None and m.phrase.flag not in flags:
            flags.append(m.phrase.flag)
    evidence.sort(key=lambda e: e.weight * max(0.0, (e.score - 50.0) / 50.0), reverse=True)
    return Classification(label, max(0.0, min(1.0, confidence)), tuple(evidence), tuple(flags))


def _decide(
    message: Incoming,
    body: str,
    matches: Sequence[_Match],
    reply: bool,
    evidence: list[Evidence],
    rules: Rules,
) -> tuple[Label, float]:
    """The label and confidence from the matches (adding structural cues to `evidence`)."""
    intent_values: dict[Label, list[float]] = {label: [] for label in _INTENTS}
    environment = 0.0
    for m in matches:
        if m.phrase.label is Label.EIR:
            environment += m.value
        if m.phrase.role is PhraseRole.INTENT:
            kind = Label.FOI if m.phrase.label is Label.EIR else m.phrase.label
            intent_values[kind].append(m.value)
    items = _list_items(body)
    if items >= rules.scoring.list_min_items:
        intent_values[Label.FOI].append(rules.scoring.list_weight)
        evidence.append(
            Evidence(
                Label.FOI, "numbered list", f"{items} list items", 100.0, rules.scoring.list_weight
            )
        )

    if reply:
        # A reply in a thread is about something already under way.
        intent_values[Label.CLARIFICATION].append(rules.scoring.reply_weight)
        evidence.append(
            Evidence(
                Label.CLARIFICATION,
                "reply subject",
                message.subject.strip()[:100],
                100.0,
                rules.scoring.reply_weight,
            )
        )
    scores = {label: _combine(v, rules.scoring.decay) for label, v in intent_values.items()}
    if scores[Label.SAR] >= rules.thresholds.sar_evidence:
        # "Please send me a copy of my data": the request's wording asks for the sender's own
        # data, so it counts for a subject access request as much as for an FOI one.
        scores[Label.SAR] += scores[Label.FOI]
    # "other" needs no evidence: anything else must show more than this to win.
    scores[Label.OTHER] += rules.thresholds.min_evidence
    # Ties go to "other": a person should look rather than foibot guess.
    ranked = sorted(scores.items(), key=lambda kv: (kv[1], kv[0] is Label.OTHER), reverse=True)
    intent = ranked[0][0]
    # Confidence: the winner's share of a softmax over the intents' scores, so it is high only
    # when the winner is well ahead of every other reading of the message.
    temperature = rules.scoring.temperature
    peak = ranked[0][1]
    shares = [math.exp((score - peak) / temperature) for _, score in ranked]
    confidence = shares[0] / sum(shares)

    if intent is not Label.FOI:
        return intent, confidence
    # A new request: EIR if it is about the environment, named or not.
    threshold = rules.thresholds.eir_topic_score
    label = Label.EIR if environment >= threshold else Label.FOI
    margin = min(1.0, abs(environment - threshold) / threshold) if threshold else 1.0
    return label, confidence * (0.5 + 0.5 * margin)


def _validity_flags(
    message: Incoming, words: set[str], body: str, label: Label, compiled: _Compiled
) -> list[Flag]:
    """FOIA s8: a real name and a description of the information (EIR: a description)."""
    flags: list[Flag] = []
    signed = _signed_name(body, compiled)
    # EIR requests need not give a name (reg 5 has no s8 equivalent); FOIA ones must.
    if label is Label.FOI and not (
        _is_real_name(message.sender_name, compiled) or _is_real_name(signed, compiled)
    ):
        flags.append(Flag.NO_REAL_NAME)
    names = set(words_of(message.sender_name)) | set(words_of(signed))
    described = _description_words(words, names, compiled)
    if described < compiled.rules.validity.min_description_words:
        flags.append(Flag.NO_DESCRIPTION)
    return flags
