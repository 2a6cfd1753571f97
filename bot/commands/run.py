"""`foibot run`: listen for mail and deliver replies until stopped."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.commands._common import add_config_argument, configure_logging, settings_from
from bot.errors import UsageError
from bot.processor import classifier_rules
from bot.service import serve
from config.exemptions import CatalogueError, load_catalogue
from config.rules import RulesError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="run the SMTP listener and outbox worker")
    add_config_argument(parser)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = settings_from(args)  # bad settings: one line, exit 2, before anything listens
    try:
        classifier_rules(settings)  # an authority's rules file is checked before start-up too
    except RulesError as exc:
        raise UsageError(f"[intake] classifier_rules: {exc}") from None
    try:
        load_catalogue(settings.authority.exemptions or None)
    except CatalogueError as exc:
        raise UsageError(f"[authority] exemptions: {exc}") from None
    configure_logging(args.verbose)
    try:
        asyncio.run(serve(settings))
    except OSError as exc:
        print(f"foibot run: cannot listen on {settings.smtp.host}:{settings.smtp.port}: {exc}")
        return 1
    return 0
