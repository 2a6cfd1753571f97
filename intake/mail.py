"""Parse raw email bytes into what intake needs. Never raises: problems become flags.

Uses the stdlib parser with `policy.default` (RFC 2047 headers, legacy charsets) and inscriptis
for HTML-only bodies. Automatic mail (auto-replies, bounces, lists, no-reply senders) is
recognised here, from headers and structure, so nothing downstream ever answers it.

Headers read exactly as `policy.default` reads them, but each is parsed at most once, and a
plain value that its parser would hand back unchanged isn't parsed at all (see `_Headers`).
"""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import (
    Address,
    AddressHeader,
    BaseHeader,
    HeaderRegistry,
    MessageIDHeader,
    UnstructuredHeader,
)
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

# Header values that policy.default reads back unchanged, so its parse (most of the cost of
# parsing a message) can be skipped for them. Deliberately narrow: plain ASCII, single spaces,
# no encoded words, comments, quoted strings or groups. Anything else goes through the registry.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"  # RFC 5322 atext
_PHRASE_WORD = r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]+"  # no "=?" (encoded word), no "." (obs-phrase)
_LOCAL_ATOM = r"[A-Za-z0-9!#$%&'*+/=^_`{|}~-]+"  # no "?", so never an encoded word
_SIMPLE_MAILBOX = re.compile(
    rf"(?:(?P<name>{_PHRASE_WORD}(?: {_PHRASE_WORD})*) <)?"
    rf"(?P<addr>{_LOCAL_ATOM}(?:\.{_LOCAL_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)"
    r"(?(name)>)"
)
_SIMPLE_MSGID = re.compile(rf"<{_ATEXT}+(?:\.{_ATEXT}+)*@{_ATEXT}+(?:\.{_ATEXT}+)*>")


class _MemoHeaderFactory(HeaderRegistry):
    """policy.default's header registry without its repeated work.

    The stock registry builds a new header class on every lookup and parses a header again
    each time it is read, and the parser, `get_body`, `iter_attachments` and `get_content`
    read Content-Type over and over. A header object is immutable and a pure function of
    (name, value), so one parse per distinct header is enough. Only short values are kept,
    and only so many, so the memo stays small whatever comes in.
    """

    _MEMO_SIZE = 256
    _MEMO_MAX_LEN = 256

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._memo: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > self._MEMO_MAX_LEN:
            return self[name](name, value)
        key = (name, value)
        header = self._memo.get(key)
        if header is None:
            header = self[name](name, value)  # one that raises isn't kept: it raises again
            if len(self._memo) >= self._MEMO_SIZE:
                self._memo.clear()  # cheaper than LRU bookkeeping; refilling is one parse each
            self._memo[key] = header
        return header


_FACTORY = _MemoHeaderFactory()
# policy.default in every respect but the header factory (see above).
_POLICY = email.policy.default.clone(header_factory=_FACTORY)


def _reads_verbatim(name: str, value: str) -> bool:
    """Whether policy.default would read this header's (unfolded) value back unchanged."""
    cls = _FACTORY.registry.get(name.lower(), _FACTORY.default_class)
    if issubclass(cls, UnstructuredHeader):
        return value.isascii() and "=?" not in value
    if issubclass(cls, AddressHeader):
        return _SIMPLE_MAILBOX.fullmatch(value) is not None
    if issubclass(cls, MessageIDHeader):
        return _SIMPLE_MSGID.fullmatch(value) is not None
    return False


class _Headers:
    """One message's headers, read as policy.default reads them, parsing only where needed."""

    def __init__(self, msg: Message, problems: list[str]) -> None:
        self._msg = msg
        self._problems = problems
        self._raw: dict[str, str] = {}
        for name, value in msg.raw_items():
            self._raw.setdefault(name.lower(), value)  # like msg.get(): the first one counts

    def _unfolded(self, name: str) -> str | None:
        raw = self._raw.get(name.lower())
        # As policy.default's header_fetch_parse does before parsing.
        return None if raw is None else raw.replace("\r", "").replace("\n", "")

    def text(self, name: str) -> str:
        """The decoded value, whitespace runs collapsed; "" if absent or unreadable (flagged)."""
        value = self._unfolded(name)
        if value is None:
            return ""
        if _reads_verbatim(name, value):
            return " ".join(value.split())
        try:
            header = self._msg.get(name)
        except Exception as exc:  # a header the parser chokes on is kept as a problem
            self._problems.append(f"header {name}: {exc.__class__.__name__}")
            return ""
        return "" if header is None else " ".join(str(header).split())

    def simple_mailbox(self, name: str) -> tuple[str, str] | None:
        """(display name, address) of a plain one-mailbox header, read without the registry."""
        value = self._unfolded(name)
        match = None if value is None else _SIMPLE_MAILBOX.fullmatch(value)
        if match is None:
            return None
        return match["name"] or "", match["addr"]


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
    msg: Message, headers: _Headers, sender: str, own_domains: tuple[str, ...], subject: str
) -> Automatic:
    auto_submitted = headers.text("Auto-Submitted").lower()
    if msg.get_content_type() == "multipart/report" or not sender:
        return Automatic.BOUNCE
    if sender.lower().split("@")[-1] in own_domains and headers.text("X-Foibot-Case"):
        return Automatic.OWN_MESSAGE
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return Automatic.AUTO_REPLY  # RFC 3834 s5
    if any(headers.text(h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")):
        return Automatic.AUTO_REPLY
    if _OUT_OF_OFFICE.match(subject):
        return Automatic.AUTO_REPLY
    if headers.text("List-Id") or headers.text("List-Unsubscribe"):
        return Automatic.LIST
    if headers.text("Precedence").lower() in {"bulk", "junk", "list"}:
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
        msg = email.message_from_bytes(raw, policy=_POLICY)
    except Exception as exc:  # pragma: no cover - the parser is lenient; belt and braces
        return _unparseable(raw, f"unparseable: {exc.__class__.__name__}")
    assert isinstance(msg, EmailMessage)
    for defect in msg.defects:
        problems.append(f"defect: {defect.__class__.__name__}")
    headers = _Headers(msg, problems)
    subject = headers.text("Subject")
    from_value = headers.text("From")
    sender_name, sender_address = _address(msg, headers, from_value, problems)
    if not sender_address:
        # RFC 5322 s3.6 requires From. Without it we don't know who is asking: keep the
        # envelope sender for a person to judge, but mark the message.
        problems.append("no From address")
        sender_address = envelope_sender or ""
    date = None
    date_value = headers.text("Date")
    if date_value:
        try:
            date = parsedate_to_datetime(date_value)
        except (TypeError, ValueError):
            problems.append("unparseable Date header")
    to = tuple(
        addr.lower() for _, addr in getaddresses([headers.text("To"), headers.text("Cc")]) if addr
    )
    text, attachments = _body_and_attachments(msg, problems)
    bounce_sender = sender_address if envelope_sender is None else envelope_sender
    return ParsedMessage(
        message_id=(_message_ids(headers.text("Message-ID")) or ("",))[0],
        in_reply_to=_message_ids(headers.text("In-Reply-To")),
        references=_message_ids(headers.text("References")),
        subject=subject,
        sender_address=sender_address.lower(),
        sender_name=sender_name,
        to=to,
        date=date,
        text=text,
        attachments=attachments,
        automatic=_automatic(msg, headers, bounce_sender.lower(), own_domains, subject),
        problems=tuple(problems),
    )


def _address(
    msg: Message, headers: _Headers, from_value: str, problems: list[str]
) -> tuple[str, str]:
    simple = headers.simple_mailbox("From")
    if simple is not None:
        return simple  # what the registry would give, without its (costly) address parse
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
