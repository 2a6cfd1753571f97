"""Writing rows on the intake path without the ORM's unit of work.

Every accepted message opens a case, logs events and queues an acknowledgement. Through the ORM
each of those is an add and a flush (change tracking, dependency sort, a statement built per
row): most of the cost of processing a message. A prepared table-level statement with its
parameters does the same write several times cheaper; the model instance handed back is made
persistent in the session as if it had been loaded, so callers keep working with objects.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Insert, Table, Update, bindparam, insert, inspect, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

M = TypeVar("M", bound=SQLModel)

_inserts: dict[type[SQLModel], Insert] = {}
_updates: dict[type[SQLModel], Update] = {}


def table_of(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def _insert_for(model: type[SQLModel]) -> Insert:
    # Built once per table: SQLAlchemy caches the compiled form of a statement it has seen, but
    # a statement rebuilt per call (.values(...)) has to be keyed and looked up every time.
    statement = _inserts.get(model)
    if statement is None:
        statement = _inserts[model] = insert(table_of(model))
    return statement


def _columns(row: SQLModel) -> dict[str, Any]:
    # Every column from the instance, so the model's Python-side defaults apply exactly as they
    # would through the ORM (several columns have no database default).
    return {c.key: getattr(row, c.key) for c in table_of(type(row)).columns if c.key != "id"}


def _write(session: Session, row: SQLModel) -> int:
    key = session.connection().execute(_insert_for(type(row)), _columns(row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def insert_row(session: Session, model: type[SQLModel], values: dict[str, Any]) -> int:
    """Insert one row in the session's transaction; return its new primary key."""
    return _write(session, model(**values))


def add_row(session: Session, model: type[M], values: dict[str, Any]) -> M:
    """Insert one row and return it as a persistent instance of `model` in this session."""
    row = model(**values)
    row.id = _write(session, row)
    make_transient_to_detached(row)
    session.add(row)  # detached with a key: joins the session as persistent, no INSERT
    return row


def update_row(session: Session, row: SQLModel, values: dict[str, Any]) -> None:
    """Write these columns of a persistent row, and set them on the instance as loaded values
    (so the ORM has nothing left to write for them at the next flush)."""
    model = type(row)
    statement = _updates.get(model)
    if statement is None:
        table = table_of(model)
        statement = _updates[model] = update(table).where(table.c.id == bindparam("row_id"))
    assert inspect(row).persistent, "update_row needs a row loaded from or added to the session"
    session.execute(statement, {"row_id": row.id, **values})  # type: ignore[attr-defined]
    for key, value in values.items():
        set_committed_value(row, key, value)


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert several rows whose ids nobody needs back, in one executemany."""
    if rows:
        session.execute(_insert_for(model), [_columns(model(**values)) for values in rows])
