"""Writing a note (e.g. the evidence) on an action."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from store.text import one_line, visible


class NoteScreen(ModalScreen[str | None]):
    """Returns the note's text, or None when dismissed. `value` starts the text (a note kept from before)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, reference: str, text: str, *, value: str = "", warning: str = "") -> None:
        super().__init__()
        self.reference = reference
        self.action_text = text
        self.value = value
        self.warning = warning

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Label(Text(f"Note on {one_line(self.reference, 40)}", style="bold"))
            yield Label(Text(one_line(self.action_text, 120), style="dim"))
            if self.warning:
                yield Label(Text(visible(self.warning), style="bold"), id="note-warning")
            yield Input(value=self.value,
                        placeholder="e.g. Evidence: QIP minutes of 12 September; enter saves, escape cancels",
                        id="note-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
