"""The start path: what opening the database and a reading command cost, and what they still promise.

`PRAGMA quick_check` reads every page (~150 ms at 100,000 actions), so callers on a start path open with
check=False and run `Database.quick_check()` later; commands that write keep the check at open. A
reading command imports only what it reads with.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import dump
from helpers.cli import ROOT, run_inprocess

from store import db as dbmod

ON_DISK = dbmod.SCHEMA_VERSION  # the schema the test databases are made with; upgrades pretend to a newer one
from store.db import open_database
from store.queries import plan_ids
from store.errors import DamagedError
from store.importing import open_or_create


TODAY = "2023-09-15"


def _damage_the_middle(path: Path) -> None:
    """Ten pages of garbage in the middle: the schema and the meta table, near the start, stay readable."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(bytes((i * 131 + 7) % 256 for i in range(4096 * 10)))


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every whole-file quick_check run, by file."""
    done: list[Path] = []
    real: Callable[..., None] = dbmod._run_quick_check

    def counted(engine: object, path: Path) -> None:
        done.append(path)
        real(engine, path)

    monkeypatch.setattr(dbmod, "_run_quick_check", counted)
    return done


# -- open_database(check=...) and Database.quick_check() ---------------------------------------------

def test_the_check_off_the_open_says_what_the_check_at_open_says(db_path: Path) -> None:
    _damage_the_middle(db_path)
    with pytest.raises(DamagedError) as at_open:
        open_database(db_path)
    db = open_database(db_path, check=False)  # opens: the damage is not where opening looks
    try:
        with pytest.raises(DamagedError) as later:
            db.quick_check()
    finally:
        db.dispose()
    assert str(later.value) == str(at_open.value)
    assert str(later.value).startswith(f"{db_path} is damaged")
    assert str(later.value).endswith("restore a backup")
    assert "\n" not in str(later.value)


def test_quick_check_passes_a_sound_database_read_write_or_read_only(db_path: Path) -> None:
    for read_only in (False, True):
        db = open_database(db_path, read_only=read_only, check=False)
        try:
            assert db.quick_check() is None
        finally:
            db.dispose()


def test_quick_check_runs_in_a_worker_thread_while_the_database_is_read(db_path: Path) -> None:
    """The screen opens without the check and runs it in a worker after its first paint."""
    _damage_the_middle(db_path)
    db = open_database(db_path, check=False)
    found: list[BaseException | None] = []

    def worker() -> None:
        try:
            db.quick_check()
            found.append(None)
        except BaseException as exc:  # noqa: BLE001  (handed to the test's thread)
            found.append(exc)

    try:
        thread = threading.Thread(target=worker)
        thread.start()
        with db.read() as session:
            assert session.connection().exec_driver_sql("SELECT count(*) FROM plan").scalar_one() == 4
        thread.join(timeout=30)
    finally:
        db.dispose()
    [error] = found
    assert isinstance(error, DamagedError) and str(error).startswith(f"{db_path} is damaged")


def test_check_is_on_by_default_and_off_when_asked(db_path: Path, checks: list[Path]) -> None:
    open_database(db_path).dispose()
    assert checks == [db_path]
    open_database(db_path, check=False).dispose()
    open_database(db_path, read_only=True, check=False).dispose()
    assert checks == [db_path]


def test_quick_check_is_not_skipped_for_a_big_file(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above QUICK_CHECK_MAX_BYTES the check at open is skipped; the explicit check still runs."""
    monkeypatch.setattr(dbmod, "QUICK_CHECK_MAX_BYTES", 0)
    _damage_the_middle(db_path)
    db = open_database(db_path)
    try:
        with pytest.raises(DamagedError, match=re.escape(f"{db_path} is damaged")):
            db.quick_check()
    finally:
        db.dispose()


def test_open_or_create_passes_check_through(db_path: Path, checks: list[Path]) -> None:
    open_or_create(db_path, check=False).dispose()
    assert checks == []
    open_or_create(db_path).dispose()
    assert checks == [db_path]


def test_open_or_create_never_fills_an_existing_database_that_holds_no_plan(tmp_path: Path, checks: list[Path]) -> None:
    """An empty database is what an interrupted import leaves: it is opened as it is, not silently
    given the sample plans (which would then be mistaken for the user's)."""
    path = tmp_path / "empty.sqlite"
    open_database(path, check=False).dispose()  # the schema, no plan
    assert checks == [path]  # even a new file is checked before the schema is written (it is empty: cheap)
    before = dump(path)
    db = open_or_create(path, check=False)
    try:
        with db.read() as session:
            assert list(plan_ids(session)) == []  # no sample plans were written into it
    finally:
        db.dispose()
    assert dump(path) == before


def test_an_unchecked_open_checks_before_it_upgrades(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, checks: list[Path]
) -> None:
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", ON_DISK + 1)
    monkeypatch.setattr(dbmod, "MIGRATIONS", {
        ON_DISK: ("ALTER TABLE action ADD COLUMN evidence TEXT NOT NULL DEFAULT ''",)})
    open_database(db_path, check=False).dispose()
    assert checks == [db_path]
    open_database(db_path, check=False).dispose()  # upgraded: nothing to write, nothing checked
    assert checks == [db_path]


# -- the command line --------------------------------------------------------------------------------

READING = {
    "due": ["due"],
    "due --owner": ["due", "--owner", "Head of Tameside PDU"],
    "overdue": ["overdue"],
    "owners": ["owners"],
    "export": ["export", "--plan", "gm-2023"],
}
CHECKED = {
    "show": ["show", "gm-2023/1/2"],
    "status": ["status", "gm-2023/1/2", "ongoing"],
    "tick": ["tick", "gm-2023/6/2", "--month", "2023-09"],
    "note": ["note", "gm-2023/1/2", "evidence"],
    "undo": ["undo"],
}


@pytest.mark.parametrize("command", sorted(READING))
def test_a_reading_command_skips_the_check_at_open(
    command: str, db_path: Path, checks: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_inprocess(capsys, "--db", str(db_path), "--today", TODAY, *READING[command])
    assert run.code == 0, run.err
    assert checks == []


@pytest.mark.parametrize("command", sorted(CHECKED))
def test_writing_commands_and_show_keep_the_check_at_open(
    command: str, db_path: Path, checks: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    if command == "undo":
        assert run_inprocess(capsys, "--db", str(db_path), *CHECKED["status"]).code == 0
        checks.clear()
    run = run_inprocess(capsys, "--db", str(db_path), "--today", TODAY, *CHECKED[command])
    assert run.code == 0, run.err
    assert checks == [db_path]


def test_import_keeps_the_check_at_open(db_path: Path, checks: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    plan = ROOT / "sample_plans" / "gm-2023.toml"
    run = run_inprocess(capsys, "--db", str(db_path), "import", str(plan))
    assert run.code == 0, run.err
    assert checks == [db_path]


def test_a_new_database_made_by_a_reading_command_is_filled_and_checked(
    tmp_path: Path, checks: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "actiontrack.sqlite"
    run = run_inprocess(capsys, "--db", str(path), "--today", TODAY, "due")
    assert run.code == 0 and run.out.startswith("Due in September 2023 · everyone ·"), run.err
    assert checks[-1] == path  # built beside its path (checked there), then checked in place


# Modules a reading command must not import: the plan-file reader and importer, the generator, the
# exporter (but for `export`), status commands, the screen, dateutil.
NOT_NEEDED = ("store.importing", "store.planfile", "store.generate", "store.exporting", "store.commands",
              "tui.app", "textual", "dateutil")


@pytest.mark.parametrize("command", ["due --owner", "overdue", "owners"])
def test_a_reading_command_imports_only_what_it_reads_with(command: str, db_path: Path) -> None:
    args = ["--db", str(db_path), "--today", TODAY, *READING[command]]
    probe = (
        "import contextlib, io, json, sys\n"
        "from tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main({args!r})\n"
        "import store.targets\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules),\n"
        "                  'grammar_compiled': store.targets._RE_ONE_OFF._compiled is not None}))\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0
    imported = [m for m in found["modules"] if m in NOT_NEEDED or m.split(".")[0] in ("textual", "dateutil")]
    assert imported == []
    assert not found["grammar_compiled"]  # no target is read: the target grammar is never compiled
