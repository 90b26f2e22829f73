"""The help screen: every key, what the marks mean."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.targets import Status
from tui.labels import MARKS

MARK_HELP = (
    f"{MARKS[Status.NOT_STARTED]} not started   {MARKS[Status.ONGOING]} ongoing   {MARKS[Status.COMPLETE]} complete\n"
    "3/5 = complete of all actions under a branch; 'overdue' = one-off actions past their deadline.\n"
    "Targets are shown as written; the detail pane says how each was read."
)


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the main screen with their descriptions, wrapped beside their key."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
        for key, description in self.keys:
            table.add_row(Text(key), Text(description))
        body = Group(
            Text("actiontrack: keys\n", style="bold"),
            table,
            Text("\nMarks", style="bold"),
            Text(MARK_HELP + "\n"),
            Text("Every change is saved at once, with a history row; undo writes a change back."),
            Text("Escape closes this help.", style="dim"),
        )
        with VerticalScroll(id="help-dialog"):
            yield Static(body)

    def action_close(self) -> None:
        self.dismiss(None)
