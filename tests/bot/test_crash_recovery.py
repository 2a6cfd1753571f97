"""Kill -9 right after the 250, restart: exactly one case and one acknowledgement."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.bot.conftest import CaptureRelay
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def _start(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "foibot exited early"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("foibot did not start listening")


def _count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_sigkill_after_250_then_restart(
    database_url: str, tmp_path: Path, relay: CaptureRelay
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FOIBOT_DATABASE_URL": database_url,
        "FOIBOT_SMTP_PORT": str(port),
        "FOIBOT_SMTP_MAILBOXES": "foi@council.example",
        "FOIBOT_OUTBOUND_RELAY_HOST": "127.0.0.1",
        "FOIBOT_OUTBOUND_RELAY_PORT": str(relay.port),
        "FOIBOT_REFERENCES_SECRET": "test-secret",
    }
    proc = _start(env, tmp_path)
    _wait_port(port, proc)
    msg = EmailMessage()
    msg["From"] = "Sam Requester <sam@example.org>"
    msg["To"] = "foi@council.example"
    msg["Subject"] = "FOI: gritting routes"
    msg["Message-ID"] = "<kill-1@example.org>"
    msg.set_content(
        "Under the Freedom of Information Act please send the winter gritting "
        "routes map for 2025.\n\nSam Requester"
    )
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(msg)
        # The 250 has arrived: the message must now survive anything.
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert _count(database_url, "SELECT count(*) FROM inbound_message") == 1

    proc = _start(env, tmp_path)
    try:
        _wait_port(port, proc)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not relay.messages:
            time.sleep(0.05)
        time.sleep(1.0)  # anything extra would have arrived by now
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0  # clean shutdown on SIGTERM
    assert _count(database_url, 'SELECT count(*) FROM "case"') == 1
    assert len(relay.messages) == 1
    assert relay.messages[0]["In-Reply-To"] == "<kill-1@example.org>"
