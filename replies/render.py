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
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_environment
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str


def long_date(value: date) -> str:
    """`Friday 26 July 2024`: the form letters use, with no leading zero."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_date(value: date) -> str:
    """`26 July 2024`."""
    return f"{value.day} {value:%B %Y}"


def _link_text(url: str, label: str | None = None) -> str:
    return f"{label} ({url})" if label and label != url else url


def _link_html(url: str, label: str | None = None) -> Markup:
    return Markup('<a href="{0}">{1}</a>').format(url, label or url)


@pass_environment
def _paragraphs(env: Environment, value: str) -> str:
    """Normalise blocks; in HTML wrap each in <p> (lines starting '- ' become a list)."""
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", str(value)) if b.strip()]
    if not env.autoescape:
        return "\n\n".join(_dedent(b) for b in blocks) + "\n"
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines()]
        if block.startswith("<blockquote>"):
            # Only the `blockquote` filter makes this (escaped data can't start with "<").
            out.append(block)
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{line[2:]}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif lines and lines[0].startswith("## "):
            out.append(f"<h2>{lines[0][3:]}</h2>")
            if lines[1:]:
                out.append("<p>" + "<br>\n".join(lines[1:]) + "</p>")
        else:
            out.append("<p>" + "<br>\n".join(lines) + "</p>")
    # The block contents were escaped by autoescaping as they were inserted.
    return Markup("\n".join(out))


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


def render(template: str, context: dict[str, Any]) -> Rendered:
    text = _TEXT.get_template(template).render(context)
    body = _HTML.get_template(template).render(context)
    html = (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"></head>'
        f'<body style="font-family: Arial, sans-serif; line-height: 1.4">\n{body}</body></html>\n'
    )
    return Rendered(text=re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html=html)
