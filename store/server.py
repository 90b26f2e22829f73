"""A shared database on a PostgreSQL server: opening it, its schema, and what it promises.

The same models, queries and commands as the SQLite file (store.db), with the same guarantees:
- every change is written in one transaction with its history row. Ordinary changes (status,
  tick, note, undo) run side by side, each locking its one action's row first, so a stale change is
  refused by the version check and no update is lost; they share a transaction-level advisory lock,
  which imports and sync take alone (`write(exclusive=True)`): while one holds it no change is half
  way, so "every history row up to id N" is settled (sync relies on that), and the ids an import
  hands out cannot meet a concurrent writer's. A deadlock the server breaks is a BusyError: try again;
- a `meta` row, moved by a trigger in the writing transaction, tells the screen that another user
  committed (SQLite's `PRAGMA data_version` there);
- a URL holding a password is refused: passwords come from libpq's own places (~/.pgpass,
  PGPASSWORD, a service file), never from actiontrack's config or command line.
The schema is created and upgraded by store.db's migrations, one migrator for both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlmodel import SQLModel

from store import models  # noqa: F401  (registers the tables)
from store.config import busy_timeout_ms
from store.db import SCHEMA_VERSION, Database, run_migrations
from store.edits import WRITE_LOCK
from store.errors import REFUSED, BusyError, DatabaseProblem, RefusedError, StoreError

# The group roles a region's database uses (see `grant_script`): members read everything and change
# their own actions; leads change anything and keep the logins table.
MEMBER_ROLE = "actiontrack_member"
LEAD_ROLE = "actiontrack_lead"


class ServerError(DatabaseProblem):
    """The server cannot be used: unreachable, refused the login, not actiontrack's, too new."""


def display_url(url: str) -> str:
    """The URL as messages and the sync table show it: without any password, driver named plainly."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=True)


def _engine_url(url: str) -> Any:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ServerError(f"{url!r} is not a database URL like postgresql://USER@HOST:5432/DBNAME") from None
    if parsed.password:
        raise ServerError("the database URL holds a password: take it out, and give it in ~/.pgpass, PGPASSWORD "
                          "or a libpq service file instead, so it is never kept in config files or logs")
    if not parsed.database:
        raise ServerError(f"{display_url(url)} names no database: add /DBNAME at its end")
    return parsed.set(drivername="postgresql+psycopg")


def _make_engine(url: str) -> Engine:
    engine = create_engine(_engine_url(url),
                           connect_args={"connect_timeout": 10, "application_name": "actiontrack",
                                         "options": "-c TimeZone=UTC"})  # stored times are UTC text

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("begin_immediate", False):
            # Waiting longer than the busy timeout for a lock gives up cleanly (BusyError).
            lock = "pg_advisory_xact_lock" if options.get("exclusive") else "pg_advisory_xact_lock_shared"
            conn.exec_driver_sql(f"SELECT set_config('lock_timeout', '{int(busy_timeout_ms())}', true), "
                                 f"{lock}({WRITE_LOCK})")

    return engine


def problem(where: str, exc: BaseException) -> StoreError:
    """One sentence for a server failure, naming the server."""
    orig = getattr(exc, "orig", exc)
    state = str(getattr(orig, "sqlstate", "") or "")
    detail = " ".join(str(orig).split())[:200]
    if state == "42501":
        return RefusedError(f"{where}: {REFUSED}")
    if state in ("55P03", "40P01", "40001"):
        return BusyError(f"{where} is busy: another user's change held it for more than "
                         f"{busy_timeout_ms() / 1000:g} s; nothing was saved, try again")
    if state.startswith("08") or state in ("57P01", "57P02", "57P03") or isinstance(orig, _operational()):
        return ServerError(f"cannot reach the server {where} ({detail}); nothing was saved")
    if state.startswith("28"):
        return ServerError(f"the server {where} refused the login ({detail}); give the password in ~/.pgpass "
                           "or PGPASSWORD")
    return ServerError(f"the server {where} failed the command ({detail}); nothing was saved")


def _operational() -> type[BaseException]:
    import psycopg

    return psycopg.OperationalError


@dataclass(frozen=True, slots=True)
class ServerDatabase(Database):
    """An open PostgreSQL database, used exactly as a Database file is."""

    url: str = ""

    @property
    def where(self) -> str:
        return display_url(self.url)

    @contextmanager
    def _failures_named(self) -> Iterator[None]:
        try:
            yield
        except (DBAPIError, _operational()) as exc:
            raise problem(self.where, exc) from exc
        except LookupError as exc:
            raise ServerError(f"{self.where} holds a value this version of actiontrack does not know ({exc})") from exc

    def quick_check(self) -> None:
        """Nothing to do: the server looks after its own files."""

    def data_version(self) -> int:
        """A number that moves whenever anyone commits a change (a counter the writing transaction moves)."""
        with self._failures_named(), self.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'data_version'").scalar_one())

    def dispose(self) -> None:
        self.engine.dispose()


# The counter the screen polls, moved once inside each writing transaction (so it moves with the
# commit, never before it; an import's thousands of statements move it once); SECURITY DEFINER so
# that logins allowed to write actions need no write on meta.
_COUNTER_SQL = """
CREATE OR REPLACE FUNCTION actiontrack_touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
  IF current_setting('actiontrack.touched', true) IS DISTINCT FROM txid_current()::text THEN
    UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'data_version';
    PERFORM set_config('actiontrack.touched', txid_current()::text, true);
  END IF;
  RETURN NULL;
END $$;
"""
_WATCHED = ("plan", "action", "change", "occurrence")


def _create_schema(conn: Any) -> None:
    SQLModel.metadata.create_all(conn)
    conn.execute(text("INSERT INTO meta (key, value) VALUES ('schema_version', :v), ('data_version', '0')"),
                 {"v": str(SCHEMA_VERSION)})
    conn.exec_driver_sql(_COUNTER_SQL)
    for table in _WATCHED:
        conn.exec_driver_sql(f'CREATE TRIGGER actiontrack_touch AFTER INSERT OR UPDATE ON "{table}" '
                             "FOR EACH STATEMENT EXECUTE FUNCTION actiontrack_touch()")
    from store.edits import install
    from store.permissions import install_permissions

    install(conn)
    install_permissions(conn)


def open_server(url: str, *, init: bool = True) -> ServerDatabase:
    """Connect to the database at `url`, creating actiontrack's schema in an empty one (if `init`)
    or upgrading an older one, under the write lock (two first users cannot both create it)."""
    engine = _make_engine(url)
    where = display_url(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(begin_immediate=True, exclusive=True)
            with conn.begin():
                version = _stored_version(conn, where)
                if version is None:
                    if not init:
                        raise ServerError(f"{where} holds no actiontrack database")
                    if conn.exec_driver_sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").scalar():
                        raise ServerError(f"{where} holds another program's tables, not actiontrack's")
                    _create_schema(conn)
                elif version > SCHEMA_VERSION:
                    raise ServerError(f"{where} was made by a newer actiontrack (schema {version}, this one knows "
                                      f"{SCHEMA_VERSION}): upgrade actiontrack to use it")
                elif version < SCHEMA_VERSION:
                    run_migrations(conn, version)
                login = str(conn.exec_driver_sql("SELECT current_user").scalar_one())
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, _operational()) as exc:
        engine.dispose()
        raise problem(where, exc) from None
    # The events written through this connection were made by this login on this server.
    return ServerDatabase(path=Path(where), engine=engine, url=url,
                          origin=f"{login}@{make_url(url).host or 'localhost'}")


def _stored_version(conn: Any, where: str) -> int | None:
    if conn.exec_driver_sql("SELECT to_regclass('public.meta')").scalar() is None:
        return None
    value = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar()
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ServerError(f"{where} records a schema version that is not a number ({value!r})") from None
