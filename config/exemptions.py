"""The exemption catalogue: FOIA exemptions and EIR exceptions as data, not code.

The shipped catalogue is `config/exemptions.toml`, read with importlib.resources so it works
from an installed package. An authority can lay its own file over it (same format): an entry
whose `ref` is already known overrides only the keys it sets (its own wording, its own suggested
public interest factors); a new `ref` adds an entry and must be complete. Every problem is a
CatalogueError whose message names the file, the entry and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Exemption",
    "ExemptionKind",
    "Law",
    "load_catalogue",
    "normalise_ref",
]


class CatalogueError(ValueError):
    """A problem in a catalogue file; str() is one line naming the file, entry and key."""


class Law(StrEnum):
    FOIA = "foia"  # Freedom of Information Act 2000, Part II
    EIR = "eir"  # Environmental Information Regulations 2004, regs 12 and 13
    FOISA = "foisa"  # Freedom of Information (Scotland) Act 2002, Part 2

    @property
    def short(self) -> str:
        return {Law.FOIA: "FOIA", Law.EIR: "EIR", Law.FOISA: "FOISA"}[self]


class ExemptionKind(StrEnum):
    # FOIA s2(3) lists the absolute exemptions; the rest are subject to the public interest
    # test in s2(1)(b)/(2)(b). EIR reg 12(1)(b) applies the test to every exception.
    ABSOLUTE = "absolute"
    QUALIFIED = "qualified"


@dataclass(frozen=True)
class Exemption:
    ref: str  # canonical: "s31(1)(a)", "reg12(5)(e)"
    law: Law
    group: str  # the letter's heading: "Section 31 FOIA"
    title: str
    kind: ExemptionKind
    text: str  # the statutory text, quoted exactly
    source: str = ""
    verified: bool = False
    pit: bool = True  # False where the test can't be run although the law is qualified
    ncnd_ref: str = ""
    ncnd_text: str = ""
    pit_for: tuple[str, ...] = ()
    pit_against: tuple[str, ...] = ()

    @property
    def needs_public_interest_test(self) -> bool:
        return self.kind is ExemptionKind.QUALIFIED and self.pit

    @property
    def citation(self) -> str:
        """How a letter names it: 'section 31(1)(a)', 'regulation 12(5)(e)'."""
        return cite(self.ref)

    @property
    def ncnd_citation(self) -> str:
        return cite(self.ncnd_ref) if self.ncnd_ref else ""


_REQUIRED = ("ref", "law", "group", "title", "kind", "text")
_STRINGS = ("ref", "group", "title", "text", "source", "ncnd_ref", "ncnd_text")
_LISTS = ("pit_for", "pit_against")
_BOOLS = ("verified", "pit")
_KNOWN = frozenset(_STRINGS + _LISTS + _BOOLS + ("law", "kind"))

_REF = re.compile(
    r"^(?P<prefix>section|sections|sec|ss|s|regulation|regulations|reg|regs|r)?\.?"
    r"(?P<number>\d+[a-z]{0,2})(?P<rest>(\([0-9a-z]+\))*)$"
)


def normalise_ref(value: str) -> tuple[str, str]:
    """('s', '31(1)(a)') from 'Section 31(1)(a)', 's.31 (1)(a)', 'S31(1)(A)'; prefix may be ''.

    Raises ValueError for anything that is not a section or regulation reference.
    """
    compact = re.sub(r"\s+", "", value).lower()
    match = _REF.match(compact)
    if not match:
        raise ValueError(f"{value!r} is not a section or regulation reference")
    prefix = match["prefix"] or ""
    kind = "reg" if prefix.startswith("r") else ("s" if prefix else "")
    number = match["number"].upper() if match["number"][-1:].isalpha() else match["number"]
    # "22a" -> "22A": inserted sections are capitalised in the statute book.
    return kind, number + match["rest"]


def canonical(value: str) -> str:
    """The catalogue's spelling of a fully prefixed reference: 's31(1)(a)', 'reg12(5)(e)'."""
    kind, body = normalise_ref(value)
    if not kind:
        raise ValueError(f"{value!r}: say whether it is a section (s) or regulation (reg)")
    return kind + body


def cite(ref: str) -> str:
    kind, body = normalise_ref(ref)
    return ("regulation " if kind == "reg" else "section ") + body


_LAW_ORDER = {law: i for i, law in enumerate(Law)}  # FOIA, EIR, FOISA: who wins a bare lookup


@dataclass(frozen=True)
class Catalogue:
    """Entries keyed by (law, ref): FOIA and FOISA number some exemptions alike (s35(1)(a) is
    the formulation of government policy in one and law enforcement in the other)."""

    entries: Mapping[tuple[Law, str], Exemption]

    def __iter__(self) -> Iterator[Exemption]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self.find(ref) is not None

    def find(self, ref: str, law: Law | None = None) -> Exemption | None:
        """The entry a leniently typed reference names; None when unknown or ambiguous.

        `law` picks between laws that have the same reference; without it a reference two laws
        share resolves to the first of FOIA, EIR, FOISA, and is not a miss. A bare number
        ('12(5)(e)') is accepted when only one kind (section or regulation) has it.
        """
        try:
            kind, body = normalise_ref(ref)
        except ValueError:
            return None
        candidates = [kind + body] if kind else ["s" + body, "reg" + body]
        found = [e for e in self.entries.values() if e.ref in candidates]
        if len(found) > 1 and law is not None:
            chosen = [e for e in found if e.law is law]
            found = chosen or found
        if len({e.ref for e in found}) > 1:
            return None  # 's' or 'reg'? the typed reference does not say
        return min(found, key=lambda e: _LAW_ORDER[e.law]) if found else None

    def __getitem__(self, ref: str) -> Exemption:
        entry = self.find(ref)
        if entry is None:
            raise KeyError(ref)
        return entry

    def for_law(self, law: Law) -> list[Exemption]:
        return [e for e in self.entries.values() if e.law is law]


def _read(path: str, data: bytes) -> list[dict[str, Any]]:
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(parsed) - {"exemption"}
    if unknown:
        first = sorted(unknown)[0]
        raise CatalogueError(f"{path}: unknown table {first!r} (expected [[exemption]])")
    rows = parsed.get("exemption", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise CatalogueError(f"{path}: 'exemption' must be an array of tables ([[exemption]])")
    return rows


def _check_row(path: str, index: int, row: Mapping[str, Any]) -> str:
    where = f"{path}: exemption #{index + 1}"
    ref = row.get("ref")
    if not isinstance(ref, str) or not ref.strip():
        raise CatalogueError(f'{where}: ref: required (e.g. "s31(1)(a)")')
    try:
        ref = canonical(ref)
    except ValueError as exc:
        raise CatalogueError(f"{where}: ref: {exc}") from None
    where = f"{path}: {ref}"
    for key, value in row.items():
        if key not in _KNOWN:
            known = ", ".join(sorted(_KNOWN))
            raise CatalogueError(f"{where}: {key}: unknown key (known: {known})")
        if key in _STRINGS and not isinstance(value, str):
            raise CatalogueError(f"{where}: {key}: expected a string")
        if key in _BOOLS and not isinstance(value, bool):
            raise CatalogueError(f"{where}: {key}: expected true or false")
        if key in _LISTS and not (
            isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise CatalogueError(f"{where}: {key}: expected a list of non-empty strings")
    if "law" in row and row["law"] not in {law.value for law in Law}:
        raise CatalogueError(f"{where}: law: {row['law']!r} is not one of foia, eir, foisa")
    if "kind" in row and row["kind"] not in {k.value for k in ExemptionKind}:
        raise CatalogueError(f"{where}: kind: {row['kind']!r} is not absolute or qualified")
    for key in ("text", "group", "title"):
        if key in row and not row[key].strip():
            raise CatalogueError(f"{where}: {key}: must not be empty")
    if row.get("ncnd_ref"):
        try:
            canonical(row["ncnd_ref"])
        except ValueError as exc:
            raise CatalogueError(f"{where}: ncnd_ref: {exc}") from None
    return ref


def _build(path: str, ref: str, row: Mapping[str, Any]) -> Exemption:
    missing = [key for key in _REQUIRED if key not in row]
    if missing:
        raise CatalogueError(f"{path}: {ref}: {missing[0]}: required for a new entry")
    return Exemption(
        ref=ref,
        law=Law(row["law"]),
        group=row["group"],
        title=row["title"],
        kind=ExemptionKind(row["kind"]),
        text=row["text"].strip("\n"),
        source=row.get("source", ""),
        verified=row.get("verified", False),
        pit=row.get("pit", True),
        ncnd_ref=canonical(row["ncnd_ref"]) if row.get("ncnd_ref") else "",
        ncnd_text=row.get("ncnd_text", "").strip("\n"),
        pit_for=tuple(row.get("pit_for", ())),
        pit_against=tuple(row.get("pit_against", ())),
    )


def _override(path: str, base: Exemption, row: Mapping[str, Any]) -> Exemption:
    changes: dict[str, Any] = {}
    for key, value in row.items():
        if key == "ref":
            continue
        if key == "law":
            if Law(value) is not base.law:
                raise CatalogueError(f"{path}: {base.ref}: law: can't change the law of an entry")
            continue
        if key == "kind":
            changes[key] = ExemptionKind(value)
        elif key in _LISTS:
            changes[key] = tuple(value)
        elif key == "ncnd_ref":
            changes[key] = canonical(value) if value else ""
        elif key in ("text", "ncnd_text"):
            changes[key] = value.strip("\n")
        else:
            changes[key] = value
    return replace(base, **changes)


def _merge(
    entries: dict[tuple[Law, str], Exemption], path: str, data: bytes, *, allow_override: bool
) -> None:
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(_read(path, data)):
        ref = _check_row(path, index, row)
        named = row.get("law")
        if (named or "", ref) in seen:
            raise CatalogueError(f"{path}: {ref}: listed twice")
        seen.add((named or "", ref))
        same_ref = [key for key in entries if key[1] == ref]
        if named is not None:
            key = (Law(named), ref)
        elif len(same_ref) > 1:
            laws = ", ".join(law.value for law, _ in same_ref)
            raise CatalogueError(f"{path}: {ref}: law: required, {ref} is in {laws}")
        elif same_ref:
            key = same_ref[0]
        else:
            raise CatalogueError(f"{path}: {ref}: law: required for a new entry")
        if key in entries and allow_override:
            entries[key] = _override(path, entries[key], row)
        else:
            if allow_override and same_ref and any(k not in row for k in _REQUIRED):
                # The law named differs from the shipped entry's: that is a new entry under
                # another law, not a change to this one, and it must be complete.
                raise CatalogueError(
                    f"{path}: {ref}: law: can't change the law of an entry (a new {named} "
                    "entry with this ref needs every required key)"
                )
            entries[key] = _build(path, ref, row)
        entry = entries[key]
        if entry.ncnd_ref and not entry.ncnd_text:
            raise CatalogueError(f"{path}: {ref}: ncnd_text: required with ncnd_ref")


def shipped_catalogue_bytes() -> bytes:
    return resources.files("config").joinpath("exemptions.toml").read_bytes()


def load_catalogue(extra: str | Path | None = None) -> Catalogue:
    """The shipped catalogue, with an authority's own file (if any) merged on top."""
    entries: dict[tuple[Law, str], Exemption] = {}
    _merge(entries, "config/exemptions.toml", shipped_catalogue_bytes(), allow_override=False)
    if extra is not None and str(extra):
        try:
            data = Path(extra).read_bytes()
        except FileNotFoundError:
            raise CatalogueError(f"{extra}: not found") from None
        except OSError as exc:
            raise CatalogueError(f"{extra}: can't be read ({exc.strerror})") from None
        _merge(entries, str(extra), data, allow_override=True)
    return Catalogue(entries=dict(entries))
