"""`foibot migrate`: bring the database schema up to date."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands._common import add_config_argument, open_database, settings_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("migrate", help="create or upgrade the database schema")
    add_config_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    db = open_database(settings)
    db.close()
    print("database is up to date")
    return 0
