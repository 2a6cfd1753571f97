"""`foibot outbox`: what is queued, sent and failed."""

from __future__ import annotations

import argparse
from typing import Any

from sqlmodel import col, select

from bot.commands._common import add_config_argument, open_database, settings_from
from intake.models import Outbox, OutboxStatus


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("outbox", help="list queued, sent and failed messages")
    add_config_argument(parser)
    parser.add_argument("--status", choices=[s.value for s in OutboxStatus])
    parser.add_argument("--limit", type=int, default=50)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    db = open_database(settings)
    with db.session() as session:
        query = select(Outbox).order_by(col(Outbox.id).desc()).limit(args.limit)
        if args.status:
            query = query.where(Outbox.status == args.status)
        rows = session.exec(query).all()
        if not rows:
            print("outbox is empty")
        for row in rows:
            when = row.sent_at or row.next_attempt_at
            error = f"  last error: {row.last_error}" if row.last_error else ""
            print(
                f"{row.id:>6} {row.status:<7} {row.kind:<5} {row.purpose:<16} "
                f"{when:%Y-%m-%d %H:%M:%S} attempts={row.attempts} to={row.recipient} "
                f"{row.subject[:60]}{error}"
            )
    db.close()
    return 0
