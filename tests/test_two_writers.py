"""Two writers at once: every change and its history row is kept, none lost, none doubled; a change
made on a stale view is refused; another process's commit is noticed (PRAGMA data_version)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from helpers.cli import ROOT
from sqlmodel import select

from store import commands
from store.db import open_database
from store.errors import StaleError
from store.models import Action, Change
from store.targets import Status

WRITER = Path(__file__).resolve().parent / "helpers" / "writer.py"


def start_writer(db: Path, count: int, seed: int, go: Path | None = None) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    extra = [str(go)] if go else []
    return subprocess.Popen([sys.executable, str(WRITER), str(db), str(count), str(seed), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def status_rows(db: Path) -> tuple[dict[int, tuple[str, str, int]], list[tuple[int, int, str, str, str]]]:
    """Each action's (reference, status, version), and every status change (id, action, from, to, by)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        actions = {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT id, reference, status, version FROM action")}
        changes = list(conn.execute(
            "SELECT id, action_id, from_status, to_status, by FROM change WHERE kind = 'status' ORDER BY id"))
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return actions, changes
    finally:
        conn.close()


def test_two_processes_making_500_changes_each_lose_and_double_nothing(db_path: Path, tmp_path: Path) -> None:
    actions_before, changes_before = status_rows(db_path)
    assert changes_before == []
    go = tmp_path / "go"
    writers = [start_writer(db_path, 500, seed, go) for seed in (1, 2)]
    for writer in writers:  # both have started and opened the database: now let them race
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"ready\n"
    go.touch()
    reported: list[tuple[str, int, str]] = []
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err.decode()
        lines = out.decode().splitlines()
        assert len(lines) == 500
        reported += [(ref, int(cid), status) for ref, cid, status in (line.split() for line in lines)]

    actions, changes = status_rows(db_path)
    assert len(changes) == 1000
    assert len({c[0] for c in changes}) == 1000
    by_id = {c[0]: c for c in changes}
    assert sorted(cid for _, cid, _ in reported) == sorted(by_id)  # every reported change, each once
    for ref, cid, status in reported:
        _, action_id, _, to_status, _ = by_id[cid]
        assert actions[action_id][0] == ref and to_status == status
    assert sorted(c[4] for c in changes) == ["writer-1"] * 500 + ["writer-2"] * 500
    turns = sum(a[4] != b[4] for a, b in zip(changes, changes[1:], strict=False))
    assert turns > 20  # they really wrote at the same time, taking turns at the lock

    history: dict[int, list[tuple[int, int, str, str, str]]] = defaultdict(list)
    for change in changes:
        history[change[1]].append(change)
    assert len(history) > 5  # the writers really shared actions
    for action_id, rows in history.items():
        reference, status, version = actions[action_id]
        expected_from = actions_before[action_id][1]
        for _, _, from_status, to_status, _ in rows:  # an unbroken chain: no change made on a stale read
            assert from_status == expected_from, reference
            expected_from = to_status
        assert status == rows[-1][3], reference  # the final status is the last history row's
        assert version == actions_before[action_id][2] + len(rows), reference


def test_a_change_made_on_a_stale_view_is_refused_and_writes_nothing(db_path: Path) -> None:
    mine, theirs = open_database(db_path), open_database(db_path)  # e.g. two open screens
    try:
        with mine.read() as session:
            seen = commands.find_action(session, "gm-2023/1/2")
            action_id, seen_version, seen_status = seen.id, seen.version, seen.status
        assert action_id is not None and seen_status != Status.ONGOING
        with theirs.write() as session:
            commands.set_status(session, action_id, Status.ONGOING, by="them", expected_version=seen_version)
        with pytest.raises(StaleError, match="changed elsewhere"):
            with mine.write() as session:
                commands.set_status(session, action_id, Status.COMPLETE, by="me", expected_version=seen_version)
        with mine.read() as session:
            action = session.get(Action, action_id)
            assert action is not None
            assert (action.status, action.version) == (Status.ONGOING, seen_version + 1)
            rows = session.exec(select(Change).where(Change.action_id == action_id)).all()
            assert [(c.by, c.to_status) for c in rows] == [("them", Status.ONGOING)]
        with mine.write() as session:  # looked at afresh, the change goes through
            commands.set_status(session, action_id, Status.COMPLETE, by="me", expected_version=seen_version + 1)
    finally:
        mine.dispose()
        theirs.dispose()


def test_data_version_moves_when_another_process_commits(db_path: Path) -> None:
    db = open_database(db_path)
    try:
        first = db.data_version()
        with db.read() as session:  # reading, here or elsewhere, does not move it
            session.connection().exec_driver_sql("SELECT count(*) FROM action").scalar_one()
        assert db.data_version() == first
        writer = start_writer(db_path, 1, 7)
        out, err = writer.communicate(timeout=30)
        assert writer.returncode == 0, err.decode()
        second = db.data_version()
        assert second != first
        assert db.data_version() == second  # and stays put until the next commit elsewhere
        with db.write() as session:  # this process's own writes count too: the screen refreshes after them
            action = commands.find_action(session, "gm-2023/1/2")
            assert action.id is not None
            commands.add_note(session, action.id, "seen", by="me")
        assert db.data_version() != second
    finally:
        db.dispose()
