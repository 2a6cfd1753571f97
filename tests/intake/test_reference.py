from __future__ import annotations

import pytest

from intake.reference import check_code, find_references, make_reference, parse_reference

SECRET = "s3cret-for-tests"


def test_format_matches_the_seed_style() -> None:
    ref = make_reference("IC", 315773, SECRET)
    text = str(ref)
    assert text.startswith("IC-315773-")
    assert len(text.split("-")[2]) == 4


def test_code_depends_on_the_secret_and_number() -> None:
    assert check_code("IC", 315773, SECRET) != check_code("IC", 315773, "other-secret")
    codes = {check_code("IC", n, SECRET) for n in range(100000, 100200)}
    assert len(codes) > 190  # 32^4 codes: adjacent numbers don't share codes


def test_code_never_uses_confusable_letters() -> None:
    for n in range(100000, 101000):
        assert not set(check_code("IC", n, SECRET)) & set("ILOU")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s,
        lambda s: s.lower(),
        lambda s: s.replace("-", " "),
        lambda s: s.replace("-", ""),
        lambda s: s.replace("0", "O"),
        lambda s: s.replace("1", "I"),
        lambda s: s.replace("1", "l"),
    ],
)
def test_lenient_parsing(mangle: object) -> None:
    ref = make_reference("IC", 100010, SECRET)
    typed = mangle(str(ref))  # type: ignore[operator]
    assert parse_reference(typed, "IC", SECRET) == ref
    assert find_references(f"Re: my request {typed} please", "IC", SECRET) == [ref]


def test_forged_or_mistyped_code_is_rejected() -> None:
    ref = make_reference("IC", 100010, SECRET)
    wrong = str(ref)[:-1] + ("A" if str(ref)[-1] != "A" else "B")
    assert parse_reference(wrong, "IC", SECRET) is None
    assert find_references(wrong, "IC", SECRET) == []
    # the same reference under another authority's secret is not ours
    assert find_references(str(make_reference("IC", 100010, "theirs")), "IC", SECRET) in ([], [ref])


def test_several_references_in_text_in_order_without_repeats() -> None:
    a, b = make_reference("IC", 100001, SECRET), make_reference("IC", 100002, SECRET)
    text = f"About {b} and {a}, and again {b}."
    assert find_references(text, "IC", SECRET) == [b, a]


def test_reference_inside_a_longer_token_is_not_matched() -> None:
    ref = make_reference("IC", 100001, SECRET)
    assert find_references(f"XIC{str(ref)[2:]}Z", "IC", SECRET) == []
