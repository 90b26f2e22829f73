"""Crashes: a writer killed with SIGKILL at random moments never damages the file, and every change
it reported as saved is there afterwards with its history row."""

from __future__ import annotations

import multiprocessing
import random
import signal
import sqlite3
import time
from pathlib import Path

from helpers import writer

from store.db import open_database

KILLS = 24


def check_after_crash(db: Path, reported: dict[int, tuple[str, str]]) -> int:
    """The file is whole, every reported change is there, statuses agree with history; returns the row count."""
    conn = sqlite3.connect(db)  # the first connection after the crash recovers the WAL
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = {cid: (ref, to) for cid, ref, to in conn.execute(
            "SELECT change.id, action.reference, change.to_status FROM change JOIN action ON action.id = change.action_id"
            " WHERE change.kind = 'status'")}
        for cid, saved in reported.items():
            assert rows.get(cid) == saved, f"change {cid} {saved} was reported as saved but is {rows.get(cid)}"
        mismatched = conn.execute(
            "SELECT action.reference, action.status, last.to_status FROM action"
            " JOIN change AS last ON last.id = (SELECT max(id) FROM change WHERE action_id = action.id)"
            " WHERE action.status != last.to_status").fetchall()
        assert mismatched == []  # no status without its history row, no history row without its status
        versions = conn.execute(
            "SELECT count(*) FROM action WHERE version != (SELECT count(*) FROM change WHERE action_id = action.id)"
        ).fetchone()[0]
        assert versions == 0
        return len(rows)
    finally:
        conn.close()


def test_changes_reported_as_saved_survive_sigkill_at_random_moments(db_path: Path) -> None:
    ctx = multiprocessing.get_context("forkserver")
    # Import the store once in the fork server; each writer is then a fresh fork of it. (Python 3.11's
    # fork server does not get our sys.path, so preload what it finds without it.)
    ctx.set_forkserver_preload(["store.db", "store.commands"])
    rng = random.Random(20240115)
    reported: dict[int, tuple[str, str]] = {}
    killed_while_writing = 0
    rows = 0
    for round_ in range(KILLS):
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=writer.forked_writer, args=(str(db_path), round_, send), daemon=True)
        child.start()
        send.close()
        messages: list[bytes] = []
        if round_ % 2 and receive.poll(30):  # every other round: once it is writing, however loaded the machine
            messages.append(receive.recv_bytes())
        time.sleep(rng.uniform(0.0, 0.3))  # a random moment: opening, mid-transaction, mid-commit, between
        child.kill()
        child.join(10)
        assert child.exitcode == -signal.SIGKILL, f"the writer ended by itself ({child.exitcode}) before the kill"
        while True:
            try:
                messages.append(receive.recv_bytes())
            except EOFError:
                break
        receive.close()
        for message in messages:
            ref, cid, status = message.decode().split()
            reported[int(cid)] = (ref, status)
        this_round = len(messages)
        killed_while_writing += this_round > 0
        now = check_after_crash(db_path, reported)
        assert now - rows - this_round in (0, 1)  # at most the change being reported when killed
        rows = now
    assert killed_while_writing >= KILLS // 2
    assert len(reported) > 100
    open_database(db_path).dispose()  # and actiontrack itself opens it without complaint
