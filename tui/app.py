"""The actiontrack app: loads settings, registers themes, and hands over to the main screen."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from store.config import Config, save_config
from store.errors import StoreError
from store.rows import OwnerCount
from store.text import visible_line
from themes import ORDER, title
from tui.commands import ActionCommands
from tui.loading import DeferredDatabase, OpenDatabase, read_with
from tui.screens.main import MainScreen
from tui.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, bundled_themes

YOUNG_PASS = 10_000  # allocations between the collector's passes over new objects once started (Python's: 700)


def steady_collector() -> None:
    """Keep the garbage collector's passes out of the keys' way once the first view is painted, and turn it on if
    the start turned it off (`run_app`).

    Everything loaded to start (Textual, SQLAlchemy, the screen) lives as long as the app: frozen, it is left out
    of the full passes, which otherwise stall a key now and then (~95 ms at 100k). A key makes thousands of
    short-lived objects (strips, rows, labels): at Python's 700 the collector ran 4-5 times per status key and a
    pass over the older ones (6-20 ms) every two or three keys; at 10,000, once in several keys.
    """
    gc.freeze()
    gc.set_threshold(YOUNG_PASS, *gc.get_threshold()[1:])
    gc.enable()


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

    def __init__(self, db: OpenDatabase, *, today: date, config: Config, owner: OwnerCount | None,
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
        self._first_view: set[str] = set()  # of the tree and the due panel, those loaded (or failed) once
        self._saving = threading.Lock()  # the config is written by one worker at a time
        self.unsaved: list[str] = []  # what failed of the writes the screen finished as the app quit

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands, less the two our keys already offer (Quit; Theme, as our named themes)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Theme"):
                yield command

    def on_mount(self) -> None:
        # the theme of this start (config or --theme) is not a choice to save; subscribe once it is shown
        self.call_after_refresh(self._follow_theme_choices)

    def _follow_theme_choices(self) -> None:
        """Remember each theme chosen from now on; not when the app is already quitting (q pressed at once)."""
        if self.is_running:
            self.theme_changed_signal.subscribe(self, self._theme_chosen)

    def on_ready(self) -> None:
        """The main screen, pushed once Textual's start-up is over: pushed while Textual still holds back what is
        painted, its first frame (tree, due panel, detail) was rendered once for nothing and again for the screen."""
        self.push_screen(MainScreen(self.db, today=self.today, owner=self.start_owner,
                                    ask_owner=self.ask_owner))

    def loaded(self, group: str) -> None:
        """A read of the screen's finished (or failed). Once the first view (tree and due panel) is on the screen,
        the collector takes over (`steady_collector`) and a deferred database opens in full (sqlmodel) in a
        worker: the first view was read without it; the check and sync wait for it (a write opens it itself)."""
        if group not in ("tree", "due") or len(self._first_view) == 2:
            return
        self._first_view.add(group)
        if len(self._first_view) == 2:
            self.call_after_refresh(self._first_view_shown)

    def _first_view_shown(self) -> None:
        steady_collector()
        if isinstance(self.db, DeferredDatabase):
            self.run_worker(self.db.open, thread=True, group="open", exit_on_error=False)

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
        """Change settings and save them: the app holds the one config, so no change undoes another. The file
        is written (and synced to disk) in a worker, never holding up the screen; the newest config is saved."""
        self.config = config = self.config.with_(**settings)

        def save() -> None:
            with self._saving:
                if config is not self.config:
                    return  # a newer change is being saved, this one with it
                try:
                    save_config(config)
                except StoreError as exc:
                    self.call_from_thread(self.notify, str(exc), severity="warning", markup=False)

        self.run_worker(save, thread=True, group="config", exit_on_error=False)

    def action_help(self) -> None:
        """Show every key."""
        from tui.screens.help import HelpScreen  # not on the first screen: loaded when first asked for

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
    app = prepare_app(db_path=db_path, today=today, owner=owner, theme=theme, config=config)
    # what the start makes (the screen's widgets, the first view's rows) lives on: the collector's passes over it
    # free nothing, and it is off until the first view is shown (`steady_collector`)
    gc.disable()
    try:
        app.run()
    finally:
        app.db.dispose()
    for words in app.unsaved:  # a change keyed just before quitting that could not be written
        print(f"actiontrack: {visible_line(words)}", file=sys.stderr)
    return 1 if app.unsaved else 0


def prepare_app(*, db_path: Path | str, today: date, owner: str | None, theme: str | None,
                config: Config) -> ActionTrackApp:
    """The app on its database, with the owner chosen. A file at the current schema is read without
    sqlmodel until the first view is shown (a DeferredDatabase)."""
    from store import lists

    db = _deferred(db_path) or _opened(db_path)
    try:
        wanted = owner or config.owner
        chosen: OwnerCount | None = None
        if wanted and wanted.strip().casefold() not in ("everyone", "all"):
            try:
                chosen = read_with(db, lambda run: lists.find_owner(run, wanted))
            except StoreError:
                if owner:  # named on the command line: say so and stop
                    raise
        ask = not wanted or (chosen is None and not owner and wanted.casefold() not in ("everyone", "all"))
        return ActionTrackApp(db, today=today, config=config, owner=chosen, ask_owner=ask, theme=theme)
    except BaseException:
        db.dispose()
        raise


def _deferred(db_path: Path | str) -> DeferredDatabase | None:
    """The file as a DeferredDatabase, if the fast path can read it and this process may write it."""
    from store import fastread
    from store.files import why_read_only

    if isinstance(db_path, str) or not db_path.is_file() or why_read_only(db_path):
        return None
    try:
        with fastread.reading(db_path):
            return DeferredDatabase(db_path)
    except fastread.Unavailable:
        return None


def _opened(db_path: Path | str) -> OpenDatabase:
    """The database opened through sqlmodel: a server, or a file (made from the sample plans if missing)."""
    if isinstance(db_path, str):
        from store.server import open_server

        return open_server(db_path)
    from store.importing import open_or_create

    return open_or_create(db_path, check=False)  # a file is checked in the background after first paint
