"""The actiontrack app: loads settings, registers themes, and hands over to the main screen."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from store.config import Config, save_config
from store.db import Database
from store.errors import StoreError
from store.queries import OwnerCount
from themes import ORDER, title
from tui.commands import ActionCommands
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, bundled_themes


class ActionTrackApp(App[None]):
    """Inspection actions for one owner: tree, detail, due panel."""

    CSS_PATH = "app.tcss"
    TITLE = "actiontrack"
    COMMANDS = App.COMMANDS | {ActionCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", show=False),
        Binding("question_mark,f1", "help", "Help", id="help", key_display="?"),
        Binding("T", "next_theme", "Theme", id="next-theme", show=False),
    ]

    def __init__(self, db: Database, *, today: date, config: Config, owner: OwnerCount | None,
                 ask_owner: bool = False, theme: str | None = None) -> None:
        super().__init__()
        self.db = db
        self.today = today
        self.config = config
        self.start_owner = owner
        self.ask_owner = ask_owner
        for bundled in bundled_themes():
            self.register_theme(bundled)
        wanted = theme or config.theme
        self.theme = wanted if wanted in ORDER else DEFAULT_THEME

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands, less the two our keys already offer (Quit; Theme, as our named themes)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Theme"):
                yield command

    def on_mount(self) -> None:
        # the theme of this start (config or --theme) is not a choice to save; subscribe once it is shown
        self.call_after_refresh(self.theme_changed_signal.subscribe, self, self._theme_chosen)
        # Everything loaded to start (Textual, SQLAlchemy, the screen) lives as long as the app: keep it out
        # of the garbage collector's full passes, which otherwise stall a key now and then (~95 ms at 100k).
        self.call_after_refresh(gc.freeze)
        self.push_screen(MainScreen(self.db, today=self.today, owner=self.start_owner,
                                    ask_owner=self.ask_owner))

    def _theme_chosen(self, theme: Theme) -> None:
        """A theme chosen anywhere (key, palette) is remembered."""
        if theme.name in ORDER and theme.name != self.config.theme:
            self.remember(theme=theme.name)

    def action_next_theme(self) -> None:
        """Next theme (dark, light, high contrast); remembered."""
        self.theme = ORDER[(ORDER.index(self.theme) + 1) % len(ORDER)] if self.theme in ORDER else ORDER[0]
        self.notify(f"Theme: {title(self.theme)}", timeout=2, markup=False)

    def action_use_theme(self, name: str) -> None:
        """Switch to one bundled theme; remembered."""
        self.theme = name

    def remember(self, **settings: str) -> None:
        """Change settings and save them: the app holds the one config, so no change undoes another."""
        self.config = self.config.with_(**settings)
        try:
            save_config(self.config)
        except StoreError as exc:
            self.notify(str(exc), severity="warning", markup=False)

    def action_help(self) -> None:
        """Show every key."""
        if isinstance(self.screen, HelpScreen):
            return
        keys: list[tuple[str, str]] = []
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                keys = screen.help_keys()
        keys += [("?  F1", "This help"), ("T", "Next theme (dark, light, high contrast); remembered"),
                 ("ctrl+p", "Command palette: every key by name, and each theme"),
                 ("→  ←", "Open or close a branch; left on an action goes to its branch"),
                 ("enter", "Open or close a branch; on an action under 120 columns, read it in full; "
                           "in the due panel, show the action in the tree"),
                 ("q", "Quit")]
        self.push_screen(HelpScreen(keys))


def run_app(*, db_path: Path | str, today: date, owner: str | None, theme: str | None, config: Config) -> int:
    """Open the database (a file, or a server's URL) and run the app; a failure before the screen is one
    line and exit 1."""
    from store.importing import open_or_create
    from store.queries import find_owner
    from store.server import open_server

    # a file is checked in the background after first paint
    db = open_server(db_path) if isinstance(db_path, str) else open_or_create(db_path, check=False)
    try:
        wanted = owner or config.owner
        chosen: OwnerCount | None = None
        if wanted and wanted.strip().casefold() not in ("everyone", "all"):
            with db.read() as session:
                try:
                    chosen = find_owner(session, wanted)
                except StoreError:
                    if owner:  # named on the command line: say so and stop
                        raise
        ask = not wanted or (chosen is None and not owner and wanted.casefold() not in ("everyone", "all"))
        app = ActionTrackApp(db, today=today, config=config, owner=chosen, ask_owner=ask, theme=theme)
        app.run()
    finally:
        db.dispose()
    return 0
