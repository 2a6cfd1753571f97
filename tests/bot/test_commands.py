"""The administrator's commands, run as real subprocesses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def foibot(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        cwd=cwd,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("config", "env", "named"),
    [
        ("[smtp]\nprot = 1\n", {}, "[smtp] prot"),
        ('[outbound]\nrelay_port = "x"\n', {}, "[outbound] relay_port"),
        ("", {"FOIBOT_SMTP_PORT": "many"}, "FOIBOT_SMTP_PORT"),
        (
            "",
            {"FOIBOT_INTAKE_CLASSIFIER_RULES": "/nonexistent/rules.toml"},
            "[intake] classifier_rules",
        ),
        (
            "",
            {"FOIBOT_AUTHORITY_EXEMPTIONS": "/nonexistent/exemptions.toml"},
            "[authority] exemptions",
        ),
    ],
)
def test_bad_configuration_is_one_line_exit_2_before_listening(
    tmp_path: Path, config: str, env: dict[str, str], named: str
) -> None:
    path = tmp_path / "foibot.toml"
    port = free_port()
    path.write_text(
        config + f'\n[database]\nurl = "sqlite:///{tmp_path}/x.db"\n'
        if "[database]" not in config
        else config
    )
    result = foibot(
        "run", "--config", str(path), env={"FOIBOT_SMTP_PORT": str(port), **env}, cwd=tmp_path
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    assert not (tmp_path / "x.db").exists()  # nothing started


def _wait_port(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "exited"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("not listening")


def test_run_on_defaults_then_send_test_request_cases_case_outbox(tmp_path: Path) -> None:
    """The README's first steps on a fresh folder: built-in defaults, maildir delivery."""
    port = free_port()
    env = {"FOIBOT_SMTP_PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_port(port, proc)
        sent = foibot("send-test-request", "--to", f"127.0.0.1:{port}", env=env, cwd=tmp_path)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert "We have received your request" in sent.stdout
        reference = sent.stdout.split("[", 1)[1].split("]", 1)[0]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert f"127.0.0.1:{port}" in out and "foi@localhost" in out and "maildir" in out
    assert "accepted message" in err and "sent outbox" in err
    assert "[references] secret is the built-in development value" in err
    assert (tmp_path / "var" / "foibot.sqlite3").exists()

    listing = foibot("cases", cwd=tmp_path)
    assert listing.returncode == 0 and reference in listing.stdout
    one = foibot("case", reference.lower().replace("-", " "), cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert "received" in one.stdout and "acknowledgement_queued" in one.stdout
    missing = foibot("case", "IC-999999-AAAA", cwd=tmp_path)
    assert missing.returncode == 2 and "REF" in missing.stderr
    outbox = foibot("outbox", cwd=tmp_path)
    assert outbox.returncode == 0 and "sent" in outbox.stdout and "acknowledgement" in outbox.stdout


def test_migrate_creates_then_is_idempotent_and_cases_filters_by_status(tmp_path: Path) -> None:
    env = {"FOIBOT_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3"}
    first = foibot("migrate", env=env, cwd=tmp_path)
    assert first.returncode == 0 and "up to date" in first.stdout
    assert (tmp_path / "fresh.sqlite3").exists()
    again = foibot("migrate", env=env, cwd=tmp_path)
    assert again.returncode == 0
    empty = foibot("cases", "--status", "open", env=env, cwd=tmp_path)
    assert empty.returncode == 0 and "no cases" in empty.stdout
    bad = foibot("cases", "--status", "pending", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "--status" in bad.stderr
    outbox = foibot("outbox", env=env, cwd=tmp_path)
    assert outbox.returncode == 0 and "outbox is empty" in outbox.stdout
