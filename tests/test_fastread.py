"""The read path without the import cost: the SQL stored in store/compiled_sql.py is what the store's
definitions compile to now, and running it with sqlite3 (store.fastread) gives the same rows and the
same command output as running the definitions through sqlmodel."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import tomli_w
from conftest import ROOT, load_sample
from helpers.cli import run_inprocess
from helpers.schema import make_schema_1

from store import commands, fastread, lists, queries, reads, sqlcompile
from store.db import SCHEMA_VERSION, Database, open_database
from store.run import Run
from store.errors import NotFoundError, StoreError
from store.importing import import_plan_files
from store.revising import revise_target
from store.rows import View
from store.targets import Status

TAMESIDE = "Head of Tameside PDU (Greater Manchester)"
DATES = (date(2019, 6, 1), date(2023, 7, 10), date(2023, 9, 15), date(2024, 2, 29))


def test_the_stored_sql_is_what_the_definitions_compile_to_now() -> None:
    stored = (ROOT / "store" / "compiled_sql.py").read_text(encoding="utf-8")
    assert stored == sqlcompile.module_text(), "the statements changed: run python -m store.sqlcompile"
    from store import compiled_sql

    assert compiled_sql.SCHEMA_VERSION == SCHEMA_VERSION
    assert set(compiled_sql.STATEMENTS) == set(queries.statements())


@pytest.fixture(scope="module")
def varied_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plans with a little of everything: a withdrawn recommendation, revised targets (one
    revision undone), statuses, ticks, notes and an undo, on Tameside's and others' actions."""
    from store.importing import open_or_create

    folder = tmp_path_factory.mktemp("varied")
    path = folder / "varied.sqlite"
    db = open_or_create(path)
    try:
        revised = load_sample("nps-ne-2019")
        for addressee in revised["addressees"]:
            addressee["recommendations"] = [r for r in addressee["recommendations"] if r["number"] != "7"]
        plan = folder / "ne.toml"
        plan.write_text(tomli_w.dumps(revised), encoding="utf-8")
        import_plan_files(db, [plan])
        with db.write() as s:
            ids = {ref: commands.find_action(s, ref).id for ref in
                   ("gm-2023/6/1", "gm-2023/6/3", "gm-2023/7/1", "gm-2023/7/4", "gm-2023/9/1", "gm-2023/8/3",
                    "nw-2023/1/1", "cgm-2019/1/1.1.1")}
            revise_target(s, ids["gm-2023/6/1"], "March 2024", reason="staff shortage", by="t")
            revise_target(s, ids["gm-2023/6/1"], "June 2024", reason="again", by="t")
            revise_target(s, ids["gm-2023/7/1"], "December 2023", reason="undone below", by="t")
            commands.set_status(s, ids["gm-2023/6/3"], Status.COMPLETE, by="t", note="done, see minutes")
            commands.set_status(s, ids["gm-2023/8/3"], Status.ONGOING, by="t")
            commands.tick_occurrence(s, ids["gm-2023/7/4"], "2023-08", by="t", note="ticked")
            commands.tick_occurrence(s, ids["gm-2023/9/1"], "2023-07", by="t")
            commands.add_note(s, ids["nw-2023/1/1"], "evidence: 50% of cases_checked \\ [b]", by="t")
            commands.set_status(s, ids["cgm-2019/1/1.1.1"], Status.ONGOING, by="t")
        with db.write() as s:
            commands.undo_last(s, by="t", action_id=ids["gm-2023/7/1"])
    finally:
        db.dispose()
    return path


@pytest.fixture(scope="module")
def both(varied_path: Path) -> Iterator[tuple[Run, Run, Database]]:
    """The full path's Run (sqlmodel) and the fast path's (sqlite3) on the same file."""
    db = open_database(varied_path, read_only=True)
    try:
        with db.read() as session, fastread.reading(varied_path) as fast:
            yield queries.runner(session), fast, db
    finally:
        db.dispose()


def _owner_ids(db: Database) -> dict[str, int | None]:
    with db.read() as s:
        everyone = queries.owners(s)
        listed = {o.id for o in everyone}
        unlisted = s.connection().exec_driver_sql("SELECT id FROM owner ORDER BY id").scalars().all()
    without = next(i for i in unlisted if i not in listed)  # an owner whose actions are all withdrawn
    return {"everyone": None, "tameside": next(o.id for o in everyone if o.label == TAMESIDE),
            "busiest": everyone[0].id, "national": next(o.id for o in everyone if not o.region),
            "none in force": without, "unknown": 987654}


VIEWS = {
    "plain": {}, "hide complete": {"hide_complete": True}, "search": {"search": "training"},
    "search of LIKE's own characters": {"search": "50% of cases_"}, "search and hide": {"search": "PDU",
                                                                                      "hide_complete": True},
}


@pytest.mark.parametrize("today", DATES, ids=str)
@pytest.mark.parametrize("view_name", sorted(VIEWS))
def test_both_paths_read_the_same_tree(both: tuple[Run, Run, Database], today: date,
                                       view_name: str) -> None:
    full, fast, db = both
    for who, owner_id in _owner_ids(db).items():
        view = View(owner_id=owner_id, **VIEWS[view_name])  # type: ignore[arg-type]
        regions = reads.regions(full, view, today)
        assert reads.regions(fast, view, today) == regions, who
        assert reads.view_tree(fast, view, today) == reads.view_tree(full, view, today), who
        for region in regions:
            addressees = reads.addressees(full, view, region.region, today)
            assert reads.addressees(fast, view, region.region, today) == addressees, who
            for addressee in addressees:
                recs = reads.recommendations(full, view, addressee.id, today)
                assert reads.recommendations(fast, view, addressee.id, today) == recs, who
                for rec in recs:
                    assert reads.actions(fast, view, rec.id, today) == reads.actions(full, view, rec.id, today)
                if recs:  # the counts read again after a change equal the tree's, on both paths
                    counts = (region.progress, addressee.progress, recs[0].progress)
                    for run in (full, fast):
                        assert reads.path_progress(run, view, today, region.region, addressee.id,
                                                   recs[0].id) == counts, who
        if who == "tameside" and view_name == "plain" and today == date(2023, 9, 15):
            assert [r.region for r in regions] == ["Greater Manchester"]  # the comparison compared something
            assert regions[0].progress.total > 10 and regions[0].progress.overdue > 0


@pytest.mark.parametrize("today", DATES, ids=str)
def test_both_paths_read_the_same_due_and_overdue_lists(both: tuple[Run, Run, Database],
                                                         today: date) -> None:
    full, fast, db = both
    months = [(today.year, today.month), (2023, 8), (2024, 3), (2019, 9)]
    for who, owner_id in _owner_ids(db).items():
        for year, month in months:
            due = lists.due_in_month(full, year, month, today, owner_id)
            assert lists.due_in_month(fast, year, month, today, owner_id) == due, (who, year, month)
        late = lists.overdue(full, today, owner_id)
        assert lists.overdue(fast, today, owner_id) == late, who
    mine = _owner_ids(db)["tameside"]
    if today == date(2023, 9, 15):
        late = lists.overdue(fast, today, mine)
        assert any(row.missed for row in late) and any(row.deadline for row in late)  # missed periods and dates


@pytest.mark.parametrize("today", DATES, ids=str)
def test_a_lists_first_rows_are_the_whole_lists_first_rows_with_its_length(both: tuple[Run, Run, Database],
                                                                           today: date) -> None:
    """What the due panel shows of a long list (its first rows, read alone, and how many it has) is the head of
    the list the CLI prints, on both paths, for everyone and for single owners, with closed plans or without."""
    full, fast, db = both
    compared = 0
    for who, owner_id in _owner_ids(db).items():
        for closed in (False, True):
            for year, month in [(today.year, today.month), (2024, 3)]:
                due = lists.due_in_month(full, year, month, today, owner_id, include_closed=closed)
                for run in (full, fast):
                    for first in (1, 3, 10_000):
                        assert lists.due_listed(run, year, month, today, owner_id, first,
                                                include_closed=closed) == (due[:first], len(due)), (who, month)
            late = lists.overdue(full, today, owner_id, include_closed=closed)
            for run in (full, fast):
                for first in (1, 3, 10_000):
                    assert lists.overdue_listed(run, today, owner_id, first,
                                                include_closed=closed) == (late[:first], len(late)), who
            compared += len(late) > 3
    assert compared >= 2  # long lists were cut, not only short ones compared


def test_both_paths_read_the_same_owners_and_find_the_same_ones(both: tuple[Run, Run, Database]) -> None:
    full, fast, _ = both
    assert lists.owners(fast) == lists.owners(full)
    for text in (TAMESIDE, "head of tameside pdu", "Head of Performance and Quality (North West)"):
        assert lists.find_owner(fast, text) == lists.find_owner(full, text)
    for text in ("Head of Tameside", "Nobody at all", "Head of Performance and Quality"):
        with pytest.raises(NotFoundError) as on_full:
            lists.find_owner(full, text)
        with pytest.raises(NotFoundError) as on_fast:
            lists.find_owner(fast, text)
        assert str(on_fast.value) == str(on_full.value)


@pytest.mark.parametrize("reference", ["gm-2023/6/1", "gm-2023/7/1", "gm-2023/6/3", "gm-2023/7/4",
                                       "nw-2023/1/1", "nps-ne-2019/7/7.1", "cgm-2019/1/1.1.1"])
def test_both_paths_read_the_same_action_in_full(both: tuple[Run, Run, Database],
                                                 reference: str) -> None:
    full, fast, _ = both
    action_id = reads.action_id(full, reference)
    assert reads.action_id(fast, reference) == action_id
    for today in DATES:
        detail = reads.action_detail(full, action_id, today)
        assert reads.action_detail(fast, action_id, today) == detail
    if reference == "gm-2023/6/1":
        assert detail.revision is not None and detail.revision.count == 2  # revised twice
        assert detail.history[0].at.tzinfo is not None
    if reference == "gm-2023/7/1":
        assert detail.revision is None  # its one revision was undone
    if reference == "nps-ne-2019/7/7.1":
        assert detail.withdrawn


def test_an_unknown_reference_is_the_same_error_on_both_paths(both: tuple[Run, Run, Database]) -> None:
    full, fast, _ = both
    with pytest.raises(NotFoundError) as on_full:
        reads.action_id(full, " gm-2023/99/9 ")
    with pytest.raises(NotFoundError) as on_fast:
        reads.action_id(fast, " gm-2023/99/9 ")
    assert str(on_fast.value) == str(on_full.value)


# -- the commands ---------------------------------------------------------------------------------

COMMANDS = [
    ["owners"], ["owners", "--json"],
    ["due"], ["due", "--json"], ["due", "--owner", TAMESIDE], ["due", "--owner", "Head of Tameside PDU", "--json"],
    ["due", "--owner", TAMESIDE, "--month", "2023-11"], ["due", "--month", "2019-09", "--status", "ongoing"],
    ["--owner", TAMESIDE, "due", "--status", "not-started", "--status", "ongoing"],
    ["overdue"], ["overdue", "--json"], ["overdue", "--owner", TAMESIDE], ["overdue", "--owner", TAMESIDE, "--json"],
    ["overdue", "--owner", "everyone", "--status", "ongoing"],
    ["due", "--owner", "Nobody at all"], ["overdue", "--owner", "Head of Tameside"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reading_command_prints_the_same_on_both_paths(
    args: list[str], varied_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui import cli

    path = tmp_path / "copy.sqlite"
    shutil.copyfile(varied_path, path)
    given = ["--db", str(path), "--today", "2023-09-15", *args]
    taken: list[bool] = []
    real = cli._read_fast

    def counted(*a: object, **k: object) -> int | None:
        try:
            done = real(*a, **k)  # type: ignore[arg-type]
        except StoreError:  # the fast path's answer too: an owner that is not found
            taken.append(True)
            raise
        taken.append(done is not None)
        return done

    monkeypatch.setattr(cli, "_read_fast", counted)
    fast = run_inprocess(capsys, *given)
    assert taken == [True]
    monkeypatch.setattr(cli, "_read_fast", lambda *a, **k: None)  # the full path
    full = run_inprocess(capsys, *given)
    assert (fast.code, fast.out, fast.err) == (full.code, full.out, full.err)
    assert fast.out or fast.err


def _probe(args: list[str]) -> dict[str, object]:
    """Run `actiontrack ARGS` in a fresh Python; its exit code, output and which modules it imported."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from tui.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main({args!r})\n"
        "print(json.dumps({'code': code, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "textual")


@pytest.mark.parametrize("args", [["due", "--owner", TAMESIDE], ["overdue", "--json"], ["owners"]], ids=" ".join)
def test_a_reading_command_on_a_file_at_the_schema_imports_no_sqlalchemy(args: list[str], db_path: Path) -> None:
    found = _probe(["--db", str(db_path), "--today", "2023-09-15", *args])
    assert found["code"] == 0 and found["out"]
    modules = found["modules"]
    assert isinstance(modules, list)
    assert [m for m in modules if m.split(".")[0] in HEAVY] == []


# Modules of other commands, each a few ms of a reading command that has ~0.1 s in all: the target-date reader,
# uid derivation (uuid, hashlib), name comparison (difflib), the tree's and detail pane's rows and reads.
OTHER_COMMANDS = ("store.targets", "store.identity", "uuid", "hashlib", "difflib", "store.rows", "store.reads",
                  "store.duties")


@pytest.mark.parametrize("args", [["due", "--owner", TAMESIDE], ["overdue", "--json"], ["owners"]], ids=" ".join)
def test_a_reading_command_imports_nothing_only_other_commands_need(args: list[str], db_path: Path) -> None:
    found = _probe(["--db", str(db_path), "--today", "2023-09-15", *args])
    assert found["code"] == 0 and found["out"]
    modules = found["modules"]
    assert isinstance(modules, list)
    assert [m for m in OTHER_COMMANDS if m in modules] == []


@pytest.mark.parametrize("args", [["due", "--owner", TAMESIDE], ["overdue", "--owner", TAMESIDE, "--json"],
                                  ["due", "--owner", "everyone"]], ids=" ".join)
def test_due_and_overdue_make_no_dataclass(args: list[str], db_path: Path) -> None:
    """Importing dataclasses (it imports inspect, ast, dis, tokenize) is a sixth of a `due`: its rows are named
    tuples, and the owner is named from the statement's row."""
    found = _probe(["--db", str(db_path), "--today", "2023-09-15", *args])
    assert found["code"] == 0 and found["out"]
    modules = found["modules"]
    assert isinstance(modules, list)
    assert [m for m in ("dataclasses", "inspect") if m in modules] == []


def test_an_older_database_takes_the_full_path_which_upgrades_it(db_path: Path) -> None:
    path = db_path
    make_schema_1(path)
    found = _probe(["--db", str(path), "--today", "2023-09-15", "due", "--owner", "everyone"])
    assert found["code"] == 0
    assert "sqlalchemy" in found["modules"]  # type: ignore[operator]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    finally:
        conn.close()


def test_a_database_not_yet_in_wal_mode_takes_the_full_path_which_sets_it(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    found = _probe(["--db", str(db_path), "--today", "2023-09-15", "owners"])
    assert found["code"] == 0 and "sqlalchemy" in found["modules"]  # type: ignore[operator]
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["newer schema", "not ours", "missing"])
def test_a_file_the_fast_path_cannot_read_is_left_to_the_full_path(how: str, db_path: Path) -> None:
    if how == "newer schema":
        conn = sqlite3.connect(db_path)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
        conn.commit()
        conn.close()
    elif how == "not ours":
        db_path.unlink()
        conn = sqlite3.connect(db_path)
        conn.execute("CREATE TABLE other (x)")
        conn.close()
    else:
        db_path.unlink()
    with pytest.raises(fastread.Unavailable):
        with fastread.reading(db_path):
            pass


def test_a_write_reads_back_what_it_wrote_in_its_own_transaction_as_any_later_read_does(
        varied_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.sqlite"
    shutil.copy(varied_path, path)
    db = open_database(path)
    try:
        with db.write() as session:
            action_id = commands.find_action(session, "gm-2023/6/2").id or 0
            commands.set_status(session, action_id, Status.ONGOING, by="me", note="started")
            run = fastread.in_transaction(session)
            assert isinstance(run, fastread.Reader)  # SQLite: through sqlite3, on the write's own connection
            inside = reads.action_detail(run, action_id, date(2023, 9, 15))
        assert inside.action.status == Status.ONGOING
        assert (inside.history[-1].to_status, inside.history[-1].note) == (Status.ONGOING, "started")
        with db.read() as session:
            assert reads.action_detail(queries.runner(session), action_id, date(2023, 9, 15)) == inside
    finally:
        db.dispose()


def test_a_reader_inside_a_write_raises_sqlites_own_failure_for_the_write_to_name(varied_path: Path) -> None:
    conn = sqlite3.connect(varied_path)
    conn.close()
    with pytest.raises(fastread.Unavailable):
        list(fastread.Reader(conn)("machine", {}))
    with pytest.raises(sqlite3.ProgrammingError):
        list(fastread.Reader(conn, unavailable=False)("machine", {}))
