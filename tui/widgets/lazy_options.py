"""An option list that takes any number of options and holds only those within the cursor's reach."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.widgets.repaint import steady_virtual_size

BATCH = 40  # options put in the list at a time: more than a screenful


class LazyOptionList(OptionList):
    """An OptionList fed in batches: moving or scrolling near the end of what it holds puts the next
    batch in, and `end` puts in everything first. Filling it costs a batch, not every option, and no layout of
    the screen while its height is set by the screen (a scrollbar showing or hiding aside)."""

    virtual_size = steady_virtual_size()

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._waiting: list[Option] = []

    def show_options(self, options: Sequence[Option], *, reach: int = 0) -> None:
        """Show `options` in place of those shown, holding at first those up to `reach` and a batch."""
        shown = reach + BATCH
        self.set_options(options[:shown])  # not clear, then add: a scrollbar gone between would lay the screen out
        self._waiting = list(options[shown:])

    def feed(self, count: int | None = None) -> None:
        """Put `count` more of the waiting options in the list (None: all of them)."""
        if self._waiting:
            taken = self._waiting if count is None else self._waiting[:count]
            self._waiting = [] if count is None else self._waiting[count:]
            self.add_options(taken)

    @property
    def waiting(self) -> int:
        """How many options are not in the list yet."""
        return len(self._waiting)

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        if highlighted is not None and highlighted + BATCH // 2 >= self.option_count:
            self.feed(BATCH)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._waiting and new_value + 2 * self.size.height >= self.virtual_size.height:
            self.feed(BATCH)

    def action_last(self) -> None:
        self.feed()
        super().action_last()
