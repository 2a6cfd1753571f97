"""Render one template source to both plain text and HTML.

Each template is written once. It is rendered twice: for text with autoescaping off, and for
HTML with autoescaping on, so anything a requester or officer typed is inserted as data (never
as markup or template code). Templates format through a few helpers whose output depends on the
mode: `link(url, label)`, and the `paragraphs` filter that wraps blank-line-separated blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, pass_environment
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str


# Dates are formatted with strftime (locale names), which is slow next to the rest of a
# letter, and a day's letters share a handful of dates.
@lru_cache(maxsize=1024)
def long_date(value: date) -> str:
    """`Friday 26 July 2024`: the form letters use, with no leading zero."""
    return f"{value:%A} {value.day} {value:%B %Y}"


@lru_cache(maxsize=1024)
def short_date(value: date) -> str:
    """`26 July 2024`."""
    return f"{value.day} {value:%B %Y}"


def _link_text(url: str, label: str | None = None) -> str:
    return f"{label} ({url})" if label and label != url else url


def _link_html(url: str, label: str | None = None) -> Markup:
    text = label or url
    if type(url) is str and type(text) is str:
        # What Markup.format does with two plain strings, without its Formatter machinery.
        return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')
    return Markup('<a href="{0}">{1}</a>').format(url, text)


@pass_environment
def _paragraphs(env: Environment, value: str) -> str:
    """Normalise blocks; in HTML wrap each in <p> (lines starting '- ' become a list).

    A block is a run of lines with no blank line in it; each line is stripped.
    """
    source = str(value)
    html = bool(env.autoescape)
    if _plain_layout(source, html):
        # Equivalent to the general path below for this input, with whole-string operations
        # instead of per-block ones: every letter is laid out this way, and this runs twice
        # per letter.
        joined = "\n".join([line.strip() for line in source.split("\n")]).strip("\n")
        runs = _BLANK_LINES_RUN.split(joined) if joined else []
        if not html:
            return "\n\n".join([b[3:] if b.startswith("## ") else b for b in runs]) + "\n"
        return Markup("\n".join([_html_block(b.split("\n")) for b in runs]))
    blocks = [b.strip("\n") for b in _BLOCK_BREAK.split(source) if b.strip()]
    if not html:
        return "\n\n".join(_dedent(b) for b in blocks) + "\n"
    out = []
    for block in blocks:
        if block.startswith("<blockquote>"):
            # Only the `blockquote` filter makes this (escaped data can't start with "<").
            out.append(block)
        else:
            out.append(_html_block([line.strip() for line in block.splitlines()]))
    # The block contents were escaped by autoescaping as they were inserted.
    return Markup("\n".join(out))


_BLOCK_BREAK = re.compile(r"\n\s*\n")
_BLANK_LINES_RUN = re.compile(r"\n\n+")
# Whitespace (str.isspace, regex \s) other than space and newline: where str.strip,
# str.splitlines and \s differ from splitting on "\n" and stripping spaces.
_ODD_SPACE = re.compile(
    "[\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_ODD_SPACE_ASCII = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def _plain_layout(source: str, html: bool) -> bool:
    """Whether the fast path of `paragraphs` applies: whitespace is only spaces and newlines,
    the text doesn't start or end with a space (a space-only first or last line would be kept
    as an empty line of its block), and in HTML there is no blockquote (kept verbatim)."""
    if source[:1] == " " or source[-1:] == " " or (html and "<blockquote>" in source):
        return False
    if source.isascii():
        return not any(ch in source for ch in _ODD_SPACE_ASCII)
    return _ODD_SPACE.search(source) is None


def _html_block(lines: list[str]) -> str:
    """One block (its stripped lines, at least one) as HTML."""
    first = lines[0]
    if first.startswith("- ") and all(line.startswith("- ") for line in lines):
        return "<ul>" + "".join([f"<li>{line[2:]}</li>" for line in lines]) + "</ul>"
    if first.startswith("## "):
        heading = f"<h2>{first[3:]}</h2>"
        if len(lines) > 1:
            return heading + "\n<p>" + "<br>\n".join(lines[1:]) + "</p>"
        return heading
    return "<p>" + "<br>\n".join(lines) + "</p>"


def _dedent(block: str) -> str:
    lines = [line.strip() for line in block.splitlines()]
    if lines and lines[0].startswith("## "):
        lines[0] = lines[0][3:]
    return "\n".join(lines)


def _quote(value: str) -> str:
    """Quote someone's words: each line prefixed, so they read as theirs in both modes."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in str(value).splitlines())


@pass_environment
def _blockquote(env: Environment, value: str) -> str:
    """Someone else's words set apart: `> ` lines in text, a <blockquote> in HTML.

    The HTML form has no newline in it, so a blank line in the quoted words can't split it
    across `paragraphs` blocks.
    """
    if not env.autoescape:
        return _quote(value)
    lines = [str(escape(line.strip())) for line in str(value).splitlines()]
    return Markup("<blockquote><p>" + "<br>".join(lines).strip() + "</p></blockquote>")


def _one_line(value: str) -> str:
    """Collapse someone's text to one line (a list item must stay one line)."""
    return " ".join(str(value).split())


def _capfirst(value: str) -> str:
    """Upper-case the first letter only ("section 22A(1)" -> "Section 22A(1)"; jinja's
    `capitalize` would lower-case the rest)."""
    text = str(value)
    return text[:1].upper() + text[1:]


def _environment(html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("replies", "templates"),
        autoescape=html,
        undefined=StrictUndefined,  # a missing value is an error, never a blank in a letter
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are package data: load and compile each once per process, without a
        # stat() per render to see whether the file changed.
        auto_reload=False,
    )
    env.filters["paragraphs"] = _paragraphs
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    env.filters["quote"] = _quote
    env.filters["blockquote"] = _blockquote
    env.filters["one_line"] = _one_line
    env.filters["capfirst"] = _capfirst
    env.globals["link"] = _link_html if html else _link_text
    env.globals["html"] = html
    return env


_TEXT = _environment(html=False)
_HTML = _environment(html=True)
# Each template's (text, HTML) pair, compiled once: get_template's own cache costs a lock and
# an LRU update per call.
_COMPILED: dict[str, tuple[Template, Template]] = {}
_BLANK_LINES = re.compile(r"\n{3,}")


def _templates(name: str) -> tuple[Template, Template]:
    pair = _COMPILED.get(name)
    if pair is None:
        pair = _COMPILED[name] = (_TEXT.get_template(name), _HTML.get_template(name))
    return pair


def render(template: str, context: dict[str, Any]) -> Rendered:
    as_text, as_html = _templates(template)
    text = as_text.render(context)
    body = as_html.render(context)
    html = (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"></head>'
        f'<body style="font-family: Arial, sans-serif; line-height: 1.4">\n{body}</body></html>\n'
    )
    if "\n\n\n" in text:  # the regex only ever matches where this does
        text = _BLANK_LINES.sub("\n\n", text)
    return Rendered(text=text.strip() + "\n", html=html)
