"""`foibot deadline` through a real subprocess, as staff (and the checking vectors) run it.

Expected dates are the hand-counted worked examples from tests/intake/test_clock.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).absolute().parents[2]


def foibot_deadline(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "deadline", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def as_json(*args: str) -> dict[str, Any]:
    result = foibot_deadline(*args, "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_plain_output_shows_due_date_and_working() -> None:
    # Mon 16 Mar 2026: St Patrick's Day, Good Friday and Easter Monday skipped -> Thu 16 Apr.
    result = foibot_deadline("--regime", "foi", "--received", "2026-03-16")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.splitlines()[0].startswith("Due: 2026-04-16")
    assert "Day 1: 2026-03-18" in out
    assert "2026-03-17" in out and "St Patrick's Day (Northern Ireland)" in out
    assert "Good Friday" in out
    assert "FOIA s10(1)" in out


def test_json_due_and_skipped() -> None:
    # Fri 16 Dec 2022 -> Thu 19 Jan 2023, with Scotland's Tue 3 Jan 2023 skipped (FOIA union).
    data = as_json("--regime", "foi", "--received", "2022-12-16")
    assert data["due"] == "2023-01-19"
    skipped = {s["date"]: s["reason"] for s in data["skipped"]}
    assert "Scotland" in skipped["2023-01-03"]
    assert "Christmas" in skipped["2022-12-27"]
    assert set(skipped) >= {"2022-12-26", "2022-12-27", "2023-01-02", "2023-01-03"}
    assert data["review_request_by"] is None


def test_json_review_request_by_after_response() -> None:
    # Response Wed 4 Mar 2026: 40 working days later is Tue 5 May 2026.
    data = as_json(
        "--regime", "foi", "--received", "2026-02-09", "--event", "response_issued:2026-03-04"
    )
    assert data["review_request_by"] == "2026-05-05"
    assert data["responded_on"] == "2026-03-04"


def test_time_of_day_is_ignored() -> None:
    # Fri 9 Jan 2026 at 23:59 is still Fri 9 Jan: due Fri 6 Feb 2026.
    assert as_json("--regime", "foi", "--received", "2026-01-09T23:59")["due"] == "2026-02-06"


def test_extension_in_working_days() -> None:
    data = as_json(
        "--regime", "foi", "--received", "2026-02-02", "--event", "extension:2026-02-20:20"
    )
    assert data["due"] == "2026-03-31"


def test_event_with_time_and_extension_amount() -> None:
    # The time in an event has no seconds, so the last number is the extension: +10 WD.
    data = as_json(
        "--regime", "foi", "--received", "2026-02-02", "--event", "extension:2026-02-27T16:45:10"
    )
    assert data["due"] == "2026-03-16"


def test_eir_extension_without_amount() -> None:
    data = as_json("--regime", "eir", "--received", "2026-02-02", "--event", "extension:2026-02-10")
    assert data["due"] == "2026-03-31"


def test_sar_extension_in_months() -> None:
    data = as_json(
        "--regime", "sar", "--received", "2025-01-30", "--event", "extension:2025-02-10:2"
    )
    assert data["due"] == "2025-04-30"


@pytest.mark.parametrize(
    ("jurisdiction", "due"),
    [
        (None, "2024-04-02"),  # England and Wales: Good Friday, weekend, Easter Monday
        ("scotland", "2024-04-01"),  # no Easter Monday in Scotland
        ("northern-ireland", "2024-04-02"),
    ],
)
def test_sar_29_february_by_jurisdiction(jurisdiction: str | None, due: str) -> None:
    args = ["--regime", "sar", "--received", "2024-02-29"]
    if jurisdiction:
        args += ["--jurisdiction", jurisdiction]
    data = as_json(*args)
    assert data["due"] == due
    assert data["skipped"][0] == {"date": "2024-03-29", "reason": "Good Friday"}


def test_foisa_review_window_after_a_late_response() -> None:
    data = as_json(
        "--regime", "foisa", "--received", "2026-02-02", "--event", "response_issued:2026-03-13"
    )
    assert data["due"] == "2026-03-02"
    assert data["review_request_by"] == "2026-05-12"


def test_foisa_review_regime() -> None:
    assert as_json("--regime", "foisa-review", "--received", "2026-12-16")["due"] == "2027-01-19"


def test_fee_pause() -> None:
    data = as_json(
        "--regime",
        "foi",
        "--received",
        "2024-01-08",
        "--event",
        "fee_notice_issued:2024-01-15",
        "--event",
        "fee_paid:2024-01-26",
    )
    assert data["due"] == "2024-02-19"


def test_eir_advance_payment_pause_and_lapse_date() -> None:
    # eir-advance-payment-pause in tests/intake/test_clock.py: notified Mon 9 Feb 2026, paid
    # Fri 13 Feb; those five working days are disregarded (reg 8(6)) -> Mon 9 Mar 2026.
    data = as_json(
        "--regime",
        "eir",
        "--received",
        "2026-02-02",
        "--event",
        "fee_notice_issued:2026-02-09",
        "--event",
        "fee_paid:2026-02-13",
    )
    assert data["due"] == "2026-03-09"
    skipped = {s["date"]: s["reason"] for s in data["skipped"]}
    assert "EIR reg 8(6)" in skipped["2026-02-09"] and "2026-02-13" in skipped
    # Unpaid: reg 8(5), 60 working days after Mon 2 Feb 2026 is Thu 30 Apr (counted in
    # test_eir_advance_payment_lapses_after_sixty_working_days); it lapses on Fri 1 May.
    unpaid = as_json(
        "--regime", "eir", "--received", "2026-01-30", "--event", "fee_notice_issued:2026-02-02"
    )
    assert unpaid["due"] is None
    assert unpaid["fee_due_by"] == "2026-04-30" and unpaid["lapses_on"] == "2026-05-01"


def test_unpaid_fee_stops_the_clock() -> None:
    data = as_json(
        "--regime", "foi", "--received", "2024-01-08", "--event", "fee_notice_issued:2024-01-15"
    )
    assert data["due"] is None
    assert data["stopped"] is True
    assert data["lapses_on"] == "2024-04-15"
    plain = foibot_deadline(
        "--regime", "foi", "--received", "2024-01-08", "--event", "fee_notice_issued:2024-01-15"
    )
    assert plain.returncode == 0
    assert plain.stdout.startswith("Due: none")


def test_clarification_with_times() -> None:
    data = as_json(
        "--regime",
        "foi",
        "--received",
        "2026-02-02T10:00",
        "--event",
        "clarification_requested:2026-02-04T12:30",
        "--event",
        "clarification_received:2026-02-13T09:15",
    )
    assert data["due"] == "2026-03-13"
    assert data["day_one"] == "2026-02-16"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--regime", "xyz", "--received", "2026-01-05"], "xyz"),
        (["--regime", "foi", "--received", "2024-02-30"], "2024-02-30"),
        (["--regime", "foi", "--received", "yesterday"], "yesterday"),
        (["--regime", "foi", "--received", "05/01/2026"], "05/01/2026"),
        (["--regime", "foi"], "--received"),
        (["--received", "2026-01-05"], "--regime"),
        (["--regime", "foi", "--received", "2026-01-05", "--event", "bogus:2026-01-06"], "bogus"),
        (["--regime", "foi", "--received", "2026-01-05", "--event", "fee_paid"], "fee_paid"),
        (
            ["--regime", "foi", "--received", "2026-01-05", "--event", "fee_paid:2026-01-07"],
            "fee_paid",
        ),
        (
            ["--regime", "foi", "--received", "2026-01-05", "--event", "extension:2026-13-01"],
            "2026-13-01",
        ),
        (
            ["--regime", "foisa", "--received", "2026-01-05", "--event", "extension:2026-01-07"],
            "extension",
        ),
        (
            [
                "--regime",
                "foi",
                "--received",
                "2026-01-05",
                "--event",
                "response_issued:2026-01-01",
            ],
            "response_issued",
        ),
        (["--regime", "foi", "--received", "2026-01-05", "--jurisdiction", "wales"], "wales"),
        (["--regime", "foi", "--received"], "--received"),  # argparse's own error, one line too
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], named: str) -> None:
    result = foibot_deadline(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("foibot deadline: ")
    assert named in lines[0]
