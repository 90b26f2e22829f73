"""A write that takes the lock at once or not at all, and the screen's writes run in place when the lock is free:
nothing waits, nothing is lost, the busy timeout stays what it was for every later write."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from helpers.screen import NotifySpy, Running, go_to, settle, sql, tree_text
from sqlalchemy import create_engine

from store import commands
from store.db import Database, open_database
from store.errors import BusyError, LockHeld
from store.server import ServerDatabase
from store.targets import Status
from tui.loading import DeferredDatabase
from tui.writes import written_here


def action_of(db_path: Path, reference: str) -> int:
    (found,) = sql(db_path, "SELECT id FROM action WHERE reference = ?", reference)[0]
    assert isinstance(found, int)
    return found


def test_a_write_that_will_not_wait_is_refused_at_once_while_another_holds_the_lock(
        db: Database, db_path: Path) -> None:
    action = action_of(db_path, "gm-2023/6/3")
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        start = time.monotonic()
        with pytest.raises(LockHeld, match="is being written by another connection"):
            with db.write(wait=False) as session:
                commands.set_status(session, action, Status.ONGOING, by="tester")
        assert time.monotonic() - start < 1.0  # not the busy timeout's 5 s
        assert issubclass(LockHeld, BusyError)  # a caller that knows only BusyError still catches it
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert sql(db_path, "SELECT status FROM action WHERE id = ?", action) == [("not_started",)]
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]


def test_after_a_write_that_would_not_wait_the_connection_waits_as_before(db: Database, db_path: Path) -> None:
    action = action_of(db_path, "gm-2023/6/3")
    with db.write(wait=False) as session:  # the lock free: written as any write
        commands.set_status(session, action, Status.ONGOING, by="tester")
    with db.write() as session:
        timeout = session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar_one()
        commands.set_status(session, action, Status.COMPLETE, by="tester")
    assert timeout == 5000  # the connection's own busy timeout, given back after the BEGIN that would not wait
    assert sql(db_path, "SELECT from_status, to_status FROM change ORDER BY id") == [
        ("not_started", "ongoing"), ("ongoing", "complete")]


def test_only_an_open_file_is_written_on_the_screens_thread(db_path: Path) -> None:
    deferred = DeferredDatabase(db_path)
    try:
        assert written_here(deferred) is None  # sqlmodel not loaded yet: the screen never waits for it
        deferred.open()
        assert written_here(deferred) is deferred.full()
    finally:
        deferred.dispose()
    db = open_database(db_path)
    try:
        assert written_here(db) is db
    finally:
        db.dispose()
    server = ServerDatabase(path=Path("server"), engine=create_engine("postgresql+psycopg://someone@nowhere/db"))
    assert written_here(server) is None  # every statement a round trip: a worker's


async def test_a_status_key_is_saved_and_shown_while_the_key_is_handled(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/3", db_path)
    started: list[str] = []
    run_worker = app.screen.run_worker

    def spied(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        started.append(str(kwargs.get("group")))
        return run_worker(*args, **kwargs)  # type: ignore[arg-type]

    app.screen.run_worker = spied  # type: ignore[method-assign]
    await pilot.press("o")  # handled; no wait for workers
    assert sql(db_path, "SELECT status FROM action WHERE reference = 'gm-2023/6/3'") == [("ongoing",)]
    assert "◐ 6/3" in tree_text(app)
    assert "write" not in started  # no worker carried it
    await settle(pilot)
    assert sql(db_path, "SELECT from_status, to_status, by FROM change") == [("not_started", "ongoing", "tester")]
    assert not spy.messages


async def test_a_key_whose_write_is_refused_in_place_says_so_and_the_next_key_still_writes(
        wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/3", db_path)
    other = open_database(db_path)
    try:
        with other.write() as session:  # another program, between the screen's read and the key
            commands.set_status(session, action_of(db_path, "gm-2023/6/3"), Status.COMPLETE, by="someone else")
    finally:
        other.dispose()
    await pilot.press("o")
    await settle(pilot)
    assert spy.said("changed elsewhere")
    assert "● 6/3" in tree_text(app)  # the screen read again: complete, as the other program left it
    await pilot.press("o")  # the queue was not left busy by the refusal
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference = 'gm-2023/6/3'") == [("ongoing",)]
