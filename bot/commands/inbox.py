"""`foibot inbox`: mail as received, and the messages waiting for a person.

Nothing foibot accepts is dropped: mail it could not handle (no sender, nothing in it, a
failure while processing) is kept with its problems. This lists it, prints it, and hands it back
to foibot once the cause is fixed.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlmodel import col, select

from bot.commands._common import add_config_argument, open_database, settings_from
from bot.errors import UsageError
from intake.models import InboundMessage, InboundState


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "inbox", help="list received mail (default: messages waiting for a person)"
    )
    add_config_argument(parser)
    parser.add_argument(
        "--state",
        choices=[s.value for s in InboundState] + ["all"],
        default=InboundState.NEEDS_ATTENTION.value,
        help="which messages to list (default: needs_attention)",
    )
    parser.add_argument("--limit", type=int, default=50, help="at most this many, newest first")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--show", type=int, metavar="ID", help="print one message as received")
    action.add_argument(
        "--retry",
        type=int,
        metavar="ID",
        help="hand a message back to foibot: the running service processes it again",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    db = open_database(settings)
    try:
        if args.show is not None:
            return _show(db.session(), args.show)
        if args.retry is not None:
            return _retry(db, args.retry)
        with db.session() as session:
            query = select(InboundMessage).order_by(col(InboundMessage.id).desc())
            if args.state != "all":
                query = query.where(InboundMessage.state == args.state)
            rows = session.exec(query.limit(args.limit)).all()
            if not rows:
                print("no messages")
            for row in rows:
                problems = "; ".join(row.problems) or "-"
                print(
                    f"{row.id:>6} {row.received_at:%Y-%m-%d %H:%M} {row.state:<16} "
                    f"from <{row.mail_from}> {len(row.raw)} bytes  problems: {problems}"
                )
        return 0
    finally:
        db.close()


def _get(session: Any, message_id: int) -> InboundMessage:
    row = session.get(InboundMessage, message_id)
    if row is None:
        raise UsageError(f"ID: no received message {message_id}")
    assert isinstance(row, InboundMessage)
    return row


def _show(session: Any, message_id: int) -> int:
    with session:
        row = _get(session, message_id)
        sys.stdout.buffer.write(row.raw)
        sys.stdout.flush()
    return 0


def _retry(db: Any, message_id: int) -> int:
    with db.session() as session:
        row = _get(session, message_id)
        if row.state not in (InboundState.NEEDS_ATTENTION, InboundState.RECEIVED):
            raise UsageError(f"ID: message {message_id} was already handled ({row.state})")
        row.state = InboundState.RECEIVED.value
        row.processed_at = None
        session.add(row)
        session.commit()
    print(
        f"message {message_id} handed back: the running foibot processes it (or at its next start)"
    )
    return 0
