"""Database engine and migrations: SQLite (one file, WAL) by default, PostgreSQL for scale."""

from __future__ import annotations

import asyncio
import functools
import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
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
        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL on every commit,
    # which is what makes "250 means committed" hold across a power cut, not just a crash.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin(connection: Any) -> None:
    """BEGIN, or BEGIN IMMEDIATE for write transactions (execution option `immediate`).

    A deferred transaction that reads and then writes fails at once with "database is locked"
    if another connection committed in between (its snapshot is stale and the busy timeout does
    not apply); IMMEDIATE takes the write lock up front and waits its turn instead. Read-only
    sessions stay deferred so they never hold the write lock.
    """
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
        self._writer = self.engine.execution_options(immediate=True)
        # SQLite has one writer: one thread does all the work, taking commits of accepted mail
        # before anything else, so a 250 never waits behind processing and our own threads
        # never contend for the file lock. PostgreSQL gets a small pool.
        self._executor: Executor
        if is_sqlite(self.engine):
            self._executor = PriorityExecutor()
            self._intake: Executor = self._executor
        else:
            self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="foibot-db")
            self._intake = ThreadPoolExecutor(max_workers=1, thread_name_prefix="foibot-accept")

    @property
    def skip_locked(self) -> bool:
        return not is_sqlite(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def transact(self, work: Callable[[Session], T]) -> T:
        """Run work in one write transaction: commit on success, roll back on any exception."""
        with Session(self._writer, expire_on_commit=False) as session:
            result = work(session)
            session.commit()
            return result

    async def run(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.transact, work)

    def accepting_waits(self) -> bool:
        """Whether a commit of accepted mail is waiting for the (single, SQLite) writer thread.

        Long work checks this between steps and commits early, so a 250 never waits behind it.
        """
        return isinstance(self._intake, PriorityExecutor) and self._intake.urgent_waiting()

    async def run_accepting(self, work: Callable[[Session], T]) -> T:
        """Like run, ahead of all other work: committing accepted mail."""
        loop = asyncio.get_running_loop()
        if isinstance(self._intake, PriorityExecutor):
            return await asyncio.wrap_future(self._intake.submit_first(self.transact, work))
        return await loop.run_in_executor(self._intake, self.transact, work)

    def close(self) -> None:
        self._intake.shutdown(wait=True)
        self._executor.shutdown(wait=True)
        self.engine.dispose()


class PriorityExecutor(Executor):
    """One worker thread; work submitted with submit_first runs before ordinary work."""

    def __init__(self) -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], None] | None]] = (
            queue.PriorityQueue()
        )
        self._order = itertools.count()
        self._urgent = 0  # submit_first jobs queued but not yet started
        self._urgent_lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="foibot-db", daemon=True)
        self._thread.start()

    def _put(self, priority: int, fn: Callable[..., T], args: tuple[Any, ...]) -> Future[T]:
        if self._closed:
            raise RuntimeError("executor is shut down")
        future: Future[T] = Future()

        def job() -> None:
            if priority == 0:
                with self._urgent_lock:
                    self._urgent -= 1
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        if priority == 0:
            with self._urgent_lock:
                self._urgent += 1
        self._queue.put((priority, next(self._order), job))
        return future

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self._put(1, functools.partial(fn, **kwargs), args)

    def submit_first(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._put(0, fn, args)

    def urgent_waiting(self) -> bool:
        return self._urgent > 0

    def _work(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            job()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put((2, next(self._order), None))  # after everything already queued
        if wait:
            self._thread.join()
