"""Keys pressed faster than the screen reads: what it shows at the end is what the last key asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot

from helpers.screen import SIZES, TODAY, Running, due_text, go_to, make_app, settle
from store.db import open_database
from store.queries import due_in_month, find_owner, overdue
from tui.app import ActionTrackApp
from tui.screens.owner_picker import OwnerPicker
from tui.widgets.context_bar import ContextBar
from tui.widgets.lazy_options import LazyOptionList




def listed(db_path: Path, owner: str, month: date) -> tuple[set[str], set[str]]:
    """The references the store lists as due in `month` and overdue, for `owner`."""
    db = open_database(db_path)
    try:
        with db.read() as session:
            who = find_owner(session, owner)
            return ({row.reference for row in due_in_month(session, month.year, month.month, TODAY, who.id)},
                    {row.reference for row in overdue(session, TODAY, who.id)})
    finally:
        db.dispose()


def references(text: str) -> set[str]:
    return {word for word in text.split() if word.count("/") == 2}


async def test_a_month_key_straight_after_an_owner_is_chosen_shows_that_owner_next_month(
    wide: Running, db_path: Path
) -> None:
    app, pilot = wide
    await pilot.press("p")
    await settle(pilot)
    await pilot.press(*"Head of Wigan", "enter", "right_square_bracket")  # no pause between them
    await settle(pilot)
    due, late = listed(db_path, "Head of Wigan PDU", date(2023, 10, 1))
    shown = due_text(app)
    assert shown.startswith("Due in October 2023")
    assert references(shown) == due | late
    context = app.screen.query_one(ContextBar).text
    assert "Head of Wigan PDU" in context and f"{len(due)} due in Oct 2023" in context


async def test_the_picker_shows_counts_a_key_just_moved(wide: Running, db_path: Path) -> None:
    app, pilot = wide

    async def tameside_line() -> str:
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, OwnerPicker)
        options = app.screen.query_one("#picker-list", LazyOptionList)
        line = next(str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
                    if str(options.get_option_at_index(i).prompt).startswith("Head of Tameside PDU"))
        await pilot.press("escape")
        await settle(pilot)
        return line

    before = await tameside_line()
    await go_to(pilot, "gm-2023/6/1", db_path)
    await pilot.press("c")
    await settle(pilot)
    after = await tameside_line()
    open_before = int(before.split("  ")[1].split()[0])
    assert after.split("  ")[1].startswith(f"{open_before - 1} open of")
