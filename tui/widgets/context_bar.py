"""The line above the tree: whose actions, how many fall due, how many are overdue, and any alarm.

It fits any width from 40 columns up by shortening words, never the figures: the owner, the due
count and the overdue count are always shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from store.text import visible


@dataclass(frozen=True, slots=True)
class Context:
    """What the context bar says."""

    who: str
    today: date
    month: date | None = None  # the due panel's month, once its counts are known
    due: int = 0
    overdue: int = 0
    hide_complete: bool = False
    search: str = ""
    filters: tuple[str, ...] = ()  # the status and date filters in words ('not started', 'overdue')
    by_due_date: bool = False  # a recommendation's actions sorted by due date
    closed_shown: bool = False  # closed plans are shown too
    damaged: bool = False
    read_only: str = ""  # why the database cannot be written, if it cannot


Piece = tuple[str, str]  # text and the name of its colour ("" for none)


def _pieces(context: Context, level: int) -> tuple[list[Piece], list[Piece]]:
    """What goes before and after the owner at one level of detail (0 the longest; 3 the figures and alarm)."""
    head: list[Piece] = [("actiontrack  ", "bold")] if level == 0 else []
    tail: list[Piece] = []
    if level == 0:
        tail.append((f"  · today {context.today.day} {context.today:%b %Y}", ""))
    if context.month is not None:
        month = f"{context.month:%b %Y}" if level <= 1 else f"{context.month:%b}"
        tail.append((f"  · {context.due} due in {month}" if level <= 1 else f" · {context.due} due {month}", ""))
        tail.append((f"  · {context.overdue} overdue" if level <= 1 else f" · {context.overdue} overdue",
                     "overdue" if context.overdue else ""))
    if context.hide_complete and level < 3:
        tail.append(("  · completed hidden" if level <= 1 else " · done hidden", ""))
    if context.filters:  # kept at every level: a filtered tree must never pass for the whole
        words = ", ".join(context.filters)
        tail.append((f"  · only {words}" if level <= 1 else f" · only {words}", "warning"))
    if context.closed_shown and level < 3:
        tail.append(("  · closed plans shown" if level <= 1 else " · +closed", ""))
    if context.by_due_date and level < 3:
        tail.append(("  · sorted by due date" if level <= 1 else " · by date", ""))
    if context.search and level < 3:
        search = visible(context.search)
        tail.append((f"  · search “{search}”" if level <= 1 else f" · /{search}", ""))
    if context.damaged:
        tail.append(("   DAMAGED: nothing will be saved" if level <= 1 else " DAMAGED", "error"))
    elif context.read_only:
        long = f"   READ-ONLY ({visible(context.read_only)}): changes are off"
        tail.append((long if level == 0 else "   READ-ONLY: changes are off" if level == 1 else " READ-ONLY",
                     "warning"))
    return head, tail


def context_text(context: Context, width: int, colours: Mapping[str, str]) -> Text:
    """The bar's line for `width` columns: the most words that fit, the owner cut last."""
    who = visible(context.who)
    # shorten the words first (levels 0-2), then the owner's name, and only then drop the filters (level 3)
    tries = [(level, False) for level in range(3)] + [(2, True), (3, True)]
    for level, cut in tries:
        head, tail = _pieces(context, level)
        used = sum(len(t) for t, _ in (*head, *tail))
        if used + len(who) <= width or (cut and used + 12 <= width) or level == 3:
            room = max(width - used, 12)
            name = who if len(who) <= room else who[: room - 1] + "…"
            break
    text = Text(no_wrap=True, overflow="ellipsis")
    for piece, style in head:
        text.append(piece, style=style)
    text.append(name, style="bold")
    for piece, colour in tail:
        text.append(piece, style=f"bold {colours.get(colour, colour)}" if colour else "")
    return text


class ContextBar(Widget):
    """One line: owner, due and overdue counts, filters in force, and the database's state."""

    DEFAULT_CSS = """
    ContextBar { height: 1; padding: 0 1; background: $panel; color: $foreground; }
    """

    context: reactive[Context | None] = reactive(None)

    def render(self) -> Text:
        if self.context is None:
            return Text("actiontrack")
        return context_text(self.context, self.content_size.width, self.app.theme_variables)

    @property
    def text(self) -> str:
        """The line as shown now, as plain text."""
        return self.render().plain
