"""Case references like `IC-315773-L9G6`: prefix, a number handed out once, a keyed check code.

The check code is an HMAC of the prefix and number under the authority's secret, so a reference
can't be guessed or forged from another one, and a mistyped reference fails the check instead of
landing on somebody else's case.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

# Crockford's base 32: no I, L, O or U, so the letters people confuse with digits never appear
# in a code and can be read back leniently (O -> 0, I/L -> 1).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LENIENT = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_LENGTH = 4
NUMBER_WIDTH = 6

# Lenient shape of a reference in running text: prefix, optional separator, digits (with O/I/L
# slips), optional separator, a 4-character code. Compiled per prefix.
_SEP = r"[\s\-_/.]?"


@dataclass(frozen=True)
class Reference:
    prefix: str
    number: int
    code: str

    def __str__(self) -> str:
        return f"{self.prefix}-{self.number:0{NUMBER_WIDTH}d}-{self.code}"


def check_code(prefix: str, number: int, secret: str) -> str:
    digest = hmac.new(
        secret.encode(), f"{prefix.upper()}-{number}".encode(), hashlib.sha256
    ).digest()
    value = int.from_bytes(digest[:5], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        value, index = divmod(value, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


def make_reference(prefix: str, number: int, secret: str) -> Reference:
    return Reference(prefix.upper(), number, check_code(prefix, number, secret))


def _pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![A-Za-z0-9]){re.escape(prefix)}{_SEP}([0-9OoIiLl]{{{NUMBER_WIDTH},9}}){_SEP}"
        rf"([0-9A-Za-z]{{{CODE_LENGTH}}})(?![A-Za-z0-9])",
        re.IGNORECASE,
    )


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(prefix: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(prefix.upper())
    if pattern is None:
        pattern = _PATTERNS[prefix.upper()] = _pattern(prefix)
    return pattern


def parse_reference(text: str, prefix: str, secret: str) -> Reference | None:
    """A valid reference written exactly as `text` (leniently), or None."""
    found = find_references(text, prefix, secret)
    if len(found) == 1 and _compiled(prefix).fullmatch(text.strip()):
        return found[0]
    return None


def find_references(text: str, prefix: str, secret: str) -> list[Reference]:
    """Every reference in the text whose check code is valid, in order, without repeats."""
    seen: list[Reference] = []
    for match in _compiled(prefix).finditer(text):
        number = int(match.group(1).upper().translate(_LENIENT))
        code = match.group(2).upper().translate(_LENIENT)
        expected = check_code(prefix, number, secret)
        if hmac.compare_digest(code, expected):
            ref = Reference(prefix.upper(), number, expected)
            if ref not in seen:
                seen.append(ref)
    return seen


def find_reference_candidates(text: str, prefix: str) -> list[str]:
    """Reference-shaped strings whose check code does not verify (possible typos)."""
    return [match.group(0) for match in _compiled(prefix).finditer(text)]


def mentions_reference(text: str, prefix: str) -> bool:
    """Whether the text seems to quote one of our references, even mistyped beyond recognition
    (the prefix and a run of digits): such a message is about a case, so it goes to a person
    rather than quietly opening a new one."""
    return (
        re.search(
            rf"(?<![A-Za-z0-9]){re.escape(prefix)}[\s\-_/.]?[0-9OoIiLl]{{4,9}}", text, re.IGNORECASE
        )
        is not None
    )
