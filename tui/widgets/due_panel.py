"""The panel of what falls due in a month and what is overdue."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from rich.console import Console
from rich.text import Text
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store.rows import ActionRow
from tui.labels import due_label, due_label_height
from tui.loading import MAX_LISTED, DueLists
from tui.widgets.repaint import replace_prompt, steady_virtual_size

ENTRIES_KEPT = 2000  # entries kept for rows shown lately (the panel lists 400 at most)


class DueEntry(Visual):
    """One action's entry in the panel, whose label is built when it is first painted: the list counts its lines
    (they never wrap) without building it, so filling the panel costs the entries in view, not all of them."""

    def __init__(self, row: ActionRow, colours: Mapping[str, str], console: Console, *, late: bool) -> None:
        self.row, self.late = row, late
        self._colours, self._console = colours, console
        self._label: Text | None = None
        self._content: Content | None = None
        self._strips: tuple[tuple[object, ...], list[Strip]] | None = None  # as last painted, and for what

    @property
    def label(self) -> Text:
        """The entry as `due_label` writes it."""
        if self._label is None:
            self._label = due_label(self.row, self._colours, late=self.late)
        return self._label

    def __str__(self) -> str:
        return self.label.plain

    def _painted(self) -> Content:
        if self._content is None:
            self._content = Content.from_rich_text(self.label, console=self._console)
        return self._content

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        if options.selection is not None:  # text being selected: painted with it
            return self._painted().render_strips(width, height, style, options)
        key = (width, height, style)
        if self._strips is None or self._strips[0] != key:
            self._strips = (key, self._painted().render_strips(width, height, style, options))
        return self._strips[1]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._painted().get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return due_label_height(self.row, late=self.late)


class DuePanel(OptionList):
    """'Due in <Month YYYY>' and 'Overdue', one action per entry; choosing one selects it in the tree. Its
    lists growing or shrinking repaint it alone (no layout of the screen unless its scrollbar shows or hides)."""

    virtual_size = steady_virtual_size()

    @dataclass
    class ActionHighlighted(Message):
        """The cursor moved to an action in the panel."""

        action_id: int
        row: ActionRow

    @dataclass
    class ActionChosen(Message):
        """An action was chosen (enter): show it in the tree."""

        action_id: int

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: dict[int, ActionRow] = {}
        self.lists: DueLists | None = None  # as last shown
        self._theme = ""  # the theme it was shown in
        # the entries of rows shown lately, in one theme's colours: a month key shows two months' rows in turn
        self._entries: dict[tuple[ActionRow, bool], DueEntry] = {}
        self._entries_theme = ""

    def show(self, lists: DueLists) -> None:
        """Replace the lists, keeping the cursor on the same action where it is still listed."""
        before, theme = self.lists, self._theme
        self.lists, self._theme = lists, self.app.theme
        if before is not None and theme == self._theme and _same_entries(before, lists):
            if before != lists:
                self._restyle(before, lists)  # the same actions, one shown anew: no relayout
            return  # else nothing to repaint: rebuilding the options costs a full layout
        month, due, overdue = lists.month, lists.due, lists.overdue
        colours = self.app.theme_variables
        keep = self.highlighted_row
        self.rows = {row.id: row for row in (*due[:MAX_LISTED], *overdue[:MAX_LISTED])}
        options: list[Option | None] = [
            Option(Text(f"Due in {month:%B %Y} · {lists.due_total}", style="bold"), disabled=True, id="due-heading")
        ]
        options += self._listed("due", due, lists.due_total)
        if not due:
            options.append(Option(Text("  nothing due this month", style=colours.get("muted", "")), disabled=True))
        options.append(Option(Text(f"Overdue · {lists.overdue_total}",
                                   style=f"bold {colours.get('overdue', 'red')}"), disabled=True, id="overdue-heading"))
        options += self._listed("overdue", overdue, lists.overdue_total)
        if not overdue:
            options.append(Option(Text("  nothing overdue", style=colours.get("muted", "")), disabled=True))
        place = self.highlighted
        # at once, not cleared then added: a scrollbar hidden in between and shown again lays the screen out
        self.set_options([o for o in options if o is not None])
        if keep is not None and keep.id in self.rows:
            for index in range(self.option_count):
                option_id = self.get_option_at_index(index).id or ""
                if option_id.endswith(f"-{keep.id}"):
                    self.highlighted = index
                    break
        elif self.has_focus:
            self._highlight_near(place or 0)  # its action left the lists: the cursor stays where it was

    def on_focus(self) -> None:
        """Coming to the panel puts the cursor on an action, so the action keys act on what it shows."""
        if self.highlighted_row is None:
            self._highlight_near(self.highlighted or 0)

    def scroll_to_highlight(self, top: bool = False) -> None:
        """As the option list scrolls to its cursor, but the cursor on the first action scrolls to the top: its
        heading ("Due in ...") stays in view above it, also when the panel is shown and focused at once, before it
        has a size (the option list would then scroll the first action to the top line, the heading above it)."""
        if not top and self.highlighted is not None and self.highlighted == self._first_entry():
            self.scroll_home(animate=False, immediate=True, x_axis=False)
            return
        super().scroll_to_highlight(top)

    def _action_indexes(self) -> Iterator[int]:
        """The indexes of the actions listed, in order (the other options are headings and notes)."""
        return (index for index in range(self.option_count) if not self.get_option_at_index(index).disabled)

    def _first_entry(self) -> int | None:
        """The index of the first action listed, or None."""
        return next(self._action_indexes(), None)

    def _highlight_near(self, place: int) -> None:
        """Put the cursor on the first action at or after `place`, else the last one before it (none if the
        lists are empty)."""
        entries = list(self._action_indexes())
        if entries:
            self.highlighted = next((index for index in entries if index >= place), entries[-1])

    def restyle(self) -> None:
        """Show the same lists in the colours of a new theme."""
        if self.lists is not None:
            self._theme = ""  # shown in no theme yet
            self.show(self.lists)

    def _restyle(self, before: DueLists, after: DueLists) -> None:
        """Show anew the entries whose row changed since `before` (a showing of the same entries)."""
        for prefix, rows, shown in (("due", after.due, before.due), ("overdue", after.overdue, before.overdue)):
            for row, old in zip(rows[:MAX_LISTED], shown, strict=False):
                if old != row:
                    replace_prompt(self, f"{prefix}-{row.id}", self._entry(row, late=prefix == "overdue"))
        self.rows = {row.id: row for row in (*after.due[:MAX_LISTED], *after.overdue[:MAX_LISTED])}

    def _entry(self, row: ActionRow, *, late: bool) -> DueEntry:
        """The entry of a row, made once while the theme stays."""
        if self._entries_theme != self.app.theme or len(self._entries) >= ENTRIES_KEPT:
            self._entries, self._entries_theme = {}, self.app.theme
        entry = self._entries.get((row, late))
        if entry is None:
            entry = self._entries[row, late] = DueEntry(row, self.app.theme_variables, self.app.console, late=late)
        return entry

    def _listed(self, prefix: str, rows: list[ActionRow], total: int) -> list[Option | None]:
        late = prefix == "overdue"
        options: list[Option | None] = [Option(self._entry(row, late=late), id=f"{prefix}-{row.id}")
                                        for row in rows[:MAX_LISTED]]
        if total > len(options):
            more = Text(f"  … and {total - len(options):,} more: press p to choose an owner",
                        style=self.app.theme_variables.get("muted", ""))
            options.append(Option(more, disabled=True))
        return options

    @property
    def highlighted_row(self) -> ActionRow | None:
        """The action under the cursor, if any."""
        if self.highlighted is None or self.option_count == 0:
            return None
        option_id = self.get_option_at_index(self.highlighted).id or ""
        if "-" not in option_id or option_id.endswith("heading"):
            return None
        return self.rows.get(int(option_id.rsplit("-", 1)[1]))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.ActionHighlighted(row.id, row))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.ActionChosen(row.id))


def _same_entries(before: DueLists, after: DueLists) -> bool:
    """Whether two showings list the same actions in the same places under the same headings (only their looks
    differ)."""
    def ids(rows: list[ActionRow]) -> list[int]:
        return [row.id for row in rows]

    def headings(lists: DueLists) -> tuple[date, int, int]:
        return lists.month, lists.due_total, lists.overdue_total

    return (headings(before) == headings(after) and ids(before.due) == ids(after.due)
            and ids(before.overdue) == ids(after.overdue))
