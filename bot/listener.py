"""The SMTP listener (aiosmtpd) in foibot's own event loop.

RCPT is accepted only for our own mailboxes, so foibot can never be an open relay. DATA is
answered 250 only after the message is committed; if the database can't take it, 451 and the
sending server tries again later.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from bot.spool import Spool
from config.settings import SmtpSettings

log = logging.getLogger("foibot.smtp")


def mailbox_matches(address: str, mailboxes: tuple[str, ...]) -> bool:
    """Case-insensitive, and plus-addressing (foi+anything@) reaches foi@."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    if not local or not domain:
        return False
    base = local.split("+", 1)[0]
    candidate = f"{base}@{domain}".lower()
    return any(candidate == m.lower() for m in mailboxes)


class IntakeHandler:
    def __init__(self, spool: Spool, settings: SmtpSettings) -> None:
        self.spool = spool
        self.settings = settings

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not mailbox_matches(address, self.settings.mailboxes):
            # RFC 5321 s4.2.2: 550 mailbox unavailable; we relay for nobody.
            return "550 5.7.1 Relaying denied: not a mailbox of this service"
        if len(envelope.rcpt_tos) >= self.settings.max_recipients:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if len(raw) > self.settings.max_message_bytes:
            return "552 5.3.4 Message too big for this service"
        # The null reverse-path `<>` marks a bounce (RFC 5321 s4.5.5); store it as empty.
        mail_from = (envelope.mail_from or "").strip()
        if mail_from == "<>":
            mail_from = ""
        try:
            row_id = await self.spool.store(mail_from, list(envelope.rcpt_tos), raw)
        except Exception:
            return "451 4.3.0 Could not store the message; please try again later"
        peer = session.peer[0] if isinstance(session.peer, tuple) else session.peer
        log.info(
            "accepted message %d from <%s> via %s (%d bytes)", row_id, mail_from, peer, len(raw)
        )
        return f"250 2.0.0 Accepted as message {row_id}"


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if not settings.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.tls_cert, settings.tls_key)
    return context


async def start_listener(spool: Spool, settings: SmtpSettings) -> asyncio.Server:
    handler = IntakeHandler(spool, settings)
    tls = _tls_context(settings)
    loop = asyncio.get_running_loop()

    def factory() -> Any:
        return SMTP(
            handler,
            hostname=settings.hostname,
            data_size_limit=settings.max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            tls_context=tls,
            require_starttls=False,
            ident="foibot ESMTP",
        )

    return await loop.create_server(factory, host=settings.host, port=settings.port)
