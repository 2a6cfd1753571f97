"""Real parts for the edge tests: a capture relay (aiosmtpd) and foibot's service in-process."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.service import Service, start_service
from config.settings import Settings, load_settings
from tests.conftest import free_port


class CaptureRelay:
    """An aiosmtpd server standing in for the organisation's relay; it keeps what it gets."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def relay() -> Iterator[CaptureRelay]:
    capture = CaptureRelay()
    capture.start()
    yield capture
    capture.stop()


def make_settings(
    database_url: str, tmp_path: Path, relay_port: int | None, **overrides: dict[str, Any]
) -> Settings:
    base = load_settings(env={})
    settings = dataclasses.replace(
        base,
        smtp=dataclasses.replace(
            base.smtp, port=free_port(), mailboxes=("foi@council.example", "dpo@council.example")
        ),
        database=dataclasses.replace(base.database, url=database_url),
        outbound=dataclasses.replace(
            base.outbound,
            relay_host="127.0.0.1" if relay_port else "",
            relay_port=relay_port or 25,
            maildir=str(tmp_path / "outbox"),
            from_address="foi@council.example",
            retry_base_seconds=0.2,
            retry_max_seconds=0.5,
        ),
        authority=dataclasses.replace(
            base.authority, email="foi@council.example", name="Borsetshire County Council"
        ),
        references=dataclasses.replace(base.references, secret="test-secret"),
    )
    for section, values in overrides.items():
        settings = dataclasses.replace(
            settings, **{section: dataclasses.replace(getattr(settings, section), **values)}
        )
    return settings


@pytest.fixture
async def service_factory() -> AsyncIterator[Callable[[Settings], Any]]:
    started: list[Service] = []

    async def start(settings: Settings) -> Service:
        service = await start_service(settings)
        started.append(service)
        return service

    yield start
    for service in started:
        await service.stop()


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
