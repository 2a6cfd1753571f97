"""Turn a rendered letter into an RFC 5322 message: threading headers, RFC 3834 marking.

Pure: the caller supplies the Message-ID and the time, so nothing here reads a clock.
"""

from __future__ import annotations

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
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def make_message_id(token: str, domain: str) -> str:
    return f"<{token}@{one_line(domain) or 'foibot.localhost'}>"


def _utf8_qp() -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


_BODY_CHARSET = _utf8_qp()
# compat32 semantics with CRLF line endings: as_bytes() gives what goes on the wire.
_WIRE = compat32.clone(linesep="\r\n")


def _header(value: str) -> str | Header:
    """ASCII as is; anything else RFC 2047-encoded."""
    return value if value.isascii() else Header(value, "utf-8")


def compose(envelope: Envelope, letter: Rendered) -> Message:
    """Build the message with the compat32 classes: the modern header registry costs about
    ten times as much per message, and every value here is already made header-safe."""
    msg = MIMEMultipart("alternative", policy=_WIRE)
    sender = envelope.sender
    msg["From"] = formataddr((one_line(sender.display_name), sender.addr_spec), "utf-8")
    msg["To"] = one_line(envelope.recipient)
    msg["Subject"] = _header(one_line(envelope.subject))  # type: ignore[assignment]  # Header ok
    msg["Date"] = format_datetime(envelope.date)
    msg["Message-ID"] = one_line(envelope.message_id)
    if envelope.in_reply_to:
        msg["In-Reply-To"] = one_line(envelope.in_reply_to)
    thread = [one_line(r) for r in envelope.references]
    if envelope.in_reply_to and envelope.in_reply_to not in thread:
        thread.append(one_line(envelope.in_reply_to))
    if thread:
        msg["References"] = " ".join(thread[-20:])  # RFC 5322 s3.6.4; bounded for long threads
    if envelope.automatic:
        # RFC 3834 s5: automatic mail is marked, so that other responders don't answer it and
        # loops can't start.
        msg["Auto-Submitted"] = envelope.auto_submitted.value
        msg["X-Auto-Response-Suppress"] = "All"  # Exchange's equivalent
    if envelope.reference:
        msg["X-Foibot-Case"] = one_line(envelope.reference)
    # MIMEText takes a Charset instance (documented); typeshed says str only.
    msg.attach(MIMEText(letter.text, "plain", _BODY_CHARSET, policy=_WIRE))  # type: ignore[arg-type]
    msg.attach(MIMEText(letter.html, "html", _BODY_CHARSET, policy=_WIRE))  # type: ignore[arg-type]
    return msg
