"""Classifier rules: the shipped `classifier.toml`, optionally extended by an authority's file.

Loads and validates the data file into a typed, immutable `Rules` object. Matching itself lives
in `intake.classifier`; this module only reads and checks data, so an administrator's mistake
is reported at load time with the file and the key, not in the middle of classifying mail.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

SHIPPED_FILE = "classifier.toml"

# The classifier's labels and the flags a phrase group may raise. intake.classifier defines the
# enums; config sits below intake in the import order, so it checks names against these (a test
# keeps the two in step).
KNOWN_LABELS = (
    "foi",
    "eir",
    "sar",
    "internal_review",
    "complaint",
    "clarification",
    "other",
)
PHRASE_FLAGS = ("ico_mentioned", "automated_reply")


class RulesError(ValueError):
    """The rules file is not valid: the message names the file and the key."""


class PhraseRole(StrEnum):
    """What a phrase says about a message."""

    INTENT = "intent"  # what the sender wants (a new request, a review, a complaint...)
    TOPIC = "topic"  # an environmental subject: decides EIR over FOIA for a new request


@dataclass(frozen=True)
class PhraseRule:
    label: str
    phrase: str
    weight: float
    role: PhraseRole = PhraseRole.INTENT
    flag: str | None = None


@dataclass(frozen=True)
class Thresholds:
    triage_confidence: float
    min_phrase_score: float
    eir_topic_score: float
    min_evidence: float
    sar_evidence: float


@dataclass(frozen=True)
class Scoring:
    subject_weight: float
    decay: float
    temperature: float
    list_weight: float
    list_min_items: int
    hedge_weight: float
    reply_weight: float


@dataclass(frozen=True)
class TextRules:
    max_chars: int
    signature_markers: tuple[str, ...]
    exact_words: tuple[str, ...]
    stopwords: tuple[str, ...]
    conditional_words: tuple[str, ...]
    not_conditional_after: tuple[str, ...]
    not_conditional_before: tuple[str, ...]
    negation_words: tuple[str, ...]
    existing_request_words: tuple[str, ...]
    topic_words: tuple[str, ...]


@dataclass(frozen=True)
class Validity:
    min_description_words: int
    generic_words: tuple[str, ...]
    valedictions: tuple[str, ...]
    titles: tuple[str, ...]
    not_names: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    phrases: tuple[PhraseRule, ...]
    thresholds: Thresholds
    scoring: Scoring
    text: TextRules
    validity: Validity
    sources: tuple[str, ...]  # the files these rules came from, shipped file first


# Which keys each table takes and what they hold: (kind, minimum, maximum).
_NUMBER = "number"
_INTEGER = "integer"
_WORDS = "words"
_SCALARS: dict[str, dict[str, tuple[str, float, float]]] = {
    "thresholds": {
        "triage_confidence": (_NUMBER, 0.0, 1.0),
        "min_phrase_score": (_NUMBER, 0.0, 100.0),
        "eir_topic_score": (_NUMBER, 0.0, 1000.0),
        "min_evidence": (_NUMBER, 0.0, 1000.0),
        "sar_evidence": (_NUMBER, 0.0, 1000.0),
    },
    "scoring": {
        "subject_weight": (_NUMBER, 0.0, 10.0),
        "decay": (_NUMBER, 0.0, 1.0),
        "temperature": (_NUMBER, 0.01, 1000.0),
        "list_weight": (_NUMBER, 0.0, 1000.0),
        "list_min_items": (_INTEGER, 1, 1000),
        "hedge_weight": (_NUMBER, 0.0, 1.0),
        "reply_weight": (_NUMBER, 0.0, 1000.0),
    },
    "text": {
        "max_chars": (_INTEGER, 200, 10_000_000),
        "signature_markers": (_WORDS, 0, 0),
        "exact_words": (_WORDS, 0, 0),
        "stopwords": (_WORDS, 0, 0),
        "conditional_words": (_WORDS, 0, 0),
        "not_conditional_after": (_WORDS, 0, 0),
        "not_conditional_before": (_WORDS, 0, 0),
        "negation_words": (_WORDS, 0, 0),
        "existing_request_words": (_WORDS, 0, 0),
        "topic_words": (_WORDS, 0, 0),
    },
    "validity": {
        "min_description_words": (_INTEGER, 0, 1000),
        "generic_words": (_WORDS, 0, 0),
        "valedictions": (_WORDS, 0, 0),
        "titles": (_WORDS, 0, 0),
        "not_names": (_WORDS, 0, 0),
    },
}
_GROUP_KEYS = {"label", "weight", "role", "flag", "phrases"}


def _fail(source: str, where: str, problem: str) -> RulesError:
    return RulesError(f"{source}: {where} {problem}")


def _read(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: not valid TOML: {exc}") from None


def _check_tables(data: Mapping[str, Any], source: str, *, complete: bool) -> None:
    for key in data:
        if key not in _SCALARS and key != "phrases":
            raise _fail(source, key, "is not a known table")
    for table, spec in _SCALARS.items():
        values = data.get(table, {})
        if not isinstance(values, dict):
            raise _fail(source, table, "must be a table")
        for key in values:
            if key not in spec:
                raise _fail(source, f"{table}.{key}", "is not a known setting")
        for key, (kind, low, high) in spec.items():
            where = f"{table}.{key}"
            if key not in values:
                if complete:
                    raise _fail(source, where, "is missing")
                continue
            value = values[key]
            if kind == _WORDS:
                if not isinstance(value, list) or not all(
                    isinstance(v, str) and v.strip() for v in value
                ):
                    raise _fail(source, where, "must be a list of non-empty strings")
            elif kind == _INTEGER:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise _fail(source, where, "must be a whole number")
                if not low <= value <= high:
                    raise _fail(source, where, f"must be between {low:g} and {high:g}")
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise _fail(source, where, "must be a number")
                if not low <= value <= high:
                    raise _fail(source, where, f"must be between {low:g} and {high:g}")


def _phrase_rules(data: Mapping[str, Any], source: str) -> list[PhraseRule]:
    groups = data.get("phrases", [])
    if not isinstance(groups, list):
        raise _fail(source, "phrases", "must be an array of tables ([[phrases]])")
    rules: list[PhraseRule] = []
    for number, group in enumerate(groups, start=1):
        where = f"phrases group {number}"
        if not isinstance(group, dict):
            raise _fail(source, where, "must be a table")
        unknown = set(group) - _GROUP_KEYS
        if unknown:
            raise _fail(source, f"{where}: {sorted(unknown)[0]}", "is not a known key")
        label = group.get("label")
        if label not in KNOWN_LABELS:
            raise _fail(source, f"{where}: label", f"must be one of {', '.join(KNOWN_LABELS)}")
        weight = group.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise _fail(source, f"{where}: weight", "must be a number of 0 or more")
        try:
            role = PhraseRole(group.get("role", PhraseRole.INTENT))
        except ValueError:
            raise _fail(source, f"{where}: role", "must be intent or topic") from None
        if role is PhraseRole.TOPIC and label != "eir":
            raise _fail(source, f"{where}: role", "topic is only for label eir")
        flag = group.get("flag")
        if flag is not None and flag not in PHRASE_FLAGS:
            raise _fail(source, f"{where}: flag", f"must be one of {', '.join(PHRASE_FLAGS)}")
        phrases = group.get("phrases")
        if (
            not isinstance(phrases, list)
            or not phrases
            or not all(isinstance(p, str) and any(c.isalnum() for c in p) for p in phrases)
        ):
            raise _fail(source, f"{where}: phrases", "must be a list of words or phrases")
        rules.extend(PhraseRule(label, p.strip(), float(weight), role, flag) for p in phrases)
    return rules


def _merge_phrases(rules: Sequence[PhraseRule]) -> tuple[PhraseRule, ...]:
    # A later rule for the same phrase replaces the earlier one (an authority re-weighting ours);
    # weight 0 switches it off.
    merged: dict[tuple[str, PhraseRole, str], PhraseRule] = {}
    for rule in rules:
        key = (rule.label, rule.role, " ".join(rule.phrase.lower().split()))
        merged.pop(key, None)
        merged[key] = rule
    return tuple(rule for rule in merged.values() if rule.weight > 0)


def _build(layers: Sequence[tuple[Mapping[str, Any], str]]) -> Rules:
    scalars: dict[str, dict[str, Any]] = {table: {} for table in _SCALARS}
    phrases: list[PhraseRule] = []
    for data, source in layers:
        for table, spec in _SCALARS.items():
            for key, value in data.get(table, {}).items():
                if spec[key][0] == _WORDS:
                    # Lists extend ours: an authority adds words, it need not repeat ours.
                    old = scalars[table].get(key, [])
                    scalars[table][key] = [*old, *(v for v in value if v not in old)]
                else:
                    scalars[table][key] = value
        phrases.extend(_phrase_rules(data, source))

    def words(table: str, key: str) -> tuple[str, ...]:
        return tuple(" ".join(v.lower().split()) for v in scalars[table][key])

    t, s = scalars["thresholds"], scalars["scoring"]
    return Rules(
        phrases=_merge_phrases(phrases),
        thresholds=Thresholds(
            triage_confidence=float(t["triage_confidence"]),
            min_phrase_score=float(t["min_phrase_score"]),
            eir_topic_score=float(t["eir_topic_score"]),
            min_evidence=float(t["min_evidence"]),
            sar_evidence=float(t["sar_evidence"]),
        ),
        scoring=Scoring(
            subject_weight=float(s["subject_weight"]),
            decay=float(s["decay"]),
            temperature=float(s["temperature"]),
            list_weight=float(s["list_weight"]),
            list_min_items=int(s["list_min_items"]),
            hedge_weight=float(s["hedge_weight"]),
            reply_weight=float(s["reply_weight"]),
        ),
        text=TextRules(
            max_chars=int(scalars["text"]["max_chars"]),
            signature_markers=words("text", "signature_markers"),
            exact_words=words("text", "exact_words"),
            stopwords=words("text", "stopwords"),
            conditional_words=words("text", "conditional_words"),
            not_conditional_after=words("text", "not_conditional_after"),
            not_conditional_before=words("text", "not_conditional_before"),
            negation_words=words("text", "negation_words"),
            existing_request_words=words("text", "existing_request_words"),
            topic_words=words("text", "topic_words"),
        ),
        validity=Validity(
            min_description_words=int(scalars["validity"]["min_description_words"]),
            generic_words=words("validity", "generic_words"),
            valedictions=words("validity", "valedictions"),
            titles=words("validity", "titles"),
            not_names=words("validity", "not_names"),
        ),
        sources=tuple(source for _, source in layers),
    )


def _shipped() -> tuple[dict[str, Any], str]:
    text = resources.files("config").joinpath(SHIPPED_FILE).read_text(encoding="utf-8")
    data = _read(text, SHIPPED_FILE)
    _check_tables(data, SHIPPED_FILE, complete=True)
    return data, SHIPPED_FILE


def load_rules(extra: str | Path | None = None, *, triage_confidence: float | None = None) -> Rules:
    """The shipped rules, with an authority's own file (if given) merged on top.

    `triage_confidence` overrides the file's threshold, for a deployment that sets it in its
    settings (Settings.intake.triage_threshold) rather than in a rules file.
    """
    if triage_confidence is not None and not 0.0 <= triage_confidence <= 1.0:
        raise RulesError(f"triage confidence {triage_confidence:g} must be between 0 and 1")
    stamp: tuple[int, int] | None = None
    if extra:
        try:
            status = Path(extra).stat()
        except OSError as exc:
            raise RulesError(f"{extra}: cannot read: {exc.__class__.__name__}") from None
        stamp = (status.st_mtime_ns, status.st_size)
    # The same file (unchanged) gives the same Rules object, so callers may load per message
    # and the classifier's prepared phrases are reused.
    return _cached_rules(str(extra) if extra else None, stamp, triage_confidence)


@lru_cache(maxsize=16)
def _cached_rules(
    extra: str | None, stamp: tuple[int, int] | None, triage_confidence: float | None
) -> Rules:
    # `stamp` (the file's mtime and size) is only part of the cache key: an edited file reloads.
    rules = default_rules() if extra is None else _load_extra(Path(extra))
    if triage_confidence is None:
        return rules
    return replace(rules, thresholds=replace(rules.thresholds, triage_confidence=triage_confidence))


def _load_extra(path: Path) -> Rules:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read: {exc.__class__.__name__}") from None
    data = _read(text, str(path))
    _check_tables(data, str(path), complete=False)
    return _build([_shipped(), (data, str(path))])


def rules_from_text(text: str, source: str = "<rules>") -> Rules:
    """Rules from TOML text merged on top of the shipped file (for tests and admin tools)."""
    data = _read(text, source)
    _check_tables(data, source, complete=False)
    return _build([_shipped(), (data, source)])


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The shipped rules, read and validated once per process."""
    return _build([_shipped()])
