"""Writing rows on the intake path without the ORM's unit of work.

Every accepted message opens a case, logs events and queues an acknowledgement. Through the ORM
each of those is an add and a flush (change tracking, dependency sort, a statement built per
row): most of the cost of processing a message. A prepared table-level statement with its
parameters does the same write several times cheaper; the model instance handed back is made
persistent in the session as if it had been loaded, so callers keep working with objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from pydantic.fields import FieldInfo
from sqlalchemy import Insert, Table, Update, bindparam, insert, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

M = TypeVar("M", bound=SQLModel)

_inserts: dict[type[SQLModel], Insert] = {}
_updates: dict[type[SQLModel], Update] = {}
_defaults: dict[type[SQLModel], list[tuple[str, Callable[[], Any]]]] = {}


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


def _default_of(field: FieldInfo) -> Callable[[], Any]:
    if field.default_factory is not None:
        return cast(Callable[[], Any], field.default_factory)  # ours take no arguments
    value = field.default
    return lambda: value


def _complete(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """`values` plus the model's Python-side defaults for the columns it leaves out, without
    building an instance (a SQLModel instance costs more to build than the insert to run)."""
    defaults = _defaults.get(model)
    if defaults is None:
        defaults = _defaults[model] = [
            (name, _default_of(field))
            for name, field in model.model_fields.items()
            if name != "id" and not field.is_required()
        ]
    row = {name: make() for name, make in defaults if name not in values}
    row.update(values)
    return row


def insert_row(session: Session, model: type[SQLModel], values: dict[str, Any]) -> int:
    """Insert one row in the session's transaction; return its new primary key."""
    statement = _insert_for(model)
    key = session.connection().execute(statement, _complete(model, values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def add_row(session: Session, model: type[M], values: dict[str, Any]) -> M:
    """Insert one row and return it as a persistent instance of `model` in this session."""
    row = model(**values, id=insert_row(session, model, values))
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
        session.connection().execute(_insert_for(model), [_complete(model, v) for v in rows])


def add_unless_taken(session: Session, row: SQLModel) -> bool:
    """Add and flush `row` in a savepoint; False when a unique key refuses it (recorded before,
    or by a concurrent transaction first), and then only the savepoint rolls back."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
