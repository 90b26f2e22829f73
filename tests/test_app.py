"""Pilot tests: press the keys a Head of PDU presses, then check the database and the screen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from helpers.screen import (
    SIZES,
    TODAY,
    NotifySpy,
    action_id,
    change_elsewhere,
    due_text,
    go_to,
    make_app,
    owner,
    settle,
    sql,
    tree_text,
)
from store.config import Config, config_path, load_config
from store.db import open_database
from tui.app import ActionTrackApp
from tui.nodes import NodeKey
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.note import NoteScreen
from tui.screens.owner_picker import OwnerPicker
from tui.widgets.context_bar import ContextBar
from tui.widgets.detail import DetailPane
from tui.widgets.due_panel import DuePanel
from tui.widgets.plan_tree import PlanTree

SIZE = SIZES["wide"]


@pytest.fixture
async def running(db_path: Path) -> AsyncIterator[tuple[ActionTrackApp, Pilot[None]]]:
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        yield app, pilot


async def test_opens_on_the_owners_own_branches(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, _ = running
    text = tree_text(app)
    assert "Tameside PDU · 2023 plan" in text
    assert "Manchester North PDU" not in text and "North West" not in text
    assert "6/1" in text
    assert "8/3    Sep 2023   due now" in text  # a one-off deadline this month stands out
    assert "R ○ 6/1    Jul 2023 46d late" in text  # red, and how late
    assert "R ○ 9/1    recurring 2 missed" in text  # July and August not ticked off
    assert "Due in September 2023" in due_text(app)
    assert "gm-2023/8/3" in due_text(app)


async def test_complete_key_writes_status_and_history_and_repaints(
    running: tuple[ActionTrackApp, Pilot[None]], db_path: Path
) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/6/1", db_path)
    await pilot.press("c")
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/1'") == [("complete",)]
    history = sql(db_path, "SELECT kind, from_status, to_status, by FROM change "
                           "JOIN action ON action.id = change.action_id WHERE reference='gm-2023/6/1'")
    assert history == [("status", "not_started", "complete", "tester")]
    node = app.screen.query_one(PlanTree).nodes_by_key[NodeKey("action", action_id(db_path, "gm-2023/6/1"))]
    assert str(node.label).startswith("C ● 6/1")
    assert "overdue" not in str(node.label)
    assert "gm-2023/6/1" not in due_text(app)  # it was overdue; complete now
    assert "root: not started → complete" not in app.screen.query_one(DetailPane).text
    assert "tester: not started → complete" in app.screen.query_one(DetailPane).text


async def test_ongoing_and_not_started_keys(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    _, pilot = running
    await go_to(pilot, "gm-2023/6/3", db_path)
    await pilot.press("o")
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("ongoing",)]
    await pilot.press("x")
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("not_started",)]
    kinds = sql(db_path, "SELECT to_status FROM change ORDER BY id")
    assert kinds == [("ongoing",), ("not_started",)]


async def test_tick_off_this_months_occurrence(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    app, pilot = running
    assert "gm-2023/6/2" in due_text(app)
    await go_to(pilot, "gm-2023/6/2", db_path)
    await pilot.press("t")
    await settle(pilot)
    ident = action_id(db_path, "gm-2023/6/2")
    assert sql(db_path, "SELECT period, done FROM occurrence WHERE action_id=?", ident) == [("2023-09", 1)]
    assert sql(db_path, "SELECT status FROM action WHERE id=?", ident) == [("not_started",)]  # the duty goes on
    due_now, missed = due_text(app).split("Overdue ·")
    assert "gm-2023/6/2" not in due_now
    assert "gm-2023/6/2" in missed  # August's occurrence was missed and is still owed
    await pilot.press("right_square_bracket")
    await settle(pilot)
    assert "Due in October 2023" in due_text(app)
    assert "gm-2023/6/2" in due_text(app)  # next month's occurrence is still to do


async def test_tick_on_a_one_off_action_says_why_and_writes_nothing(
    running: tuple[ActionTrackApp, Pilot[None]], db_path: Path
) -> None:
    app, pilot = running
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/3", db_path)
    await pilot.press("t")
    await settle(pilot)
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]
    assert "gm-2023/6/3 is a one-off action" in spy.last and "c marks this one complete" in spy.last


async def test_note_key_saves_a_note(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/6/3", db_path)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(app.screen, NoteScreen)
    await pilot.press(*"Evidence: [b]minutes[/b] 12 Sept")
    await pilot.press("ctrl+s")  # enter starts a new line in the note box
    await settle(pilot)
    assert sql(db_path, "SELECT kind, note FROM change") == [("note", "Evidence: [b]minutes[/b] 12 Sept")]
    assert "Evidence: [b]minutes[/b] 12 Sept" in app.screen.query_one(DetailPane).text


async def test_undo_writes_a_change_back(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/6/3", db_path)
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("u")
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("not_started",)]
    rows = sql(db_path, "SELECT kind, from_status, to_status, undoes_id IS NOT NULL FROM change ORDER BY id")
    assert rows == [("status", "not_started", "complete", 0), ("undo", "complete", "not_started", 1)]
    assert "(undone)" in app.screen.query_one(DetailPane).text


async def test_pick_owner_narrows_and_is_remembered(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, pilot = running
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(app.screen, OwnerPicker)
    await pilot.press(*"Head of Wigan")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)
    text = tree_text(app)
    assert "Wigan PDU · 2023 plan" in text and "Tameside PDU" not in text
    assert load_config(config_path()).owner == "Head of Wigan PDU (Greater Manchester)"


async def test_show_all_then_mine_again(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, pilot = running
    await pilot.press("a")
    await settle(pilot)
    text = tree_text(app)
    assert "North West" in text and "North East" in text and "Greater Manchester" in text
    await pilot.press("a")
    await settle(pilot)
    assert "North West" not in tree_text(app)


async def test_hide_completed(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/6/3", db_path)
    await pilot.press("c")
    await settle(pilot)
    assert "6/3" in tree_text(app)
    await pilot.press("h")
    await settle(pilot)
    assert "6/3" not in tree_text(app) and "6/1" in tree_text(app)
    await pilot.press("h")
    await settle(pilot)
    assert "6/3" in tree_text(app)


async def test_search_filters_the_tree_and_escape_clears(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, pilot = running
    await pilot.press("slash")
    await settle(pilot)
    assert app.screen.query_one("#search", Input).has_focus
    await pilot.press(*"Equality")
    await pilot.press("enter")
    await settle(pilot)
    text = tree_text(app)
    assert "10/1" in text and "6/1" not in text
    await pilot.press("escape")
    await settle(pilot)
    assert "6/1" in tree_text(app)


async def test_month_keys_move_the_due_panel(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, pilot = running
    await pilot.press("left_square_bracket")
    await settle(pilot)
    assert "Due in August 2023" in due_text(app)
    await pilot.press("right_square_bracket", "right_square_bracket")
    await settle(pilot)
    assert "Due in October 2023" in due_text(app)


async def test_choosing_a_due_item_selects_it_in_the_tree(
    running: tuple[ActionTrackApp, Pilot[None]], db_path: Path
) -> None:
    app, pilot = running
    panel = app.screen.query_one(DuePanel)
    panel.focus()
    await settle(pilot)
    target = next(i for i in range(panel.option_count) if panel.get_option_at_index(i).id == "due-"
                  + str(action_id(db_path, "gm-2023/9/2")))
    panel.highlighted = target
    await pilot.press("enter")
    await settle(pilot)
    tree = app.screen.query_one(PlanTree)
    assert tree.has_focus
    assert tree.cursor_key == NodeKey("action", action_id(db_path, "gm-2023/9/2"))


async def test_theme_key_cycles_and_is_saved(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, pilot = running
    before = app.theme
    await pilot.press("T")
    await settle(pilot)
    assert app.theme != before and app.theme.startswith("actiontrack-")
    assert load_config(config_path()).theme == app.theme


async def test_help_lists_every_key(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, pilot = running
    await pilot.press("question_mark")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    keys = dict(app.screen.keys)
    expected = {"c": "complete", "o": "ongoing", "x": "not started", "t": "tick off", "n": "note", "u": "undo",
                "p": "whose actions", "a": "everyone", "h": "completed", "/": "search", "[": "previous month",
                "]": "next month", "T": "theme", "q": "quit"}
    for key, word in expected.items():
        assert word in keys[key].lower(), (key, keys[key])
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)


async def test_command_palette_offers_the_keys(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    _, pilot = running
    await go_to(pilot, "gm-2023/6/3", db_path)
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"Complete")
    await pilot.pause(0.5)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("complete",)]


async def test_quit_key(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


async def test_first_run_asks_who_you_are(db_path: Path) -> None:
    app = make_app(db_path, who=None, ask_owner=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OwnerPicker)
        await pilot.press(*"Tameside")
        await pilot.press("enter")
        await settle(pilot)
        assert "Tameside PDU · 2023 plan" in tree_text(app)
    assert load_config(config_path()).owner == "Head of Tameside PDU (Greater Manchester)"


async def test_change_survives_quit_and_reopen(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/7/1", db_path)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("q")
    again = make_app(db_path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/7/1", db_path)
        assert "● 7/1" in tree_text(again)
        assert "tester: not started → complete" in again.screen.query_one(DetailPane).text


async def test_read_only_database_explains_and_writes_nothing(db_path: Path) -> None:
    db = open_database(db_path, read_only=True)
    chosen = owner(db, "Head of Tameside PDU")
    app = ActionTrackApp(db, today=TODAY, config=Config(user="tester"), owner=chosen)
    before = db_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        spy = NotifySpy(app)
        await settle(pilot)
        assert "READ-ONLY" in app.screen.query_one(ContextBar).text
        await go_to(pilot, "gm-2023/6/1", db_path)
        await pilot.press("c")
        await settle(pilot)
        assert spy.said("read-only")
    assert db_path.read_bytes() == before


async def test_another_process_change_is_picked_up(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/6/3", db_path)
    change_elsewhere(db_path, "gm-2023/6/3")
    screen = app.screen
    assert isinstance(screen, MainScreen)
    screen._poll()
    await settle(pilot)
    assert "◐ 6/3" in tree_text(app)
    # the refreshed view holds the new version, so the next key is written
    await pilot.press("c")
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("complete",)]


async def test_stale_view_never_overwrites(running: tuple[ActionTrackApp, Pilot[None]], db_path: Path) -> None:
    app, pilot = running
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/3", db_path)
    change_elsewhere(db_path, "gm-2023/6/3")
    await pilot.press("c")  # the screen still shows version 0
    await settle(pilot)
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("ongoing",)]
    assert sql(db_path, "SELECT count(*) FROM change") == [(1,)]
    assert spy.said("changed elsewhere")


async def test_picker_lists_everyone_first(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    app, pilot = running
    await pilot.press("p")
    await settle(pilot)
    options = app.screen.query_one("#picker-list", OptionList)
    assert str(options.get_option_at_index(0).prompt).startswith("Everyone")
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)


async def test_keys_act_on_the_action_under_the_cursor_at_once(
    running: tuple[ActionTrackApp, Pilot[None]], db_path: Path
) -> None:
    """A fast typist moves and presses c before any message settles: c still hits the new row."""
    _, pilot = running
    await go_to(pilot, "gm-2023/6/1", db_path)
    await pilot.press("down", "c")
    await settle(pilot)
    done = "SELECT reference, status FROM action WHERE status = 'complete' AND reference LIKE 'gm-2023/6/%'"
    assert sql(db_path, done) == [("gm-2023/6/2", "complete")]


async def test_due_panel_shows_the_new_status_of_a_listed_action(
    running: tuple[ActionTrackApp, Pilot[None]], db_path: Path
) -> None:
    app, pilot = running
    assert "○ gm-2023/8/3" in due_text(app)
    await go_to(pilot, "gm-2023/8/3", db_path)
    await pilot.press("o")
    await settle(pilot)
    assert "◐ gm-2023/8/3" in due_text(app) and "○ gm-2023/8/3" not in due_text(app)
    await pilot.press("c")
    await settle(pilot)
    assert "gm-2023/8/3" not in due_text(app)


async def test_a_damaged_database_is_reported_and_never_written(db_path: Path) -> None:
    """The screen checks the file after first paint: a damaged one says so, and the keys write nothing."""
    size = db_path.stat().st_size  # a WAL database closed cleanly: everything is in the main file
    with db_path.open("r+b") as fh:
        fh.seek(size // 2 - (size // 2) % 4096)
        fh.write(b"\xa5" * 4096 * 10)
    before = db_path.read_bytes()
    app = make_app(db_path, who=None, check=False)  # as run_app opens it: the check comes after first paint
    async with app.run_test(size=SIZE) as pilot:
        spy = NotifySpy(app)
        await settle(pilot)
        assert spy.said("damaged")
        assert "DAMAGED" in app.screen.query_one(ContextBar).text
        await pilot.press("down", "down", "down", "c")
        await settle(pilot)
        assert app.is_running
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(("column", "value", "cause"), [("status", "bogus", "'bogus' is not a Status"),
                                                     ("deadline", "soon", "'soon' is not a date")])
async def test_a_value_this_version_does_not_know_is_named_in_one_sentence_and_the_screen_runs_on(
        db_path: Path, column: str, value: str, cause: str) -> None:
    """A value no version writes (a hand-edited file), met by the screen's reads once the file is open: the message
    names the file and the cause, as the command line's does."""
    sql(db_path, f"UPDATE action SET {column} = ? WHERE reference = 'gm-2023/8/3'", value)
    app = make_app(db_path, check=False)
    async with app.run_test(size=SIZE) as pilot:
        spy = NotifySpy(app)
        await settle(pilot)
        assert spy.said(f"{db_path} holds a value this version of actiontrack does not know ({cause})")
        assert app.is_running


async def test_theme_key_keeps_the_owner_just_chosen(running: tuple[ActionTrackApp, Pilot[None]]) -> None:
    """One config for the app: choosing an owner then a theme saves both."""
    app, pilot = running
    await pilot.press("p")
    await settle(pilot)
    await pilot.press(*"Head of Wigan")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("T")
    await settle(pilot)
    saved = load_config(config_path())
    assert saved.owner == "Head of Wigan PDU (Greater Manchester)" and saved.theme == app.theme
