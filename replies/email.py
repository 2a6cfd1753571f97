"""Turn a rendered letter into an RFC 5322 message: threading headers, RFC 3834 marking.

Pure: the caller supplies the Message-ID and the time, so nothing here reads a clock.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr
from enum import StrEnum
from functools import lru_cache

from replies.render import Rendered


class AutoSubmitted(StrEnum):
    """RFC 3834 s5 values for mail foibot sends on its own."""

    AUTO_REPLIED = "auto-replied"  # in response to a message (acknowledgements)
    AUTO_GENERATED = "auto-generated"  # on its own initiative (reminders, chasers)


@dataclass(frozen=True)
class Envelope:
    sender: Address
    recipient: str
    subject: str
    message_id: str  # with angle brackets
    date: datetime
    reference: str = ""  # the case reference, in X-Foibot-Case so we recognise our own mail
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    automatic: bool = True  # RFC 3834: anything sent without a person pressing send
    auto_submitted: AutoSubmitted = AutoSubmitted.AUTO_REPLIED


def one_line(value: str) -> str:
    """Header-safe text: CR/LF and other control characters can't start a new header."""
    if not value.isprintable():  # (checking first saves a pass over every character)
        value = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(value.split())


def make_message_id(token: str, domain: str) -> str:
    return f"<{token}@{one_line(domain) or 'foibot.localhost'}>"


def _utf8_qp() -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


_BODY_CHARSET = _utf8_qp()
# compat32 semantics with CRLF line endings: as_bytes() gives what goes on the wire.
_WIRE = compat32.clone(linesep="\r\n")
_HEADER_LINE = 78  # compat32's max_line_length: where it starts folding


def _header(value: str) -> str | Header:
    """ASCII as is; anything else RFC 2047-encoded."""
    return value if value.isascii() else Header(value, "utf-8")


def _headers(envelope: Envelope) -> list[tuple[str, str | Header]]:
    """The envelope's headers, in order, as compose() sets them."""
    sender = envelope.sender
    headers: list[tuple[str, str | Header]] = [
        ("From", _from(one_line(sender.display_name), sender.addr_spec)),
        ("To", one_line(envelope.recipient)),
        ("Subject", _header(one_line(envelope.subject))),
        ("Date", format_datetime(envelope.date)),
        ("Message-ID", one_line(envelope.message_id)),
    ]
    if envelope.in_reply_to:
        headers.append(("In-Reply-To", one_line(envelope.in_reply_to)))
    thread = [one_line(r) for r in envelope.references]
    if envelope.in_reply_to and envelope.in_reply_to not in thread:
        thread.append(one_line(envelope.in_reply_to))
    if thread:
        # RFC 5322 s3.6.4; bounded for long threads
        headers.append(("References", " ".join(thread[-20:])))
    if envelope.automatic:
        # RFC 3834 s5: automatic mail is marked, so that other responders don't answer it and
        # loops can't start.
        headers.append(("Auto-Submitted", envelope.auto_submitted.value))
        headers.append(("X-Auto-Response-Suppress", "All"))  # Exchange's equivalent
    if envelope.reference:
        headers.append(("X-Foibot-Case", one_line(envelope.reference)))
    return headers


@lru_cache(maxsize=64)
def _from(display_name: str, addr_spec: str) -> str:
    # Every message has the same sender; formataddr costs more than the lookup.
    return formataddr((display_name, addr_spec), "utf-8")


def compose(envelope: Envelope, letter: Rendered) -> Message:
    """Build the message with the compat32 classes: the modern header registry costs about
    ten times as much per message, and every value here is already made header-safe.

    To send it, compose_wire() gives the same bytes as this message's as_bytes(), cheaper.
    """
    msg = MIMEMultipart("alternative", policy=_WIRE)
    for name, value in _headers(envelope):
        msg[name] = value  # type: ignore[assignment]  # a Header is fine with compat32
    # MIMEText takes a Charset instance (documented); typeshed says str only.
    msg.attach(MIMEText(letter.text, "plain", _BODY_CHARSET, policy=_WIRE))  # type: ignore[arg-type]
    msg.attach(MIMEText(letter.html, "html", _BODY_CHARSET, policy=_WIRE))  # type: ignore[arg-type]
    return msg


# Boundaries are fixed-width ("=" * 15, zero-padded digits, "=="), so the multipart
# Content-Type folds the same way whatever the digits: fold it once, substitute per message.
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))
_SAMPLE_BOUNDARY = f"{'=' * 15}{'0' * _BOUNDARY_DIGITS}=="
_MULTIPART_HEAD = (
    _WIRE.fold("Content-Type", f'multipart/alternative; boundary="{_SAMPLE_BOUNDARY}"')
    + "MIME-Version: 1.0\r\n"
)


@dataclass(frozen=True)
class Wire:
    data: bytes  # the whole message as sent, CRLF line endings
    subject: str  # the Subject header's text, unencoded (str(message["Subject"]))


def compose_wire(envelope: Envelope, letter: Rendered) -> Wire:
    """`compose(envelope, letter).as_bytes()`, byte for byte (the same random boundary from
    the same `random` state), at a fraction of the cost: this one shape of message is written
    directly instead of being built from Message objects and walked by email.generator.

    RFC 2047 encoding and any unusual header still go through the compat32 policy; plain ASCII
    headers (nearly all of them) are folded here the way that policy folds them.
    """
    if not letter.text or not letter.html:
        # email takes an odd path with an empty body (it raises); rendered letters never have
        # one, so leave that case to email itself.
        message = compose(envelope, letter)
        return Wire(message.as_bytes(), str(message["Subject"]))
    headers = _headers(envelope)
    lines = [_fold(name, value) for name, value in headers]
    text = _part("plain", letter.text)
    html = _part("html", letter.html)
    # Generator._make_boundary's choice. It would add a suffix if the boundary appeared as a
    # line of the parts, but it can't: the parts are our fixed headers and quoted-printable,
    # where "=" is always followed by two hex digits or the end of the line, never by "=".
    boundary = f"{'=' * 15}{random.randrange(sys.maxsize):0{_BOUNDARY_DIGITS}d}=="
    data = "".join(
        (
            _MULTIPART_HEAD.replace(_SAMPLE_BOUNDARY, boundary),
            *lines,
            f"\r\n--{boundary}\r\n{text}\r\n--{boundary}\r\n{html}\r\n--{boundary}--\r\n",
        )
    )
    subject = next(value for name, value in headers if name == "Subject")
    return Wire(data.encode("ascii", "surrogateescape"), str(subject))


def _fold(name: str, value: str | Header) -> str:
    """One header as compat32 writes it (CRLF-terminated). Non-ASCII bytes that came in
    surrogate-escaped stay surrogates here and become bytes again in the final encode."""
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isprintable()
        and value
        and " ".join(value.split()) == value
    ):
        return f"{name}: {_fold_words(len(name) + 2, value)}\r\n"
    # compat32 folds a Header as well as a str; typeshed says str only.
    folded = _WIRE.fold_binary(name, value)  # type: ignore[arg-type]
    return folded.decode("ascii", "surrogateescape")


def _fold_words(header: int, value: str) -> str:
    """What compat32 makes of printable ASCII words separated by single spaces: nothing to
    encode, only folding. email.header._ValueFormatter's algorithm for that input, keeping a
    running line length instead of re-summing the line after every word.

    A line that grows past _HEADER_LINE (counting the field name on the first) breaks after
    its last ";", else its last ",", else before the word that overflowed it. A first word too
    long for the first line starts the second; one too long for any line overflows it.
    """
    if header + len(value) <= _HEADER_LINE:
        return value
    lines: list[str] = []
    line: list[str] = []  # each word with the space before it (none for the first)
    first = True  # the first line, which has the field name (`header` long) before it
    length = header
    for index, word in enumerate(value.split(" ")):
        chunk = " " + word if index else word
        line.append(chunk)
        length += len(chunk)
        if length <= _HEADER_LINE:
            continue
        if len(line) > 1:
            at = _split_point(line)
            lines.append("".join(line[:at]))
            line = line[at:]
            length = sum(map(len, line))
            first = False
        elif first:
            lines.append("")
            line = [" " + word]
            length = len(line[0])
            first = False
    lines.append("".join(line))
    return "\r\n".join(lines)


def _split_point(line: list[str]) -> int:
    """Where _ValueFormatter breaks an overlong line of two or more words."""
    for mark in ";,":
        for at in range(len(line) - 1, 0, -1):
            if line[at - 1][-1] == mark:
                return at
    return len(line) - 1  # before the last word (every word after the first has a space)


def _part(subtype: str, body: str) -> str:
    """A text/* part as MIMEText(body, subtype, _BODY_CHARSET) serialises."""
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{_quoted_printable(body)}"
    )


# Characters that quoted-printable bodies carry as themselves (email.quoprimime's body map):
# printable ASCII except "=", plus tab and the line breaks.
_QP_UNSAFE = re.compile(r"[^\t\n\r -<>-~]")
_QP_ESCAPE = {chr(octet): f"={octet:02X}" for octet in range(256)}


def _qp_escape(match: re.Match[str]) -> str:
    return _QP_ESCAPE[match[0]]


def _quoted_printable(body: str) -> str:
    """email.quoprimime.body_encode of the UTF-8 octets, lines wrapped at 76 with soft
    breaks, CRLF line endings (as the generator writes them).

    The same algorithm, line for line; only the escaping differs: quoprimime translates every
    character through a 256-entry table, which is slow once one needs escaping (any "=").
    """
    encoded = _QP_UNSAFE.sub(_qp_escape, body.encode("utf-8").decode("latin-1"))
    out: list[str] = []
    append = out.append
    for line in encoded.splitlines():  # only CR and LF are left to split on
        start = 0
        laststart = len(line) - 77
        while start <= laststart:
            stop = start + 75
            # Don't split an escape sequence.
            if line[stop - 2] == "=":
                append(line[start : stop - 1])
                start = stop - 2
            elif line[stop - 1] == "=":
                append(line[start:stop])
                start = stop - 1
            else:
                append(line[start:stop] + "=")
                start = stop
        if line and line[-1] in " \t":
            # Trailing whitespace is escaped, or kept before a soft break, as room allows.
            room = start - laststart
            if room >= 3:
                tail = _QP_ESCAPE[line[-1]]
            elif room == 2:
                tail = line[-1] + "=\r\n"
            else:
                tail = "=\r\n" + _QP_ESCAPE[line[-1]]
            append(line[start:-1] + tail)
        else:
            append(line[start:])
    if encoded[-1] in "\r\n":
        append("")
    return "\r\n".join(out)
