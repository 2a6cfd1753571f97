"""`foibot reminders`: what reminders, chasers and closures are due at a moment, and why.

foibot reminders [--at DATETIME] [--dry-run] [--config PATH]

Without --dry-run the due ones are queued in the outbox (and recorded, so `foibot run` will not
send them again); `foibot run` delivers them. --at is local time in [authority] timezone unless
it carries an offset (2025-03-13T10:00, 2025-03-13T10:00+00:00); a date alone means the start
of business hours that day. Default: now.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.commands._common import add_config_argument, open_database, settings_from
from bot.errors import UsageError
from bot.reminders import Outcome, Result, routes_for, sweep
from bot.scheduler import utc_now
from config.settings import Settings, clock_time
from intake.models import Case
from intake.reminder_records import AUTHORITY_WIDE
from intake.reminders import Planned

_RESULT_TEXT = {
    Result.SENT: "queued",
    Result.RECORDED: "nothing to report: recorded, no message",
    Result.TAKEN: "already sent by another foibot",
    Result.MOVED: "no longer due (the case changed)",
    Result.FAILED: "FAILED",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "reminders",
        help="list (and queue) the reminders, chasers and closures due at a moment",
        description=(
            "List the staff reminders, the digest, and the requester chasers, closures and "
            "lapses due at a moment, each with the rule that makes it due; queue them unless "
            "--dry-run."
        ),
    )
    add_config_argument(parser)
    parser.add_argument(
        "--at",
        metavar="DATETIME",
        help="the moment: YYYY-MM-DDTHH:MM local time, or with an offset; default now",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="only list them: queue and record nothing"
    )
    parser.set_defaults(handler=run)

    def one_line_error(message: str) -> NoReturn:
        print(f"foibot reminders: {message}", file=sys.stderr)
        sys.exit(2)

    setattr(parser, "error", one_line_error)  # noqa: B010 - instance override, on purpose


def parse_at(text: str, settings: Settings) -> datetime:
    """--at as an aware datetime; naive values are the authority's local time."""
    zone = ZoneInfo(settings.authority.timezone)
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            opens = clock_time(settings.reminders.business_hours_start)
            return datetime.combine(day, opens, zone)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--at: {text!r} is not a date and time (use YYYY-MM-DDTHH:MM, local time, or add "
            "an offset such as +00:00)"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment


def _requester_emails(session: Session, planned: list[Planned]) -> dict[int, str]:
    ids = [p.milestone.case_id for p in planned if p.milestone.kind.to_requester]
    if not ids:
        return {}
    rows = session.exec(select(Case.id, Case.requester_email).where(col(Case.id).in_(ids))).all()
    return {case_id: email for case_id, email in rows if case_id is not None}


def _name(p: Planned) -> str:
    if p.milestone.case_id == AUTHORITY_WIDE or p.case is None:
        return "(team)"
    return p.case.reference


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    now = parse_at(args.at, settings) if args.at else utc_now()
    db = open_database(settings)
    try:
        report = sweep(db, settings, now, dry_run=args.dry_run)
        with db.session() as session:
            emails = _requester_emails(session, [*report.plan.pending])
    finally:
        db.close()
    plan = report.plan
    print(
        f"At {plan.at.describe()}: {len(plan.pending)} due"
        + (f", {len(plan.already_sent)} already sent" if plan.already_sent else "")
        + (" (dry run: nothing queued)" if args.dry_run else "")
        + "."
    )
    results: dict[tuple[int, str], Outcome] = {
        (o.planned.milestone.case_id, o.planned.milestone.key): o for o in report.outcomes
    }
    for p in plan.pending:
        m = p.milestone
        outcome = results.get((m.case_id, m.key))
        routes: Any = outcome.routes if outcome and outcome.routes else None
        if routes is None:
            routes = routes_for(p, settings, emails.get(m.case_id, ""))
        status = "" if outcome is None else f"  [{_RESULT_TEXT[outcome.result]}]"
        print(f"{_name(p)}  {m.key}  -> {', '.join(routes) or 'nobody'}{status}")
        print(f"    {m.reason}")
        if outcome is not None and outcome.error:
            print(f"    error: {outcome.error}")
    for p in plan.already_sent:
        print(f"{_name(p)}  {p.milestone.key}  [already sent]")
    return 1 if any(o.result is Result.FAILED for o in report.outcomes) else 0
