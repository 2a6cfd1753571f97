"""The exemption catalogue: complete, well-formed, and overridable by an authority's own file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.exemptions import (
    CatalogueError,
    Exemption,
    ExemptionKind,
    Law,
    canonical,
    cite,
    load_catalogue,
    normalise_ref,
)

CATALOGUE = load_catalogue()

# Every FOIA Part II section with an exemption used in practice (s21-s44, with s22A), and every
# EIR exception: regs 12(4)(a)-(e), 12(5)(a)-(g) and 13.
FOIA_SECTIONS = [
    "21", "22", "22A", "23", "24", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35",
    "36", "37", "38", "39", "40", "41", "42", "43", "44",
]  # fmt: skip
EIR_EXCEPTIONS = [f"reg12(4)({p})" for p in "abcde"] + [f"reg12(5)({p})" for p in "abcdefg"]

# FOIA s2(3): the absolute exemptions (those in the catalogue).
ABSOLUTE = {
    "s21(1)", "s23(1)", "s32(1)", "s34(1)", "s37(1)(a)", "s40(1)", "s40(2)", "s41(1)",
    "s44(1)(a)", "s44(1)(b)", "s44(1)(c)",
}  # fmt: skip


@pytest.mark.parametrize("section", FOIA_SECTIONS)
def test_every_foia_part_ii_section_is_catalogued(section: str) -> None:
    refs = [e.ref for e in CATALOGUE.for_law(Law.FOIA)]
    assert any(re.fullmatch(rf"s{section}\(.*", ref) for ref in refs), section


@pytest.mark.parametrize("ref", [*EIR_EXCEPTIONS, "reg13(1)"])
def test_every_eir_exception_is_catalogued(ref: str) -> None:
    entry = CATALOGUE[ref]
    assert entry.law is Law.EIR


def test_absolute_and_qualified_follow_foia_section_2_3() -> None:
    for entry in CATALOGUE.for_law(Law.FOIA):
        expected = ExemptionKind.ABSOLUTE if entry.ref in ABSOLUTE else ExemptionKind.QUALIFIED
        assert entry.kind is expected, entry.ref


def test_every_eir_exception_except_reg_13_first_condition_is_qualified() -> None:
    for entry in CATALOGUE.for_law(Law.EIR):
        if entry.ref == "reg13(1)":
            assert entry.kind is ExemptionKind.ABSOLUTE
        else:
            assert entry.kind is ExemptionKind.QUALIFIED, entry.ref
    # Not held: nothing to weigh, so no test is asked for (ICO guidance).
    assert not CATALOGUE["reg12(4)(a)"].needs_public_interest_test
    assert CATALOGUE["reg12(5)(e)"].needs_public_interest_test


@pytest.mark.parametrize("entry", list(CATALOGUE), ids=lambda e: e.ref)
def test_every_entry_is_complete(entry: Exemption) -> None:
    assert entry.title and entry.group and entry.text
    assert entry.source.startswith("https://www.legislation.gov.uk/")
    # Headings name the section or regulation the way letters do ("Section 31 FOIA").
    number = re.match(r"(s|reg)(\d+[A-Z]?)", entry.ref)
    assert number and number[2] in entry.group
    if entry.needs_public_interest_test:
        assert entry.pit_for and entry.pit_against, entry.ref
    if entry.ncnd_ref:
        assert "confirm" in entry.ncnd_text or "neither" in entry.ncnd_text


# FOISA s2(2): the absolute exemptions among those shipped (s25, s26, s36(2)); s2(1)(b) puts
# the rest under the public interest test.
FOISA_ABSOLUTE = {"s25(1)", "s26(a)", "s26(c)", "s36(2)"}
FOISA_SHIPPED = [
    "s25(1)", "s26(a)", "s26(c)", "s30(b)(i)", "s30(b)(ii)", "s30(c)", "s35(1)(a)", "s35(1)(b)",
    "s36(1)", "s36(2)",
]  # fmt: skip


def test_the_common_foisa_exemptions_ship() -> None:
    shipped = [e.ref for e in CATALOGUE.for_law(Law.FOISA)]
    assert shipped == FOISA_SHIPPED
    for entry in CATALOGUE.for_law(Law.FOISA):
        expected = (
            ExemptionKind.ABSOLUTE if entry.ref in FOISA_ABSOLUTE else ExemptionKind.QUALIFIED
        )
        assert entry.kind is expected, entry.ref
        assert entry.group.endswith(" FOISA") and entry.source.startswith(
            "https://www.legislation.gov.uk/asp/2002/13/section/"
        )


def test_foisa_texts_are_marked_verified_only_where_checked_against_legislation_gov_uk() -> None:
    # legislation.gov.uk's revised FOISA Part 2 (as at 25 May 2018), s25(1), word for word.
    assert CATALOGUE.find("s25(1)", Law.FOISA) == CATALOGUE["s25(1)"]
    assert CATALOGUE["s25(1)"].text == (
        "Information which the applicant can reasonably obtain other than by requesting it "
        "under section 1(1) is exempt information."
    )
    verified = {e.ref for e in CATALOGUE.for_law(Law.FOISA) if e.verified}
    assert verified == {"s25(1)", "s26(a)", "s26(c)"}


def test_foia_and_foisa_share_numbers_but_not_entries() -> None:
    # s35(1)(a): the formulation of government policy under FOIA, law enforcement under FOISA.
    foia = CATALOGUE.find("s35(1)(a)", Law.FOIA)
    foisa = CATALOGUE.find("section 35(1)(a)", Law.FOISA)
    assert foia is not None and foisa is not None and foia != foisa
    assert "government policy" in foia.text
    assert foisa.text.endswith("(a) the prevention or detection of crime;")
    assert "prejudice substantially" in foisa.text
    # Without a law a shared number is FOIA's (what every FOIA caller has always had).
    assert CATALOGUE["s35(1)(a)"] is foia
    # A law given that has no such entry still finds the other's, so a letter can say "that
    # is a provision of FOIA" rather than "unknown".
    assert CATALOGUE.find("s43(2)", Law.FOISA) is CATALOGUE["s43(2)"]


def test_an_authority_names_the_law_when_a_number_is_shared(tmp_path: Path) -> None:
    ambiguous = _write(tmp_path, '[[exemption]]\nref = "s35(1)(a)"\ntitle = "Ours"\n')
    with pytest.raises(CatalogueError, match=r"s35\(1\)\(a\): law: required.*foia, foisa"):
        load_catalogue(ambiguous)
    named = _write(
        tmp_path, '[[exemption]]\nref = "s35(1)(a)"\nlaw = "foisa"\ntitle = "Crime (ours)"\n'
    )
    catalogue = load_catalogue(named)
    assert catalogue.find("s35(1)(a)", Law.FOISA).title == "Crime (ours)"  # type: ignore[union-attr]
    assert catalogue.find("s35(1)(a)", Law.FOIA) == CATALOGUE.find("s35(1)(a)", Law.FOIA)
    assert len(catalogue) == len(CATALOGUE)


def test_an_authority_adds_a_foisa_entry_that_shares_a_foia_number(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[[exemption]]
ref = "s38(1)(b)"
law = "foisa"
group = "Section 38 FOISA"
title = "Personal information (our own entry)"
kind = "absolute"
text = "Our authority's copy of the text."
""",
    )
    catalogue = load_catalogue(path)
    assert len(catalogue) == len(CATALOGUE) + 1
    assert catalogue.find("s38(1)(b)", Law.FOISA).law is Law.FOISA  # type: ignore[union-attr]
    assert catalogue["s38(1)(b)"].law is Law.FOIA


def test_statutory_text_of_the_seed_exemption_is_exact() -> None:
    # legislation.gov.uk, FOIA s31(1) lead-in and paragraph (a), word for word.
    assert CATALOGUE["s31(1)(a)"].text == (
        "Information which is not exempt information by virtue of section 30 is exempt "
        "information if its disclosure under this Act would, or would be likely to, "
        "prejudice—\n(a) the prevention or detection of crime,"
    )
    assert CATALOGUE["s31(1)(a)"].verified
    assert CATALOGUE["s31(1)(a)"].group == "Section 31 FOIA"


def test_a_paragraph_quoted_without_its_siblings_marks_the_gap() -> None:
    text = CATALOGUE["s31(1)(b)"].text
    assert text.splitlines()[1] == "…"
    assert text.endswith("(b) the apprehension or prosecution of offenders,")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("s31(1)(a)", "s31(1)(a)"),
        ("Section 31(1)(a)", "s31(1)(a)"),
        ("s.31 (1) (a)", "s31(1)(a)"),
        ("S31(1)(A)", "s31(1)(a)"),
        ("22a(1)", "s22A(1)"),
        ("regulation 12(5)(e)", "reg12(5)(e)"),
        ("Reg 12(4)(b)", "reg12(4)(b)"),
        ("12(5)(e)", "reg12(5)(e)"),  # only the EIR has a 12(5)(e)
        ("43(2)", "s43(2)"),
    ],
)
def test_references_are_found_however_staff_type_them(typed: str, expected: str) -> None:
    entry = CATALOGUE.find(typed)
    assert entry is not None and entry.ref == expected


@pytest.mark.parametrize("typed", ["s99(1)", "banana", "", "s31(1)(a); DROP"])
def test_unknown_references_are_not_found(typed: str) -> None:
    assert CATALOGUE.find(typed) is None
    assert typed not in CATALOGUE


def test_citation_forms() -> None:
    assert cite("s31(1)(a)") == "section 31(1)(a)"
    assert cite("reg12(5)(e)") == "regulation 12(5)(e)"
    assert canonical("Regulation 13(1)") == "reg13(1)"
    assert normalise_ref("31(1)") == ("", "31(1)")
    with pytest.raises(ValueError):
        canonical("31(1)")  # neither section nor regulation said


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ours.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_authority_overrides_wording_without_touching_code(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[[exemption]]
ref = "Section 43(2)"
title = "Commercial interests (our wording)"
pit_for = ["Our own factor for disclosure."]
""",
    )
    catalogue = load_catalogue(path)
    entry = catalogue["s43(2)"]
    assert entry.title == "Commercial interests (our wording)"
    assert entry.pit_for == ("Our own factor for disclosure.",)
    # What the override did not set is the shipped entry's.
    assert entry.text == CATALOGUE["s43(2)"].text
    assert entry.pit_against == CATALOGUE["s43(2)"].pit_against
    assert len(catalogue) == len(CATALOGUE)


def test_an_authority_adds_its_own_entries(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[[exemption]]
ref = "s30(1)"
law = "foisa"
group = "Section 30 FOISA"
title = "Prejudice to effective conduct of public affairs"
kind = "qualified"
text = "Information is exempt information if its disclosure under this Act— …"
pit_for = ["a"]
pit_against = ["b"]
""",
    )
    catalogue = load_catalogue(path)
    assert len(catalogue) == len(CATALOGUE) + 1
    assert catalogue["s30(1)"].law is Law.FOISA


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[exemption]]\nref = "s99(1)"\nlaw = "foia"\n', "s99(1): group: required"),
        ('[[exemption]]\nref = "s43(2)"\ncolour = "red"\n', "s43(2): colour: unknown key"),
        ('[[exemption]]\nref = "s43(2)"\nkind = "maybe"\n', "kind: 'maybe' is not absolute"),
        ('[[exemption]]\nref = "s43(2)"\nlaw = "eir"\n', "can't change the law"),
        ('[[exemption]]\nref = "s43(2)"\npit_for = "one"\n', "pit_for: expected a list"),
        ('[[exemption]]\nref = "s43(2)"\ntext = "  "\n', "text: must not be empty"),
        ('[[exemption]]\nref = "43(2)"\n', "say whether it is a section"),
        ('[[exemption]]\nlaw = "foia"\n', "ref: required"),
        ("[[exemption]\n", "not valid TOML"),
        ("[other]\nx = 1\n", "unknown table 'other'"),
        (
            '[[exemption]]\nref = "s43(2)"\n[[exemption]]\nref = "s43(2)"\n',
            "s43(2): listed twice",
        ),
    ],
)
def test_a_bad_authority_file_is_refused_naming_the_key(
    tmp_path: Path, body: str, message: str
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_authority_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"nowhere\.toml: not found"):
        load_catalogue(tmp_path / "nowhere.toml")


def test_the_catalogue_loads_from_the_package_not_the_working_directory(tmp_path: Path) -> None:
    # importlib.resources: it must work when installed and run from anywhere.
    code = "from config.exemptions import load_catalogue; print(len(load_catalogue()))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(out.stdout) == len(CATALOGUE)
