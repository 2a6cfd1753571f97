"""Database engine and migrations: SQLite (one file, WAL) by default, PostgreSQL for scale."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """Create the engine; for SQLite make the file's folder and set durable pragmas."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL on every commit,
    # which is what makes "250 means committed" hold across a power cut, not just a crash.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """The engine plus the threads that run blocking database work off the event loop.

    SQLite has one writer at a time, so one thread serialises all work and lets writes batch
    into group commits; PostgreSQL gets a few threads.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        workers = 1 if is_sqlite(self.engine) else 4
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="foibot-db")

    @property
    def skip_locked(self) -> bool:
        return not is_sqlite(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def transact(self, work: Callable[[Session], T]) -> T:
        """Run work in one transaction: commit on success, roll back on any exception."""
        with self.session() as session:
            result = work(session)
            session.commit()
            return result

    async def run(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.transact, work)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
