"""Where outgoing mail goes: the organisation's relay (aiosmtplib), or a local maildir."""

from __future__ import annotations

import asyncio
import mailbox
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aiosmtplib

from config.settings import OutboundSettings


class DeliveryError(Exception):
    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    row_id: int
    sender: str
    recipient: str
    payload: bytes


class Transport(Protocol):
    description: str

    async def send(self, message: Outgoing) -> None: ...

    async def close(self) -> None: ...


class MaildirTransport:
    """With no relay configured, mail is written to a maildir an administrator can read."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        # Maildir(create=True) only makes tmp/new/cur when the folder itself is new, so make
        # them here: an administrator may have created the (empty) folder already.
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        self._box = mailbox.Maildir(str(self.path), create=False)
        self.description = f"maildir {self.path.resolve()}"

    async def send(self, message: Outgoing) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: Outgoing) -> None:
        key = self._box.add(message.payload)
        # mailbox writes via tmp/ + rename; fsync the file so a sent mark never precedes it.
        fd = os.open(self.path / "new" / key, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    async def close(self) -> None:
        return None


class RelayTransport:
    """A small pool of persistent SMTP connections to the relay."""

    def __init__(self, settings: OutboundSettings) -> None:
        self.settings = settings
        self.description = f"relay {settings.relay_host}:{settings.relay_port}"
        self._idle: list[aiosmtplib.SMTP] = []

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.relay_host,
            port=s.relay_port,
            start_tls=s.starttls,
            timeout=s.timeout_seconds,
        )
        await client.connect()
        if s.username:
            await client.login(s.username, s.password)
        return client

    async def send(self, message: Outgoing) -> None:
        client = self._idle.pop() if self._idle else None
        try:
            if client is None or not client.is_connected:
                client = await self._connect()
            errors, _ = await client.sendmail(message.sender, [message.recipient], message.payload)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await _quit(client)
            refusals = exc.recipients
            permanent = all(r.code >= 500 for r in refusals)
            raise DeliveryError(f"recipient refused: {refusals[0]}", permanent) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await _quit(client)
            raise DeliveryError(f"{exc.code} {exc.message}", exc.code >= 500) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            await _quit(client)
            raise DeliveryError(f"relay unavailable: {exc}", permanent=False) from exc
        if errors:
            raise DeliveryError(f"recipient refused: {errors}", permanent=False)
        self._idle.append(client)

    async def close(self) -> None:
        while self._idle:
            await _quit(self._idle.pop())


async def _quit(client: aiosmtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        if client.is_connected:
            await client.quit()
    except Exception:
        client.close()


def make_transport(settings: OutboundSettings) -> Transport:
    if settings.relay_host:
        return RelayTransport(settings)
    return MaildirTransport(settings.maildir)
