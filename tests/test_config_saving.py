"""The screen saves the config (owner, theme) without holding up its keys: the newest choice is what the file
holds, and a config that cannot be written is said in one line."""

from __future__ import annotations

from pathlib import Path

from helpers.screen import SIZES, NotifySpy, make_app, settle
from store.config import config_path, load_config
from store.queries import OwnerCount
from tui.screens.main import MainScreen


async def test_quick_choices_leave_the_newest_in_the_file(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.state.owner is not None
        tameside: OwnerCount = screen.state.owner
        screen.choose_owner(None)  # everyone, then Tameside again, then a theme: three saves at once
        screen.choose_owner(tameside)
        app.action_next_theme()
        await settle(pilot)
        saved = load_config(config_path())
        assert saved.owner == tameside.label and saved.theme == app.theme


async def test_a_config_that_cannot_be_written_is_said_in_one_line(db_path: Path) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().mkdir()  # a folder where the file should be: it cannot be written
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        spy = NotifySpy(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.choose_owner(None)
        await settle(pilot)
        assert len(spy.messages) == 1 and spy.said(f"cannot write {config_path()}"), spy.messages
        assert "Everyone" in screen.state.who  # the choice holds for this run all the same
