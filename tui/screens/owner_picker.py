"""Choosing whose actions to follow: type to narrow, or pick everyone."""

from __future__ import annotations

import difflib

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from store.owners import owner_key
from store.rows import OwnerCount
from store.text import visible
from tui.widgets.lazy_options import LazyOptionList

EVERYONE = "everyone"
MAX_LISTED = 200  # a national database has thousands of roles: typing narrows them
MAX_CLOSEST = 5
COMMON_WORDS = {"head", "of", "and", "the", "pdu", "manager", "senior"}


class OwnerPicker(ModalScreen[OwnerCount | str | None]):
    """Returns the chosen OwnerCount, EVERYONE, or None when dismissed."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, owners: list[OwnerCount], *, first_run: bool = False) -> None:
        super().__init__()
        self.owners = owners
        self.keys = [owner_key(o.label) for o in owners]
        self.first_run = first_run

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            question = "Who are you? Choose your role to see your actions." if self.first_run else "Whose actions?"
            yield Label(Text(question, style="bold"))
            yield Input(placeholder="type to narrow, e.g. Tameside", id="picker-filter")
            yield LazyOptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")

    def update_owners(self, owners: list[OwnerCount]) -> None:
        """Show fresher counts (read while the picker was open), keeping the filter and the cursor."""
        picker = self.query_one("#picker-list", LazyOptionList)
        kept = picker.get_option_at_index(picker.highlighted).id if picker.highlighted is not None else None
        self.owners = owners
        self.keys = [owner_key(o.label) for o in owners]
        self._fill(self.query_one("#picker-filter", Input).value, keep=kept)

    def _fill(self, text: str, keep: str | None = None) -> None:
        wanted = owner_key(text)
        options = [Option(Text("Everyone (all actions)", style="bold"), id=EVERYONE)] if not wanted else []
        matching = [o for o, key in zip(self.owners, self.keys, strict=True) if not wanted or wanted in key]
        for owner in matching[:MAX_LISTED]:
            label = Text(visible(owner.label))
            label.append(f"  {owner.open} open of {owner.total}", style="dim")
            options.append(Option(label, id=str(owner.id)))
        if len(matching) > MAX_LISTED:
            options.append(Option(Text(f"… and {len(matching) - MAX_LISTED:,} more: type to narrow", style="dim"),
                                  disabled=True))
        if wanted and "everyone".startswith(wanted):
            options.insert(0, Option(Text("Everyone (all actions)", style="bold"), id=EVERYONE))
        if not options:
            options = self._closest(text, wanted)
        picker = self.query_one("#picker-list", LazyOptionList)
        at = next((i for i, option in enumerate(options) if keep and option.id == keep), None)
        picker.show_options(options, reach=at or 0)
        enabled = [i for i, option in enumerate(options) if not option.disabled]
        if at is not None:
            picker.highlighted = at
        elif enabled:
            picker.highlighted = enabled[0]

    def _closest(self, text: str, wanted: str) -> list[Option]:
        """No owner matches: say so, and offer the names closest to what was typed."""
        options = [Option(Text(f"no owner matches “{visible(text.strip())}”; the closest:", style="bold"),
                          disabled=True, id="no-match")]
        close = set(difflib.get_close_matches(wanted, self.keys, n=MAX_CLOSEST, cutoff=0.3))
        words = set(wanted.split())
        for owner, key in zip(self.owners, self.keys, strict=True):
            if key in close or (words and words & set(key.split()) - COMMON_WORDS):
                options.append(Option(Text(visible(owner.label)), id=str(owner.id)))
            if len(options) > MAX_CLOSEST:
                break
        if len(options) == 1:
            options[0] = Option(Text(f"no owner matches “{visible(text.strip())}”; try fewer letters",
                                     style="bold"), disabled=True, id="no-match")
        return options

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        picker = self.query_one("#picker-list", OptionList)
        if picker.highlighted is not None:
            self._choose(picker.get_option_at_index(picker.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == EVERYONE:
            self.dismiss(EVERYONE)
            return
        for owner in self.owners:
            if str(owner.id) == option_id:
                self.dismiss(owner)
                return

    def action_focus_list(self) -> None:
        self.query_one("#picker-list", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
