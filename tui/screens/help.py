"""The help screen: every key, what the marks mean."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.labels import MARKS
from store.targets import Status

MARK_HELP = (
    f"{MARKS[Status.NOT_STARTED]} not started   {MARKS[Status.ONGOING]} ongoing   {MARKS[Status.COMPLETE]} complete\n"
    "3/5 = complete of all actions under a branch; 'overdue' = one-off actions past their deadline.\n"
    "Targets are shown as written; the detail pane says how each was read."
)


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the main screen with their descriptions."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        text = Text("actiontrack: keys\n\n", style="bold")
        width = max(len(k) for k, _ in self.keys)
        for key, description in self.keys:
            text.append(f"  {key:<{width}}  ", style="bold")
            text.append(f"{description}\n")
        text.append("\nMarks\n", style="bold")
        text.append(MARK_HELP + "\n\n")
        text.append("Every change is saved at once, with a history row; undo writes a change back.\n")
        text.append("Escape closes this help.", style="dim")
        with VerticalScroll(id="help-dialog"):
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
