"""Classify an incoming message: which kind of mail it is, how sure foibot is, and why.

Pure: text in, decision out. The phrases, weights and thresholds come from `config.rules`
(the shipped `classifier.toml`, which an authority can extend). rapidfuzz does the fuzzy
comparison: a word of the text stands for a phrase word it is one slip from
(`process.extractOne` with the OSA distance: typos, swapped letters) or that shares its stem
(inflections); a phrase whose words all turn up close together in one sentence is then
scored against those words with `fuzz.ratio` in order and `fuzz.token_sort_ratio` in any
order. That score is what staff see on the card: "sar: 'all the information you hold about
me' (96)". Only phrases whose words are all in the message are scored (and only when they
share a sentence), each word is looked up once per process and each score computed once, which
keeps a message well under a millisecond. The text is cut into sentences and words with string
and byte operations rather than per-character regular expressions, which are slow in Python.

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
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from itertools import accumulate, chain, compress, count, islice, repeat
from operator import add, attrgetter
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


# Header and forward lines are only looked for at line starts. Python's regex engine tries a
# pattern that opens with "^" at every character, so each is also compiled behind a "\n", which
# it finds quickly; `_line_start_search` tries the text's start, then every line after a "\n".
_REPLY_HEADER_LINE = (
    r"[ \t]*(?:"
    r"On\b[^\n]{0,300}(?:\n[^\n]{0,300})?\bwrote:[ \t]*$"  # Gmail, Apple Mail, Thunderbird
    r"|-{2,}[ \t]*Original Message[ \t]*-{2,}"  # Outlook
    r"|_{10,}[ \t]*$"  # Outlook's rule above the quoted header
    r"|From:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:Sent|Date):"  # a quoted header block
    r")"
)
_FORWARD_LINE = (
    r"[ \t]*(?:-{2,}[ \t]*Forwarded message[ \t]*-{2,}|Begin forwarded message:)[^\n]*\n?"
)
_REPLY_HEADER = re.compile("^" + _REPLY_HEADER_LINE, re.IGNORECASE | re.MULTILINE)
_FORWARD = re.compile("^" + _FORWARD_LINE, re.IGNORECASE | re.MULTILINE)
_AFTER_NEWLINE = {
    _REPLY_HEADER: re.compile("\n" + _REPLY_HEADER_LINE, re.IGNORECASE | re.MULTILINE),
    _FORWARD: re.compile("\n" + _FORWARD_LINE, re.IGNORECASE | re.MULTILINE),
}
_HEADER_LINE = re.compile(r"^(?:from|sent|date|to|cc|subject):", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|fw|aw|sv|wg|tr)\s*(?:\[\d+\])?\s*:|\[[^\]]*\])\s*", re.I
)
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv)\s*(?:\[\d+\])?\s*:", re.I)


def _line_start_search(pattern: re.Pattern[str], text: str) -> tuple[int, int] | None:
    """Where `pattern.search(text)` matches (one of the two "^" patterns above), if it does."""
    found = pattern.match(text)
    if found is not None:
        return found.span()
    found = _AFTER_NEWLINE[pattern].search(text)
    return None if found is None else (found.start() + 1, found.end())


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
    reply = _line_start_search(_REPLY_HEADER, text)
    if reply is not None:
        forward = _line_start_search(_FORWARD, text)
        if forward is None or reply[0] < forward[0]:
            start, end = reply
            below = text[start:]
            after = text[end:].splitlines()
            header = text[start:end]
            text = text[:start]
            if header.lstrip()[:2].lower() == "on" and any(
                line.lstrip().startswith(">") for line in after
            ):
                # "On ... wrote:" over "> " lines: a reply written below the quote, or between
                # its lines. The unquoted lines are the sender's; the quoted ones are ours.
                text += "\n" + "\n".join(
                    line for line in after if not line.lstrip().startswith(">")
                )
                below = "\n".join(
                    line.lstrip().lstrip("> ") for line in after if line.lstrip().startswith(">")
                )
    lines = text.splitlines()
    # The lines again with "\n" as the only line break, so whole-text searches see lines as
    # the loop below does. Most messages have no quoted line, signature, footer or forward:
    # then every line is kept, and the loop need not look at each.
    joined = "\n".join(lines)
    markers = rules.text.signature_markers
    if _any_cut(joined, markers):
        kept = _kept_lines(lines, markers, quoted, _line_start_search(_FORWARD, joined) is not None)
        joined = "\n".join(kept)
    quoted.append(below)
    return joined.strip()[: rules.text.max_chars], "\n".join(quoted).strip()


def _any_cut(joined: str, markers: tuple[str, ...]) -> bool:
    """Whether `_kept_lines` could drop a line of `joined` (False only when it keeps them all)."""
    if ">" in joined or "--" in joined or _line_start_search(_FORWARD, joined) is not None:
        return True
    # Lower-casing the whole text lower-cases each line the same way (only a capital sigma
    # depends on its neighbours, and it is no ASCII marker's letter).
    lowered = joined.lower()
    return any(not marker.isascii() or marker in lowered for marker in markers)


def _kept_lines(
    lines: list[str], markers: tuple[str, ...], quoted: list[str], forwards: bool
) -> list[str]:
    """The lines up to the signature, without "> " lines (added to `quoted`) or the header
    block under a forward line (looked for only if `forwards`)."""
    kept: list[str] = []
    in_forward_header = False
    for line in lines:
        stripped = line.strip()
        if forwards:
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
        if lowered and lowered.startswith(markers):
            break
        kept.append(line)
    return kept


def own_words(text: str, rules: Rules | None = None) -> str:
    """The sender's own words (see split_reply)."""
    return split_reply(text, rules)[0]


# ---------------------------------------------------------------------------------------------
# Words and phrases

# A word as quoted from the sender's text (see _word_spans).
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# The same words once lower-cased and apostrophes are gone (so token numbers agree between the
# two): the definition _spaced implements.
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

# Words without the regex engine, which is slow per character (tens of ns for a class like
# [^\W_]): every character that is not a letter or digit ([^\W_] is exactly str.isalnum())
# becomes a space, ASCII ones by one byte translation, and the text is split on spaces.
# _SENTENCE_MARK stands between sentences (see _Segment) and is kept by _MARKED_GAPS;
# _APOSTROPHE_GAPS keeps apostrophes, for _WORD.
_SENTENCE_MARK = "\x00"
_ASCII = bytes(range(0x80))
_GAPS = bytes(b if b >= 0x80 or chr(b).isalnum() else 0x20 for b in range(256))
_MARKED_GAPS = b"\x00" + _GAPS[1:]
_APOSTROPHE_GAPS = bytes(b if b == 0x27 else g for b, g in enumerate(_GAPS))


def _spaced(plain: str, gaps: bytes = _GAPS, keep: str = "") -> str:
    """`plain` (the same length) with a space for each character that is neither a letter nor
    a digit, nor kept by `gaps` (ASCII) or in `keep` (others): with _GAPS its split() is
    `_PLAIN_WORD.findall(plain)`."""
    if not plain.isascii():
        # The distinct non-ASCII characters, from the UTF-8 bytes that are not ASCII.
        data = plain.encode("utf-8", "surrogatepass")
        for char in set(data.translate(None, _ASCII).decode("utf-8", "surrogatepass")):
            if not char.isalnum() and char not in keep:
                plain = plain.replace(char, " ")
    return plain.encode().translate(gaps).decode()


def _word_spans(text: str, offset: int) -> tuple[list[int], list[int]]:
    """Where each match of _WORD in `text` starts (plus `offset`), and its length."""
    spaced = _spaced(text, _APOSTROPHE_GAPS, "\u2019")
    # Runs of letters, digits and apostrophes, one space apart (so their offsets add up).
    runs = spaced.split(" ")
    if ("'" in spaced or "\u2019" in spaced) and not all(
        _WORD.fullmatch(run) for run in runs if "'" in run or "\u2019" in run
    ):
        # An apostrophe not inside a word ("'tis", "the dogs' "): ask the regex engine.
        found = list(_WORD.finditer(text))
        return [m.start() + offset for m in found], [len(m.group()) for m in found]
    lengths = list(map(len, runs))
    starts = list(accumulate(map(add, lengths, repeat(1)), initial=offset))
    return list(compress(starts, lengths)), list(compress(lengths, lengths))


def words_of(text: str) -> list[str]:
    """Lower-case words as phrases are compared: apostrophes dropped, contractions spelt out."""
    words = _spaced(text.lower().replace("'", "").replace("\u2019", "")).split()
    if _CONTRACTIONS.keys().isdisjoint(words):
        return words
    return [part for word in words for part in _CONTRACTIONS.get(word, (word,))]


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
# Phrase scores are remembered per (phrase, the words that matched it): the same wording
# comes back in message after message.
_SCORE_CACHE_LIMIT = 50_000


def _remembered(
    cache: dict[tuple[str, str], float], key: tuple[str, str], score: Callable[[], float]
) -> float:
    """A memoised score; the cache starts again when full (bounded memory in a long run)."""
    found = cache.get(key)
    if found is None:
        found = score()
        if len(cache) >= _SCORE_CACHE_LIMIT:
            cache.clear()
        cache[key] = found
    return found


def _slips_allowed(length: int) -> int:
    return 2 if length >= 12 else 1


@dataclass(frozen=True)
class _Phrase:
    label: Label
    role: PhraseRole
    text: str  # normalised, as compared with rapidfuzz
    shown: str  # as configured, for evidence
    words: tuple[str, ...]  # distinct words, phrase order
    size: int  # how many distinct words
    index: int  # its place in the rules
    content: tuple[str, ...]  # the words that must all be present (not stopwords), in order
    # For each content word as the anchor: the other words, where the phrase puts them from
    # the anchor, and whether they must be present.
    plans: dict[str, tuple[tuple[str, int, bool], ...]]
    radius: int  # how far (in words) from the anchor its other words may be
    weight: float
    flag: Flag | None
    new_request: bool  # says this is a new request (FOI or EIR intent)
    names_kind: bool  # says what kind of message this is other than a new request
    sar_intent: bool  # asks for the sender's own data
    negative: bool  # has a negation word of its own ("not received")


class _Compiled:
    """Phrase data prepared once per Rules: vocabulary, inverted index, word and score caches."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        stop = set(rules.text.stopwords)
        negations = frozenset(rules.text.negation_words)
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
            label = Label(rule.label)
            intent = rule.role is PhraseRole.INTENT
            new_request = intent and label in (Label.FOI, Label.EIR)
            index = len(self.phrases)
            self.phrases.append(
                _Phrase(
                    label=label,
                    role=rule.role,
                    text=" ".join(words),
                    shown=rule.phrase,
                    words=distinct,
                    size=len(distinct),
                    index=index,
                    content=tuple(content),
                    plans={
                        anchor: tuple(
                            (w, words.index(w) - words.index(anchor), w in content)
                            for w in distinct
                            if w != anchor
                        )
                        for anchor in content
                    },
                    radius=len(words) + 3,
                    weight=rule.weight,
                    flag=Flag(rule.flag) if rule.flag else None,
                    new_request=new_request,
                    names_kind=intent and not new_request,
                    sar_intent=intent and label is Label.SAR,
                    negative=not negations.isdisjoint(distinct),
                )
            )
            vocab.update(distinct)
            if len(distinct) == 1:
                self.single.setdefault(distinct[0], []).append(index)
            else:
                for word in content:
                    self.by_word.setdefault(word, []).append(index)
        # A phrase of several words is looked up under the content word fewest phrases share,
        # then its other content words are checked: far fewer look-ups than counting every
        # phrase each word of the text is in.
        self.by_key: dict[str, list[tuple[int, frozenset[str]]]] = {}
        for index, phrase in enumerate(self.phrases):
            if len(phrase.words) > 1:
                key = min(phrase.content, key=lambda w: (len(self.by_word[w]), w))
                rest = frozenset(phrase.content) - {key}
                self.by_key.setdefault(key, []).append((index, rest))
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
        self.negations = negations
        self.existing = frozenset(rules.text.existing_request_words)
        self.topics = frozenset(rules.text.topic_words)
        by_initial: dict[str, list[str]] = {}
        for word in sorted(vocab):
            if len(word) >= _TYPO_MIN_LENGTH - _slips_allowed(_TYPO_MIN_LENGTH):
                by_initial.setdefault(word[0], []).append(word)
        self.by_initial = by_initial
        self.typo_choices: dict[tuple[str, int], list[str]] = {}  # see _mistyped
        # Words are looked up once, then remembered (phrase words first: they are the commonest).
        self.cache: dict[str, tuple[str, ...]] = {}
        self._seed_cache()
        self.cutoff = rules.thresholds.min_phrase_score
        self.scores: dict[tuple[str, str], float] = {}  # _match_phrase's similarity
        self.ratios: dict[tuple[str, str], float] = {}  # fuzz.ratio, for one-word phrases
        self.cut_ratios: dict[tuple[str, str], float] = {}  # the same, 0 below the cutoff
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
        if len(word) < _TYPO_MIN_LENGTH or word[0] not in self.by_initial:
            return None
        slips = _slips_allowed(len(word))
        # Only phrase words of about its length can be within `slips` (the distance is at
        # least the difference in length), in the same order, so ties go the same way.
        key = (word[0], len(word))
        choices = self.typo_choices.get(key)
        if choices is None:
            choices = self.typo_choices[key] = [
                w for w in self.by_initial[word[0]] if abs(len(w) - len(word)) <= slips
            ]
        if not choices:
            return None
        best = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=slips)
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

    def similarity(self, phrase: str, found: str) -> float:
        """How closely the words found stand for the phrase, in order or not (memoised)."""
        return _remembered(
            self.scores,
            (phrase, found),
            lambda: max(
                fuzz.ratio(phrase, found),
                fuzz.token_sort_ratio(phrase, found) - _REORDER_PENALTY,
            ),
        )

    def ratio(self, phrase: str, word: str) -> float:
        """fuzz.ratio for a one-word phrase (memoised)."""
        return _remembered(self.ratios, (phrase, word), lambda: fuzz.ratio(phrase, word))

    def cut_ratio(self, phrase: str, word: str) -> float:
        """fuzz.ratio with the rules' cutoff (0 below it) for a one-word phrase (memoised)."""
        return _remembered(
            self.cut_ratios,
            (phrase, word),
            lambda: fuzz.ratio(phrase, word, score_cutoff=self.cutoff),
        )


_COMPILED: dict[int, _Compiled] = {}


def _compiled(rules: Rules) -> _Compiled:
    compiled = _COMPILED.get(id(rules))
    if compiled is None or compiled.rules is not rules:
        if len(_COMPILED) > 16:
            _COMPILED.clear()
        compiled = _COMPILED[id(rules)] = _Compiled(rules)
    return compiled


class _Match:
    """A phrase found in a segment (a plain slotted class: thousands are made per second)."""

    __slots__ = ("first", "last", "phrase", "score", "segment", "source", "value", "weight")

    def __init__(
        self,
        phrase: _Phrase,
        score: float,
        segment: int,
        first: int,  # token span, for overlap checks
        last: int,
        source: _Segment,  # where the match is, to quote the sender's words
        weight: float,
    ) -> None:
        self.phrase = phrase
        self.score = score
        self.segment = segment
        self.first = first
        self.last = last
        self.source = source
        self.weight = weight
        # Strength falls from 1 at a perfect match to 0 at a score of 50.
        self.value = weight * max(0.0, (score - 50.0) / 50.0)

    def reweighted(self, weight: float) -> _Match:
        return _Match(
            self.phrase, self.score, self.segment, self.first, self.last, self.source, weight
        )

    @property
    def matched(self) -> str:
        # Worked out only for the evidence shown: most matches are overlapped or outweighed.
        return self.source.shown(self.first, self.last)


# Where a sentence (or list item, or paragraph) ends: a phrase never spans one, so "...the
# request. If I..." is not "I request". _SENTENCE_END is the definition; _sentence_ends finds
# the same ends faster.
_LIST_MARK = r"(?:\(?\d{1,2}[.):]|\(?[a-hA-H][.)]|\(?[ivx]{1,4}\)|[•·▪●*\u2013-])"
_SENTENCE_END = re.compile(rf"[.!?;:]+(?=\s|[A-Z]|$)|\n[ \t]*\n|\n(?=[ \t]*{_LIST_MARK})")
# Its alternatives apart, each opening with one character, which the regex engine skips to
# quickly (it tries a pattern opening with a choice at every character). They can be found
# apart because no match of one overlaps one of the other: a run of stops has no newline.
_STOPS = re.compile(r"\.\.*(?=\s|[A-Z]|$)")  # in the text with every stop a "."
_BREAKS = re.compile(rf"\n(?:[ \t]*\n|(?=[ \t]*{_LIST_MARK}))")


def _sentence_ends(text: str) -> list[int]:
    """Where each match of _SENTENCE_END in `text` ends, in order."""
    stops = text.replace("!", ".").replace("?", ".").replace(";", ".").replace(":", ".")
    ends = [m.end() for m in _STOPS.finditer(stops)] if "." in stops else []
    if "\n" not in text:
        return ends
    breaks = [m.end() for m in _BREAKS.finditer(text)]
    return sorted(ends + breaks) if breaks else ends


def _where(words: list[str]) -> dict[str, list[int]]:
    """Where each distinct word is, in order of first appearance."""
    where: dict[str, list[int]] = {}
    for at, word in enumerate(words):
        seen = where.get(word)
        if seen is None:
            where[word] = [at]
        else:
            seen.append(at)
    return where


class _Segment:
    """One run of text (the subject, or the body) as words with their positions.

    This is the hot path, so the text is lower-cased and split in one go, with _SENTENCE_MARK
    between sentences (it is neither a letter nor ignored by lower-casing, so each sentence is
    lower-cased as on its own), and each distinct word is looked up once. The character
    offsets needed to quote the sender's words are only worked out for matches.
    """

    def __init__(self, text: str, compiled: _Compiled) -> None:
        self.text = text
        ends = _sentence_ends(text)
        starts = [0, *ends]
        ends.append(len(text))
        self.bounds = list(zip(starts, ends, strict=True))  # each sentence's character range
        self.extras: list[int] = []  # the second words of spelt-out contractions
        if len(ends) == 1:
            words = _spaced(text.lower().replace("'", "").replace("\u2019", "")).split()
            sentence = [0] * len(words)
        else:
            # The mark must be the only one in the text; any other NUL is a space to the words.
            source = text.replace(_SENTENCE_MARK, " ")
            marked = _SENTENCE_MARK.join(map(source.__getitem__, map(slice, starts, ends)))
            plain = marked.lower().replace("'", "").replace("\u2019", "")
            split = list(map(str.split, _spaced(plain, _MARKED_GAPS).split(_SENTENCE_MARK)))
            words = list(chain.from_iterable(split))
            sentence = list(chain.from_iterable(map(repeat, count(), map(len, split))))
        if not _CONTRACTIONS.keys().isdisjoint(words):
            words, sentence = self._spell_out(words, sentence)
        raw = _where(words)
        self.words = words
        self.sentence = sentence  # each word's sentence number
        self.raw = raw  # where each distinct word is (in order of first appearance)
        self._masks: dict[str, int] = {}  # phrase word: a bit for each sentence it is in
        self._where_any: dict[frozenset[str], list[int]] = {}  # see where_any
        self._conditions: list[int] | None = None
        # Each sentence's _WORD matches: where they start, how long they are.
        self._spans: dict[int, tuple[list[int], list[int]]] = {}
        # Where each phrase word is (in order of first appearance: phrases are tried in that
        # order).
        self.positions: dict[str, list[int]] = {}
        positions = self.positions
        canonical, known = compiled.canonical, compiled.cache
        for word, ats in raw.items():
            canons = known.get(word)
            if canons is None:
                canons = canonical(word)
            for canon in canons:
                have = positions.get(canon)
                positions[canon] = ats if have is None else sorted(have + ats)

    def _spell_out(self, words: list[str], sentence: list[int]) -> tuple[list[str], list[int]]:
        """The words with contractions spelt out, and their sentence numbers."""
        spelt: list[str] = []
        numbers: list[int] = []
        done = 0
        for at in compress(count(), map(_CONTRACTIONS.__contains__, words)):
            spelt += words[done:at]
            numbers += sentence[done:at]
            first, second = _CONTRACTIONS[words[at]]
            spelt.append(first)
            self.extras.append(len(spelt))
            spelt.append(second)
            numbers += (sentence[at], sentence[at])
            done = at + 1
        spelt += words[done:]
        numbers += sentence[done:]
        return spelt, numbers

    def where_any(self, vocabulary: frozenset[str]) -> list[int]:
        """Where any of these words is, in order (remembered: they are one of the rules' lists)."""
        found = self._where_any.get(vocabulary)
        if found is None:
            raw = self.raw
            hits = map(raw.__getitem__, filter(raw.__contains__, vocabulary))
            found = self._where_any[vocabulary] = sorted(chain.from_iterable(hits))
        return found

    def conditions(self, compiled: _Compiled) -> list[int]:
        """Where a conditional word ("if", "unless"...) opens a condition, in order."""
        if self._conditions is None:
            words, polite, follow_up = self.words, compiled.polite, compiled.follow_up
            self._conditions = [
                i
                for i in self.where_any(compiled.conditionals)
                # "I would be grateful if you could..." is politeness, not a condition, and
                # "if so, please provide..." follows a question rather than doubting the request.
                if not (i > 0 and words[i - 1] in polite)
                and not (i + 1 < len(words) and words[i + 1] in follow_up)
            ]
        return self._conditions

    def share_a_sentence(self, words: Sequence[str]) -> bool:
        """Whether one sentence has all these phrase words (each in the text)."""
        masks, positions, sentence = self._masks, self.positions, self.sentence
        shared = -1
        for word in words:
            mask = masks.get(word)
            if mask is None:
                mask = 0
                for at in positions[word]:
                    mask |= 1 << sentence[at]
                masks[word] = mask
            shared &= mask
        return shared != 0

    def _span(self, index: int) -> tuple[int, int]:
        number = self.sentence[index]
        first = bisect_left(self.sentence, number)
        # The word's token number in its sentence (a spelt-out contraction is one token).
        origin = index - first
        if self.extras:
            extras = self.extras
            origin -= bisect_right(extras, index) - bisect_left(extras, first)
        start, end = self.bounds[number]
        spans = self._spans.get(number)
        if spans is None:
            spans = self._spans[number] = _word_spans(self.text[start:end], start)
        starts, lengths = spans
        if origin < len(starts):
            return starts[origin], starts[origin] + lengths[origin]
        return start, end  # lower-casing split a word differently (rare scripts): quote it all

    def shown(self, first: int, last: int) -> str:
        start, end = self._span(first)
        if last != first:
            end = self._span(last)[1]
        snippet = " ".join(self.text[start:end].split())
        return snippet if len(snippet) <= 100 else snippet[:97] + "..."


# In order, typos and inflections cost little; the same words in another order ("the request
# may be refined" for "refine the request") cost a fixed penalty, and each extra word inside
# the match ("status of my FOI request") a small one.
_REORDER_PENALTY = 20.0
_GAP_PENALTY = 5.0


def _match_phrase(
    phrase: _Phrase, segment: _Segment, number: int, weight: float, compiled: _Compiled
) -> _Match | None:
    positions, sentence, words = segment.positions, segment.sentence, segment.words
    # The rarest word anchors the match (the first of equally rare ones, so the same text
    # always gives the same match, whatever the process's hash seed).
    content = phrase.content
    anchor_word = content[0]
    if len(content) > 1:
        counts = list(map(len, map(positions.__getitem__, content)))
        anchor_word = content[counts.index(min(counts))]
    plan = phrase.plans[anchor_word]
    radius, text, scores = phrase.radius, phrase.text, compiled.scores
    best_score, best_span = 0.0, (0, 0)
    anchors = positions[anchor_word]
    for anchor in anchors if len(anchors) <= 50 else anchors[:50]:
        home = sentence[anchor]
        picked = {anchor}
        # The phrase's other words: where the phrase puts them relative to the anchor, and
        # whether they must be in the window (those the text lacks are left out).
        for word, offset, needed in plan:
            ats = positions.get(word)
            if ats is None:
                continue
            # The occurrence nearest where the phrase puts the word (`target`) among the two
            # either side of it, within `radius` of the anchor and in the anchor's sentence.
            target = anchor + offset
            best = -1
            if len(ats) > 2:
                i = bisect_left(ats, target)
                ats = ats[max(0, i - 2) : i + 2]
            for at in ats:
                if (
                    abs(at - anchor) <= radius
                    and sentence[at] == home
                    and (best < 0 or abs(at - target) < abs(best - target))
                ):
                    best = at
            if best >= 0:
                picked.add(best)
            elif needed:
                break  # every content word must be in this window
        else:
            ordered = sorted(picked)
            found = " ".join(map(words.__getitem__, ordered))
            similarity = scores.get((text, found))
            if similarity is None:
                similarity = compiled.similarity(text, found)
            score = similarity - _GAP_PENALTY * (ordered[-1] - ordered[0] + 1 - len(ordered))
            if score >= compiled.cutoff and score > best_score:
                best_score, best_span = score, (ordered[0], ordered[-1])
                if score >= 100:
                    break
    if not best_score:
        return None
    first, last = best_span
    return _Match(phrase, best_score, number, first, last, segment, weight)


def _find_matches(segments: Sequence[tuple[_Segment, float]], compiled: _Compiled) -> list[_Match]:
    phrases, by_key, single = compiled.phrases, compiled.by_key, compiled.single
    matches: list[_Match] = []
    for number, (segment, weight) in enumerate(segments):
        positions, words, raw = segment.positions, segment.words, segment.raw
        if not positions:
            continue  # no phrase word at all (an empty subject)
        for word in filter(single.__contains__, positions):
            # One word: score the best-spelt text word standing for it (the first of equally
            # good ones), at its first occurrence.
            ats = positions[word]
            first = words[ats[0]]
            # The text words standing for it, if more than one, in order of first appearance.
            sources = None
            if len(ats) != len(raw[first]):
                sources = list(dict.fromkeys(map(words.__getitem__, ats)))
            for index in single[word]:
                phrase = phrases[index]
                found = first
                if sources is not None:
                    found = max(sources, key=partial(compiled.ratio, phrase.text))
                score = compiled.cut_ratio(phrase.text, found)
                if score:
                    at = raw[found][0]
                    matches.append(
                        _Match(phrase, score, number, at, at, segment, phrase.weight * weight)
                    )
        # The phrases of several words whose content words are all in the text.
        present = positions.keys()
        candidates = [
            index
            for word in filter(by_key.__contains__, positions)
            for index, rest in by_key[word]
            if present >= rest
        ]
        several: list[_Match] = []
        for index in candidates:
            phrase = phrases[index]
            if len(phrase.content) > 1 and not segment.share_a_sentence(phrase.content):
                continue  # no window can hold all its content words
            match = _match_phrase(phrase, segment, number, phrase.weight * weight, compiled)
            if match is not None:
                several.append(match)
        if len(several) > 1:
            # In the order phrases were always tried in: by where their first content word
            # first comes in the text, then in the rules' order (ties between equally strong
            # matches go by this order).
            rank = dict(zip(positions, count(), strict=False))
            several.sort(
                key=lambda m: (min(map(rank.__getitem__, m.phrase.content)), m.phrase.index)
            )
        matches += several
    hedge = compiled.rules.scoring.hedge_weight
    # "my FOI request" and "I made a request for information" name a request already made:
    # neither they nor a phrase inside them ("information request") say this is a new one.
    not_new = [
        (m.segment, m.first, m.last)
        for m in matches
        if m.phrase.new_request and _names_existing(segments[m.segment][0], m.first, compiled)
    ]
    # Nor does request wording inside a subject access phrase: "all the information [you
    # hold] about me" asks for the sender's own data, whatever "all the information" says alone.
    not_new += [(m.segment, m.first, m.last) for m in matches if m.phrase.sar_intent]
    kept: list[_Match] = []
    for m in matches:
        segment = segments[m.segment][0]
        if m.phrase.new_request and any(
            n == m.segment and first <= m.first and m.last <= last for n, first, last in not_new
        ):
            continue
        if (
            _conditional(segment, m.first, compiled)
            or _negated(segment, m, compiled)
            or (m.phrase.names_kind and _about_a_topic(segment, m, compiled))
        ):
            m = m.reweighted(m.weight * hedge)
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


def _negated(segment: _Segment, match: _Match, compiled: _Compiled) -> bool:
    """Whether a negation word stands just before a phrase that is not itself negative."""
    if match.phrase.negative:
        return False
    return _just_before(segment, segment.where_any(compiled.negations), match.first)


def _about_a_topic(segment: _Segment, match: _Match, compiled: _Compiled) -> bool:
    """Whether a topic word ("number", "many", "policy"...) stands up to three words before the
    phrase: "the number of complaints" is something asked about, not a complaint."""
    return _just_before(segment, segment.where_any(compiled.topics), match.first)


def _just_before(segment: _Segment, found: list[int], first: int) -> bool:
    """Whether one of the words `found` (where they are, in order) is among the three before
    `first`, in its sentence."""
    i = bisect_left(found, first)
    while i > 0 and found[i - 1] >= first - 3:
        i -= 1
        if segment.sentence[found[i]] == segment.sentence[first]:
            return True
    return False


def _conditional(segment: _Segment, first: int, compiled: _Compiled) -> bool:
    """Whether the match follows "if"/"unless"... in its sentence: "if this exceeds the cost
    limit I can refine my request" is a new request's boilerplate, not a refinement."""
    conditions = segment.conditions(compiled)
    # The last condition before the match, if any, is in the match's sentence.
    i = bisect_left(conditions, first)
    return i > 0 and segment.sentence[conditions[i - 1]] == segment.sentence[first]


# ---------------------------------------------------------------------------------------------
# Structure and validity

# A line that starts with a list mark and has something after it. Counted over the whole text
# with "\n" as the only line break (so whitespace after the mark stays on its line): the first
# line, then each line after a "\n", which the regex engine finds quickly.
_LIST_ITEM = rf"[ \t]*{_LIST_MARK}[^\S\n]*\S"
_FIRST_LIST_ITEM = re.compile(_LIST_ITEM)
_NEXT_LIST_ITEM = re.compile("\n" + _LIST_ITEM)


def _list_items(text: str) -> int:
    """How many lines of `text` are list items (its lines split by "\n" only, as own words)."""
    first = 1 if _FIRST_LIST_ITEM.match(text) else 0
    return first + len(_NEXT_LIST_ITEM.findall(text))


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
    lines = text.splitlines()
    valedictions = compiled.valedictions
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i].strip()
        lowered = line.lower()
        if not lowered.startswith(valedictions):
            continue  # most lines: no valediction at all
        for valediction in valedictions:
            if lowered.startswith(valediction) and not lowered[len(valediction) :][:1].isalnum():
                rest = line[len(valediction) :].strip(" ,.!-")
                if rest:
                    return rest
                following = [s for s in (f.strip() for f in lines[i + 1 :]) if s]
                return following[0].strip(" ,.") if following else ""
    return ""


def _description_words(words: set[str], exclude: set[str], compiled: _Compiled, enough: int) -> int:
    """How many words describe the information asked for (counted up to `enough`)."""
    described = (w for w in words - compiled.generic - exclude if len(w) > 2 and not w.isdigit())
    return sum(1 for _ in islice(described, enough))


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


_STRENGTH = attrgetter("value", "phrase.size")


def _accept(matches: list[_Match]) -> list[_Match]:
    """Strongest first; a match overlapping a stronger one for the same label counts once."""
    taken: dict[tuple[Label, bool, int], list[tuple[int, int]]] = {}
    seen: dict[Label, set[str]] = {}  # the phrases kept, per label
    kept: list[_Match] = []
    # Between overlapping matches for the same label the stronger (then the longer) is kept.
    for m in sorted(matches, key=_STRENGTH, reverse=True):
        key = (m.phrase.label, m.phrase.role is PhraseRole.TOPIC, m.segment)
        spans = taken.setdefault(key, [])
        if any(m.first <= last and first <= m.last for first, last in spans):
            continue
        texts = seen.setdefault(m.phrase.label, set())
        if m.phrase.text in texts:
            continue  # the same phrase in the subject and the body counts once
        spans.append((m.first, m.last))
        texts.add(m.phrase.text)
        kept.append(m)
    return kept


def _combine(values: list[float], decay: float) -> float:
    if not values:
        return 0  # as sum() of nothing
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
        found = [m for m in found if not (m.segment == 0 and m.phrase.new_request)]
    matches = _accept(found)
    evidence = [
        Evidence(m.phrase.label, m.phrase.shown, m.matched, m.score, m.weight) for m in matches
    ]
    label, confidence = _decide(message, body, matches, reply, evidence, rules)

    flags: list[Flag] = []
    if confidence < rules.thresholds.triage_confidence:
        flags.append(Flag.NEEDS_TRIAGE)
    if label in (Label.FOI, Label.EIR):
        words = {*segments[0][0].raw, *segments[1][0].raw}
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
    enough = compiled.rules.validity.min_description_words
    if _description_words(words, names, compiled, enough) < enough:
        flags.append(Flag.NO_DESCRIPTION)
    return flags
