"""The owner picker is built once and opened again: each time it asks afresh, as a new one would, and it
covers the screen (nothing of the screen under it is drawn again while it is open)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label, OptionList

from helpers.screen import SIZES, make_app, press, settle
from tui.app import ActionTrackApp
from tui.screens.main import MainScreen
from tui.screens.owner_picker import OwnerPicker


def prompts(app: ActionTrackApp) -> list[str]:
    options = app.screen.query_one("#picker-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_picker_opened_again_asks_afresh(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        first = app.screen
        assert isinstance(first, OwnerPicker)
        everyone = prompts(app)
        await press(pilot, *"wigan")
        assert not prompts(app)[0].startswith("Everyone") and all("Wigan" in p for p in prompts(app))
        await pilot.press("down", "down", "escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

        await press(pilot, "p")
        assert app.screen is first  # the same picker, not built again
        assert app.screen.query_one("#picker-filter", Input).value == ""
        assert app.screen.query_one("#picker-filter", Input).has_focus
        assert prompts(app) == everyone
        assert app.screen.query_one("#picker-list", OptionList).highlighted == 0
        await pilot.press(*"tameside", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "Tameside" in str(app.screen.state.owner.label if app.screen.state.owner else "")


async def test_the_picker_covers_the_screen_so_it_is_not_drawn_under_it(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["laptop"]) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, OwnerPicker)
        assert app.screen.styles.background.a == 1
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert any("Whose actions?" in line for line in lines)
        assert not any("Tameside PDU" in line and "plan" in line for line in lines)  # the tree is not shown through


async def test_the_first_run_question_then_the_usual_one(db_path: Path) -> None:
    app = make_app(db_path, who=None, ask_owner=True)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, OwnerPicker)
        assert "Who are you?" in str(app.screen.query_one("#picker-question", Label).render())
        await pilot.press(*"Tameside", "enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, OwnerPicker)
        assert "Whose actions?" in str(app.screen.query_one("#picker-question", Label).render())


async def test_the_kept_picker_takes_a_theme_chosen_while_it_was_away(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        before = app.screen.styles.background
        await press(pilot, "escape")
        await press(pilot, "T")
        await press(pilot, "p")
        assert isinstance(app.screen, OwnerPicker)
        assert app.screen.styles.background != before
        assert app.screen.styles.background == app.current_theme.to_color_system().background
