"""Keys pressed just before quitting: every change they asked for is saved, in order, before the app exits."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from helpers.screen import SIZES, action_id, go_to, make_app, settle, sql
from store.commands import set_status
from store.config import BUSY_TIMEOUT_ENV
from store.targets import Status
from tui.loading import DeferredDatabase
from tui.screens.main import MainScreen
from tui.widgets.plan_tree import PlanTree

REFS = ("gm-2023/6/1", "gm-2023/6/2", "gm-2023/6/3")  # one under the other in the tree


async def test_changes_keyed_just_before_quitting_are_all_saved(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await go_to(pilot, REFS[0], db_path)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tree = screen.query_one(PlanTree)
        for _ in REFS:  # as keys typed faster than a write commits: each queued behind the one before
            screen.action_complete()
            tree.action_cursor_down()
        await app.action_quit()
    statuses = dict(sql(db_path, "SELECT reference, status FROM action WHERE reference IN (?, ?, ?)", *REFS))
    assert statuses == {ref: "complete" for ref in REFS}
    history = sql(db_path, "SELECT a.reference FROM change c JOIN action a ON a.id = c.action_id "
                           "WHERE c.by = 'tester' AND c.to_status = 'complete' ORDER BY c.id")
    assert [ref for (ref,) in history] == list(REFS)


async def test_quitting_at_once_after_start_exits_cleanly(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await pilot.press("q")  # before the start's own callbacks (the theme's subscription) have run
    assert app.return_code in (0, None)  # and no error raised out of the app


def test_a_write_asked_for_before_the_full_database_opened_opens_it(db_path: Path) -> None:
    """A key pressed before the first view showed (when the screen opens the full database) is written, not
    left waiting for an open that never comes (the app quitting first)."""
    db = DeferredDatabase(db_path)
    done: list[str] = []

    def write() -> None:
        with db.write() as session:
            done.append(set_status(session, action_id(db_path, REFS[0]), Status.COMPLETE, by="tester").to_status)

    try:
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(timeout=60)
        assert done == [Status.COMPLETE]
    finally:
        db.dispose()
    assert sql(db_path, "SELECT status FROM action WHERE reference = ?", REFS[0]) == [("complete",)]


async def test_a_change_that_cannot_be_written_as_the_app_quits_is_said_after_it(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "200")
    app = make_app(db_path)
    other = sqlite3.connect(db_path)
    try:
        async with app.run_test(size=SIZES["wide"]) as pilot:
            await settle(pilot)
            await go_to(pilot, REFS[0], db_path)
            other.execute("BEGIN IMMEDIATE")  # another program holds the write lock past the wait
            screen = app.screen
            assert isinstance(screen, MainScreen)
            screen.action_complete()
            await app.action_quit()
    finally:
        other.rollback()
        other.close()
    assert len(app.unsaved) == 1 and "nothing was saved" in app.unsaved[0], app.unsaved
    assert sql(db_path, "SELECT status FROM action WHERE reference = ?", REFS[0]) == [("not_started",)]
