"""`foibot draft` through a real subprocess: JSON case files, stored cases, exit 2 naming every
missing piece of a refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.database import Database, migrate
from config.settings import load_settings
from intake.cases import NewCase, open_case
from intake.models import Channel
from intake.regime import Regime

ROOT = Path(__file__).resolve().parents[2]
REQUEST = (
    "Under the Freedom of Information Act, I would request you to respond to questions "
    "included in the attachment..."
)
CONFIG = """
[authority]
name = "Information Commissioner's Office"
team = "Information Access Team"
address = "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF"
review_url = "https://ico.org.uk/review-procedure/"
is_regulator = true

[database]
url = "sqlite:///{db}"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "foibot.toml"
    path.write_text(CONFIG.format(db=tmp_path / "foibot.sqlite3"), encoding="utf-8")
    return path


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(
        json.dumps(
            {
                "reference": "IC-315773-L9G6",
                "regime": "foi",
                "received": "2024-06-27",
                "requester": {"name": "", "email": "someone@example.org"},
                "subject": "Digital devices",
                "text": REQUEST,
                "response_date": "2024-07-12",
            }
        ),
        encoding="utf-8",
    )
    return path


def foibot(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOIBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "draft", "--config", str(config), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


SEED_FLAGS = [
    "--outcome", "part",
    "--exemption", "s31(1)(a)",
    "--reason", "s31(1)(a)=This is information about our IT infrastructure.",
    "--pit-for", "Increased transparency in the way in which the ICO protects information.",
    "--pit-against", "Keeping the information we hold secure.",
    "--pit-against", "s31(1)(a)=Malicious actors could use it.",
    "--conclusion", "The public interest favours withholding the information.",
]  # fmt: skip


def test_the_seed_case_from_a_json_file(config: Path, case_file: Path) -> None:
    done = foibot(config, "--case", str(case_file), *SEED_FLAGS)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    for piece in [
        "12 July 2024",
        "Case reference: IC-315773-L9G6",
        "We are now in a position to respond to your information request of 27 June 2024.",
        "> " + REQUEST,
        "Section 31 FOIA",
        "> (a) the prevention or detection of crime,",
        "- Increased transparency in the way in which the ICO protects information.",
        "- Keeping the information we hold secure.\n- Malicious actors could use it.",
        "The public interest favours withholding the information.",
        "the last day to ask is Tuesday 10 September 2024",
        "in its role as the regulator of FOIA",
        "Information Access Team",
    ]:
        assert piece in text, piece
    assert done.stderr == ""


def test_html_format(config: Path, case_file: Path) -> None:
    done = foibot(config, "--case", str(case_file), *SEED_FLAGS, "--format", "html")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!DOCTYPE html>")
    assert "<h2>Section 31 FOIA</h2>" in done.stdout


def test_a_refusal_missing_what_the_law_requires_exits_2_naming_every_piece(
    config: Path, case_file: Path
) -> None:
    done = foibot(config, "--case", str(case_file), "--outcome", "withheld",
                  "--exemption", "s31(1)(a)", "--exemption", "s40(2)")  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("foibot draft: cannot draft a lawful")
    for piece in [
        "s31(1)(a): why it applies to this request (FOIA s17(1)(c))",
        "s31(1)(a): public interest factors in favour of disclosure (FOIA s17(3))",
        "s31(1)(a): public interest factors in favour of maintaining the exemption (FOIA s17(3))",
        "s31(1)(a): the conclusion of the public interest test (FOIA s17(3))",
        "s40(2): why it applies to this request (FOIA s17(1)(c))",
    ]:
        assert piece in lines[0], piece


def test_exemptions_and_reasons_in_the_case_file(
    config: Path, case_file: Path, tmp_path: Path
) -> None:
    data = json.loads(case_file.read_text(encoding="utf-8"))
    data.update(
        outcome="withheld",
        exemptions=[
            {"ref": "Section 43(2)", "reason": "It would harm the supplier.",
             "pit_for": ["Value for money."], "pit_against": ["Competition."],
             "conclusion": "We withhold it."},
            {"ref": "s40(2)", "reason": "Names of junior staff."},
        ],
    )  # fmt: skip
    path = tmp_path / "full.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = foibot(config, "--case", str(path))
    assert done.returncode == 0, done.stderr
    assert "Section 43 FOIA" in done.stdout and "Section 40 FOIA" in done.stdout
    assert "This is an absolute exemption" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "maybe"], "--outcome: 'maybe' is not one of full, part"),
        ([], "--outcome is required"),
        (["--outcome", "part", "--exemption", "s31(1)(a)", "--exemption", "s43(2)",
          "--pit-for", "x"], "--pit-for 'x': say which exemption it is for (REF=TEXT)"),
        (["--outcome", "part", "--reason", "no ref here"], "--reason 'no ref here': use REF=TEXT"),
        (["--outcome", "full", "--format", "pdf"], "--format: 'pdf' is not text or html"),
        (["--outcome", "full", "--response-date", "12/07/2024"], "--response-date: '12/07/2024'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    config: Path, case_file: Path, args: list[str], message: str
) -> None:
    done = foibot(config, "--case", str(case_file), *args)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("foibot draft: ") and message in done.stderr


def test_a_bad_case_file_is_named(config: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"reference": "X", "regime": "foi", "received": "2024-06-27"}', "utf-8")
    done = foibot(config, "--case", str(path), "--outcome", "full")
    assert done.returncode == 2 and "text: required" in done.stderr
    done = foibot(config, "--case", str(tmp_path / "none.json"), "--outcome", "full")
    assert done.returncode == 2 and "not found" in done.stderr


def test_an_authority_catalogue_file_is_used(config: Path, case_file: Path, tmp_path: Path) -> None:
    ours = tmp_path / "ours.toml"
    ours.write_text('[[exemption]]\nref = "s31(1)(a)"\ngroup = "Law enforcement"\n', "utf-8")
    done = foibot(config, "--case", str(case_file), *SEED_FLAGS, "--exemptions", str(ours))
    assert done.returncode == 0, done.stderr
    assert "\nLaw enforcement\n" in done.stdout
    ours.write_text('[[exemption]]\nref = "s31(1)(a)"\ncolour = "red"\n', "utf-8")
    done = foibot(config, "--case", str(case_file), *SEED_FLAGS, "--exemptions", str(ours))
    assert done.returncode == 2 and "colour: unknown key" in done.stderr


def test_a_stored_case(config: Path) -> None:
    settings = load_settings(config, env={})
    db = Database(settings.database.url)
    migrate(db.engine)
    now = datetime(2024, 6, 27, 9, 30, tzinfo=UTC)
    new = NewCase(
        channel=Channel.EMAIL, received_at=now, received_on=date(2024, 6, 27),
        subject="Digital devices", text=REQUEST, regime=Regime.FOI, label="foi",
        requester_name="A Requester", requester_email="someone@example.org",
    )  # fmt: skip
    reference = db.transact(
        lambda s: (
            open_case(s, new, settings.references, settings.authority.jurisdiction, now).reference
        )
    )
    db.close()
    done = foibot(config, reference.lower(), "--outcome", "full", "--summary", "Here it is.",
                  "--response-date", "2024-07-12")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Case reference: {reference}" in done.stdout
    assert "Dear A Requester," in done.stdout and "Here it is." in done.stdout
    assert "Tuesday 10 September 2024" in done.stdout
    unknown = foibot(config, "IC-999999-ZZZZ", "--outcome", "full")
    assert unknown.returncode == 2 and "no case with reference" in unknown.stderr
