"""Shared fixtures: a private home for every test, and one prepared database copied per test.

Every database here is a real SQLite file in a temporary folder; nothing is mocked.
"""

from __future__ import annotations

import shutil
import sqlite3
import tomllib
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from store.db import Database, open_database
from store.importing import bundled_plan_files, open_or_create

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_plans"
SAMPLE_IDS = ("cgm-2019", "gm-2023", "nps-ne-2019", "nw-2023")
TODAY = date(2023, 7, 10)


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config and data folders of a throw-away home, so no test reads or writes the real one."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    return home


@pytest.fixture(scope="session")
def prepared_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database filled once from the bundled sample plans, checkpointed into one file."""
    path = tmp_path_factory.mktemp("prepared") / "samples.sqlite"
    db = open_or_create(path)
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    return path


@pytest.fixture
def db_path(prepared_db: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared sample database."""
    target = tmp_path / "actiontrack.sqlite"
    shutil.copyfile(prepared_db, target)
    return target


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """The private copy, open."""
    database = open_database(db_path)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    """A new database with the schema and nothing else."""
    database = open_database(tmp_path / "empty.sqlite")
    try:
        yield database
    finally:
        database.dispose()


def sample_file(plan_id: str) -> Path:
    """The bundled sample plan with this id."""
    for path in bundled_plan_files():
        if path.stem == plan_id:
            return path
    pytest.skip(f"sample_plans/{plan_id}.toml does not exist yet")


def load_sample(plan_id: str) -> dict[str, Any]:
    """The sample plan as parsed TOML."""
    return tomllib.loads(sample_file(plan_id).read_text(encoding="utf-8"))


def dump(path: Path) -> list[str]:
    """Every row and the schema of the database, as SQL, read without writing anything."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def read_rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """The rows an SQL query gives, read without writing anything."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def file_state(path: Path) -> dict[str, bytes]:
    """The bytes of the database file and of its WAL, if it holds anything."""
    state = {"main": path.read_bytes()}
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        state["wal"] = wal.read_bytes()
    return state


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A real PostgreSQL server for the session, started here and stopped at the end.

    Skipped (with the reason) where PostgreSQL is not installed, unless ACTIONTRACK_PG_REQUIRED=1."""
    import os

    from helpers import pgserver

    started = pgserver.start_server()
    if isinstance(started, str):
        if os.environ.get(pgserver.REQUIRED_ENV) == "1":
            pytest.fail(f"{started}, and {pgserver.REQUIRED_ENV}=1 says the PostgreSQL tests must run")
        pytest.skip(started)
    try:
        yield started
    finally:
        pgserver.remove(started)


@pytest.fixture
def pg_url(pg_server: Any) -> str:
    """The URL of a fresh, empty database on the test server, as its superuser."""
    return str(pg_server.url(pg_server.new_database()))


@pytest.fixture
async def wide(db_path: Path) -> AsyncIterator[Any]:
    """The screen at 160×48 on a private copy of the sample database, settled: (app, pilot)."""
    from helpers.screen import SIZES, open_at  # only screen tests load Textual

    async for running in open_at(db_path, SIZES["wide"]):
        yield running


@pytest.fixture
async def laptop(db_path: Path) -> AsyncIterator[Any]:
    """The screen at 80×24 on a private copy of the sample database, settled: (app, pilot)."""
    from helpers.screen import SIZES, open_at

    async for running in open_at(db_path, SIZES["laptop"]):
        yield running
