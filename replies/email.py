"""Turn a rendered letter into an RFC 5322 message: threading headers, RFC 3834 marking.

Pure: the caller supplies the Message-ID and the time, so nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from replies.render import Rendered


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


def one_line(value: str) -> str:
    """Header-safe text: CR/LF and other control characters can't start a new header."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def make_message_id(token: str, domain: str) -> str:
    return f"<{token}@{one_line(domain) or 'foibot.localhost'}>"


def compose(envelope: Envelope, letter: Rendered) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = envelope.sender
    msg["To"] = one_line(envelope.recipient)
    msg["Subject"] = one_line(envelope.subject)
    msg["Date"] = format_datetime(envelope.date)
    msg["Message-ID"] = envelope.message_id
    if envelope.in_reply_to:
        msg["In-Reply-To"] = envelope.in_reply_to
    thread = [*envelope.references]
    if envelope.in_reply_to and envelope.in_reply_to not in thread:
        thread.append(envelope.in_reply_to)
    if thread:
        msg["References"] = " ".join(thread[-20:])  # RFC 5322 s3.6.4; bounded for long threads
    if envelope.automatic:
        # RFC 3834 s5.1: replies generated automatically are marked auto-replied, so that other
        # responders don't answer them and loops can't start.
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"  # Exchange's equivalent
    if envelope.reference:
        msg["X-Foibot-Case"] = one_line(envelope.reference)
    msg.set_content(letter.text, cte="quoted-printable")
    msg.add_alternative(letter.html, subtype="html", cte="quoted-printable")
    return msg
