"""`foibot cases [--status S]` and `foibot case REF`: cases and their timelines."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from bot.cli import UsageError
from bot.commands._common import add_config_argument, open_database, settings_from
from intake.cases import case_by_reference, deadline_for, events_of
from intake.clock import working_days_left
from intake.models import Attachment, Case, CaseStatus


def register(subparsers: Any) -> None:
    many = subparsers.add_parser("cases", help="list cases")
    add_config_argument(many)
    many.add_argument(
        "--status",
        choices=[s.value for s in CaseStatus] + ["open-any"],
        help="only cases in this status (open-any: every status that is not finished)",
    )
    many.add_argument("--limit", type=int, default=50, help="at most this many (newest first)")
    many.set_defaults(handler=list_cases)
    one = subparsers.add_parser("case", help="show one case with its event timeline")
    add_config_argument(one)
    one.add_argument("reference", metavar="REF", help="case reference, e.g. IC-315773-L9G6")
    one.add_argument("--json", action="store_true", help="machine-readable output")
    one.set_defaults(handler=show_case)


def list_cases(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    db = open_database(settings)
    today = datetime.now(UTC).date()
    with db.session() as session:
        query = select(Case).order_by(col(Case.id).desc()).limit(args.limit)
        if args.status == "open-any":
            query = query.where(col(Case.status).in_([s.value for s in CaseStatus if s.is_open]))
        elif args.status:
            query = query.where(Case.status == args.status)
        rows = session.exec(query).all()
        if not rows:
            print("no cases")
        for case in rows:
            due = case.due.isoformat() if case.due else "-"
            left = ""
            if case.due and CaseStatus(case.status).is_open:
                deadline = deadline_for(session, case, settings.authority.jurisdiction)
                if deadline is not None and deadline.due is not None:
                    days = working_days_left(deadline, today)
                    left = f" ({days} working days left)" if days >= 0 else f" (OVERDUE {-days})"
            triage = " [triage]" if case.needs_triage else ""
            print(
                f"{case.reference}  {case.regime or case.label:<13} {case.status:<22} "
                f"due {due}{left}{triage}  {case.requester_email}  {case.subject[:60]}"
            )
    db.close()
    return 0


def show_case(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    db = open_database(settings)
    refs = settings.references
    with db.session() as session:
        case = case_by_reference(session, args.reference, refs.prefix, refs.secret)
        if case is None:
            db.close()
            raise UsageError(f"REF: no case with reference {args.reference!r}")
        events = events_of(session, case)
        attachments = session.exec(select(Attachment).where(Attachment.case_id == case.id)).all()
        if args.json:
            print(
                json.dumps(
                    {
                        **case.model_dump(mode="json"),
                        "events": [e.model_dump(mode="json") for e in events],
                        "attachments": [
                            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                            for a in attachments
                        ],
                    },
                    indent=2,
                    default=str,
                )
            )
        else:
            print(f"{case.reference}: {case.subject}")
            print(f"  requester  {case.requester_name} <{case.requester_email}>")
            print(
                f"  regime     {case.regime or '-'} (classified {case.label}, "
                f"confidence {case.confidence:.2f})"
            )
            print(f"  status     {case.status}{' (clock stopped)' if case.clock_stopped else ''}")
            print(f"  received   {case.received_on.isoformat()} via {case.channel}")
            print(f"  due        {case.due.isoformat() if case.due else '-'}")
            if case.flags:
                print(f"  flags      {', '.join(case.flags)}")
            for a in attachments:
                print(f"  attachment {a.filename} ({a.content_type}, {a.size} bytes)")
            print("  timeline")
            for event in events:
                detail = ", ".join(
                    f"{k}={v}"
                    for k, v in event.detail.items()
                    if k not in {"text", "evidence"} and v not in (None, "", [])
                )
                print(
                    f"    {event.at:%Y-%m-%d %H:%M} {event.kind:<24} {event.actor:<20} "
                    f"{detail[:200]}"
                )
    db.close()
    return 0
