"""Schema 6: the index everyone's counts read instead of the actions' rows (ix_action_counts). A file or a
server at schema 5 is upgraded to it on open, after a copy of the file, and reads the same."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import read_rows

from helpers.cli import run_inprocess
from helpers.schema import server_at_schema
from store.compiled_sql import STATEMENTS
from store import commands
from store.db import SCHEMA_VERSION, open_database
from store.reads import view_params
from store.rows import View
from store.server import open_server
from store.targets import Status

INDEX = "ix_action_counts"


def _at_schema_5(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"DROP INDEX {INDEX}")
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    conn.close()


def _plan_of(path: Path, statement: str) -> str:
    """SQLite's plan for one of the stored statements, run for everyone on the screen's demo day."""
    sql, _, _, constants = STATEMENTS[statement]
    values = {**constants, **view_params(View(), date(2023, 9, 15))}
    with sqlite3.connect(path) as conn:
        found = conn.execute("EXPLAIN QUERY PLAN " + sql, {k: v.isoformat() if isinstance(v, date) else v
                                                           for k, v in values.items()}).fetchall()
    conn.close()
    return "\n".join(row[3] for row in found)


def test_a_schema_5_file_is_upgraded_with_the_counts_index_and_reads_the_same(capsys: pytest.CaptureFixture[str],
                                                                               db_path: Path, tmp_path: Path) -> None:
    current = tmp_path / "current.sqlite"
    shutil.copyfile(db_path, current)
    _at_schema_5(db_path)
    assert f"COVERING INDEX {INDEX}" not in _plan_of(db_path, "region_classes")
    args = ("--today", "2023-09-15", "overdue", "--owner", "everyone")
    upgraded = run_inprocess(capsys, "--db", str(db_path), *args)  # the fast path refuses schema 5: the full one
    assert upgraded == run_inprocess(capsys, "--db", str(current), *args)
    assert upgraded.code == 0 and "gm-2023/6/1" in upgraded.out
    assert read_rows(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert SCHEMA_VERSION >= 6  # and on through later steps
    assert read_rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?", INDEX) == [(INDEX,)]
    assert list(db_path.parent.glob("*.v5-*.bak"))  # the copy taken before the upgrade
    # everyone's counts read the index, never the actions' rows
    assert f"SEARCH action USING COVERING INDEX {INDEX} (plan_id=?)" in _plan_of(db_path, "region_classes")
    assert f"SEARCH action USING COVERING INDEX {INDEX} (plan_id=?)" in _plan_of(db_path, "regions")


def test_the_upgrade_measures_every_index_again(db_path: Path) -> None:
    """A schema 5 file whose import measured its tables before building their indexes (as earlier versions
    did) leaves the upgrade with figures for every index, the new one included."""
    db = open_database(db_path)
    with db.write() as session:  # some history, for its indexes to be measured
        commands.set_status(session, commands.find_action(session, "gm-2023/6/1").id, Status.COMPLETE, by="t")
    db.dispose()
    _at_schema_5(db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM sqlite_stat1 WHERE tbl IN ('action', 'change', 'actionowner')")
        indexes = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('action', 'change', 'actionowner')")}
    conn.close()
    assert indexes
    open_database(db_path).dispose()
    measured = {name for (name,) in read_rows(db_path, "SELECT idx FROM sqlite_stat1")}
    assert indexes | {INDEX} <= measured


def test_a_schema_5_server_is_upgraded_with_the_counts_index(pg_url: str) -> None:
    server_at_schema(pg_url, 5, (INDEX,))
    db = open_server(pg_url)
    try:
        with db.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar()
            assert version == str(SCHEMA_VERSION)
            assert conn.exec_driver_sql(f"SELECT to_regclass('public.{INDEX}')").scalar() == INDEX
    finally:
        db.dispose()
