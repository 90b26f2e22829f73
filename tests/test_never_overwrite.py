"""Never write over what is not ours, and say what is really wrong: exports never replace a database
or another file, new databases appear whole or not at all, read commands never make a schema, success
is printed only after the commit, a missing -wal is not "damage".

Each test is named after the behaviour it protects (cases 1, 2, 8, 9, 10 and 13 of the issue that
introduced uids; see the README's "Your data")."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import dump
from helpers.cli import ROOT, assert_one_clean_line, fingerprint, run_inprocess, run_process

from store import commands
from store.db import DatabaseOpenError, create_atomically, open_database
from store.generate import write_plan_files
from store.targets import Status


# --- case 1: export -o never replaces a database or another file -----------------------------------


def test_export_refuses_to_write_over_the_database_it_reads(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(db_path)
    run = run_inprocess(capsys, "--db", str(db_path), "export", "--plan", "gm-2023", "-o", str(db_path))
    assert_one_clean_line(run, str(db_path), "is the database itself", "nothing was written")
    assert fingerprint(db_path) == before


def test_export_refuses_to_write_over_any_sqlite_file_or_a_file_that_is_not_an_export(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes\n", encoding="utf-8")
    for path, words in ((other, "is an SQLite database"), (notes, "is not a plan export")):
        before = path.read_bytes()
        run = run_inprocess(capsys, "--db", str(db_path), "export", "--plan", "gm-2023", "-o", str(path))
        assert_one_clean_line(run, str(path), words)
        assert path.read_bytes() == before


def test_export_replaces_an_earlier_export(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gm.toml"
    assert run_inprocess(capsys, "--db", str(db_path), "export", "--plan", "gm-2023", "-o", str(out)).code == 0
    with open_database(db_path).write() as session:
        commands.set_status(session, commands.find_action(session, "gm-2023/6/1").id or 0, Status.COMPLETE, by="me")
    assert run_inprocess(capsys, "--db", str(db_path), "export", "--plan", "gm-2023", "-o", str(out)).code == 0
    assert 'to = "complete"' in out.read_text(encoding="utf-8")


def test_export_into_a_new_folder_makes_it_private(db_path: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "new" / "exports"
    old = os.umask(0o022)
    try:
        assert run_inprocess(capsys, "--db", str(db_path), "export", "-o", str(folder)).code == 0
    finally:
        os.umask(old)
    assert (folder.stat().st_mode & 0o777, folder.parent.stat().st_mode & 0o777) == (0o700, 0o700)


# --- case 2 and case 10: a new database appears whole, or not at all ----------------------------------


def test_a_database_file_made_meanwhile_by_another_process_is_never_replaced_or_removed(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with pytest.raises(DatabaseOpenError, match="made by another program"):
        with create_atomically(path):
            path.write_bytes(b"another program's work")  # appears while the import runs
    assert path.read_bytes() == b"another program's work"
    with pytest.raises(RuntimeError):
        with create_atomically(tmp_path / "failing.sqlite"):
            (tmp_path / "failing.sqlite").write_bytes(b"theirs")
            raise RuntimeError("the import failed")
    assert (tmp_path / "failing.sqlite").read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failing.sqlite", "new.sqlite"]  # no leftovers


def test_a_failed_import_into_a_new_file_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_plan_files(tmp_path / "plans", 300, seed=2)
    bad = tmp_path / "plans" / "zz-bad.toml"
    bad.write_text("[plan]\nid = 'x'\n", encoding="utf-8")
    path = tmp_path / "new.sqlite"
    run = run_inprocess(capsys, "--db", str(path), "import", *map(str, good), str(bad))
    assert_one_clean_line(run, str(bad))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


def test_an_import_killed_while_making_a_new_database_leaves_no_database_to_fill_with_samples(
    tmp_path: Path
) -> None:
    files = write_plan_files(tmp_path / "plans", 20000, seed=3)
    path = tmp_path / "new.sqlite"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-m", "tui", "--db", str(path), "import", *map(str, files)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".new") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert not path.exists()  # whatever the kill left is beside it, never at the path
    deadline = time.monotonic() + 10
    while processes_naming(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_naming(path) == []  # the import's reading processes ended with it


def processes_naming(path: Path) -> list[int]:
    """The processes whose command line names `path` (Linux's /proc; none where there is no /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(path).encode() in entry.read_bytes():
                found.append(int(entry.parent.name))
        except OSError:  # it ended meanwhile
            continue
    return found


@pytest.mark.parametrize("kind", ["0-byte file", "another program's empty SQLite file"])
@pytest.mark.parametrize("command", [["owners"], ["due"], ["status", "gm-2023/6/1", "complete"]])
def test_a_command_never_writes_a_schema_into_an_empty_or_foreign_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: list[str]
) -> None:
    path = tmp_path / "file.sqlite"
    if kind == "0-byte file":
        path.touch()
    else:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 7")
        conn.commit()
        conn.close()
    before = fingerprint(path)
    run = run_inprocess(capsys, "--db", str(path), *command)
    assert_one_clean_line(run, str(path), "is empty", "holds no actiontrack database")
    assert fingerprint(path) == before


# --- case 8: nothing prints success before its commit --------------------------------------------------


@pytest.mark.parametrize("command", [["status", "gm-2023/6/1", "complete"], ["note", "gm-2023/6/1", "Evidence"]])
def test_a_change_on_a_full_disk_prints_no_success(db_path: Path, command: list[str]) -> None:
    before = dump(db_path)
    run = run_process("--db", str(db_path), *command, max_file_bytes=1024)  # the -wal cannot grow: a full disk
    assert run.out == ""
    assert_one_clean_line(run, str(db_path), "nothing was saved")
    assert dump(db_path) == before


# --- case 9: say what is really wrong -----------------------------------------------------------------


def test_a_wal_file_deleted_under_an_open_screen_is_not_called_damage(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    screen = open_database(db_path)  # holds the database open, as the screen does
    try:
        with screen.write() as session:
            commands.set_status(session, commands.find_action(session, "gm-2023/6/1").id or 0, Status.ONGOING, by="me")
        db_path.with_name(db_path.name + "-wal").unlink()
        for command in (["due"], ["status", "gm-2023/6/2", "complete"]):
            run = run_inprocess(capsys, "--db", str(db_path), *command)
            line = assert_one_clean_line(run, str(db_path), "not damage", "do not restore a backup")
            assert "is damaged" not in line
    finally:
        screen.dispose()


# --- case 13 -----------------------------------------------------------------------------------------


def test_a_note_given_with_a_status_the_action_already_has_is_saved(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--db", str(db_path), "status", "gm-2023/6/1", "complete")
    assert run_inprocess(capsys, *args).code == 0
    run = run_inprocess(capsys, *args, "--note", "Training delivered 12 July")
    assert run.code == 0 and "already complete; note added" in run.out
    shown = run_inprocess(capsys, "--db", str(db_path), "show", "gm-2023/6/1").out
    assert "Training delivered 12 July" in shown
    run = run_inprocess(capsys, *args)  # without a note there is nothing to save: said so
    assert_one_clean_line(run, "already complete")


def test_a_db_in_a_missing_folder_is_an_error_that_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "typo" / "actiontrack.sqlite"
    for command in (["owners"], ["import", str(ROOT / "sample_plans" / "gm-2023.toml")], ["status", "x/1/1", "complete"]):
        run = run_inprocess(capsys, "--db", str(path), *command)
        assert_one_clean_line(run, str(tmp_path / "typo"), "does not exist")
    assert not (tmp_path / "typo").exists()
