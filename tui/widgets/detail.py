"""The detail pane: the selected node in full, wrapped, with its history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class DetailPane(VerticalScroll):
    """Shows one action, recommendation or branch in full; plan text is plain text, never markup."""

    can_focus = False  # the screen lets it take the keys while it is read on its own (enter on an action)

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > #detail-body { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("Choose an action to see it in full."), id="detail-body")

    def show(self, text: Text, *, same_subject: bool = False) -> None:
        """Replace what the pane shows; a new subject starts at the top, the same one keeps its place."""
        self.query_one("#detail-body", Static).update(text)
        if not same_subject:
            self.scroll_home(animate=False)

    @property
    def text(self) -> str:
        """What the pane shows, as plain text (for tests and copy)."""
        content = self.query_one("#detail-body", Static).content
        return content.plain if isinstance(content, Text) else str(content)
