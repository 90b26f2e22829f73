"""A new plan written as the rows SQLite stores (store.planrows): the same database as its change set
applied record by record (store.applying), through the reading processes or not."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from helpers.plans import ONE_ACTION
from store.db import open_database
from store.generate import write_plan_files
from store.importing import bundled_plan_files, import_plan_files, save_plan
from store.planfile import read_plan_file

_TABLES = ("plan", "addressee", "recommendation", "action", "actionowner", "owner", "checkpoint", "change",
           "occurrence")


def _rows(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables an import writes, each value with its SQLite type."""
    conn = sqlite3.connect(db_path)
    try:
        tables = {}
        for table in _TABLES:
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
            typed = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
            tables[table] = conn.execute(f'SELECT {typed} FROM "{table}" ORDER BY 1, 3').fetchall()
        return tables
    finally:
        conn.close()


def _applied_one_by_one(db_path: Path, paths: list[Path]) -> list[str]:
    """The files imported through their change sets alone, in one transaction (no rows)."""
    db = open_database(db_path)
    try:
        with db.write() as session:
            return [save_plan(session, read_plan_file(p), source=str(p)).summary() for p in paths]
    finally:
        db.dispose()


@pytest.mark.parametrize("read_ahead", [False, True])
def test_new_plans_written_as_rows_hold_what_their_change_sets_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_ahead: bool) -> None:
    import store.importing

    monkeypatch.setattr(store.importing, "READ_AHEAD_BYTES", 0 if read_ahead else 1 << 40)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest may run helper threads
    # generated plans have history, ticks, recurring targets and shared owners; the samples unnumbered
    # recommendations, owner tables, aliases and national owners
    paths = [*write_plan_files(tmp_path / "plans", 1500, seed=3), *bundled_plan_files()]
    db = open_database(tmp_path / "rows.sqlite")
    try:
        summaries = [r.summary() for r in import_plan_files(db, paths)]
    finally:
        db.dispose()
    assert summaries == _applied_one_by_one(tmp_path / "applied.sqlite", paths)
    rows = _rows(tmp_path / "rows.sqlite")
    assert rows == _rows(tmp_path / "applied.sqlite")
    assert all(rows[table] for table in _TABLES), "every table has rows to compare"


_UNDONE = "6f1c2d3e-4a5b-4c6d-8e7f-101112131415"


def test_a_new_plan_undoing_an_event_stored_before_points_at_that_event(tmp_path: Path) -> None:
    history = "[[addressees.recommendations.actions.history]]\n"
    first = tmp_path / "first.toml"
    first.write_text(ONE_ACTION.replace(history, f'{history}uid = "{_UNDONE}"\n'), encoding="utf-8")
    second = tmp_path / "second.toml"  # another plan, whose history undoes the first plan's event
    second.write_text(ONE_ACTION.replace('id = "t-1"', 'id = "t-2"').replace(
        'change = "status"\nfrom = "not_started"\nto = "complete"',
        f'change = "undo"\nundoes = "{_UNDONE}"\nfrom = "complete"\nto = "not_started"'), encoding="utf-8")
    db = open_database(tmp_path / "db.sqlite")
    try:
        import_plan_files(db, [first])
        [result] = import_plan_files(db, [second])
    finally:
        db.dispose()
    assert result.summary() == "t-2: 1 added, 0 updated, 0 unchanged, 1 history events added"
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    try:
        undone = conn.execute("SELECT u.uid FROM change c JOIN change u ON u.id = c.undoes_id").fetchall()
    finally:
        conn.close()
    assert undone == [(_UNDONE,)]


# History shapes a generated plan does not give: an undo named by position, events written with uids (as an
# export writes them), an event at an offset from UTC, an untick, and a status given by field name (`from_`,
# which only the model takes: that file is validated by it, whichever way the import runs).
_SHAPES = ONE_ACTION.split("[[addressees.recommendations.actions]]")[0].replace('id = "t-1"', 'id = "t-9"') + """\
[[addressees.recommendations.actions]]
text = "Deliver training."
owners = ["Head of Wigan PDU"]
target = "Monthly from July 2023"
ticked = ["2023-07"]

[[addressees.recommendations.actions.history]]
at = 2023-07-12T10:31:00+01:00
by = "hop"
change = "status"
from = "not_started"
to = "ongoing"

[[addressees.recommendations.actions.history]]
at = 2023-07-13T09:00:00Z
by = "hop"
change = "undo"
undoes = 1
from = "ongoing"
to = "not_started"

[[addressees.recommendations.actions.history]]
at = 2023-08-02T09:00:00.250000Z
by = "spo"
change = "tick"
period = "2023-08"

[[addressees.recommendations.actions.history]]
at = 2023-08-03T09:00:00Z
by = "spo"
change = "untick"
period = "2023-07"
note = "Ticked by mistake"

[[addressees.recommendations.actions]]
uid = "0d1e2f30-4152-4637-8899-aabbccddeeff"
text = "Audit the cases."
owners = ["Head of Wigan PDU", "SPOs"]
target = "October 2023"

[[addressees.recommendations.actions.history]]
uid = "1a2b3c4d-5e6f-4a0b-8c1d-2e3f40516273"
at = 2023-09-01T08:00:00Z
by = "hop"
change = "status"
from = "not_started"
to = "complete"
origin = "laptop-1"
"""


@pytest.mark.parametrize("read_ahead", [False, True])
def test_new_plans_whose_history_is_validated_apart_hold_what_the_model_path_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_ahead: bool) -> None:
    import store.importing

    monkeypatch.setattr(store.importing, "READ_AHEAD_BYTES", 0 if read_ahead else 1 << 40)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest may run helper threads
    shapes = tmp_path / "t-9.toml"
    shapes.write_text(_SHAPES, encoding="utf-8")
    by_name = tmp_path / "t-10.toml"
    by_name.write_text(_SHAPES.replace('id = "t-9"', 'id = "t-10"').replace('from = "not_started"\nto = "ongoing"',
                       'from_ = "not_started"\nto = "ongoing"').replace("0d1e2f30", "0d1e2f31").replace(
                       "1a2b3c4d", "1a2b3c4e"), encoding="utf-8")
    paths = [*write_plan_files(tmp_path / "plans", 1500, seed=5), *bundled_plan_files(), shapes, by_name]
    summaries = {}
    for apart in (True, False):
        monkeypatch.setattr(store.importing, "HISTORY_APART", apart)
        db = open_database(tmp_path / f"{apart}.sqlite")
        try:
            summaries[apart] = [r.summary() for r in import_plan_files(db, paths)]
        finally:
            db.dispose()
    assert summaries[True] == summaries[False]
    rows = _rows(tmp_path / "True.sqlite")
    assert rows == _rows(tmp_path / "False.sqlite")
    conn = sqlite3.connect(tmp_path / "True.sqlite")
    try:
        kinds = {kind for (kind,) in conn.execute("SELECT DISTINCT kind FROM change")}
        undone = conn.execute("SELECT u.kind FROM change c JOIN change u ON u.id = c.undoes_id "
                              "JOIN action a ON a.id = c.action_id WHERE a.plan_id = 't-9'").fetchall()
        statuses = conn.execute("SELECT ref, status FROM action WHERE plan_id = 't-9' ORDER BY ref").fetchall()
        ticked = conn.execute("SELECT period FROM occurrence o JOIN action a ON a.id = o.action_id "
                              "WHERE a.plan_id = 't-9' AND o.done").fetchall()
    finally:
        conn.close()
    assert {"status", "undo", "tick", "untick", "note"} <= kinds
    assert undone == [("status",)]  # the undo names its event by position in the file
    assert statuses == [("1", "not_started"), ("2", "complete")]  # the undo took action 1 back
    assert ticked == [("2023-08",)]  # July's tick was given, then unticked
    assert "t-9: 2 added, 0 updated, 0 unchanged, 5 history events added" in summaries[True]
    assert "t-10: 2 added, 0 updated, 0 unchanged, 5 history events added" in summaries[True]


def test_none_and_booleans_are_stored_as_sqlite3_stores_them_without_the_adapters_registered_for_speed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import store.db  # noqa: F401  (registers the adapters)

    def stored() -> list[tuple[object, ...]]:
        conn = sqlite3.connect(":memory:")
        try:
            conn.execute("CREATE TABLE t (a, b, c)")
            conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(None, True, False)])
            return conn.execute("SELECT a, typeof(a), b, typeof(b), c, typeof(c) FROM t").fetchall()
        finally:
            conn.close()

    with_adapters = stored()
    for kind in (type(None), bool):
        monkeypatch.delitem(sqlite3.adapters, (kind, sqlite3.PrepareProtocol))  # each was registered
    assert stored() == with_adapters == [(None, "null", 1, "integer", 0, "integer")]
