"""`foibot classify`: what kind of message this is, how sure foibot is, and why.

    foibot classify [FILE.eml] [--rules PATH]     one message (standard input without FILE)
    foibot classify --jsonl [FILE] [--rules PATH] many: one JSON object a line in, one out

No database and no settings: the same decision the intake desk makes, for trying out rules or
triaging a backlog. `--rules` merges an authority's own phrase file over the shipped one.

With --jsonl each input line is {"id": ..., "subject": "...", "text": "...", "from": "..."}
("subject" and "from" may be left out; "from" is an address or "Name <address>"). Each output
line is {"id": ..., "label": ..., "confidence": ..., "evidence": [...], "flags": [...]} with
the input's id. A line that can't be read does not stop the batch: its output line is
{"id": ... or null, "line": N, "error": "..."}, the same message goes to standard error, and
the command exits 1 once every line is done. Blank lines are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from email.utils import parseaddr
from pathlib import Path
from typing import IO, Any

from bot.errors import UsageError
from config.rules import Rules, RulesError, load_rules
from intake.classifier import Incoming, classify
from intake.mail import Automatic, parse_message


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="classify a message (or a JSON-lines batch) and show the evidence",
        description=(
            "Print foibot's decision for an email (FILE.eml, or standard input) as JSON: the "
            "label, the confidence (0-1), the phrases that decided it and any flags."
        ),
        epilog=(
            'With --jsonl, read one {"id", "subject", "text", "from"} object a line '
            "and write one decision a line with the same id; an unreadable line gets "
            '{"id", "line", "error"} and the exit status is 1.'
        ),
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="the message (default: stdin)")
    parser.add_argument(
        "--jsonl", action="store_true", help="read JSON lines, write one decision a line"
    )
    parser.add_argument(
        "--rules", metavar="PATH", help="an authority's extra classifier rules (TOML)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    rules = _rules(args.rules)
    # Mail is UTF-8 whatever the terminal's locale says; a stray byte must not stop a batch.
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "strict")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors=errors)
    if args.jsonl:
        if args.file is None:
            return classify_lines(sys.stdin, sys.stdout, rules)
        with _open_text(args.file) as stream:
            return classify_lines(stream, sys.stdout, rules)
    raw = _read_bytes(args.file)
    if not raw.strip():
        raise UsageError(f"{args.file or 'standard input'}: no message to classify")
    parsed = parse_message(raw)
    decision = classify(
        Incoming(
            subject=parsed.subject,
            text=parsed.text,
            sender=parsed.sender_address,
            sender_name=parsed.sender_name,
        ),
        rules,
    )
    out = decision.to_json()
    if parsed.automatic is not Automatic.NO:
        # The desk would not answer this at all; say so rather than hide it.
        out["automatic"] = parsed.automatic.value
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _rules(path: str | None) -> Rules:
    try:
        return load_rules(path)
    except RulesError as exc:
        raise UsageError(str(exc)) from None


def _read_bytes(path: str | None) -> bytes:
    if path is None:
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc.__class__.__name__}") from None


def _open_text(path: str) -> IO[str]:
    try:
        return open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc.__class__.__name__}") from None


class _BadLine(ValueError):
    def __init__(self, problem: str, ident: Any = None) -> None:
        super().__init__(problem)
        self.ident = ident


def _incoming(line: str) -> tuple[Any, Incoming]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise _BadLine("not a JSON object")
    ident = data.get("id")
    if ident is None or isinstance(ident, bool) or not isinstance(ident, str | int | float):
        raise _BadLine('"id" is missing or not a string or number', ident)
    fields: dict[str, str] = {}
    for name in ("subject", "text", "from"):
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise _BadLine(f'"{name}" must be a string', ident)
        fields[name] = value
    if "text" not in data:
        raise _BadLine('"text" is missing', ident)
    name, address = parseaddr(fields["from"])
    return ident, Incoming(
        subject=fields["subject"],
        text=fields["text"],
        sender=address or fields["from"].strip(),
        sender_name=name,
    )


def classify_lines(lines: Iterable[str], out: IO[str], rules: Rules) -> int:
    """Classify each JSON line; returns the exit status (1 if any line was unreadable)."""
    status = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            ident, message = _incoming(line)
        except _BadLine as exc:
            status = 1
            print(f"foibot classify: line {number}: {exc}", file=sys.stderr)
            result: dict[str, Any] = {"id": exc.ident, "line": number, "error": str(exc)}
        else:
            result = {"id": ident, **classify(message, rules).to_json()}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return status
