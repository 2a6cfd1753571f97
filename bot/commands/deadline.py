"""`foibot deadline`: compute a due date without a database, with the working shown.

foibot deadline --regime {foi,eir,sar,review,foisa,foisa-review} --received DATE[THH:MM]
                [--event TYPE:DATE[:N]]... [--jurisdiction {england-and-wales,scotland,
                northern-ireland}] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from typing import NoReturn

from bot.cli import UsageError
from intake.calendar import format_date
from intake.clock import ClockError, ClockEvent, ClockEventType, Deadline, compute_deadline
from intake.regime import Jurisdiction, Regime

_REGIMES = ", ".join(r.value for r in Regime)
_JURISDICTIONS = ", ".join(j.value for j in Jurisdiction)
_EVENT_TYPES = ", ".join(t.value for t in ClockEventType)

# DATE, optionally with a time of day (ignored: the date of receipt is the day, FOIA s10(6)).
_DATE = r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?"
_DATE_RE = re.compile(rf"{_DATE}\Z")
# In an event the time has no seconds, so "extension:2024-01-05T10:30:20" is unambiguous: 20 days.
_EVENT_RE = re.compile(r"([^:]*):(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?(?::(-?\d+))?\Z")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "deadline",
        help="compute a statutory due date and show the working",
        description=(
            "Compute when a response is due under FOIA, the EIR, UK GDPR subject access, an "
            "internal review or FOISA, from the date of receipt and the clock events."
        ),
    )
    # Values are validated in the handler (not with choices=) so that a bad one gets a single
    # line naming it rather than argparse's usage block.
    parser.add_argument("--regime", metavar="{" + ",".join(r.value for r in Regime) + "}")
    parser.add_argument("--received", metavar="DATE[THH:MM]", help="date of receipt")
    parser.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="TYPE:DATE[:N]",
        help=f"a clock event, repeatable; TYPE is one of {_EVENT_TYPES}; N is the extension "
        "in working days (months for sar)",
    )
    parser.add_argument(
        "--jurisdiction",
        default=Jurisdiction.ENGLAND_AND_WALES.value,
        metavar="{" + ",".join(j.value for j in Jurisdiction) + "}",
        help="where the authority is (decides subject access holidays); default england-and-wales",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)

    # argparse's own errors here (e.g. --received with no value) also become one line.
    def one_line_error(message: str) -> NoReturn:
        print(f"foibot deadline: {message}", file=sys.stderr)
        sys.exit(2)

    setattr(parser, "error", one_line_error)  # noqa: B010 - instance override, on purpose


def run(args: argparse.Namespace) -> int:
    regime = _regime(args.regime)
    received = _date("--received", args.received)
    jurisdiction = _jurisdiction(args.jurisdiction)
    events = [_event(text) for text in args.event]
    try:
        deadline = compute_deadline(regime, received, events, jurisdiction)
    except ClockError as exc:
        raise UsageError(str(exc)) from exc
    except ValueError as exc:  # a date beyond the bank-holiday calendar
        raise UsageError(str(exc)) from exc
    if args.json:
        print(json.dumps(deadline.as_json(), indent=2))
    else:
        print(_plain(deadline))
    return 0


def _regime(text: str | None) -> Regime:
    if not text:
        raise UsageError(f"--regime is required (one of {_REGIMES})")
    try:
        return Regime(text.strip().lower())
    except ValueError:
        raise UsageError(f"unknown regime {text!r} (choose from {_REGIMES})") from None


def _jurisdiction(text: str) -> Jurisdiction:
    try:
        return Jurisdiction(text.strip().lower())
    except ValueError:
        raise UsageError(f"unknown jurisdiction {text!r} (choose from {_JURISDICTIONS})") from None


def _date(flag: str, text: str | None) -> dt.date:
    if not text:
        raise UsageError(f"{flag} is required (YYYY-MM-DD, optionally THH:MM)")
    match = _DATE_RE.match(text.strip())
    if match is None:
        raise UsageError(f"{flag}: {text!r} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
    return _checked_date(flag, text, *match.groups())


def _checked_date(
    where: str, text: str, day: str, hh: str | None, mm: str | None, ss: str | None
) -> dt.date:
    try:
        parsed = dt.date.fromisoformat(day)
        if hh is not None:
            dt.time(int(hh), int(mm or 0), int(ss or 0))
    except ValueError:
        raise UsageError(f"{where}: {text!r} is not a valid date") from None
    return parsed


def parse_event(text: str) -> ClockEvent:
    """TYPE:DATE[:N] as a clock event; UsageError naming what is wrong (also for case files)."""
    return _event(text)


def _event(text: str) -> ClockEvent:
    where = f"--event {text!r}"
    match = _EVENT_RE.match(text.strip())
    if match is None:
        kind = text.split(":", 1)[0]
        if kind and kind.strip().lower() not in {t.value for t in ClockEventType}:
            raise UsageError(f"unknown event type {kind!r} (choose from {_EVENT_TYPES})")
        raise UsageError(f"{where}: expected TYPE:DATE[:N], e.g. fee_paid:2024-03-01")
    kind, day, hh, mm, amount = match.groups()
    try:
        event_type = ClockEventType(kind.strip().lower())
    except ValueError:
        raise UsageError(f"unknown event type {kind!r} (choose from {_EVENT_TYPES})") from None
    on = _checked_date(where, text, day, hh, mm, None)
    n = None if amount is None else int(amount)
    if n is not None and event_type is not ClockEventType.EXTENSION:
        raise UsageError(f"{where}: only extension takes a number")
    if n is not None and n < 1:
        raise UsageError(f"{where}: the extension must be a positive number, not {n}")
    return ClockEvent(event_type, on, n)


def _plain(deadline: Deadline) -> str:
    out: list[str] = []
    if deadline.due is not None:
        out.append(f"Due: {deadline.due.isoformat()} ({format_date(deadline.due)})")
    else:
        out.append(f"Due: none, the clock is stopped: {deadline.stop_reason}")
    out.append(f"Regime: {deadline.regime.short} ({deadline.regime.law})")
    out.append(f"Day 1: {deadline.day_one.isoformat()} ({format_date(deadline.day_one)})")
    if deadline.fee_due_by is not None and deadline.lapses_on is not None:
        out.append(f"Fee must be paid by: {deadline.fee_due_by.isoformat()}")
        out.append(f"Lapses on: {deadline.lapses_on.isoformat()}")
    if deadline.review_request_by is not None:
        out.append(f"Review request by: {deadline.review_request_by.isoformat()}")
    out.append("")
    out.append("Working:")
    out.extend(f"  {line}" for line in deadline.working)
    if deadline.skipped:
        out.append("")
        out.append(f"Days not counted ({len(deadline.skipped)}):")
        out.extend(
            f"  {s.date.isoformat()} {s.date.strftime('%a')}  {s.reason}" for s in deadline.skipped
        )
    return "\n".join(out)
