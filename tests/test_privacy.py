"""Privacy: plans name staff, so the database, its -wal/-shm, its backups, the config file and
exports are created readable by the user alone (0600), in folders of their own (0700), whatever
the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run_process

from store import db as dbmod

ON_DISK = dbmod.SCHEMA_VERSION  # the schema the test databases are made with; upgrades pretend to a newer one
from store.config import Config, config_path, default_db_path, save_config
from store.db import open_database
from store.importing import open_or_create


UMASKS = [0o022, 0o002, 0o000]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=UMASKS, ids=[f"umask {u:03o}" for u in UMASKS])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_a_new_database_its_journal_files_and_folders_are_private(umask: int, tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "actiontrack.sqlite"
    db = open_or_create(path)  # makes the file and fills it from the samples
    try:
        with db.write() as session:  # hold a write open so the -wal and -shm exist to be looked at
            from store import commands
            from store.targets import Status

            action = commands.find_action(session, "gm-2023/1/2")
            assert action.id is not None
            commands.set_status(session, action.id, Status.ONGOING, by="tester")
            session.flush()
            wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
            assert wal.exists() and shm.exists()
            assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
        db.data_version()  # the screen's watching connection: it creates nothing more permissive
        assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        db.dispose()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700  # every folder it made


def test_the_default_database_folder_is_private_when_the_cli_makes_it(umask: int, private_home: Path) -> None:
    run = run_process("--today", "2023-09-15", "owners", umask=umask)
    assert run.code == 0, run.err
    path = default_db_path()
    assert path.is_relative_to(private_home)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    leftovers = [p for p in path.parent.iterdir() if p != path]
    assert all(mode(p) == 0o600 for p in leftovers), leftovers


def test_a_backup_made_before_an_upgrade_is_private(
    umask: int, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path.chmod(0o644)  # even beside a database someone made readable to others
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", ON_DISK + 1)
    monkeypatch.setattr(dbmod, "MIGRATIONS", {ON_DISK: ("ALTER TABLE action ADD COLUMN evidence TEXT",)})
    open_database(db_path).dispose()
    [backup] = db_path.parent.glob(db_path.name + f".v{ON_DISK}-*.bak")
    assert mode(backup) == 0o600


def test_the_config_file_and_its_folder_are_private(umask: int, private_home: Path) -> None:
    save_config(Config(user="jsmith", owner="Head of Tameside PDU (Greater Manchester)"))
    path = config_path()
    assert path.is_relative_to(private_home)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    save_config(Config(user="jsmith", theme="dark"))  # rewritten, still private
    assert mode(path) == 0o600


def test_an_export_is_private(umask: int, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "gm-2023.toml"
    run = run_process("--db", str(db_path), "export", "--plan", "gm-2023", "-o", str(out), umask=umask)
    assert run.code == 0, run.err
    assert mode(out) == 0o600
