"""`foibot send-test-request`: send a sample request to a running foibot, show the reply.

For administrators checking an installation: it plays a requester, sends a request over SMTP,
and waits for the acknowledgement to arrive at a capture server of its own, or (when foibot
writes replies to its maildir) to appear there.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import mailbox
import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bot.cli import UsageError
from bot.commands._common import add_config_argument, settings_from

SAMPLE = """Dear Information Governance Team,

Under the Freedom of Information Act 2000, please send me the number of potholes reported
to the council in each of the last three financial years, and how many were repaired
within 28 days.

Yours faithfully,
Test Requester
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "send-test-request", help="send a sample request to a running foibot and show the reply"
    )
    add_config_argument(parser)
    parser.add_argument(
        "--to",
        metavar="HOST:PORT",
        help="foibot's SMTP address (default: [smtp] host and port from the settings)",
    )
    parser.add_argument("--mailbox", help="recipient (default: the first configured mailbox)")
    parser.add_argument(
        "--from",
        dest="sender",
        default="test.requester@example.org",
        help="the requester address to send from",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for the acknowledgement"
    )
    parser.set_defaults(handler=handle)


def _target(value: str | None, host: str, port: int) -> tuple[str, int]:
    if not value:
        return host, port
    name, sep, number = value.rpartition(":")
    if not sep or not number.isdigit():
        raise UsageError(f"--to: expected HOST:PORT, got {value!r}")
    return name or "127.0.0.1", int(number)


def handle(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    host, port = _target(args.to, settings.smtp.host, settings.smtp.port)
    token = uuid.uuid4().hex
    msg = EmailMessage()
    msg["From"] = f"Test Requester <{args.sender}>"
    msg["To"] = args.mailbox or settings.smtp.mailboxes[0]
    msg["Subject"] = f"Freedom of Information request: potholes (test {token[:8]})"
    msg["Message-ID"] = f"<{token}@foibot-test.invalid>"
    msg.set_content(SAMPLE)
    maildir = Path(settings.outbound.maildir)
    before = _maildir_keys(maildir)
    try:
        with smtplib.SMTP(host, port, timeout=10) as client:
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        print(f"foibot send-test-request: could not deliver to {host}:{port}: {exc}")
        return 1
    print(f"sent a test request to {msg['To']} via {host}:{port}; waiting for the reply...")
    if settings.outbound.relay_host:
        print(
            f"replies go through the relay {settings.outbound.relay_host}: check the mailbox "
            f"of {args.sender}, or run `foibot outbox` to see it queued and sent"
        )
        return 0
    reply = asyncio.run(_wait_for_reply(maildir, before, token, args.timeout))
    if reply is None:
        print(
            f"no acknowledgement in {maildir} after {args.timeout:.0f} s: is foibot running "
            "with these settings? `foibot outbox` shows what it queued"
        )
        return 1
    print(f"acknowledgement (from {maildir}):\n")
    print(f"Subject: {reply['Subject']}\nTo: {reply['To']}\n")
    body = reply.get_body(preferencelist=("plain",))
    print(body.get_content() if body is not None else "")
    return 0


def _maildir_keys(path: Path) -> set[str]:
    if not (path / "new").exists():
        return set()
    return set(mailbox.Maildir(str(path), create=False).keys())


async def _wait_for_reply(
    path: Path, before: set[str], token: str, timeout: float
) -> EmailMessage | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for key in _maildir_keys(path) - before:
            raw = (path / "new" / key).read_bytes() if (path / "new" / key).exists() else b""
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            if token in str(msg.get("In-Reply-To", "")):
                assert isinstance(msg, EmailMessage)
                return msg
        await asyncio.sleep(0.2)
    return None
