"""Writing a note (e.g. the evidence) on an action: several lines, links and all kept as typed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from store.text import one_line, visible

HINT = "ctrl+s saves · escape cancels · enter starts a new line"


class NoteScreen(ModalScreen[str | None]):
    """Returns the note's text, or None when dismissed. `value` starts the text (a note kept from before)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

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
            yield TextArea(self.value, id="note-input", soft_wrap=True, tab_behavior="focus",
                           placeholder="e.g. Evidence: QIP minutes of 12 September, https://…")
            yield Label(Text(HINT, style="bold"), id="note-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        """Save the note as typed (an empty one is not saved)."""
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
