"""`foibot reminders` through a real subprocess, against a real database.

Dates by hand (tests/intake/test_reminders.py has the calendar): a FOI request received
Thu 20 Feb 2025 is due Fri 21 March 2025; its 5-day reminder is Thu 13 March. A clarification
asked for on Mon 3 March is chased on Tue 18 March (10 FOIA working days, St Patrick's Day out).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from bot.database import Database, migrate
from intake.cases import set_status
from intake.clock import ClockEventType
from intake.models import CaseStatus, Outbox
from tests.intake.test_reminders import clock, new_case, utc

ROOT = Path(__file__).absolute().parents[2]


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Path:
    db = Database(database_url)
    migrate(db.engine)
    with db.session() as s:
        new_case(s, date(2025, 2, 20), name="Ann")
        asked = new_case(s, date(2025, 2, 20), name="Bea")
        clock(s, asked, ClockEventType.CLARIFICATION_REQUESTED, date(2025, 3, 3))
        set_status(
            s,
            asked,
            CaseStatus.AWAITING_CLARIFICATION,
            utc(2025, 3, 3),
            "officer",
            question="Which committee?",
        )
        s.commit()
    db.close()
    path = tmp_path / "foibot.toml"
    path.write_text(
        f'[database]\nurl = "{database_url}"\n'
        '[authority]\nemail = "foi@council.example"\n'
        '[references]\nsecret = "test-secret"\n'
    )
    return path


def foibot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOIBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "reminders", "--config", str(config), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def outbox_rows(database_url: str) -> list[Outbox]:
    db = Database(database_url)
    try:
        with db.session() as s:
            return list(s.exec(select(Outbox)).all())
    finally:
        db.close()


def test_dry_run_lists_what_is_due_and_why(config: Path, database_url: str) -> None:
    result = foibot(config, "--at", "2025-03-13T10:00", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "At 2025-03-13 10:00 GMT, a working day in business hours: 2 due (dry run: nothing queued)."
    )
    assert lines[1] == "(team)  digest:2025-03-13  -> email foi@council.example"
    assert lines[2] == "    the daily digest, from 09:00 Europe/London on working days"
    assert lines[3].endswith("before-due:5:2025-03-21  -> email foi@council.example")
    assert lines[4] == (
        "    5 working days before the due date (Friday 21 March 2025, FOIA s10(1)), "
        "5 working days left now"
    )
    assert outbox_rows(database_url) == []  # nothing queued, nothing recorded
    again = foibot(config, "--at", "2025-03-13T10:00", "--dry-run")
    assert again.stdout == result.stdout


def test_without_dry_run_it_queues_once(config: Path, database_url: str) -> None:
    dry = foibot(config, "--at", "2025-03-18T10:00+00:00", "--dry-run")
    assert "clarification-chaser:2025-03-03  -> letter bea@example.org\n" in dry.stdout
    result = foibot(config, "--at", "2025-03-18T10:00+00:00")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "3 due." in out.splitlines()[0]
    assert "before-due:5:2025-03-21  -> email foi@council.example  [queued]" in out
    assert "3 working days left now; its day was Thursday 13 March 2025" in out  # caught up
    assert "clarification-chaser:2025-03-03  -> letter bea@example.org  [queued]" in out
    assert sorted(r.purpose for r in outbox_rows(database_url)) == [
        "clarification_chaser",
        "digest",
        "reminder",
    ]
    later = foibot(config, "--at", "2025-03-18T15:00")
    assert later.returncode == 0, later.stderr
    assert later.stdout.splitlines()[0].endswith("0 due, 3 already sent.")
    assert "clarification-chaser:2025-03-03  [already sent]" in later.stdout
    assert len(outbox_rows(database_url)) == 3


def test_a_date_alone_means_the_start_of_business_hours(config: Path) -> None:
    # Mon 31 March 2025 is in BST: 09:00 London.
    result = foibot(config, "--at", "2025-03-31", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("At 2025-03-31 09:00 BST, a working day in business hours")


def test_out_of_hours_says_so(config: Path) -> None:
    result = foibot(config, "--at", "2025-03-15T10:00", "--dry-run")  # Saturday
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "At 2025-03-15 10:00 GMT, not a working day: no reminders or letters go out: 0 due "
        "(dry run: nothing queued).\n"
    )


@pytest.mark.parametrize("value", ["tomorrow", "2025-13-01T10:00", "2025-03-13 25:00"])
def test_a_bad_moment_is_one_line_and_exit_2(config: Path, value: str) -> None:
    result = foibot(config, "--at", value, "--dry-run")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"foibot reminders: --at: {value!r} is not a date and time")


def test_a_missing_value_is_one_line_and_exit_2(config: Path) -> None:
    result = foibot(config, "--at")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--at" in result.stderr
