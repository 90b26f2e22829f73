"""The due panel on lists longer than it shows (everyone's, nationally): the first actions listed, every count
given whole, a month key that keeps the overdue list only while it is the one stored, and everyone's months either
side of the one shown read ahead."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from helpers.counting import Counting
from helpers.screen import TODAY, action_id, due_text, go_to, main_screen, make_app, owner, press, screen_lines, settle
from store import commands, fastread, lists
from store.db import Database, open_database
from store.queries import runner
from store.rows import View
from store.targets import Status
from tui import loading
from tui.kept_regions import KeptRegions
from tui.loading import load_due, read_due_ahead
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


def complete_elsewhere(db_path: Path, reference: str) -> None:
    """Another program (its own connection) completes the action."""
    other = open_database(db_path)
    try:
        with other.write() as session:
            commands.set_status(session, action_id(db_path, reference), Status.COMPLETE, by="someone else")
    finally:
        other.dispose()


def listed_refs(text: str, heading: str) -> list[str]:
    """The references listed under one heading of the panel's text."""
    part = text.split(heading, 1)[1].split("Overdue ·", 1)[0] if heading.startswith("Due") else \
        text.split(heading, 1)[1]
    return re.findall(r"\b([a-z]+-\d{4}/\S+?)(?:✎|\s)", part)


def months_read(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The months whose due list the screen reads from now on (year, month), in order."""
    read: list[tuple[int, int]] = []
    due_listed = lists.due_listed

    def spy(run: Any, year: int, month: int, *args: Any, **kwargs: Any) -> lists.Listed:
        read.append((year, month))
        return due_listed(run, year, month, *args, **kwargs)

    monkeypatch.setattr(loading.lists, "due_listed", spy)
    return read


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
        complete_elsewhere(db_path, first)
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


def never() -> bool:
    return False


@pytest.mark.parametrize("whose", ["everyone", "Head of Tameside PDU", "Head of Performance and Quality (North West)"])
def test_the_months_either_side_read_ahead_are_the_stores_lists(db: Database, whose: str) -> None:
    view = View() if whose == "everyone" else View(owner_id=owner(db, whose).id)
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        for month in (date(2023, 8, 1), date(2023, 9, 1), date(2023, 12, 1), date(2024, 1, 1)):
            shown = load_due(run, view, TODAY, month, kept=kept)
            read_due_ahead(run, view, TODAY, month, kept, never)
            for other in (month - relativedelta(months=1), month + relativedelta(months=1)):
                counting = Counting(run)
                found = load_due(counting, view, TODAY, other, shown=shown, kept=kept)
                assert counting.names == [], (whose, month, other)  # the month key reads nothing
                whole = lists.due_in_month(run, other.year, other.month, TODAY, view.owner_id)
                assert found.due == whole[:SHOWN], (whose, other)
                assert found.due_total == len(whole)
                assert found.overdue == shown.overdue and found.month == other


def test_a_commit_elsewhere_makes_the_months_read_ahead_read_again(db: Database, db_path: Path) -> None:
    kept = KeptRegions(db.data_version)
    october = date(2023, 10, 1)
    with fastread.reading(db_path) as run:
        read_due_ahead(run, View(), TODAY, date(2023, 9, 1), kept, never)
        before = load_due(run, View(), TODAY, october, kept=kept)
    first = before.due[0].reference
    complete_elsewhere(db_path, first)
    with fastread.reading(db_path) as run:
        counting = Counting(run)
        after = load_due(counting, View(), TODAY, october, kept=kept)
        assert counting.names  # read again
        whole = lists.due_in_month(run, 2023, 10, TODAY)
    assert first not in [row.reference for row in after.due]
    assert after.due == whole[:SHOWN] and after.due_total == len(whole) == before.due_total - 1


def test_a_read_ahead_of_months_stopped_by_a_key_reads_nothing(db: Database) -> None:
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        counting = Counting(run)
        read_due_ahead(counting, View(), TODAY, date(2023, 9, 1), kept, lambda: True)
        assert counting.names == []


async def test_everyones_month_keys_find_their_lists_read_and_show_the_stores(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press(pilot, "a")  # everyone: the months either side are read ahead once the panel shows
        read = months_read(monkeypatch)
        for key, (year, month), ahead in (("right_square_bracket", (2023, 10), (2023, 11)),
                                          ("right_square_bracket", (2023, 11), (2023, 12)),
                                          ("left_square_bracket", (2023, 10), None),
                                          ("left_square_bracket", (2023, 9), None),
                                          ("left_square_bracket", (2023, 8), (2023, 7))):
            read.clear()
            await press(pilot, key)
            assert (year, month) not in read  # shown from what was read ahead
            assert read == ([ahead] if ahead else [])  # the next month out, read ahead after the key
            due, late = stored_lists(db_path, year, month)
            text = due_text(app)
            assert f"Due in {date(year, month, 1):%B %Y} · {len(due)}" in text and f"Overdue · {len(late)}" in text
            assert listed_refs(text, "Due in") == [row.reference for row in due[:SHOWN]]
        assert main_screen(app).state.view == View()
        await go_to(pilot, "gm-2023/6/2", db_path)
        await press(pilot, "o")  # the screen's own change: what was read ahead is read again when asked
        read.clear()
        await press(pilot, "left_square_bracket")
        assert read == [(2023, 7), (2023, 8), (2023, 6)]  # July at the key, then the months either side
        read.clear()
        await press(pilot, "right_square_bracket")
        assert read == [(2023, 9)]
        due, _late = stored_lists(db_path, 2023, 8)
        assert listed_refs(due_text(app), "Due in") == [row.reference for row in due[:SHOWN]]



async def test_a_switch_to_everyone_finds_its_due_panel_read_ahead_from_the_owners_screen(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(db_path)  # the owner's
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)  # once shown, everyone's views and due panel are read ahead
        months = months_read(monkeypatch)
        overdue_read: list[int | None] = []
        overdue_listed = lists.overdue_listed

        def spy(run: Any, today: date, owner_id: int | None, *args: Any, **kwargs: Any) -> lists.Listed:
            overdue_read.append(owner_id)
            return overdue_listed(run, today, owner_id, *args, **kwargs)

        monkeypatch.setattr(loading.lists, "overdue_listed", spy)
        await press(pilot, "a")  # everyone's
        assert main_screen(app).state.view == View()
        assert months == [] and overdue_read == []  # the switch and the months either side: nothing read
        due, late = stored_lists(db_path, 2023, 9)
        text = due_text(app)
        assert f"Due in September 2023 · {len(due)}" in text and f"Overdue · {len(late)}" in text
        assert listed_refs(text, "Due in") == [row.reference for row in due[:SHOWN]]
        assert listed_refs(text, "Overdue ·") == [row.reference for row in late[:SHOWN]]
        await press(pilot, "right_square_bracket")
        assert months == [(2023, 11)]  # October was read ahead; the next month out is read after the key
        due, _late = stored_lists(db_path, 2023, 10)
        assert listed_refs(due_text(app), "Due in") == [row.reference for row in due[:SHOWN]]
        # what was held is read again after another program's commit
        first_late = late[0].reference
        complete_elsewhere(db_path, first_late)
        main_screen(app)._poll()
        await settle(pilot)
        assert overdue_read == [None]
        _due, late = stored_lists(db_path, 2023, 10)
        assert first_late not in listed_refs(due_text(app), "Overdue ·")
        assert listed_refs(due_text(app), "Overdue ·") == [row.reference for row in late[:SHOWN]]


async def test_the_months_either_side_are_read_after_everyones_counts_not_beside_them(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # one background read at a time, and a key's own read first: a key pressed meanwhile meets one read at most
    from tui.screens import main as screen_module

    happened: list[str] = []

    def logged(name: str, read: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            happened.append(f"{name} starts")
            try:
                return read(*args, **kwargs)
            finally:
                happened.append(f"{name} ends")
        return run

    monkeypatch.setattr(screen_module, "read_ahead", logged("counts", screen_module.read_ahead))
    monkeypatch.setattr(screen_module, "read_due_ahead", logged("months", screen_module.read_due_ahead))
    app = make_app(db_path, None)  # everyone's
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        happened.clear()
        complete_elsewhere(db_path, "gm-2023/6/2")  # everything is read again, ahead too
        screen._poll()
        await settle(pilot)
        assert happened == ["counts starts", "counts ends", "months starts", "months ends"]
        happened.clear()
        complete_elsewhere(db_path, "gm-2023/6/1")
        screen._poll()
        for _ in range(500):  # a key comes while what the change makes read ahead is under way
            await pilot.pause()
            if happened:
                break
        await press(pilot, "d")
        assert not screen._group_busy("due-ahead") and not screen.due_ahead_waiting
        read = months_read(monkeypatch)
        await press(pilot, "right_square_bracket")
        assert (2023, 10) not in read  # the months were read ahead all the same
