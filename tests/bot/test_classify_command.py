"""`foibot classify` through a real subprocess, as staff and batch jobs run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).absolute().parents[2]

EML = b"""\
From: Gail Summers <gail@example.org>
To: foi@council.example
Subject: Subject access request
Message-ID: <sar-1@example.org>
Date: Mon, 3 Jun 2024 10:00:00 +0100
Content-Type: text/plain; charset=utf-8

Dear Data Protection Officer,

I am making a subject access request. Please send me a copy of all the personal data you
hold about me.

Yours sincerely,
Gail Summers
"""


def foibot_classify(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "classify", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _lines(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_an_eml_file(tmp_path: Path) -> None:
    path = tmp_path / "sar.eml"
    path.write_bytes(EML)
    result = foibot_classify(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    data = json.loads(result.stdout)
    assert data["label"] == "sar"
    assert 0 < data["confidence"] <= 1
    assert data["flags"] == []
    top = data["evidence"][0]
    assert top["label"] == "sar"
    assert top["matched"] == "personal data you hold about me"  # across the line break
    assert set(top) == {"label", "phrase", "matched", "score", "weight"}


def test_standard_input() -> None:
    result = foibot_classify(stdin=EML)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["label"] == "sar"


def test_an_automatic_reply_says_so() -> None:
    auto = EML.replace(b"Subject:", b"Auto-Submitted: auto-replied\nSubject:")
    result = foibot_classify(stdin=auto)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["automatic"] == "auto_reply"


def test_jsonl_keeps_ids_and_order() -> None:
    lines = [
        {
            "id": "a1",
            "subject": "Bins",
            "text": "How much household waste went to landfill in 2023?",
            "from": "Amy Lee <amy@example.org>",
        },
        {
            "id": 2,
            "subject": "",
            "text": "I wish to make a formal complaint about the rude staff at the library.",
            "from": "bo@example.org",
        },
        {"id": "c", "text": "Please carry out an internal review of my FOI request."},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines).encode() + b"\n\n"
    result = foibot_classify("--jsonl", stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = _lines(result)
    assert [o["id"] for o in out] == ["a1", 2, "c"]
    assert [o["label"] for o in out] == ["eir", "complaint", "internal_review"]
    assert all({"confidence", "evidence", "flags"} <= set(o) for o in out)


def test_jsonl_from_a_file_with_an_authoritys_rules(tmp_path: Path) -> None:
    rules = tmp_path / "ours.toml"
    rules.write_text(
        '[[phrases]]\nlabel = "foi"\nweight = 4.0\nphrases = ["cais rhyddid gwybodaeth"]\n',
        encoding="utf-8",
    )
    batch = tmp_path / "batch.jsonl"
    line = {"id": 7, "text": "Cais rhyddid gwybodaeth: cyllideb y llyfrgell.\nSiân Evans"}
    batch.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    plain = _lines(foibot_classify("--jsonl", str(batch)))
    ours = _lines(foibot_classify("--jsonl", str(batch), "--rules", str(rules)))
    assert plain[0]["label"] == "other"
    assert ours[0]["label"] == "foi"
    assert ours[0]["evidence"][0]["matched"] == "Cais rhyddid gwybodaeth"


def test_a_bad_line_gets_an_error_object_and_the_batch_goes_on() -> None:
    stdin = (
        b'{"id": 1, "text": "How many bridges do you own?"}\n'
        b"this is not json\n"
        b'{"id": 3, "text": 5}\n'
        b'{"text": "no id"}\n'
        b'{"id": 5, "subject": "x"}\n'
        b'{"id": 6, "text": "Thanks for the information."}\n'
    )
    result = foibot_classify("--jsonl", stdin=stdin)
    assert result.returncode == 1
    out = _lines(result)
    assert [o["id"] for o in out] == [1, None, 3, None, 5, 6]
    assert "label" in out[0] and "label" in out[5]
    assert out[1] == {"id": None, "line": 2, "error": out[1]["error"]}
    assert out[1]["error"].startswith("not valid JSON")
    assert out[2]["line"] == 3 and '"text" must be a string' in out[2]["error"]
    assert out[3]["line"] == 4 and '"id"' in out[3]["error"]
    assert out[4]["line"] == 5 and '"text" is missing' in out[4]["error"]
    errors = result.stderr.decode().splitlines()
    assert errors[0] == "foibot classify: line 2: " + out[1]["error"]
    assert len(errors) == 4


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = foibot_classify(str(tmp_path / "absent.eml"))
    assert missing.returncode == 2
    assert missing.stdout == b""
    assert missing.stderr.decode().startswith("foibot classify: ")
    assert "absent.eml: cannot read" in missing.stderr.decode()
    assert len(missing.stderr.decode().splitlines()) == 1

    empty = foibot_classify(stdin=b"  \n")
    assert empty.returncode == 2
    assert "no message to classify" in empty.stderr.decode()

    rules = tmp_path / "bad.toml"
    rules.write_text("[thresholds]\ntriage_confidence = 7\n", encoding="utf-8")
    bad_rules = foibot_classify("--rules", str(rules), stdin=EML)
    assert bad_rules.returncode == 2
    message = bad_rules.stderr.decode()
    assert "bad.toml: thresholds.triage_confidence must be between 0 and 1" in message
    assert len(message.splitlines()) == 1


def test_non_utf8_bytes_do_not_stop_a_batch() -> None:
    stdin = b'{"id": 1, "text": "caf\xe9 opening hours?"}\n{"id": 2, "text": "Thanks"}\n'
    result = foibot_classify("--jsonl", stdin=stdin)
    out = _lines(result)
    assert [o["id"] for o in out] == [1, 2]
