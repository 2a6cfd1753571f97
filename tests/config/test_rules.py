"""The classifier rules file: the shipped one loads, an authority's own file extends it, and a
mistake in either is reported with the file and the key."""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from config.rules import (
    KNOWN_LABELS,
    PhraseRole,
    PhraseRule,
    Rules,
    RulesError,
    default_rules,
    load_rules,
    rules_from_text,
)
from intake.classifier import Incoming, Label, classify

WELSH = """\
# A Welsh authority's own phrases.
[thresholds]
triage_confidence = 0.7

[text]
signature_markers = ["anfonwyd o fy"]

[[phrases]]
label = "foi"
weight = 4.0
phrases = ["cais rhyddid gwybodaeth", "cais am wybodaeth"]

[[phrases]]
label = "sar"
weight = 0
phrases = ["my file"]

[[phrases]]
label = "complaint"
weight = 0.5
phrases = ["unacceptable"]
"""

WELSH_REQUEST = "Annwyl Syr,\nCais rhyddid gwybodaeth: cyllideb y llyfrgell 2024.\nSiân Evans"


def _find(rules: Rules, label: str, phrase: str) -> PhraseRule | None:
    found = [p for p in rules.phrases if p.label == label and p.phrase == phrase]
    return found[0] if found else None


def test_the_shipped_rules_load_from_the_package() -> None:
    rules = default_rules()
    assert rules.sources == ("classifier.toml",)
    assert {p.label for p in rules.phrases} == set(KNOWN_LABELS)
    assert any(p.role is PhraseRole.TOPIC for p in rules.phrases)
    assert all(p.weight > 0 and p.phrase.strip() for p in rules.phrases)
    assert 0 < rules.thresholds.triage_confidence < 1
    assert rules.text.max_chars >= 1000
    assert "yours faithfully" in rules.validity.valedictions
    assert load_rules() is rules is default_rules()  # read once


def test_the_shipped_file_lists_each_phrase_once() -> None:
    # A repeat would silently replace the earlier weight: keep the file unambiguous.
    data = tomllib.loads(resources.files("config").joinpath("classifier.toml").read_text())
    seen: set[tuple[str, str, str]] = set()
    for group in data["phrases"]:
        for phrase in group["phrases"]:
            key = (group["label"], group.get("role", "intent"), " ".join(phrase.lower().split()))
            assert key not in seen, key
            seen.add(key)


def test_an_authoritys_file_extends_the_shipped_rules(tmp_path: Path) -> None:
    extra = tmp_path / "ours.toml"
    extra.write_text(WELSH, encoding="utf-8")
    rules = load_rules(extra)
    shipped = default_rules()
    assert rules.sources == ("classifier.toml", str(extra))
    # New phrases added, an existing one re-weighted, one switched off, the rest kept.
    added = _find(rules, "foi", "cais rhyddid gwybodaeth")
    assert added is not None and added.weight == 4.0
    reweighted = _find(rules, "complaint", "unacceptable")
    assert reweighted is not None and reweighted.weight == 0.5
    assert _find(shipped, "sar", "my file") is not None
    assert _find(rules, "sar", "my file") is None
    assert len(rules.phrases) == len(shipped.phrases) + 2 - 1
    # Scalars replace ours; lists add to ours.
    assert rules.thresholds.triage_confidence == 0.7
    assert rules.thresholds.eir_topic_score == shipped.thresholds.eir_topic_score
    assert rules.text.signature_markers[-1] == "anfonwyd o fy"
    assert set(shipped.text.signature_markers) < set(rules.text.signature_markers)


def test_the_extra_phrases_take_effect_in_classification(tmp_path: Path) -> None:
    extra = tmp_path / "ours.toml"
    extra.write_text(WELSH, encoding="utf-8")
    without = classify(Incoming("", WELSH_REQUEST))
    with_ours = classify(Incoming("", WELSH_REQUEST), load_rules(extra))
    assert without.label is Label.OTHER
    assert with_ours.label is Label.FOI
    assert with_ours.evidence[0].phrase == "cais rhyddid gwybodaeth"
    assert with_ours.evidence[0].matched == "Cais rhyddid gwybodaeth"


def test_the_same_file_gives_the_same_rules_until_it_changes(tmp_path: Path) -> None:
    extra = tmp_path / "ours.toml"
    extra.write_text(WELSH, encoding="utf-8")
    first = load_rules(extra)
    assert load_rules(str(extra)) is first
    extra.write_text(WELSH.replace("0.7", "0.8"), encoding="utf-8")
    stat = extra.stat()
    os.utime(extra, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    changed = load_rules(extra)
    assert changed is not first
    assert changed.thresholds.triage_confidence == 0.8


def test_triage_confidence_from_settings_overrides_the_file() -> None:
    rules = load_rules(triage_confidence=0.75)
    assert rules.thresholds.triage_confidence == 0.75
    assert rules.phrases == default_rules().phrases
    assert load_rules("", triage_confidence=0.75) is rules
    with pytest.raises(RulesError, match="between 0 and 1"):
        load_rules(triage_confidence=1.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[colours]\nred = 1\n", "colours is not a known table"),
        ("[thresholds]\ntriage = 0.5\n", "thresholds.triage is not a known setting"),
        ("[thresholds]\ntriage_confidence = 'high'\n", "triage_confidence must be a number"),
        ("[thresholds]\ntriage_confidence = 2\n", "triage_confidence must be between 0 and 1"),
        ("[text]\nmax_chars = 10.5\n", "max_chars must be a whole number"),
        ("[text]\nstopwords = ['a', 3]\n", "stopwords must be a list of non-empty strings"),
        ("[text]\ntopic_words = 'many'\n", "topic_words must be a list of non-empty strings"),
        ("[thresholds]\nsar_evidence = -1\n", "sar_evidence must be between 0 and 1000"),
        ("[scoring]\nlist_min_items = true\n", "list_min_items must be a whole number"),
        (
            "[[phrases]]\nlabel = 'spam'\nweight = 1\nphrases = ['x']\n",
            "phrases group 1: label must be one of foi, eir",
        ),
        ("[[phrases]]\nlabel = 'foi'\nweight = -1\nphrases = ['x']\n", "weight must be"),
        ("[[phrases]]\nlabel = 'foi'\nweight = 1\nphrases = []\n", "phrases must be a list"),
        ("[[phrases]]\nlabel = 'foi'\nweight = 1\nphrases = ['!!']\n", "phrases must be"),
        (
            "[[phrases]]\nlabel = 'foi'\nrole = 'topic'\nweight = 1\nphrases = ['x']\n",
            "topic is only for label eir",
        ),
        (
            "[[phrases]]\nlabel = 'eir'\nrole = 'mood'\nweight = 1\nphrases = ['x']\n",
            "role must be intent or topic",
        ),
        (
            "[[phrases]]\nlabel = 'foi'\nflag = 'urgent'\nweight = 1\nphrases = ['x']\n",
            "flag must be one of",
        ),
        ("[[phrases]]\nlabel = 'foi'\nwieght = 1\nphrases = ['x']\n", "wieght is not a known key"),
        ("[thresholds\n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_file_and_the_key(text: str, message: str) -> None:
    with pytest.raises(RulesError) as caught:
        rules_from_text(text, "ours.toml")
    assert str(caught.value).startswith("ours.toml: ")
    assert message in str(caught.value)


def test_a_missing_or_unreadable_file_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00label")
    with pytest.raises(RulesError, match=r"binary\.toml"):
        load_rules(binary)


def test_rules_from_text_merges_over_the_shipped_file() -> None:
    rules = rules_from_text('[[phrases]]\nlabel = "other"\nweight = 2\nphrases = ["bin day"]\n')
    assert _find(rules, "other", "bin day") is not None
    assert len(rules.phrases) == len(default_rules().phrases) + 1
    assert rules is not default_rules()
