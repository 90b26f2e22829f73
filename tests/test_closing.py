"""Closing a plan once it is signed off, and reopening it: `actiontrack plan`, what due, overdue and reports then
hold, the history rows (who, when, the note), and that they export, import and survive an upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import dump, read_rows

from store.config import load_config
from store.db import SCHEMA_VERSION
from tui.cli import main

PLAN = "cgm-2019"


def by() -> str:
    """Who the command line records changes as here (the test's config, else the login name)."""
    return load_config().by
NOTE = "Signed off by the CRC's board, May 2021"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", "2023-09-15", *args])
    out, err = capsys.readouterr()
    return code, out, err


rows = read_rows


def closing_rows(db: Path, plan: str = PLAN) -> list[tuple[object, ...]]:
    return rows(db, "SELECT change.kind, change.by, change.note, count(*) FROM change JOIN action ON action.id = "
                    "change.action_id WHERE action.plan_id = ? AND change.kind IN ('close', 'reopen') "
                    "GROUP BY change.kind, change.by, change.note ORDER BY min(change.id)", plan)


def test_a_closed_plan_leaves_the_lists_and_the_report_and_keeps_every_record(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert f"{PLAN}/1/1.2" in run(capsys, db_path, "overdue", "--owner", "everyone")[1]
    actions_before = rows(db_path, "SELECT id, status, target, withdrawn FROM action WHERE plan_id = ?", PLAN)

    code, out, err = run(capsys, db_path, "--owner", "everyone", "plan", "close", PLAN, "--note", NOTE)
    assert (code, err) == (0, "")
    assert out.startswith(f"{PLAN} closed: its 54 actions leave the due and overdue lists")
    assert closing_rows(db_path) == [("close", by(), NOTE, 54)]
    assert rows(db_path, "SELECT DISTINCT change.origin FROM change WHERE kind = 'close'") == rows(
        db_path, "SELECT value FROM meta WHERE key = 'machine'")  # made on this laptop, as every event says
    assert rows(db_path, "SELECT id, status, target, withdrawn FROM action WHERE plan_id = ?", PLAN) == actions_before

    listed = run(capsys, db_path, "plan", "list")[1]
    line = next(x for x in listed.splitlines() if x.startswith(PLAN))
    assert " closed " in line and f"by {by()}: {NOTE}" in line
    assert next(x for x in listed.splitlines() if x.startswith("gm-2023")).split()[1] == "open"

    overdue = run(capsys, db_path, "overdue", "--owner", "everyone")[1]
    assert f"{PLAN}/" not in overdue and "gm-2023/6/1" in overdue
    assert f"{PLAN}/1/1.2" in run(capsys, db_path, "overdue", "--owner", "everyone", "--include-closed")[1]
    assert f"{PLAN}/" not in run(capsys, db_path, "due", "--owner", "everyone", "--month", "2019-04")[1]
    assert f"{PLAN}/1/1.2" in run(capsys, db_path, "due", "--owner", "everyone", "--month", "2019-04",
                                  "--include-closed")[1]

    report = run(capsys, db_path, "report", "--owner", "everyone", "--format", "csv")[1]
    assert f"{PLAN}/" not in report and "gm-2023/6/1" in report
    assert f"{PLAN}/1/1.2" in run(capsys, db_path, "report", "--owner", "everyone", "--format", "csv",
                                  "--include-closed")[1]
    assert f"{PLAN}/1/1.2" in run(capsys, db_path, "report", "--plan", PLAN, "--owner", "everyone",
                                  "--format", "csv")[1]  # named: reported on, closed or not
    shown = run(capsys, db_path, "show", f"{PLAN}/1/1.2")[1]
    assert f"{by()}: plan closed — {NOTE}" in shown


def test_reopening_brings_the_plan_back_and_is_recorded(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    run(capsys, db_path, "plan", "close", PLAN, "--note", NOTE)
    code, out, err = run(capsys, db_path, "plan", "reopen", PLAN)
    assert (code, err) == (0, "") and out.strip() == f"{PLAN} reopened: its 54 actions are back in the lists"
    assert closing_rows(db_path) == [("close", by(), NOTE, 54), ("reopen", by(), "", 54)]
    assert f"{PLAN}/1/1.2" in run(capsys, db_path, "overdue", "--owner", "everyone")[1]
    assert next(x for x in run(capsys, db_path, "plan", "list")[1].splitlines()
                if x.startswith(PLAN)).split()[1] == "open"


@pytest.mark.parametrize(("args", "words"), [
    (["close", PLAN], "closing a plan needs a note (--note)"),
    (["close", PLAN, "--note", "  "], "closing a plan needs a note (--note)"),
    (["close", "no-such-plan", "--note", "x"], "no plan has the id 'no-such-plan'; the plans are cgm-2019, gm-2023"),
    (["reopen", PLAN], f"{PLAN} is not closed"),
    (["close"], "name the plan to close"),
])
def test_a_plan_command_that_cannot_act_says_why_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], db_path: Path, args: list[str], words: str) -> None:
    before = dump(db_path)
    code, out, err = run(capsys, db_path, "plan", *args)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err
    assert dump(db_path) == before


def test_closing_a_closed_plan_twice_is_refused(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    run(capsys, db_path, "plan", "close", PLAN, "--note", NOTE)
    before = dump(db_path)
    code, _, err = run(capsys, db_path, "plan", "close", PLAN, "--note", "again")
    assert code == 1 and err.strip() == f"actiontrack: {PLAN} is closed already"
    assert dump(db_path) == before


def test_undo_never_undoes_a_plans_closing(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    run(capsys, db_path, "status", "gm-2023/6/3", "complete")
    run(capsys, db_path, "plan", "close", PLAN, "--note", NOTE)
    code, out, _ = run(capsys, db_path, "undo")
    assert code == 0 and out.startswith("gm-2023/6/3")  # the change before the closing
    assert closing_rows(db_path) == [("close", by(), NOTE, 54)]


def test_a_closing_exports_and_imports_with_its_plan(capsys: pytest.CaptureFixture[str], db_path: Path,
                                                     tmp_path: Path) -> None:
    run(capsys, db_path, "plan", "close", PLAN, "--note", NOTE)
    exported = tmp_path / f"{PLAN}.toml"
    assert run(capsys, db_path, "export", "--plan", PLAN, "-o", str(exported))[0] == 0
    assert 'change = "close"' in exported.read_text(encoding="utf-8")

    fresh = tmp_path / "fresh.sqlite"
    assert run(capsys, fresh, "import", str(exported))[0] == 0
    assert closing_rows(fresh) == [("close", by(), NOTE, 54)]
    assert f"{PLAN}/" not in run(capsys, fresh, "overdue", "--owner", "everyone")[1]

    # merged into a database where the plan is open (another laptop, an old backup): it closes there too
    other = tmp_path / "other.sqlite"
    assert f"{PLAN}/1/1.2" in run(capsys, other, "overdue", "--owner", "everyone")[1]  # made from the samples
    assert run(capsys, other, "import", str(exported))[0] == 0
    assert f"{PLAN}/" not in run(capsys, other, "overdue", "--owner", "everyone")[1]
    again = dump(other)
    assert run(capsys, other, "import", str(exported))[0] == 0
    assert dump(other) == again  # the same file twice changes nothing


def test_a_schema_4_database_is_upgraded_with_the_closing_index(capsys: pytest.CaptureFixture[str],
                                                                 db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP INDEX ix_change_kind")
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.close()
    code, _, err = run(capsys, db_path, "plan", "close", PLAN, "--note", NOTE)
    assert (code, err) == (0, "")
    assert rows(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert rows(db_path, "SELECT name FROM sqlite_master WHERE name = 'ix_change_kind'") == [("ix_change_kind",)]
    assert list(db_path.parent.glob("*.v4-*.bak"))  # the backup taken before the upgrade
