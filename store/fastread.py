"""Reading an SQLite database without importing SQLAlchemy, sqlmodel or pydantic.

`store.reads` runs here on the SQL that `store.sqlcompile` compiled from `store.queries`' statements
(stored in `store.compiled_sql`), through the standard library's sqlite3, and returns the same rows.
Only a file at the schema version the SQL was compiled for, already in WAL mode if it may be written,
is read this way; anything else — a missing, newer, older or damaged file, a locked one, any SQLite
error — raises `Unavailable`, and the caller takes the full path, which upgrades, checks and says
what is wrong in its one sentence. Nothing is written.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from store.compiled_sql import SCHEMA_VERSION, STATEMENTS
from store.config import busy_timeout_ms
from store.errors import StoreError
from store.files import journal_files, why_read_only
from store.kinds import AddresseeKind, Agreement, ChangeKind, Status, TargetKind
from store.run import Run

if TYPE_CHECKING:
    from sqlmodel import Session

_ENUMS: dict[str, type[StrEnum]] = {e.__name__: e for e in (Status, TargetKind, Agreement, AddresseeKind, ChangeKind)}


class Unavailable(Exception):
    """This database cannot be read on the fast path: read it through `store.db` instead."""


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _member(kind: type[StrEnum]) -> Callable[[str], StrEnum]:
    """The member of `kind` stored as a text. A text no member has raises LookupError, as SQLAlchemy's Enum type
    does (`store.db` names the file as holding a value this version does not know)."""
    members = {member.value: member for member in kind}

    def member(text: str) -> StrEnum:
        try:
            return members[text]
        except KeyError:
            raise LookupError(f"{text!r} is not a {kind.__name__}") from None

    return member


def _converter(kind: str) -> Callable[[Any], Any]:
    """How a stored value of this kind becomes what SQLAlchemy returns for it."""
    if kind.startswith("enum:"):
        return _member(_ENUMS[kind.removeprefix("enum:")])
    if kind == "json":
        import json  # only the detail of an action has a JSON column

        return json.loads
    plain: dict[str, Callable[[Any], Any]] = {"date": date.fromisoformat, "datetime": datetime.fromisoformat,
                                              "utc_datetime": _utc, "bool": bool}
    return plain[kind]


def _value(value: Any) -> Any:
    """A parameter as SQLAlchemy's SQLite types bind it."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        raise Unavailable("moments are not bound on the fast path")
    if isinstance(value, date):
        return value.isoformat()
    return value


# each statement's row type and the converters of its columns, made once per process (a namedtuple type costs
# about as much to make as a short read)
_SHAPES: dict[str, tuple[Any, list[tuple[int, Callable[[Any], Any]]]]] = {}


class Reader:
    """One sqlite3 connection that runs the stored statements (a `store.run.Run`).

    `unavailable`: a failure is raised as `Unavailable` (the caller reads the full way instead); False: as it
    is, for a caller inside a write's transaction, whose failures `store.db` names."""

    def __init__(self, conn: sqlite3.Connection, *, unavailable: bool = True) -> None:
        self._conn = conn
        self._unavailable = unavailable

    def __call__(self, name: str, params: Mapping[str, Any], /) -> Iterable[Any]:
        sql, columns, kinds, constants = STATEMENTS[name]
        values = dict(constants)
        for key, value in params.items():
            if isinstance(value, list | tuple):  # an expanding parameter: one placeholder per value
                names = [f"{key}_{i}" for i in range(1, len(value) + 1)]
                values.update(zip(names, map(_value, value), strict=True))
                listed = ", ".join(f":{n}" for n in names) if names else "SELECT 1 WHERE 1 != 1"
                sql = sql.replace(f"__[POSTCOMPILE_{key}]", listed)
            else:
                values[key] = _value(value)
        row_type, convert = self._shape(name, columns, kinds)
        try:
            found = self._conn.execute(sql, values).fetchall()
            if not convert:
                return [row_type._make(r) for r in found]
            rows = []
            try:
                for raw in found:
                    cells = list(raw)
                    for i, fn in convert:
                        if cells[i] is not None:
                            cells[i] = fn(cells[i])
                    rows.append(row_type._make(cells))
            except ValueError:  # a stored text that is not what its column holds (a date that is none)
                raise LookupError(f"{cells[i]!r} is not a {str(kinds[i]).removeprefix('utc_')}") from None
            return rows
        except (sqlite3.Error, ValueError, LookupError) as exc:  # SQLite failing, or a value it cannot hold
            if not self._unavailable:
                raise
            raise Unavailable(str(exc)) from exc

    @staticmethod
    def _shape(name: str, columns: tuple[str, ...],
               kinds: tuple[str | None, ...]) -> tuple[Any, list[tuple[int, Callable[[Any], Any]]]]:
        if name not in _SHAPES:
            convert = [(i, _converter(kind)) for i, kind in enumerate(kinds) if kind]
            _SHAPES[name] = (namedtuple("Row", columns), convert)
        return _SHAPES[name]


def in_transaction(session: Session) -> Run:
    """The stored statements run inside `session`'s transaction (a sqlmodel Session, e.g. a write's, which then
    reads what it has written): on SQLite through its sqlite3 connection, with none of SQLAlchemy's work per
    statement; on a server through SQLAlchemy (`store.queries.runner`)."""
    raw = session.connection().connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection):
        return Reader(raw, unavailable=False)
    from store.queries import runner

    return runner(session)


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database file, opened as `store.db` opens it for reading: a file this
    process may not write, with no journal beside it, is read as immutable (no -wal or -shm made)."""
    try:
        timeout_ms = busy_timeout_ms()
    except StoreError as exc:  # the full path says what is wrong with it
        raise Unavailable(str(exc)) from None
    immutable = bool(why_read_only(path)) and not journal_files(path)
    uri = "file:" + quote(str(path.absolute()), safe="/") + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    conn = sqlite3.connect(uri, uri=True, timeout=timeout_ms / 1000, check_same_thread=False)
    conn.isolation_level = None  # autocommit: each statement reads the latest commit, holding no lock after
    return conn


def _known_version() -> int:
    """The schema version this actiontrack knows: store.db's where it is loaded already (the one source),
    else the version the stored SQL was compiled for (a test keeps the two the same)."""
    db = sys.modules.get("store.db")
    return int(getattr(db, "SCHEMA_VERSION", SCHEMA_VERSION))


@contextmanager
def reading(path: Path) -> Iterator[Reader]:
    """A `Reader` of the database at `path`; `Unavailable` unless it is an actiontrack file at the schema
    version the stored SQL was compiled for (and in WAL mode, if this process may write it)."""
    if not path.is_file():
        raise Unavailable(f"{path} is not a file")
    try:
        conn = connect(path)
    except sqlite3.Error as exc:
        raise Unavailable(str(exc)) from exc
    try:
        try:
            version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        except sqlite3.Error as exc:
            raise Unavailable(str(exc)) from exc
        if version is None or version[0] != str(SCHEMA_VERSION) or _known_version() != SCHEMA_VERSION:
            raise Unavailable(f"{path} is not at schema {SCHEMA_VERSION}")
        if journal != "wal" and not why_read_only(path):
            raise Unavailable(f"{path} is not in WAL mode yet")
        yield Reader(conn)
    finally:
        conn.close()
