"""Plans a server lacks, sent from a laptop whole: their rows copied as they are, with the server's own
ids, in one stream per table (PostgreSQL's COPY).

An import matches a file's records against the stored ones and derives state from history (store.importing,
store.applying); for a plan the server does not hold there is nothing to match, and the laptop's rows are
already what an import of them would write. So they are read as stored (ids moved into the server's by
SQLite itself) and streamed as they are, the server taking each batch of rows while the next is read: the
first sync of a laptop holding a national data set costs about as much as the server takes to store it.
Into a server holding no plan at all, whose tables this login owns, the rows go in the way PostgreSQL's
manual advises for populating a database: foreign keys, unique constraints and indexes set aside, then
made again and checked once, all in the one transaction (a sync cut short leaves the server empty).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, text
from sqlmodel import Session, SQLModel

from store import models  # noqa: F401  (registers the tables)
from store.db import Database

TABLES = SQLModel.metadata.tables
# The tables a plan's rows fill, in the order they are written (owners: those its actions name).
_LOADED = ("owner", "plan", "addressee", "recommendation", "action", "actionowner", "checkpoint", "occurrence",
           "change")
_BY_ACTION = ("actionowner", "checkpoint", "occurrence", "change")  # rows found through their action
# Each table's columns holding ids of the tables the server numbers anew.
_IDS = {
    "addressee": {"id": "addressee"},
    "recommendation": {"id": "recommendation", "addressee_id": "addressee"},
    "action": {"id": "action", "recommendation_id": "recommendation"},
    "actionowner": {"action_id": "action", "owner_id": "owner"},
    "checkpoint": {"action_id": "action"},
    "occurrence": {"action_id": "action"},
    "change": {"id": "change", "action_id": "action", "undoes_id": "change"},
}
_ROWS = 5000  # rows read from the laptop at a time


def may_copy(session: Session) -> bool:
    """Whether this login may COPY into the plan tables (PostgreSQL refuses COPY where row-level security
    applies to it: a lead's login that does not own the tables)."""
    return not session.execute(text(
        "SELECT row_security_active('action') OR row_security_active('change') OR row_security_active('occurrence')"
    )).scalar()


def may_load_empty(session: Session) -> bool:
    """Whether the server holds no plan and this login owns its tables (so may set their keys aside)."""
    return bool(session.execute(text(
        "SELECT NOT EXISTS (SELECT 1 FROM plan) AND bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c "
        "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(:t)"), {"t": list(_LOADED)}
    ).scalar())


def _rows_sql(table: Table, moved: dict[str, str], plan_ids: Sequence[str] | None) -> str:
    """SQLite's query for the table's rows of the plans (None: every row), as stored, with `moved`
    (column -> SQL) in place of the column's own value."""
    fields = [moved.get(c.name, f't."{c.name}"') for c in table.columns]
    query = f'SELECT {", ".join(fields)} FROM "{table.name}" t'
    if plan_ids is None:
        return query
    marks = ", ".join("?" * len(plan_ids))
    if table.name in _BY_ACTION:
        return f"{query} JOIN action a ON a.id = t.action_id WHERE a.plan_id IN ({marks})"
    return f"{query} WHERE t.{'id' if table.name == 'plan' else 'plan_id'} IN ({marks})"


def _stream(source: Any, server: Any, table: Table, sql: str, params: Sequence[Any]) -> int:
    """Copy the rows SQLite's query gives into the server's table; how many. Values go as stored (text,
    numbers; 0 and 1 for booleans, which PostgreSQL reads as such)."""
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    rows = source.execute(sql, list(params))
    count = 0
    with server.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        while batch := rows.fetchmany(_ROWS):
            for row in batch:
                copy.write_row(row)
            count += len(batch)
    return count


@contextmanager
def _keys_set_aside(cursor: Any) -> Iterator[None]:
    """The loaded tables' foreign keys, unique constraints and indexes (not primary keys) dropped while the
    block runs, then made again as they were: built in one pass and checked in one query each."""
    tables = [f'"{t}"' for t in _LOADED]
    constraints = cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('f', 'u') AND conrelid = ANY(%s::regclass[]) ORDER BY contype", (tables,)).fetchall()
    indexes = cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", (tables,)).fetchall()
    for table, name, _ in constraints:  # foreign keys first ('f' < 'u')
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    for _, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in reversed(constraints):  # unique constraints before the keys that may use them
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def copy_plans(local: Database, session: Session, plan_ids: Sequence[str] | None) -> int:
    """Copy the laptop's plans (by id; none of them on the server) into the server's open write session,
    which holds the write lock alone and `may_copy`; the number of history events sent. With None, every
    plan, into a server holding none whose tables this login owns (`may_load_empty`)."""
    server = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    if plan_ids is None:
        with _keys_set_aside(server):
            sent = _copy(local, server, None)
    else:
        sent = _copy(local, server, plan_ids)
    session.execute(text("SELECT " + ", ".join(
        f"setval(pg_get_serial_sequence('\"{t}\"', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM \"{t}\"), false)"
        for t in ("owner", "addressee", "recommendation", "action", "change"))))
    return sent


def _copy(local: Database, server: Any, plan_ids: Sequence[str] | None) -> int:
    offsets = {name: int(server.execute(f'SELECT coalesce(max(id), 0) FROM "{name}"').fetchone()[0])
               for name in ("addressee", "recommendation", "action", "change")}
    params = list(plan_ids or ())
    sent = 0
    with local.read() as mine:
        source = mine.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        owners = _owner_ids(source, server, plan_ids)

        def moved(column: str, of: str) -> str | None:
            if of == "owner":
                return (f"CASE t.{column} " + " ".join(f"WHEN {a} THEN {b}" for a, b in owners.items())
                        + f" ELSE t.{column} END") if owners else None
            return f"(t.{column} + {offsets[of]})" if offsets[of] else None

        for name in _LOADED[1:]:
            moves = {column: sql for column, of in _IDS.get(name, {}).items() if (sql := moved(column, of))}
            count = _stream(source, server, TABLES[name], _rows_sql(TABLES[name], moves, plan_ids), params)
            if name == "change":
                sent = count
    return sent


def _owner_ids(source: Any, server: Any, plan_ids: Sequence[str] | None) -> dict[int, int]:
    """The local owners the plans' actions name that the server numbers otherwise (local id -> server id),
    adding to the server those it lacks (with the laptop's own id where it is free)."""
    columns = [c.name for c in TABLES["owner"].columns]
    listed = ", ".join(f'o."{c}"' for c in columns)
    if plan_ids is None:
        query, params = f"SELECT {listed} FROM owner o", []
    else:
        query = (f"SELECT DISTINCT {listed} FROM owner o JOIN actionowner ao ON ao.owner_id = o.id "
                 f"JOIN action a ON a.id = ao.action_id WHERE a.plan_id IN ({', '.join('?' * len(plan_ids))})")
        params = list(plan_ids)
    theirs = {(key, region): owner_id for owner_id, key, region in server.execute("SELECT id, key, region FROM owner")}
    top = int(server.execute("SELECT coalesce(max(id), 0) FROM owner").fetchone()[0])
    id_at, key_at, region_at = columns.index("id"), columns.index("key"), columns.index("region")
    moved: dict[int, int] = {}
    new_rows = []
    for row in sorted(source.execute(query, params), key=lambda r: r[id_at]):
        local_id = row[id_at]
        found = theirs.get((row[key_at], row[region_at]))
        if found is None:
            top = found = max(top + 1, local_id)
            new_rows.append(tuple(found if i == id_at else value for i, value in enumerate(row)))
        if found != local_id:
            moved[local_id] = found
    if new_rows:
        with server.copy(f"COPY owner ({', '.join(columns)}) FROM STDIN") as copy:
            for new in new_rows:
                copy.write_row(new)
    return moved
