"""Schema 7: the open actions' index (ix_action_open) and the ticked periods' (ix_occurrence_done).

Everyone's regions are read in two parts: the open actions in view, rated, from the open actions' index, and, where
the view keeps complete actions, those counted by region with nothing to rate. Together they count exactly what one
statement over every action counts, for every view, on any day and on both read paths. The due and overdue lists read
the open actions' index too, and the missed-period test counts an action's ticks in the ticked periods' index. A file
or a server at schema 6 is upgraded to both indexes on open."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import read_rows
from test_region_classes import DATES, every_view, varied  # noqa: F401  (varied: the module's fixture, shared)

from helpers.cli import run_inprocess
from helpers.schema import server_at_schema
from store import commands, fastread, queries, reads
from store.compiled_sql import STATEMENTS
from store.db import SCHEMA_VERSION, Database
from store.rows import View
from store.server import open_server
from store.targets import Status

if TYPE_CHECKING:
    from sqlmodel import Session

INDEX = "ix_action_open"
TICKED = "ix_occurrence_done"


def _every_action_counted(session: Session, view: View, today: date) -> list[tuple[object, ...]]:
    """Everyone's regions in view from one statement that tests every action (what "regions" read before)."""
    joined = queries._filters(False, False, view.hide_complete, plans=True)
    return [tuple(row) for row in session.connection().execute(queries._regions_query(joined),
                                                               reads.view_params(view, today))]


@pytest.mark.parametrize("today", DATES, ids=str)
def test_everyones_regions_in_two_parts_are_those_counted_over_every_action(varied: Database,  # noqa: F811
                                                                            today: date) -> None:
    with varied.read() as session, fastread.reading(varied.path) as fast:
        for view in every_view():
            expected = _every_action_counted(session, view, today)
            statement = "regions" + reads.view_shape(False, False, view.hide_complete)
            for run in (queries.runner(session), fast):
                assert [tuple(row) for row in run(statement, reads.view_params(view, today))] == expected, view
        if today == date(2023, 9, 15):  # the comparison compared something: both parts
            assert {row[1] > 0 and row[1] < row[2] for row in _every_action_counted(session, View(), today)} == {True}
            assert _every_action_counted(session, View(when="overdue"), today)


def _plan_of(path: Path, statement: str, params: dict[str, object]) -> str:
    """SQLite's plan for one of the stored statements."""
    sql, _, _, constants = STATEMENTS[statement]
    values = {key: value.isoformat() if isinstance(value, date) else value
              for key, value in {**constants, **params}.items()}
    with sqlite3.connect(path) as conn:
        found = conn.execute("EXPLAIN QUERY PLAN " + sql, values).fetchall()
    conn.close()
    return "\n".join(row[3] for row in found)


def test_everyones_filtered_regions_and_the_lists_read_the_open_actions_index(db_path: Path) -> None:
    today = date(2023, 9, 15)
    everyone = _plan_of(db_path, "regions", reads.view_params(View(when="overdue"), today))
    assert f"SEARCH action USING COVERING INDEX {INDEX} (plan_id=?)" in everyone  # the open ones, rated
    assert "SEARCH action USING COVERING INDEX ix_action_counts (plan_id=?)" in everyone  # the complete ones counted
    assert f"SEARCH occurrence USING COVERING INDEX {TICKED} (action_id=? AND done=? AND period<?)" in everyone
    assert INDEX not in _plan_of(db_path, "regions:owner", {**reads.view_params(View(when="overdue"), today),
                                                            "owner_id": 1})  # an owner's: from the owner's links
    month = {"first": date(2023, 10, 1), "last": date(2023, 10, 31), "month": 2023 * 12 + 9, "period": "2023-10",
             "include_closed": False}
    assert f"COVERING INDEX {INDEX}" in _plan_of(db_path, "due:ids", month)
    assert f"COVERING INDEX {INDEX}" in _plan_of(db_path, "overdue:ids",
                                                 {**reads.as_of_params(today), "include_closed": False})
    # an owner's list is read from the owner's links, as before
    assert INDEX not in _plan_of(db_path, "due:owner,ids", {**month, "owner_id": 1})


def test_the_indexes_hold_the_open_actions_and_the_ticked_periods_after_changes(db: Database) -> None:
    with db.write() as s:
        done = commands.find_action(s, "gm-2023/6/1").id
        commands.set_status(s, done, Status.COMPLETE, by="t")
        reopened = commands.find_action(s, "gm-2023/6/3").id
        commands.set_status(s, reopened, Status.COMPLETE, by="t")
        commands.set_status(s, reopened, Status.ONGOING, by="t")
        duty = commands.find_action(s, "gm-2023/7/4").id
        commands.tick_occurrence(s, duty, "2023-07", by="t")
        commands.tick_occurrence(s, duty, "2023-08", by="t")
        commands.undo_last(s, by="t")  # the August tick taken back: the period not ticked off
    indexed = read_rows(db.path, f"SELECT id FROM action INDEXED BY {INDEX} WHERE status != 'complete' ORDER BY id")
    assert indexed == read_rows(db.path, "SELECT id FROM action WHERE status != 'complete' ORDER BY id")
    assert (done,) not in indexed and (reopened,) in indexed
    ticked = read_rows(db.path, f"SELECT action_id, period FROM occurrence INDEXED BY {TICKED} WHERE action_id = ? "
                                "AND done IS 1 ORDER BY period", duty)
    assert ticked == [(duty, "2023-07")]  # the August tick taken back


def _at_schema_6(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"DROP INDEX {INDEX}")
        conn.execute(f"DROP INDEX {TICKED}")
        conn.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    conn.close()


def test_a_schema_6_file_is_upgraded_with_the_open_index_and_reads_the_same(capsys: pytest.CaptureFixture[str],
                                                                            db_path: Path, tmp_path: Path) -> None:
    current = tmp_path / "current.sqlite"
    shutil.copyfile(db_path, current)
    _at_schema_6(db_path)
    args = ("--today", "2023-09-15", "due", "--owner", "everyone")
    upgraded = run_inprocess(capsys, "--db", str(db_path), *args)  # the fast path refuses schema 6: the full one
    assert upgraded == run_inprocess(capsys, "--db", str(current), *args)
    assert upgraded.code == 0 and "gm-2023" in upgraded.out
    assert SCHEMA_VERSION == 7
    assert read_rows(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [("7",)]
    assert read_rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (?, ?) ORDER BY name",
                     INDEX, TICKED) == [(INDEX,), (TICKED,)]
    assert list(db_path.parent.glob("*.v6-*.bak"))  # the copy taken before the upgrade


def test_a_schema_6_server_is_upgraded_with_the_open_index(pg_url: str) -> None:
    server_at_schema(pg_url, 6, (INDEX, TICKED))
    db = open_server(pg_url)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == "7"
            for name in (INDEX, TICKED):
                assert conn.exec_driver_sql(f"SELECT to_regclass('public.{name}')").scalar() == name
            predicate = conn.exec_driver_sql("SELECT pg_get_expr(indpred, indrelid) FROM pg_index "
                                             f"WHERE indexrelid = '{INDEX}'::regclass").scalar()
            assert "complete" in str(predicate)  # the open actions alone
    finally:
        db.dispose()
