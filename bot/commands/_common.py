"""Shared pieces of the CLI commands: --config, loading settings, opening the database."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.cli import UsageError
from bot.database import Database, migrate
from config.settings import Settings, SettingsError, load_settings


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="TOML settings file (default: $FOIBOT_CONFIG, else built-in)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(getattr(args, "config", None))
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def open_database(settings: Settings) -> Database:
    db = Database(settings.database.url)
    migrate(db.engine)
    return db


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
