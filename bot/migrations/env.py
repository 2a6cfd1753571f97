"""Alembic environment: the connection comes from foibot (bot.database.migrate)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

# Importing the table modules registers their tables on SQLModel.metadata.
import intake.drafts
import intake.models
import intake.reminder_records
import intake.slack_records  # noqa: F401

config = context.config
connection = config.attributes.get("connection")
target_metadata = SQLModel.metadata


def run() -> None:
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = config.attributes["engine"]
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
