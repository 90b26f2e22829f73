"""Revising an action's target: the new target as the reader reads it, shown before it is saved, and
the reason, which is required."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from store.errors import StoreError
from store.text import one_line, visible


class ReviseScreen(ModalScreen[tuple[str, str] | None]):
    """Returns (new target, reason), or None when dismissed. `read` gives a target's reading in words, or
    raises StoreError saying why it cannot be used."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, reference: str, target: str, read: Callable[[str], str]) -> None:
        super().__init__()
        self.reference = reference
        self.target = target
        self.read = read

    def compose(self) -> ComposeResult:
        with Vertical(id="revise-dialog"):
            yield Label(Text(f"Revise the target of {one_line(self.reference, 40)}", style="bold"))
            yield Label(Text(f"Now: “{one_line(self.target, 60)}” (the original is kept in the history)",
                             style="dim"))
            yield Input(placeholder="New target as a plan writes it, e.g. March 2025", id="revise-target")
            yield Label(Text(""), id="revise-reading")
            yield Input(placeholder="Why the date moved (required); enter saves, esc cancels",
                        id="revise-reason")
            yield Label(Text(""), id="revise-warning")

    def _reading(self) -> str | None:
        """The new target's reading shown under it; None (and why, shown) when it cannot be used."""
        written = self.query_one("#revise-target", Input).value
        label = self.query_one("#revise-reading", Label)
        if not written.strip():
            label.update(Text(""))
            return None
        try:
            reading = self.read(written)
        except StoreError as exc:
            label.update(Text(visible(str(exc)), style="bold"))
            return None
        label.update(Text(f"read as: {visible(reading)}"))
        return reading

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#revise-warning", Label).update(Text(""))  # a warning is about what was there before
        if event.input.id == "revise-target":
            self._reading()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        warning = self.query_one("#revise-warning", Label)
        if self._reading() is None:
            warning.update(Text("Write a new target the reader understands first.", style="bold"))
            self.query_one("#revise-target", Input).focus()
            return
        reason = self.query_one("#revise-reason", Input).value
        if event.input.id == "revise-target" or not reason.strip():
            if event.input.id == "revise-reason":
                warning.update(Text("A revised target needs a reason.", style="bold"))
            self.query_one("#revise-reason", Input).focus()
            return
        self.dismiss((self.query_one("#revise-target", Input).value, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
