"""Helpers for Pilot tests of the screen: wait for it to settle, read what it shows, spy on its messages."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Tree
from textual.worker import WorkerCancelled, WorkerFailed

from store import fastread
from store.commands import set_status
from store.config import Config
from store.db import Database, open_database
from store.queries import OwnerCount, find_owner
from store.targets import Status
from tui.app import ActionTrackApp
from tui.loading import load_tree
from tui.nodes import Item, NodeKey
from tui.screens.main import MainScreen
from tui.widgets.due_panel import DuePanel
from tui.widgets.plan_tree import PlanTree

SIZES = {"laptop": (80, 24), "medium": (100, 30), "wide": (160, 48)}
TODAY = date(2023, 9, 15)
Running = tuple[ActionTrackApp, Pilot[None]]


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker has reported back and the screen has repainted."""
    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the screen reports a failed worker itself (on_worker_state_changed); tests check that
        except WorkerCancelled:
            pass  # a load superseded by a newer one of its kind (a refresh while another ran): expected
        for screen in pilot.app.screen_stack:
            if isinstance(screen, MainScreen):
                await screen.writes.wait()  # the screen's writes run on a thread of their own
        await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys as a user does, then wait for the screen to settle."""
    await pilot.press(*keys)
    await settle(pilot)


def screen_lines(app: App[Any]) -> list[str]:
    """The text of every line the terminal shows now, as a user reads it (the same render as a screenshot)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


class NotifySpy:
    """Records every message the app shows (`app.notify`), passing each on as before."""

    def __init__(self, app: App[Any]) -> None:
        self.messages: list[str] = []
        self._notify: Callable[..., None] = app.notify

        def notify(message: str, *args: Any, **kwargs: Any) -> None:
            self.messages.append(message)
            self._notify(message, *args, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    def said(self, words: str) -> bool:
        """Whether a message containing `words` was shown."""
        return any(words in message for message in self.messages)

    @property
    def last(self) -> str:
        """The latest message, or '' if none."""
        return self.messages[-1] if self.messages else ""


def owner(db: Database, name: str) -> OwnerCount:
    with db.read() as session:
        return find_owner(session, name)


def make_app(db_path: Path, who: str | None = "Head of Tameside PDU", *, check: bool = True,
             **kwargs: object) -> ActionTrackApp:
    db = open_database(db_path, check=check)
    chosen = owner(db, who) if who else None
    return ActionTrackApp(db, today=TODAY, config=Config(user="tester"), owner=chosen, **kwargs)  # type: ignore[arg-type]


def sql(db_path: Path, query: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(query, args).fetchall()


def action_id(db_path: Path, reference: str) -> int:
    (found,) = sql(db_path, "SELECT id FROM action WHERE reference = ?", reference)[0]
    assert isinstance(found, int)
    return found


def tree_text(app: ActionTrackApp) -> str:
    tree = app.screen.query_one(PlanTree)
    lines = []

    def walk(node, depth: int) -> None:  # type: ignore[no-untyped-def]
        for child in node.children:
            lines.append("  " * depth + child.label.plain)
            walk(child, depth + 1)

    walk(tree.root, 0)
    return "\n".join(lines)


def due_text(app: ActionTrackApp) -> str:
    panel = app.screen.query_one(DuePanel)
    return "\n".join(str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count))


async def go_to(pilot: Pilot[None], reference: str, db_path: Path) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.select_action(action_id(db_path, reference))
    await settle(pilot)
    assert screen.current is not None and screen.current.reference == reference


def change_elsewhere(db_path: Path, reference: str) -> None:
    """Another process (its own connection) marks the action ongoing."""
    other = open_database(db_path)
    try:
        with other.write() as session:
            set_status(session, action_id(db_path, reference), Status.ONGOING, by="someone else")
    finally:
        other.dispose()


async def open_at(db_path: Path, size: tuple[int, int]) -> AsyncIterator[Running]:
    """The app on `db_path` at `size`, settled, as (app, pilot) until the test ends."""
    app = make_app(db_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot


def main_screen(app: ActionTrackApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def as_stored(app: ActionTrackApp, db_path: Path) -> dict[NodeKey, list[Item]]:
    """The tree the store gives for the screen's view now, read afresh, every loaded branch as the tree has it."""
    screen = main_screen(app)
    with fastread.reading(db_path) as run:
        children, _ = load_tree(run, screen.state.view, TODAY, None)
    tree = screen.query_one(PlanTree)
    return {key: items for key, items in children.items() if key in tree.loaded}


def built_lines(tree: Tree[Any]) -> list[int]:
    """Spy on the tree: the lines it paints from now on."""
    painted: list[int] = []
    paint = tree._render_line

    def spy(y: int, *args: Any) -> Strip:
        painted.append(y)
        return paint(y, *args)

    tree._render_line = spy  # type: ignore[method-assign,assignment]
    return painted
