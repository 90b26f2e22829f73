"""The SQLite file: opening it safely, its pragmas, its schema version and its migrations.

What this module promises about the user's data:
- every change is written in one `BEGIN IMMEDIATE` transaction, WAL journal, `synchronous=FULL`:
  a change reported as saved survives a crash, a half-done one leaves no trace;
- a file that is not ours, damaged, too new, locked or unwritable is refused with one sentence
  (a `StoreError`), never a traceback, and never written to;
- a file that may not be written opens for reading, and says why it cannot be written;
- an older schema is upgraded in place, in one transaction, after a timestamped copy beside it;
- new files and folders are readable by the user alone (0600 / 0700); SQLite gives the -wal and
  -shm files the database file's permissions.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import URL, Connection, CursorResult, Engine, Executable, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel

from store import models  # noqa: F401  (registers the tables)
from store.config import BUSY_TIMEOUT_ENV, BUSY_TIMEOUT_MS, busy_timeout_ms  # noqa: F401  (named here too)
from store.edits import install as install_edit_stamps
from store.edits import machine_id
from store.errors import BusyError, DamagedError, DatabaseProblem, ReadOnlyError, StoreError
from store.files import journal_files, private_folder, why_read_only

SCHEMA_VERSION = 7
# PRAGMA quick_check reads the whole file: ~1 ms for the sample database, ~40 ms for 30 MB, ~150 ms for
# 90 MB (100,000 actions): callers on a start path open with check=False and run Database.quick_check() later.
# Above this size a damaged page is still reported cleanly when a query meets it.
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024


class DatabaseOpenError(DatabaseProblem):
    """The database file cannot be used: not SQLite, damaged, too new, unreadable."""


Migration = str | Callable[[Connection], None]


def _many(conn: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        conn.exec_driver_sql(sql, rows)


def _give_uids(conn: Connection) -> None:
    """Schema 1 -> 2: every plan, addressee, recommendation, action and history event gets its uid.

    The uids are the ones an import of the same records from a file without uids derives (see
    store.identity), so an export written before the upgrade imports back onto these rows."""
    from store.identity import action_uid, addressee_uid, event_content, event_uid, plan_uid, recommendation_uid

    for table in ("plan", "addressee", "recommendation", "action", "change"):
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD COLUMN uid VARCHAR')
    conn.exec_driver_sql('ALTER TABLE "change" ADD COLUMN from_target VARCHAR')
    conn.exec_driver_sql('ALTER TABLE "change" ADD COLUMN to_target VARCHAR')
    plans = {pid: plan_uid(pid) for (pid,) in conn.exec_driver_sql("SELECT id FROM plan")}
    _many(conn, "UPDATE plan SET uid = ? WHERE id = ?", [(u, p) for p, u in plans.items()])
    _many(conn, "UPDATE addressee SET uid = ? WHERE id = ?", [
        (addressee_uid(plans[p], name), i) for i, p, name in conn.exec_driver_sql(
            "SELECT id, plan_id, name FROM addressee").all()])
    _many(conn, "UPDATE recommendation SET uid = ? WHERE id = ?", [
        (recommendation_uid(plans[p], number), i) for i, p, number in conn.exec_driver_sql(
            "SELECT id, plan_id, number FROM recommendation").all()])
    actions: dict[int, str] = {}
    for i, p, number, ref in conn.exec_driver_sql(
            "SELECT a.id, a.plan_id, r.number, a.ref FROM action a"
            " JOIN recommendation r ON r.id = a.recommendation_id"):
        actions[i] = action_uid(plans[p], number, ref)
    _many(conn, "UPDATE action SET uid = ? WHERE id = ?", [(u, i) for i, u in actions.items()])
    seen: dict[tuple[int, str], int] = {}
    events: list[tuple[str, int]] = []
    for i, action_id, at, by, kind, from_, to, period, note in conn.exec_driver_sql(
            'SELECT id, action_id, at, "by", kind, from_status, to_status, period, note FROM change ORDER BY id'):
        content = event_content(str(at), by, kind, from_, to, period, note)
        nth = seen[(action_id, content)] = seen.get((action_id, content), 0) + 1
        events.append((event_uid(actions[action_id], content, nth), i))
    _many(conn, "UPDATE change SET uid = ? WHERE id = ?", events)
    for table in ("plan", "addressee", "recommendation", "action", "change"):
        conn.exec_driver_sql(f'CREATE UNIQUE INDEX "ix_{table}_uid" ON "{table}" (uid)')


def _add_sync_tables(conn: Connection) -> None:
    """The tables of sync and of server logins."""
    for name in ("syncstate", "loginrole"):
        SQLModel.metadata.tables[name].create(conn, checkfirst=True)


# The migrations of each step take the schema from version N to N + 1, in order (SQL statements separated
# by ';', or a function given the open connection); all of them run in one transaction.
# 1 -> 2: owners scoped by organisation (a plan names its organisation), checkpoints (further dated
# milestones of a target), an action's progress, completion and review dates as printed (owners and
# checkpoints of stored plans follow at their next import); and a uid on every record (`_give_uids`).
_SCOPES_AND_CHECKPOINTS = """
        ALTER TABLE plan ADD COLUMN organisation VARCHAR NOT NULL DEFAULT '';
        ALTER TABLE owner ADD COLUMN organisation VARCHAR NOT NULL DEFAULT '';
        ALTER TABLE action ADD COLUMN progress VARCHAR NOT NULL DEFAULT '';
        ALTER TABLE action ADD COLUMN completed VARCHAR NOT NULL DEFAULT '';
        ALTER TABLE action ADD COLUMN review VARCHAR NOT NULL DEFAULT '';
        CREATE TABLE checkpoint (
            action_id INTEGER NOT NULL REFERENCES action (id),
            due DATE NOT NULL,
            PRIMARY KEY (action_id, due)
        );
        CREATE INDEX ix_checkpoint_due ON checkpoint (due, action_id)
    """
# 2 -> 3: the tables of sync (a laptop's progress with a server) and of server logins (`_add_sync_tables`).
# 3 -> 4: where each history event was made (`origin`), plans' content edit stamps with the triggers that
# keep them (store.edits: an SQLite file also gets its edit clock and machine id), and sync's marks of
# them and of what the server refused.
_ORIGINS_AND_EDITS = (
    ("change", "origin", "VARCHAR NOT NULL DEFAULT ''"),
    ("plan", "edited", "INTEGER NOT NULL DEFAULT 0"),
    ("syncstate", "edits_pushed", "INTEGER NOT NULL DEFAULT 0"),
    ("syncstate", "edits_pulled", "INTEGER NOT NULL DEFAULT 0"),
    ("syncstate", "refused_changes", "JSON NOT NULL DEFAULT '[]'"),
    ("syncstate", "refused_plans", "JSON NOT NULL DEFAULT '[]'"),
)


def _add_origins_and_edits(conn: Connection) -> None:
    """Schema 3 -> 4 (a syncstate table made by step 2 -> 3 of this version has its columns already)."""
    from sqlalchemy import inspect

    inspector = inspect(conn)
    for table, column, kind in _ORIGINS_AND_EDITS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD COLUMN {column} {kind}')
    install_edit_stamps(conn)


# The same migrations upgrade an SQLite file and a PostgreSQL server (store.server): write new ones portably.
# 4 -> 5: closed plans. A plan is closed by a `close` history row on each of its actions (exported, imported
# and synced as every event is); this index finds those rows without reading the whole history. (An upgrade
# from schema 1 builds the history table with its indexes as they are now: hence IF NOT EXISTS.)
_CLOSED_PLANS = 'CREATE INDEX IF NOT EXISTS ix_change_kind ON "change" (kind, action_id)'


def _add_counts_index(conn: Connection) -> None:
    """Schema 5 -> 6: the index the counts of everyone's actions read instead of the actions' rows
    (`ix_action_counts`, defined with the table), then the tables measured again (ANALYZE): for the new index,
    and because an import into a new file by an earlier version measured them before it had built its indexes,
    leaving SQLite's planner no figures for any index of the actions or their history (its counts then ran up
    to ten times as long)."""
    index = next(i for i in SQLModel.metadata.tables["action"].indexes if i.name == "ix_action_counts")
    index.create(conn, checkfirst=True)
    conn.exec_driver_sql("ANALYZE")


def _add_open_indexes(conn: Connection) -> None:
    """Schema 6 -> 7: the open actions' index (`ix_action_open`), which everyone's counts under a filter of open
    actions and the due and overdue lists read instead of every action, and the ticked periods' index
    (`ix_occurrence_done`), which the missed-period test counts in; both defined with their tables."""
    for table, name in (("action", "ix_action_open"), ("occurrence", "ix_occurrence_done")):
        index = next(i for i in SQLModel.metadata.tables[table].indexes if i.name == name)
        index.create(conn, checkfirst=True)


MIGRATIONS: dict[int, tuple[Migration, ...]] = {1: (_SCOPES_AND_CHECKPOINTS, _give_uids), 2: (_add_sync_tables,),
                                                3: (_add_origins_and_edits,), 4: (_CLOSED_PLANS,),
                                                5: (_add_counts_index,), 6: (_add_open_indexes,)}


def _is_file_problem(exc: BaseException) -> bool:
    """Whether an exception is SQLite failing on the file (locked, damaged, unwritable), not a bug."""
    orig = getattr(exc, "orig", exc)
    return type(orig) in (sqlite3.OperationalError, sqlite3.DatabaseError)


def _reading_a_stored_value(exc: ValueError) -> bool:
    """Whether SQLAlchemy raised `exc` turning a stored text into a value (a date or a time that is none): the
    file holds what no version writes. Told by where it was raised: SQLAlchemy's result processors."""
    last = exc.__traceback__
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    where = last.tb_frame.f_code.co_filename if last is not None else ""
    return "sqlalchemy" in where and "processors" in Path(where).name


def problem(path: Path, exc: BaseException) -> DatabaseProblem:
    """The StoreError, with one sentence naming the file, for an SQLite failure."""
    orig = getattr(exc, "orig", exc)
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    message = str(orig).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in message or "busy" in message:
        seconds = busy_timeout_ms() / 1000
        return BusyError(f"{path} is locked: another program has been writing to it for more than "
                         f"{seconds:g} s; nothing was saved, try again when it has finished")
    if name == "SQLITE_READONLY_DIRECTORY":
        return ReadOnlyError(f"cannot write {path}: its folder is read-only, and SQLite must create its journal there")
    if name == "SQLITE_READONLY_DBMOVED":
        return ReadOnlyError(f"cannot write {path}: the file was moved or deleted while it was open")
    if name.startswith("SQLITE_READONLY") or "readonly" in message or "read-only" in message:
        return ReadOnlyError(f"cannot write {path}: it is read-only")
    if name == "SQLITE_NOTADB" or "not a database" in message:
        return DamagedError(f"{path} is not an SQLite database (or its first page is damaged)")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in message or "corrupt" in message:
        if _wal_gone(path) or _whole(path):  # not damaged: a journal file removed while in use, another's hold
            return DatabaseProblem(_unreadable_now(path))
        return DamagedError(f"{path} is damaged (SQLite says the disk image is malformed, and its integrity "
                            "check fails); restore a backup")
    if name == "SQLITE_FULL" or "full" in message:
        return DatabaseProblem(f"cannot write {path}: the disk is full; nothing was saved")
    if name.startswith("SQLITE_IOERR_") and any(w in name for w in ("WRITE", "FSYNC", "TRUNC", "SHMSIZE")):
        return DatabaseProblem(f"cannot write {path}: the disk refused the write (is it full?); nothing was saved")
    io_error = name.startswith("SQLITE_IOERR") or "disk i/o" in message
    if name == "SQLITE_IOERR_SHORT_READ" or (io_error and _wal_gone(path)):
        return DatabaseProblem(_unreadable_now(path))
    if name.startswith("SQLITE_IOERR") or "disk i/o" in message:
        return DatabaseProblem(f"cannot read or write {path}: the disk reported an input/output error; "
                               "nothing was saved")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in message:
        return DatabaseProblem(f"cannot open {path}: check the path and its folder's permissions")
    if isinstance(orig, OSError):
        return DatabaseProblem(f"cannot use {path}: {orig.strerror or orig}")
    return DatabaseProblem(f"{path}: {' '.join(message.split())}")


def _wal_gone(path: Path) -> bool:
    """Whether the -wal file is missing while the -shm beside it remains: another program has the
    database open (or had, and was killed), and its -wal file was removed under it."""
    path = Path(path)
    shm, wal = path.with_name(path.name + "-shm"), path.with_name(path.name + "-wal")
    try:
        return shm.exists() and shm.stat().st_size > 0 and not wal.exists()
    except OSError:
        return False


def _unreadable_now(path: Path) -> str:
    """The sentence for pages SQLite cannot read now though the file is not known to be damaged."""
    why = ("its -wal file is missing while the -shm file beside it remains (it was removed while another "
           "program, such as an open actiontrack screen, had the database open)" if _wal_gone(path)
           else "another program may have it open, or its -wal file was moved or deleted while in use")
    return (f"SQLite cannot read {path} as it is now: {why}; nothing was saved. Close the programs using it and "
            "try again; this is not damage to the file, so do not restore a backup")


def _whole(path: Path) -> bool:
    """Whether SQLite's `PRAGMA integrity_check` passes on the main file, read on its own connection
    that creates nothing beside it (immutable: no -wal or -shm; committed pages not yet in the main
    file are left out, which leaves a consistent older state to check)."""
    try:
        conn = sqlite3.connect("file:" + quote(str(Path(path).absolute()), safe="/") + "?mode=ro&immutable=1",
                              uri=True, timeout=1)
        try:
            return [r[0] for r in conn.execute("PRAGMA integrity_check(1)")] == ["ok"]
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def describe_sqlite_error(path: Path, exc: BaseException) -> str:
    """One sentence for an SQLite failure, naming the file."""
    return str(problem(path, exc))


class _DataVersion:
    """One dedicated connection for PRAGMA data_version, whose counter belongs to a connection:
    it moves when any other connection (this process's pool included) commits."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


@dataclass(frozen=True, slots=True)
class Database:
    """An open database: its path, its engine, whether it may be written and, if not, why."""

    path: Path
    engine: Engine
    read_only: bool = False
    read_only_reason: str = ""
    _version: _DataVersion | None = field(default=None, repr=False, compare=False)
    origin: str = ""  # where the events written here are made: this file's machine id (store.edits)

    @property
    def where(self) -> str:
        """The database as messages name it: the file's path (a server's URL, for a server)."""
        return str(self.path)

    @contextmanager
    def _failures_named(self) -> Iterator[None]:
        """Turn an SQLite failure met inside into a one-sentence StoreError naming this file."""
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error) as exc:
            if _is_file_problem(exc):
                raise problem(self.path, exc) from exc
            raise
        except (LookupError, ValueError) as exc:  # a stored status this version does not know, a date that is none
            if isinstance(exc, ValueError) and not _reading_a_stored_value(exc):
                raise  # not the file's
            raise DamagedError(
                f"{self.path} holds a value this version of actiontrack does not know ({exc}); "
                "it was damaged or edited by another program"
            ) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for one unit of reading; SQLite failures come out as one-sentence StoreErrors."""
        with self._failures_named(), Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self, *, exclusive: bool = False) -> Iterator[Session]:
        """A session for one unit of writing: BEGIN IMMEDIATE, committed on success, rolled back on error.

        `exclusive`: no other writer may run meanwhile (an import, a sync). On SQLite every writer is
        alone; on a server, ordinary changes run side by side, each locking its action's row."""
        if self.read_only:
            raise ReadOnlyError(f"cannot save changes to {self.where}: {self.read_only_reason or 'it is read-only'}")
        engine = self.engine.execution_options(begin_immediate=True, exclusive=exclusive, origin=self.origin)
        with self._failures_named(), Session(engine) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def quick_check(self) -> None:
        """Run SQLite's `PRAGMA quick_check` over the whole file; a damaged one raises DamagedError, in the
        one sentence `open_database(..., check=True)` gives (other SQLite failures: one-sentence StoreErrors).

        It reads every page (~150 ms for 100,000 actions), so it is kept off the start path: open with
        check=False, show the data, then call this, e.g. in a worker. Unlike the check at open, it is
        not skipped above QUICK_CHECK_MAX_BYTES.
        """
        with self._failures_named():
            _run_quick_check(self.engine, self.path)

    def data_version(self) -> int:
        """A number that moves whenever another connection or process commits (PRAGMA data_version).

        Poll it to notice changes made elsewhere; compare values from this method only.
        """
        watch = self._version
        if watch is None:
            with self.engine.connect() as conn:
                return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())
        try:
            return watch.read()
        except sqlite3.Error as exc:
            raise problem(self.path, exc) from exc

    def dispose(self) -> None:
        """Close every connection."""
        if self._version is not None:
            self._version.close()
        self.engine.dispose()




def _private_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) so staff names stay private."""
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    try:
        os.fchmod(fd, 0o600)  # whatever the umask; SQLite gives -wal and -shm the same mode
    finally:
        os.close(fd)


# CPython's sqlite3 binds a parameter of a type other than int, float and str (None and bool above all) through its
# adapter registry, and where it finds no adapter there it looks for `__adapt__` on its protocol type, which formats
# an AttributeError and throws it away: about 0.7 µs a value, over a second of a national import's inserts (1.6
# million None values). Adapters for both give the values sqlite3 would bind without them (NULL; 1 or 0) at a
# quarter of the cost.
sqlite3.register_adapter(type(None), cast(Callable[[None], Any], {}.get))
sqlite3.register_adapter(bool, int)


def _connector(path: Path, *, read_only: bool, immutable: bool, timeout_ms: int,
               building: bool = False) -> Callable[[], sqlite3.Connection]:
    """A function opening one connection with our pragmas (`building`: see create_atomically)."""
    uri = "file:" + quote(str(path.absolute()), safe="/")
    if immutable:
        # Nobody here can write the file and no journal lies beside it: read it without creating
        # -wal/-shm files (which a read-only folder forbids, and which a read-only file would
        # leave behind, unwritable, to block the owner's next write).
        uri += "?mode=ro&immutable=1"
    elif read_only:
        uri += "?mode=ro"
    else:
        uri += "?mode=rw"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout_ms / 1000, check_same_thread=False)
        try:
            conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
            conn.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
            conn.execute("PRAGMA foreign_keys=ON")
            if building:  # a new file nobody else sees, flushed to disk once whole (create_atomically)
                conn.execute("PRAGMA journal_mode=MEMORY")
                conn.execute("PRAGMA synchronous=OFF")
            elif not read_only:
                # WAL itself is set once, in the file, when it is known to be ours (_use_wal).
                conn.execute("PRAGMA synchronous=FULL")
        except BaseException:
            conn.close()
            raise
        return conn

    return connect


def _make_engine(path: Path, connect: Callable[[], sqlite3.Connection]) -> Engine:
    # The URL only tells SQLAlchemy this is a file database (so it pools connections);
    # `connect` opens them.
    engine = create_engine(URL.create("sqlite", database=str(path)), creator=connect)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("begin_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _stored_version(conn: Connection, path: Path) -> int | None:
    """The schema version recorded in the file; None if no actiontrack schema was ever written."""
    has_meta = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").first()
    if not has_meta:
        return None
    row = conn.exec_driver_sql("SELECT value FROM meta WHERE key='schema_version'").first()
    if row is None:
        return None
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise DamagedError(f"{path} records a schema version that is not a number ({row[0]!r}); "
                           "the file is damaged or not actiontrack's") from None


def _table_count(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='table'").scalar_one())


def _quick_check(engine: Engine, path: Path) -> None:
    """Refuse a damaged file before anything is read from it or written to it."""
    if path.stat().st_size > QUICK_CHECK_MAX_BYTES:
        return
    _run_quick_check(engine, path)


def _run_quick_check(engine: Engine, path: Path) -> None:
    with engine.connect() as conn:
        found = [str(r) for r in conn.exec_driver_sql("PRAGMA quick_check(1)").scalars()]
    if found != ["ok"]:
        detail = " ".join(" ".join(found).split())[:160]
        if "unable to get the page" in detail or _wal_gone(path):  # pages unreadable now, not found damaged
            raise DatabaseProblem(_unreadable_now(path))
        raise DamagedError(f"{path} is damaged (SQLite's check says: {detail}); restore a backup")


def backup_path(path: Path, version: int) -> Path:
    """Where the copy taken before upgrading from `version` goes: beside the file, timestamped."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.v{version}-{stamp}.bak")


def _backup(path: Path, version: int) -> Path:
    """Copy the database beside itself before a migration, readable by the user alone."""
    first = backup_path(path, version)
    for target in [first, *(first.with_suffix(f".{n}.bak") for n in range(2, 100))]:
        try:
            fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        except FileExistsError:
            continue  # two upgrades in one second: never write over an earlier copy
        os.fchmod(fd, 0o600)
        os.close(fd)
        break
    else:
        raise FileExistsError(f"{first} and 98 more copies beside it already exist")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _migrate(conn: Connection, path: Path, version: int) -> Path:
    """Upgrade from `version` inside the caller's write transaction, after a backup; returns the backup."""
    try:
        copy = _backup(path, version)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseOpenError(f"{path} needs an upgrade, but the copy to take first could not be written "
                                f"({getattr(exc, 'strerror', None) or exc}); nothing was changed") from None
    try:
        run_migrations(conn, version)
    except (SQLAlchemyError, sqlite3.Error, KeyError) as exc:
        detail = " ".join(str(getattr(exc, "orig", exc)).split())[:160]
        raise DatabaseOpenError(f"the upgrade of {path} from schema {version} to {SCHEMA_VERSION} failed "
                                f"({detail}); it was left as it was, and a copy is at {copy}") from None
    return copy


def run_migrations(conn: Connection, version: int) -> None:
    """Take the schema from `version` to SCHEMA_VERSION in the caller's transaction (both backends)."""
    for step in range(version, SCHEMA_VERSION):
        for migration in MIGRATIONS[step]:
            if callable(migration):
                migration(conn)
            else:
                for statement in migration.split(";"):
                    if statement.strip():
                        conn.exec_driver_sql(statement)
    conn.execute(text("UPDATE meta SET value=:v WHERE key='schema_version'"), {"v": str(SCHEMA_VERSION)})


def _newer(path: Path, version: int) -> DatabaseOpenError:
    return DatabaseOpenError(f"{path} was written by a newer actiontrack (schema {version}, this one knows "
                             f"{SCHEMA_VERSION}): upgrade actiontrack to open it")


def _use_wal(engine: Engine, before_write: Callable[[], None]) -> None:
    """Put our file in WAL mode (kept in the file): readers never wait for the writer, commits are atomic."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        before_write()
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA journal_mode=WAL")


def _prepare(engine: Engine, path: Path, read_only: bool, reason: str, checked: bool, init: bool = True,
             building: bool = False) -> None:
    """Check the schema version; create the schema in a new file (only if `init`), or upgrade an old one.

    Unless the file was `checked` at open, it is checked before anything is written to it. A file
    `building` is put in WAL mode once it is whole (create_atomically)."""

    def before_write() -> None:
        if not checked:
            _quick_check(engine, path)

    with engine.connect() as conn:
        version = _stored_version(conn, path)
        tables = _table_count(conn)
        conn.rollback()
    if version == SCHEMA_VERSION:
        if not read_only:
            _use_wal(engine, before_write)
        return
    if version is not None and version > SCHEMA_VERSION:
        raise _newer(path, version)
    if version is None and tables:
        raise DatabaseOpenError(f"{path} is an SQLite database of another program, not actiontrack's")
    if version is None and not init:
        raise DatabaseOpenError(f"{path} is empty: it holds no actiontrack database (was its making cut short?); "
                                "import plans into it with actiontrack import, or remove it")
    if read_only:
        if version is None:
            raise DatabaseOpenError(f"{path} is empty and cannot be made a database: {reason}")
        raise DatabaseOpenError(f"{path} needs an upgrade from schema {version} but cannot be written: {reason}")
    # Create or upgrade under the write lock, checking again: another process may have done it.
    before_write()
    if not building:
        _use_wal(engine, lambda: None)
    with engine.connect() as conn:
        conn.execution_options(begin_immediate=True)
        with conn.begin():
            version = _stored_version(conn, path)
            if version is None:
                if _table_count(conn):
                    raise DatabaseOpenError(f"{path} is an SQLite database of another program, not actiontrack's")
                SQLModel.metadata.create_all(conn)
                conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', :v)"),
                             {"v": str(SCHEMA_VERSION)})
                install_edit_stamps(conn)
            elif version > SCHEMA_VERSION:
                raise _newer(path, version)
            elif version < SCHEMA_VERSION:
                _migrate(conn, path, version)


def open_database(path: Path | str, *, read_only: bool = False, create: bool = True, check: bool = True,
                  init: bool = True, building: bool = False) -> Database:
    """Open (creating if need be) the database at `path`, checking it is ours, whole and of a known version.

    With init=False a file holding no schema (empty, or another program's empty SQLite file) is refused
    rather than given actiontrack's schema: commands that only use a database never make one.

    A file this process may not write opens read-only, with `read_only_reason` saying why.
    With check=False the whole-file `PRAGMA quick_check` is skipped (it reads every page: ~150 ms at
    100,000 actions); a damaged page met by a later query still comes out as one-sentence DamagedError,
    and `Database.quick_check()` runs the check when it suits the caller. Writers keep check=True.
    """
    path = Path(path).expanduser()
    try:
        if path.is_dir():
            raise DatabaseOpenError(f"{path} is a folder, not a database file")
        if not path.exists():
            if read_only or not create:
                raise DatabaseOpenError(f"{path} does not exist")
            try:
                _private_file(path)
            except OSError as exc:
                raise DatabaseOpenError(f"cannot create the database {path}: {exc.strerror or exc}") from None
        if not os.access(path, os.R_OK):
            raise DatabaseOpenError(f"cannot read the database {path}: permission denied")
        why = why_read_only(path)
    except OSError as exc:
        raise DatabaseOpenError(f"cannot open the database {path}: {exc.strerror or exc}") from None
    reason = why or ("it was opened read-only" if read_only else "")
    read_only = read_only or bool(why)
    immutable = bool(why) and not journal_files(path)
    connect = _connector(path, read_only=read_only, immutable=immutable, timeout_ms=busy_timeout_ms(),
                         building=building)
    engine = _make_engine(path, connect)
    try:
        if check:
            _quick_check(engine, path)
        _prepare(engine, path, read_only, reason, check, init, building)
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        raise problem(path, exc) from None
    except BaseException:
        engine.dispose()
        raise
    return Database(path=path, engine=engine, read_only=read_only, read_only_reason=reason,
                    _version=_DataVersion(connect), origin=_machine(engine))


def _machine(engine: Engine) -> str:
    with engine.connect() as conn:
        return machine_id(conn)


def _remove_with_journals(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def create_atomically(path: Path | str, *, keep: bool = True) -> Iterator[Database]:
    """A new database for `path`, built in a file beside it and put in place whole when the block ends
    well, only if no file has appeared at `path` meanwhile (DatabaseOpenError then; nothing is replaced).

    A block that fails, or a process killed inside it, leaves no database at `path`. keep=False
    discards the file (a dry run). Nobody else sees the file while it is built, so it is written without
    a journal on disk or a flush at each commit (a national import writes 100 MB in one transaction, which
    WAL would write twice); once whole it is put in WAL mode, as every actiontrack file is, and flushed
    to disk before it takes its name."""
    path = Path(path).expanduser()
    if path.exists():
        raise DatabaseOpenError(f"{path} already exists")
    try:
        private_folder(path.parent)
    except OSError as exc:
        raise DatabaseOpenError(f"cannot create the folder {path.parent}: {exc.strerror or exc}") from None
    building = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.new")
    _remove_with_journals(building)  # a leftover of a process with our pid, killed
    db = open_database(building, building=True)
    try:
        yield db
        with db.engine.connect() as conn:  # no open transaction: the mode is written into the file
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA journal_mode=WAL")
        db.dispose()
        if keep:
            _flush(building)
            _put_in_place(building, path)
    finally:
        db.dispose()
        _remove_with_journals(building)


def _flush(path: Path) -> None:
    """Write the file's data through to the disk."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _put_in_place(building: Path, path: Path) -> None:
    """Give the built file the path, atomically, refusing to replace a file that appeared there."""
    try:
        os.link(building, path)  # fails if the path exists: never replaces another's file
        return
    except FileExistsError:
        raise DatabaseOpenError(f"{path} was made by another program while this one was building it; "
                                "nothing was written to it, run the command again") from None
    except OSError:
        if os.name != "nt":
            raise
    try:
        os.rename(building, path)  # Windows: fails if the path exists
    except FileExistsError:
        raise DatabaseOpenError(f"{path} was made by another program while this one was building it; "
                                "nothing was written to it, run the command again") from None


def rows_affected(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction; how many rows it changed."""
    return int(cast(CursorResult[Any], session.execute(statement)).rowcount)
