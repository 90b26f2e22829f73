"""Choosing whose actions to follow: type to narrow, or pick everyone."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from rich.text import Text
from textual.app import App, ComposeResult
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
INSTALLED_AS = "owner-picker"  # the name the picker is kept under between times it is shown (App.install_screen)
MAX_LISTED = 200  # a national database has thousands of roles: typing narrows them
MAX_CLOSEST = 5
COMMON_WORDS = {"head", "of", "and", "the", "pdu", "manager", "senior"}


class OwnerPicker(ModalScreen[OwnerCount | str | None]):
    """Returns the chosen OwnerCount, EVERYONE, or None when dismissed."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "focus_list", "List", show=False),
    ]

    @classmethod
    def kept(cls, app: App[object], owners: list[OwnerCount], *, first_run: bool = False) -> OwnerPicker:
        """The app's picker, asking afresh: built the first time, then kept (installed) and opened again, which
        saves building it each time (a tenth of a second at 3,000 owners)."""
        if not app.is_screen_installed(INSTALLED_AS):
            app.install_screen(cls(owners, first_run=first_run), INSTALLED_AS)
        picker = app.get_screen(INSTALLED_AS)
        assert isinstance(picker, cls)
        picker.reopen(owners, first_run=first_run)
        return picker

    def __init__(self, owners: list[OwnerCount], *, first_run: bool = False) -> None:
        super().__init__()
        self.owners = owners
        self._keys: list[str] | None = None
        self.first_run = first_run

    @property
    def keys(self) -> list[str]:
        """Each owner's label as typed text is matched against it (worked out when first typed against)."""
        if self._keys is None:
            self._keys = [owner_key(o.label) for o in self.owners]
        return self._keys

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(self._question(), id="picker-question")
            yield Input(placeholder="type to narrow, e.g. Tameside", id="picker-filter")
            yield LazyOptionList(id="picker-list")

    def _question(self) -> Text:
        question = "Who are you? Choose your role to see your actions." if self.first_run else "Whose actions?"
        return Text(question, style="bold")

    def on_mount(self) -> None:
        self._fill("")

    def reopen(self, owners: list[OwnerCount], *, first_run: bool = False) -> None:
        """Ask again as a new picker would (no filter, the cursor at the top), over these owners."""
        asked, self.owners, self._keys, self.first_run = self.first_run, owners, None, first_run
        if not self.is_mounted:
            return  # composed with them when first shown
        if asked != first_run:  # a label's new text lays the screen out: only when it changes
            self.query_one("#picker-question", Label).update(self._question())
        typed = self.query_one("#picker-filter", Input)
        if typed.value:
            with typed.prevent(Input.Changed):
                typed.value = ""
        self._fill("")
        self.set_focus(typed)

    def update_owners(self, owners: list[OwnerCount]) -> None:
        """Show fresher counts (read while the picker was open), keeping the filter and the cursor."""
        picker = self.query_one("#picker-list", LazyOptionList)
        kept = picker.get_option_at_index(picker.highlighted).id if picker.highlighted is not None else None
        self.owners, self._keys = owners, None
        self._fill(self.query_one("#picker-filter", Input).value, keep=kept)

    def _fill(self, text: str, keep: str | None = None) -> None:
        wanted = owner_key(text)
        options = [Option(Text("Everyone (all actions)", style="bold"), id=EVERYONE)] if not wanted else []
        matching = self.owners if not wanted else [
            o for o, key in zip(self.owners, self.keys, strict=True) if wanted in key]
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
        """No owner matches: say so, and offer the names closest to what was typed: those with a word like one
        typed (a place misspelt: "Wign", "Tamesde"), best first, then those whose whole name is like it."""
        options = [Option(Text(f"no owner matches “{visible(text.strip())}”; the closest:", style="bold"),
                          disabled=True, id="no-match")]
        offered: set[int] = set()
        for like in self._like(wanted):
            for index, key in enumerate(self.keys):
                if index not in offered and (like == key or like in key.split()):
                    offered.add(index)
                    options.append(Option(Text(visible(self.owners[index].label)), id=str(self.owners[index].id)))
                if len(options) > MAX_CLOSEST:
                    return options
        if len(options) == 1:
            options[0] = Option(Text(f"no owner matches “{visible(text.strip())}”; try fewer letters",
                                     style="bold"), disabled=True, id="no-match")
        return options

    def _like(self, wanted: str) -> Iterator[str]:
        """Owners' words like a word typed, best first; then whole names like what was typed (compared only
        when the words have not filled the list: over thousands of names that takes ~0.1 s)."""
        vocabulary = sorted({word for key in self.keys for word in key.split()} - COMMON_WORDS)
        for typed in dict.fromkeys(wanted.split()):
            if typed not in COMMON_WORDS:
                yield from difflib.get_close_matches(typed, vocabulary, n=MAX_CLOSEST, cutoff=0.6)
        yield from difflib.get_close_matches(wanted, self.keys, n=MAX_CLOSEST, cutoff=0.3)

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
