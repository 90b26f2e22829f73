"""The SQLite file: opening it safely, its pragmas, its schema version and its migrations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session, SQLModel

from store import models  # noqa: F401  (registers the tables)
from store.errors import StoreError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000


class DatabaseOpenError(StoreError):
    """The database file cannot be used: not SQLite, damaged, too new, unreadable."""


@dataclass(frozen=True, slots=True)
class Database:
    """An open database: its path, its engine, and whether it may be written."""

    path: Path
    engine: Engine
    read_only: bool = False

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for one unit of reading."""
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one unit of writing: BEGIN IMMEDIATE, committed on success, rolled back on error."""
        if self.read_only:
            raise StoreError(f"{self.path} is read-only: changes cannot be saved")
        engine = self.engine.execution_options(begin_immediate=True)
        with Session(engine) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def data_version(self) -> int:
        """SQLite's counter that moves when another connection commits (PRAGMA data_version)."""
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _private_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) so staff names stay private."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)


def _make_engine(path: Path, read_only: bool) -> Engine:
    if read_only:
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path}"
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("begin_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _stored_version(engine: Engine) -> int | None:
    with engine.connect() as conn:
        has_meta = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).first()
        if not has_meta:
            return None
        row = conn.exec_driver_sql("SELECT value FROM meta WHERE key='schema_version'").first()
        return int(row[0]) if row else None


def _backup(path: Path, version: int) -> Path:
    """Copy the database beside itself before a migration, readable by the user alone."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    src = sqlite3.connect(path)
    try:
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


# Each migration takes the schema from version N to N + 1; none are needed yet.
MIGRATIONS: dict[int, str] = {}


def _migrate(engine: Engine, path: Path, version: int) -> None:
    _backup(path, version)
    with engine.begin() as conn:
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
        conn.execute(
            text("UPDATE meta SET value=:v WHERE key='schema_version'"), {"v": str(SCHEMA_VERSION)}
        )


def open_database(path: Path | str, *, read_only: bool = False, create: bool = True) -> Database:
    """Open (creating if need be) the database at `path`, checking it is ours and of a known version."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a database file")
    if not path.exists():
        if read_only or not create:
            raise DatabaseOpenError(f"{path} does not exist")
        try:
            _private_file(path)
        except OSError as exc:
            raise DatabaseOpenError(f"cannot create the database {path}: {exc.strerror or exc}") from None
    if not read_only and not os.access(path, os.W_OK):
        read_only = True
    if not os.access(path, os.R_OK):
        raise DatabaseOpenError(f"cannot read the database {path}: permission denied")
    engine = _make_engine(path, read_only)
    try:
        version = _stored_version(engine)
        if version is None:
            if read_only:
                raise DatabaseOpenError(f"{path} is not an actiontrack database and is read-only")
            _create_schema(engine, path)
        elif version > SCHEMA_VERSION:
            raise DatabaseOpenError(
                f"{path} was written by a newer actiontrack (schema {version}, this one knows "
                f"{SCHEMA_VERSION}): upgrade actiontrack to open it"
            )
        elif version < SCHEMA_VERSION:
            if read_only:
                raise DatabaseOpenError(f"{path} needs an upgrade but is read-only")
            _migrate(engine, path, version)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseOpenError(describe_sqlite_error(path, exc)) from None
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseOpenError(describe_sqlite_error(path, exc)) from None
    except BaseException:
        engine.dispose()
        raise
    return Database(path=path, engine=engine, read_only=read_only)


def _create_schema(engine: Engine, path: Path) -> None:
    with engine.connect() as conn:
        tables = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type='table'"
        ).scalar_one()
    if tables:
        raise DatabaseOpenError(f"{path} is an SQLite database of another program, not actiontrack's")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(models.Meta(key="schema_version", value=str(SCHEMA_VERSION)))
        session.commit()


def describe_sqlite_error(path: Path, exc: BaseException) -> str:
    """One sentence for an SQLite failure, naming the file."""
    message = str(getattr(exc, "orig", exc)).lower()
    if "file is not a database" in message or "not a database" in message:
        return f"{path} is not an SQLite database (or it is damaged)"
    if "malformed" in message or "corrupt" in message:
        return f"{path} is damaged (SQLite says the disk image is malformed); restore a backup"
    if "locked" in message or "busy" in message:
        return f"{path} is locked by another program; try again when it has finished"
    if "readonly" in message or "read-only" in message:
        return f"{path} is read-only: changes cannot be saved"
    if "disk i/o" in message or "full" in message:
        return f"cannot write {path}: the disk refused ({message})"
    if "unable to open" in message:
        return f"cannot open {path}: check the path and its folder's permissions"
    return f"{path}: {message}"
