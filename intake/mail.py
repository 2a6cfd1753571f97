"""Parse raw email bytes into what intake needs. Never raises: problems become flags.

Uses the stdlib parser with `policy.default` (RFC 2047 headers, legacy charsets) and inscriptis
for HTML-only bodies. Automatic mail (auto-replies, bounces, lists, no-reply senders) is
recognised here, from headers and structure, so nothing downstream ever answers it.
"""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from enum import StrEnum

from inscriptis import get_text


class Automatic(StrEnum):
    """Why a message must never be answered automatically (RFC 3834 and common practice)."""

    NO = "no"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    LIST = "list"
    NO_REPLY_SENDER = "no_reply_sender"
    OWN_MESSAGE = "own_message"


@dataclass(frozen=True)
class Attachment:
    filename: str  # safe for a file system: no path, no control characters
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    sender_address: str
    sender_name: str
    to: tuple[str, ...]
    date: datetime | None
    text: str
    attachments: tuple[Attachment, ...]
    automatic: Automatic
    problems: tuple[str, ...] = field(default=())

    @property
    def malformed(self) -> bool:
        return bool(self.problems)

    @property
    def unusable(self) -> bool:
        """Too broken to open a case from without a person: no author, or nothing in it."""
        no_content = not (self.text.strip() or self.subject.strip() or self.attachments)
        return "no From address" in self.problems or not self.sender_address or no_content


_NO_REPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer-daemon|postmaster|bounces?)([-+_.].*)?@",
    re.IGNORECASE,
)
_OUT_OF_OFFICE = re.compile(
    r"^\s*(auto(matic)?[\s-]*(reply|response)|out of (the )?office|away from (the|my) office|"
    r"on (annual )?leave|absence notification|autoreply|delivery status notification|"
    r"undeliver(able|ed)|mail delivery (failed|failure|subsystem)|returned mail)",
    re.IGNORECASE,
)
_MSGID = re.compile(r"<[^<>\s]+>")


def _header(msg: Message, name: str, problems: list[str]) -> str:
    try:
        value = msg.get(name)
    except Exception as exc:  # a header the parser chokes on is kept as a problem, not a crash
        problems.append(f"header {name}: {exc.__class__.__name__}")
        return ""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _message_ids(value: str) -> tuple[str, ...]:
    return tuple(_MSGID.findall(value))


def safe_filename(name: str, index: int) -> str:
    """A file name that can't escape a directory or carry control characters."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = name.strip(" .")
    if not name:
        return f"attachment-{index}"
    return name[:180]


def _decoded_text(part: Message, problems: list[str]) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return ""
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            problems.append(f"unknown charset {charset!r}")
            return payload.decode("latin-1")
    return content if isinstance(content, str) else ""


def html_to_text(html: str) -> str:
    return str(get_text(html)).strip()


def _body_and_attachments(
    msg: EmailMessage, problems: list[str]
) -> tuple[str, tuple[Attachment, ...]]:
    text = ""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except Exception as exc:
        problems.append(f"body: {exc.__class__.__name__}")
        body = None
    if body is not None:
        raw = _decoded_text(body, problems)
        text = html_to_text(raw) if body.get_content_subtype() == "html" else raw
    attachments: list[Attachment] = []
    try:
        parts = list(msg.iter_attachments()) if msg.is_multipart() else []
    except Exception as exc:
        problems.append(f"attachments: {exc.__class__.__name__}")
        parts = []
    for index, part in enumerate(parts, start=1):
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            payload = None
        if not isinstance(payload, bytes):
            if part.is_multipart():
                continue  # a nested message/rfc822 or alternative: not a file to keep
            payload = b""
        filename = safe_filename(part.get_filename() or "", index)
        attachments.append(Attachment(filename, part.get_content_type(), payload))
    return text.strip(), tuple(attachments)


def _automatic(
    msg: Message, sender: str, own_domains: tuple[str, ...], subject: str, problems: list[str]
) -> Automatic:
    auto_submitted = _header(msg, "Auto-Submitted", problems).lower()
    if msg.get_content_type() == "multipart/report" or not sender:
        return Automatic.BOUNCE
    if sender.lower().split("@")[-1] in own_domains and _header(msg, "X-Foibot-Case", problems):
        return Automatic.OWN_MESSAGE
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return Automatic.AUTO_REPLY  # RFC 3834 s5
    if any(
        _header(msg, h, problems)
        for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
    ):
        return Automatic.AUTO_REPLY
    if _OUT_OF_OFFICE.match(subject):
        return Automatic.AUTO_REPLY
    if _header(msg, "List-Id", problems) or _header(msg, "List-Unsubscribe", problems):
        return Automatic.LIST
    if _header(msg, "Precedence", problems).lower() in {"bulk", "junk", "list"}:
        return Automatic.LIST
    if _NO_REPLY.match(sender):
        return Automatic.NO_REPLY_SENDER
    return Automatic.NO


def parse_message(
    raw: bytes, envelope_sender: str | None = None, own_domains: tuple[str, ...] = ()
) -> ParsedMessage:
    """Parse raw bytes. Malformed input yields a message with `problems`, never an exception.

    envelope_sender is the SMTP MAIL FROM; an empty one (`<>`) marks a bounce (RFC 5321 s4.5.5).
    own_domains are our own mail domains, to recognise our own messages coming back.
    """
    problems: list[str] = []
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # pragma: no cover - the parser is lenient; belt and braces
        return _unparseable(raw, f"unparseable: {exc.__class__.__name__}")
    assert isinstance(msg, EmailMessage)
    for defect in msg.defects:
        problems.append(f"defect: {defect.__class__.__name__}")
    subject = _header(msg, "Subject", problems)
    from_value = _header(msg, "From", problems)
    sender_name, sender_address = _address(msg, from_value, problems)
    if not sender_address:
        # RFC 5322 s3.6 requires From. Without it we don't know who is asking: keep the
        # envelope sender for a person to judge, but mark the message.
        problems.append("no From address")
        sender_address = envelope_sender or ""
    date = None
    date_value = _header(msg, "Date", problems)
    if date_value:
        try:
            date = parsedate_to_datetime(date_value)
        except (TypeError, ValueError):
            problems.append("unparseable Date header")
    to = tuple(
        addr.lower()
        for _, addr in getaddresses([_header(msg, "To", problems), _header(msg, "Cc", problems)])
        if addr
    )
    text, attachments = _body_and_attachments(msg, problems)
    bounce_sender = sender_address if envelope_sender is None else envelope_sender
    return ParsedMessage(
        message_id=(_message_ids(_header(msg, "Message-ID", problems)) or ("",))[0],
        in_reply_to=_message_ids(_header(msg, "In-Reply-To", problems)),
        references=_message_ids(_header(msg, "References", problems)),
        subject=subject,
        sender_address=sender_address.lower(),
        sender_name=sender_name,
        to=to,
        date=date,
        text=text,
        attachments=attachments,
        automatic=_automatic(msg, bounce_sender.lower(), own_domains, subject, problems),
        problems=tuple(problems),
    )


def _address(msg: Message, from_value: str, problems: list[str]) -> tuple[str, str]:
    try:
        header = msg["From"]
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
        if addresses:
            first = addresses[0]
            if first.addr_spec and "@" in first.addr_spec:
                return first.display_name, first.addr_spec
    except Exception as exc:
        problems.append(f"From header: {exc.__class__.__name__}")
    name, addr = parseaddr(from_value)
    if addr and "@" in addr:
        return name, addr
    return name, ""


def _unparseable(raw: bytes, problem: str) -> ParsedMessage:  # pragma: no cover
    return ParsedMessage(
        message_id="",
        in_reply_to=(),
        references=(),
        subject="",
        sender_address="",
        sender_name="",
        to=(),
        date=None,
        text=raw.decode("utf-8", errors="replace"),
        attachments=(),
        automatic=Automatic.NO,
        problems=(problem,),
    )
