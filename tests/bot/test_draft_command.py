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


# ---- the other letters (--letter) ------------------------------------------------------------


def _case(tmp_path: Path, regime: str, received: str, **extra: object) -> Path:
    path = tmp_path / f"{regime}.json"
    data = {
        "reference": "IC-315773-L9G6", "regime": regime, "received": received,
        "requester": {"name": "Ann", "email": "ann@example.org"}, "subject": "Spending",
        "text": "All spending on consultants.", **extra,
    }  # fmt: skip
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_foia_fees_notice_gives_the_last_day_to_pay(config: Path, case_file: Path) -> None:
    # FOIA s9(2): three months beginning with the day of the notice, Fri 12 July 2024, end
    # Fri 11 October 2024.
    done = foibot(config, "--case", str(case_file), "--letter", "fees-notice",
                  "--amount", "£12.40", "--breakdown", "124 pages at 10p.")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "a fee of £12.40 applies (section 9 of FOIA)" in done.stdout
    assert "by Friday 11 October 2024, the law says" in done.stdout
    assert "(section 9(2) of FOIA)" in done.stdout


def test_an_eir_advance_payment_notice_from_the_case_file(config: Path, tmp_path: Path) -> None:
    # EIR reg 8(5): 60 working days after Mon 9 Feb 2026. Feb 10-13, 16-20, 23-27 (14); Mar 2-6,
    # 9-13 (24), 16 (25), St Patrick's Day out, 18-20 (28), 23-27 (33), 30-31 (35); Apr 1-2
    # (37), Good Friday and Easter Monday out, 7-10 (41), 13-17 (46), 20-24 (51), 27-30 (55);
    # May 1 (56), Mon 4 May out, 5-8 (60): Fri 8 May 2026.
    path = _case(tmp_path, "eir", "2026-02-02", response_date="2026-02-09",
                 letter="fees-notice", amount="£80.00", breakdown="Four hours at £20.",
                 schedule="https://example.org/charges")  # fmt: skip
    done = foibot(config, "--case", str(path))
    assert done.returncode == 0, done.stderr
    assert "The charge is £80.00" in done.stdout
    assert "by Friday 8 May 2026, 60 working days after this notice" in done.stdout
    assert "schedule of charges (https://example.org/charges)" in done.stdout


def test_a_public_interest_extension_estimates_from_the_engine(
    config: Path, case_file: Path
) -> None:
    # FOI received Thu 27 June 2024: WD1 Fri 28; WD2-6 1-5 Jul; WD7-10 8-11 Jul (Fri 12 Jul is
    # the Battle of the Boyne, NI); WD11-15 15-19; WD16-20 22-26 Jul. s10(3) +10 on Fri 12 Jul:
    # WD21-25 29 Jul-2 Aug; Mon 5 Aug is Scotland's summer bank holiday; WD26-29 Tue 6-Fri 9
    # Aug; WD30 Mon 12 August 2024.
    done = foibot(config, "--case", str(case_file), "--letter", "pit-extension",
                  "--exemption", "s43(2)", "--reason", "s43(2)=The prices in the contract.",
                  "--extend", "10")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "We are considering section 43(2) of FOIA (Commercial interests)." in done.stdout
    assert "The prices in the contract." in done.stdout
    assert "give you our decision by Monday 12 August 2024" in done.stdout
    absolute = foibot(config, "--case", str(case_file), "--letter", "pit-extension",
                      "--exemption", "s40(2)", "--reason", "s40(2)=Staff names.")  # fmt: skip
    assert absolute.returncode == 2
    assert "s40(2): absolute, so no public interest extension (FOIA s10(3))" in absolute.stderr


def test_extension_notices_take_the_case_files_clock_events(config: Path, tmp_path: Path) -> None:
    # EIR Mon 2 Feb 2026, clarified Fri 13 Feb: reg 7(1) 40 working days from 13 Feb. Feb 16-20,
    # 23-27 (10); Mar 2-6, 9-13 (20), 16 (21), St Patrick's Day out, 18-20 (24), 23-27 (29),
    # 30-31 and Apr 1-2 (33), Good Friday and Easter Monday out, 7-10 (37), 13-15: Wed 15 April.
    events = ["clarification_requested:2026-02-04", "clarification_received:2026-02-13"]
    path = _case(tmp_path, "eir", "2026-02-02", response_date="2026-02-20", events=events)
    done = foibot(config, "--case", str(path), "--letter", "eir-extension",
                  "--explanation", "Twenty years of readings from forty sites.")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "We will respond by Wednesday 15 April 2026 at the latest." in done.stdout
    bad = _case(tmp_path, "eir", "2026-02-02", events=["bogus:2026-02-04"])
    refused = foibot(config, "--case", str(bad), "--letter", "eir-extension")
    assert refused.returncode == 2 and "bogus" in refused.stderr


def test_sar_extension_and_clarification_request(config: Path, tmp_path: Path) -> None:
    # UK GDPR Art 12(3): Thu 27 June 2024 + 1 + 2 months = Fri 27 September 2024.
    path = _case(tmp_path, "sar", "2024-06-27", response_date="2024-07-12")
    done = foibot(config, "--case", str(path), "--letter", "sar-extension",
                  "--explanation", "Your records are spread over six systems.")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "We will respond by Friday 27 September 2024 at the latest." in done.stdout
    asked = foibot(config, "--case", str(path), "--letter", "clarification-request",
                   "--questions", "Which years do you mean?",
                   "--advice", "Say 2020-2023.")  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert "Which years do you mean?" in asked.stdout and "Say 2020-2023." in asked.stdout
    assert "(Article 12 of the UK GDPR)" in asked.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--letter", "nonsense"], "--letter: 'nonsense' is not one of"),
        (["--letter", "eir-extension"], "there is no eir-extension letter under"),
        (["--letter", "fees-notice"], "missing the fee (FOIA s9(1)); how the fee was worked"),
        (["--letter", "clarification-request"], "missing what we need the requester"),
        (["--letter", "pit-extension", "--exemption", "s43(2)", "--reason", "s43(2)=x",
          "--extend", "0"], "--extend: '0' is not a positive number"),
        (["--letter", "pit-extension", "--exemption", "s43(2)", "--reason", "s43(2)=x",
          "--extend", "25"], "more than 20"),
    ],
)  # fmt: skip
def test_other_letters_refuse_with_one_line(
    config: Path, case_file: Path, args: list[str], named: str
) -> None:
    done = foibot(config, "--case", str(case_file), *args)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], done.stderr
