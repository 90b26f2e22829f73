"""The due panel on lists longer than it shows (everyone's, nationally): the first actions listed, every count
given whole, and a month key that keeps the overdue list only while it is the one stored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.screen import TODAY, action_id, due_text, make_app, press, screen_lines, settle

from store import commands, lists
from store.db import open_database
from store.queries import runner
from store.targets import Status
from tui.screens.main import MainScreen

SHOWN = 3  # the panel's length here, so that the sample plans' lists are long


@pytest.fixture(autouse=True)
def short_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.loading.MAX_LISTED", SHOWN)
    monkeypatch.setattr("tui.widgets.due_panel.MAX_LISTED", SHOWN)


def stored_lists(db_path: Path, year: int, month: int) -> tuple[list[lists.ActionRow], list[lists.ActionRow]]:
    """Everyone's due and overdue lists as the CLI reads them."""
    db = open_database(db_path)
    try:
        with db.read() as session:
            run = runner(session)
            return lists.due_in_month(run, year, month, TODAY), lists.overdue(run, TODAY)
    finally:
        db.dispose()


def listed_refs(text: str, heading: str) -> list[str]:
    """The references listed under one heading of the panel's text."""
    part = text.split(heading, 1)[1].split("Overdue ·", 1)[0] if heading.startswith("Due") else \
        text.split(heading, 1)[1]
    return re.findall(r"\b([a-z]+-\d{4}/\S+?)(?:✎|\s)", part)


async def test_everyones_panel_lists_the_first_actions_and_counts_them_all(db_path: Path) -> None:
    due, late = stored_lists(db_path, 2023, 9)
    assert len(due) > SHOWN and len(late) > SHOWN
    app = make_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press(pilot, "a")  # everyone
        text = due_text(app)
        assert f"Due in September 2023 · {len(due)}" in text
        assert f"Overdue · {len(late)}" in text
        assert listed_refs(text, "Due in") == [row.reference for row in due[:SHOWN]]
        assert listed_refs(text, "Overdue ·") == [row.reference for row in late[:SHOWN]]
        assert f"… and {len(due) - SHOWN:,} more" in text and f"… and {len(late) - SHOWN:,} more" in text
        header = screen_lines(app)[0]
        assert f"{len(due)} due" in header and f"{len(late)} overdue" in header


async def test_a_month_key_shows_the_new_month_and_the_overdue_list_as_stored(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await press(pilot, "right_square_bracket")
        due, late = stored_lists(db_path, 2023, 10)
        text = due_text(app)
        assert f"Due in October 2023 · {len(due)}" in text and f"Overdue · {len(late)}" in text
        assert listed_refs(text, "Overdue ·") == [row.reference for row in late[:SHOWN]]
        # another program completes the first overdue action; the screen reads again, and a month key pressed
        # before that read is back must not bring the old overdue list back with it
        first = late[0].reference
        other = open_database(db_path)
        try:
            with other.write() as session:
                commands.set_status(session, action_id(db_path, first), Status.COMPLETE, by="someone else")
        finally:
            other.dispose()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.refresh_all()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        due, late = stored_lists(db_path, 2023, 9)
        text = due_text(app)
        assert f"Due in September 2023 · {len(due)}" in text and f"Overdue · {len(late)}" in text
        assert first not in listed_refs(text, "Overdue ·")
        assert listed_refs(text, "Overdue ·") == [row.reference for row in late[:SHOWN]]
