"""Broken databases: not SQLite, truncated, damaged, read-only, locked, too new, too old.

Each gets one sentence naming the file and exit code 1, no traceback, and the file is not written;
a read-only database still opens for reading; an older schema is upgraded after a backup.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import dump
from helpers.cli import assert_one_clean_line, fingerprint, run_inprocess, run_process

from store import db as dbmod

ON_DISK = dbmod.SCHEMA_VERSION  # the schema the test databases are made with; upgrades pretend to a newer one
from store.db import DatabaseOpenError, open_database
from store.errors import BusyError, DamagedError, ReadOnlyError, StoreError


BAD_PLANS = Path(__file__).resolve().parent / "bad_plans"
TODAY = "2023-09-15"
# a reader, a writer, and an import (whose file is made per test)
COMMANDS = {"due": ["due"], "status": ["status", "gm-2023/1/2", "ongoing"], "import": []}


def good_plan(folder: Path) -> Path:
    """A valid plan file (the one the bad-plan corpus breaks)."""
    path = folder / "good.toml"
    text = (BAD_PLANS / "unknown_kind.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('kind = "council"', 'kind = "pdu"'), encoding="utf-8")
    return path


def args_for(command: str, db: Path, folder: Path) -> list[str]:
    rest = ["import", str(good_plan(folder))] if command == "import" else COMMANDS[command]
    return ["--db", str(db), "--today", TODAY, *rest]


# -- files that are not (whole) SQLite databases -----------------------------------------------------

def _not_sqlite(path: Path) -> None:
    path.write_text("These are my notes about the inspection, not a database.\n" * 200)


def _truncated(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size // 2)


def _damaged(path: Path) -> None:
    """Every other page of the action table overwritten with garbage, so that every reading command
    meets the damage whatever the layout (where SQLite has no dbstat table: ten pages in the middle)."""
    conn = sqlite3.connect(path)
    try:
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'action' ORDER BY pageno")]
    except sqlite3.OperationalError:
        pages = []
    finally:
        conn.close()
    middle = pages[1::2]
    with path.open("r+b") as fh:
        if not middle:
            size = path.stat().st_size
            fh.seek((size // 4096 // 2) * 4096)
            fh.write(bytes((i * 131 + 7) % 256 for i in range(4096 * 10)))
            return
        for page in middle:
            fh.seek((page - 1) * 4096)
            fh.write(bytes((i * 131 + page) % 256 for i in range(4096)))


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _garbled_version(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE meta SET value = 'one' WHERE key = 'schema_version'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _other_program(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photos (name) VALUES ('holiday.jpg')")
    conn.close()


BROKEN = {
    "not SQLite": (_not_sqlite, ["is not an SQLite database"]),
    "truncated": (_truncated, ["is damaged", "restore a backup"]),
    "damaged in the middle": (_damaged, ["is damaged", "restore a backup"]),
    "newer schema": (_newer, ["newer actiontrack", "schema 99", f"knows {ON_DISK}", "upgrade actiontrack"]),
    "garbled schema version": (_garbled_version, ["schema version that is not a number"]),
    "another program's": (_other_program, ["SQLite database of another program"]),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_database_is_refused_in_one_line_and_left_alone(
    case: str, command: str, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    breaker, words = BROKEN[case]
    breaker(db_path)
    before = fingerprint(db_path)
    run = run_inprocess(capsys, *args_for(command, db_path, tmp_path))
    assert_one_clean_line(run, str(db_path), *words)
    assert run.out == ""
    assert fingerprint(db_path) == before


def test_a_broken_database_is_refused_by_a_real_process(db_path: Path, tmp_path: Path) -> None:
    _damaged(db_path)
    before = fingerprint(db_path)
    for command in ("due", "status"):
        run = run_process(*args_for(command, db_path, tmp_path))
        assert_one_clean_line(run, str(db_path), "is damaged")
    assert fingerprint(db_path) == before


def test_a_damaged_page_met_by_a_query_gives_a_clean_message(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Above QUICK_CHECK_MAX_BYTES the check at open is skipped: the query itself must fail cleanly."""
    monkeypatch.setattr(dbmod, "QUICK_CHECK_MAX_BYTES", 0)
    conn = sqlite3.connect(db_path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'action'").fetchone()[0]
    conn.close()
    with db_path.open("r+b") as fh:  # wreck the action table's root page, leave the schema readable
        fh.seek((root - 1) * 4096)
        fh.write(b"\xa5" * 4096)
    db = open_database(db_path)  # opens: the damage is not where opening looks
    try:
        with pytest.raises(DamagedError, match=re.escape(str(db_path)) + " is damaged"):
            with db.read() as session:
                session.connection().exec_driver_sql("SELECT count(*), max(text) FROM action").all()
    finally:
        db.dispose()
    for command in ("due", "status"):
        run = run_inprocess(capsys, "--db", str(db_path), "--today", TODAY, *COMMANDS[command])
        assert_one_clean_line(run, str(db_path), "is damaged")


def _action_table_wrecked(path: Path) -> None:
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'action'").fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:  # the action table's root page, the schema left readable
        fh.seek((root - 1) * 4096)
        fh.write(b"\xa5" * 4096)


# Reading commands, most of which open without the whole-file quick_check (tui.cli.UNCHECKED_COMMANDS).
READING = {"due": ["due"], "due --owner": ["due", "--owner", "Head of Tameside PDU"], "overdue": ["overdue"],
           "owners": ["owners"], "export": ["export", "--plan", "gm-2023"], "show": ["show", "gm-2023/1/2"]}
DAMAGE = {"truncated": _truncated, "damaged in the middle": _damaged, "action table wrecked": _action_table_wrecked}


@pytest.mark.parametrize("command", sorted(READING))
@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_reading_command_on_a_damaged_database_says_so_in_one_line(
    case: str, command: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the check at open, the damage is met by the command's own queries; `show`, which reads
    one action and might meet none of it, keeps the check."""
    DAMAGE[case](db_path)
    before = fingerprint(db_path)
    run = run_inprocess(capsys, "--db", str(db_path), "--today", TODAY, *READING[command])
    assert_one_clean_line(run, str(db_path), "is damaged", "restore a backup")
    assert run.out == ""
    assert fingerprint(db_path) == before


def test_a_reading_command_checks_a_damaged_database_before_upgrading_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reading command skips the check at open, but an upgrade writes: the file is checked first."""
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", ON_DISK + 1)
    monkeypatch.setattr(dbmod, "MIGRATIONS", {ON_DISK: ADD_EVIDENCE})
    _damaged(db_path)
    before = fingerprint(db_path)
    run = run_inprocess(capsys, "--db", str(db_path), "--today", TODAY, "owners")
    assert_one_clean_line(run, str(db_path), "is damaged", "restore a backup")
    assert fingerprint(db_path) == before
    assert _backups(db_path) == []


def test_quick_check_at_open_is_cheap(db_path: Path) -> None:
    """Opening (with its quick_check) must stay well under what a user notices."""
    start = time.perf_counter()
    for _ in range(5):
        open_database(db_path).dispose()
    assert (time.perf_counter() - start) / 5 < 0.25


def test_a_folder_or_a_missing_database_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert_one_clean_line(run_inprocess(capsys, "--db", str(folder), "due"), str(folder), "is a folder")
    with pytest.raises(DatabaseOpenError, match="does not exist"):
        open_database(tmp_path / "missing.sqlite", read_only=True)
    inside_a_file = tmp_path / "file.txt"
    inside_a_file.write_text("x")
    run = run_inprocess(capsys, "--db", str(inside_a_file / "db.sqlite"), "due")
    assert_one_clean_line(run, str(inside_a_file / "db.sqlite"))


def test_a_disk_full_in_the_middle_of_an_import_saves_nothing_and_says_so(db_path: Path, tmp_path: Path) -> None:
    """A big import whose journal cannot grow (the file-size limit stands in for a full disk)."""
    big = tmp_path / "big.toml"
    text = (BAD_PLANS / "unknown_kind.toml").read_text(encoding="utf-8").replace('kind = "council"', 'kind = "pdu"')
    action = text[text.index("[[addressees.recommendations.actions]]"):].split("\n\n")[0]
    many = "\n\n".join(action.replace('ref = "1.1"', f'ref = "{n}"').replace("Write the tests.", "Write. " * 60)
                       for n in range(1, 1500))
    big.write_text(text.split("[[addressees.recommendations.actions]]")[0] + many + "\n", encoding="utf-8")
    before = dump(db_path)
    run = run_process("--db", str(db_path), "import", str(big), max_file_bytes=db_path.stat().st_size + 64 * 1024)
    assert_one_clean_line(run, f"cannot write {db_path}", "is it full?", "nothing was saved")
    assert dump(db_path) == before
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


# -- read-only ---------------------------------------------------------------------------------------

@pytest.fixture
def restore_modes(tmp_path: Path) -> Iterator[list[Path]]:
    """Paths whose permissions a test lowers, restored afterwards so the folder can be removed."""
    changed: list[Path] = []
    yield changed
    for path in changed:
        path.chmod(stat.S_IRWXU)


def _read_commands_work(db: Path) -> None:
    due = run_process("--db", str(db), "--today", TODAY, "due", permissions_apply=True)
    assert due.code == 0, due.err
    assert due.out.startswith("Due in September 2023 · everyone ·") and "gm-2023/" in due.out
    owners = run_process("--db", str(db), "owners", permissions_apply=True)
    assert owners.code == 0 and "Head of Performance and Quality" in owners.out, owners.err
    show = run_process("--db", str(db), "show", "gm-2023/1/2", permissions_apply=True)
    assert show.code == 0 and show.out.startswith("gm-2023/1/2"), show.err


def test_a_read_only_file_opens_for_reading_and_says_why_it_cannot_write(
    db_path: Path, tmp_path: Path, restore_modes: list[Path]
) -> None:
    db_path.chmod(0o400)
    restore_modes.append(db_path)
    before = fingerprint(db_path)
    _read_commands_work(db_path)
    status = run_process("--db", str(db_path), "status", "gm-2023/1/2", "ongoing", permissions_apply=True)
    assert_one_clean_line(status, f"cannot save changes to {db_path}", "no permission to write the file")
    imported = run_process("--db", str(db_path), "import", str(good_plan(tmp_path)), permissions_apply=True)
    assert_one_clean_line(imported, f"cannot save changes to {db_path}", "no permission to write the file")
    assert fingerprint(db_path) == before
    # Reading left no -wal/-shm files behind that would stop the owner writing once it is writable again.
    assert sorted(p.name for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)) == [db_path.name]
    db_path.chmod(0o600)
    again = run_process("--db", str(db_path), "status", "gm-2023/1/2", "ongoing", permissions_apply=True)
    assert again.code == 0, again.err


def test_a_database_in_a_read_only_folder_opens_for_reading_and_says_why(
    db_path: Path, restore_modes: list[Path]
) -> None:
    folder = db_path.parent
    folder.chmod(0o500)
    restore_modes.append(folder)
    before = fingerprint(db_path)
    _read_commands_work(db_path)
    status = run_process("--db", str(db_path), "status", "gm-2023/1/2", "ongoing", permissions_apply=True)
    assert_one_clean_line(status, f"cannot save changes to {db_path}", f"its folder {folder} is read-only")
    assert fingerprint(db_path) == before


def test_read_only_is_reported_on_the_database_object(db_path: Path) -> None:
    db = open_database(db_path, read_only=True)
    try:
        assert db.read_only and db.read_only_reason == "it was opened read-only"
        with pytest.raises(ReadOnlyError, match="cannot save changes to .* it was opened read-only"):
            with db.write():
                pass
        with db.read() as session:
            assert session.connection().exec_driver_sql("SELECT count(*) FROM action").scalar_one() > 100
    finally:
        db.dispose()


# -- locked ------------------------------------------------------------------------------------------

def test_a_database_locked_longer_than_the_busy_timeout_is_refused_and_readers_go_on(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(dbmod.BUSY_TIMEOUT_ENV, "1000")
    first = dump(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE action SET note = 'held' WHERE reference = 'gm-2023/1/1'")

        start = time.monotonic()
        status = run_process("--db", str(db_path), "status", "gm-2023/1/2", "ongoing")
        waited = time.monotonic() - start
        assert_one_clean_line(status, str(db_path), "is locked", "more than 1 s", "nothing was saved")
        assert 1.0 <= waited < 4.5, waited  # it waited the configured 1 s, not the default 5 s

        imported = run_inprocess(capsys, *args_for("import", db_path, tmp_path))
        assert_one_clean_line(imported, str(db_path), "is locked")

        due = run_inprocess(capsys, *args_for("due", db_path, tmp_path))  # WAL: readers are not blocked
        assert due.code == 0 and due.out.startswith("Due in September 2023"), due.err
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert dump(db_path) == first
    assert run_inprocess(capsys, "--db", str(db_path), "status", "gm-2023/1/2", "ongoing").code == 0


def test_the_busy_timeout_setting_is_checked(monkeypatch: pytest.MonkeyPatch, db_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(dbmod.BUSY_TIMEOUT_ENV, "soon")
    assert_one_clean_line(run_inprocess(capsys, "--db", str(db_path), "due"),
                          "ACTIONTRACK_BUSY_TIMEOUT_MS must be a whole number of milliseconds")
    monkeypatch.setenv(dbmod.BUSY_TIMEOUT_ENV, "250")
    assert dbmod.busy_timeout_ms() == 250
    monkeypatch.delenv(dbmod.BUSY_TIMEOUT_ENV)
    assert dbmod.busy_timeout_ms() == dbmod.BUSY_TIMEOUT_MS == 5000


def test_a_busy_error_is_a_store_error() -> None:
    assert issubclass(BusyError, StoreError) and issubclass(DamagedError, StoreError)


# -- an older schema is upgraded after a backup ------------------------------------------------------

ADD_EVIDENCE = ("ALTER TABLE action ADD COLUMN evidence TEXT NOT NULL DEFAULT ''; CREATE INDEX ix_evidence ON action (evidence)",)


def _backups(db: Path) -> list[Path]:
    return sorted(db.parent.glob(db.name + ".v*.bak"))


def test_an_older_schema_is_upgraded_in_place_after_a_private_timestamped_backup(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The database on disk is this schema; this actiontrack pretends to know the next."""
    before = dump(db_path)
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", ON_DISK + 1)
    monkeypatch.setattr(dbmod, "MIGRATIONS", {ON_DISK: ADD_EVIDENCE})
    old_umask = os.umask(0o022)
    try:
        run = run_inprocess(capsys, "--db", str(db_path), "--today", TODAY, "due")
    finally:
        os.umask(old_umask)
    assert run.code == 0, run.err
    [backup] = _backups(db_path)
    assert re.fullmatch(re.escape(db_path.name) + rf"\.v{ON_DISK}-\d{{8}}T\d{{6}}Z\.bak", backup.name)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert dump(backup) == before  # the copy is the database as it was
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(ON_DISK + 1),)
        assert conn.execute("SELECT count(*) FROM action WHERE evidence = ''").fetchone()[0] == \
            conn.execute("SELECT count(*) FROM action").fetchone()[0] > 100
    finally:
        conn.close()
    assert run_inprocess(capsys, "--db", str(db_path), "due").code == 0
    assert len(_backups(db_path)) == 1  # upgraded once, backed up once


def test_a_failed_upgrade_changes_nothing_and_names_the_backup(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(db_path)
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", ON_DISK + 2)
    monkeypatch.setattr(dbmod, "MIGRATIONS", {ON_DISK: ADD_EVIDENCE, ON_DISK + 1: ("ALTER TABLE no_such_table ADD COLUMN x TEXT",)})
    run = run_inprocess(capsys, "--db", str(db_path), "due")
    [backup] = _backups(db_path)
    line = assert_one_clean_line(run, f"the upgrade of {db_path} from schema {ON_DISK} to {ON_DISK + 2} failed",
                                 "it was left as it was", str(backup))
    assert "no_such_table" in line
    assert dump(db_path) == before


def test_a_read_only_database_needing_an_upgrade_is_refused(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", ON_DISK + 1)
    monkeypatch.setattr(dbmod, "MIGRATIONS", {ON_DISK: ADD_EVIDENCE})
    with pytest.raises(DatabaseOpenError, match=f"needs an upgrade from schema {ON_DISK} but cannot be written"):
        open_database(db_path, read_only=True)
    assert _backups(db_path) == []


def test_an_upgrade_done_by_another_process_meanwhile_is_not_done_again(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version is read again under the write lock: if another process upgraded the file between
    our first look and our lock, nothing is backed up or run twice."""
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", ON_DISK + 1)
    monkeypatch.setattr(dbmod, "MIGRATIONS", {ON_DISK: ADD_EVIDENCE})
    open_database(db_path).dispose()  # "the other process" upgrades it
    assert len(_backups(db_path)) == 1
    real = dbmod._stored_version
    looks: list[int | None] = []

    def first_look_is_stale(conn: object, path: Path) -> int | None:
        version = real(conn, path)  # type: ignore[arg-type]
        looks.append(version)
        return ON_DISK if len(looks) == 1 else version

    monkeypatch.setattr(dbmod, "_stored_version", first_look_is_stale)
    open_database(db_path).dispose()
    assert looks == [ON_DISK + 1, ON_DISK + 1]
    assert len(_backups(db_path)) == 1
