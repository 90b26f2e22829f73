"""The detail pane: the selected node in full, wrapped, with its history."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize

from tui.labels import HANG
from tui.widgets.repaint import resize_virtual


class DetailPane(ScrollView):
    """Shows one action, recommendation or branch in full; plan text is plain text, never markup.

    A line view of a fixed size that scrolls inside: showing another action wraps its text into lines and
    repaints the pane, and never lays out the screen again (a pane that grew with its text did, on every key).
    """

    auto_links = False  # plan text holds no links, and marking them costs a pass over every line
    can_focus = False  # the screen lets it take the keys while it is read on its own (enter on an action)

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; overflow-x: hidden; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._text = Text("Choose an action to see it in full.")
        self._lines: list[Strip] = []

    def show(self, text: Text, *, same_subject: bool = False) -> None:
        """Replace what the pane shows; a new subject starts at the top, the same one keeps its place."""
        self._text = text
        self._wrap()
        if not same_subject:
            self.scroll_to(y=0, animate=False, immediate=True)

    @property
    def text(self) -> str:
        """What the pane shows, as plain text (for tests and copy)."""
        return self._text.plain

    def on_resize(self, _event: events.Resize) -> None:
        self._wrap()

    def notify_style_update(self) -> None:
        """The pane's colours changed (a theme): its lines were painted in the old ones."""
        super().notify_style_update()
        if self.is_mounted:
            self.call_later(self._wrap)

    def on_mount(self) -> None:
        self._wrap()

    def _wrap(self) -> None:
        """Wrap the text to the pane's width (less a scrollbar's, when it will need one) and repaint."""
        width, height = self.size  # inside the border and padding
        if width <= 0 or height <= 0:
            return  # not shown (a narrow screen's hidden pane): wrapped when it is
        bar = self.styles.scrollbar_size_vertical
        # try the width the pane had last (with or without a scrollbar): the same subject keeps it
        narrow = self.show_vertical_scrollbar and bar > 0
        lines = self._render_at(width - bar if narrow else width)
        if narrow and len(lines) <= height:
            lines = self._render_at(width)  # it fits now: no scrollbar
            narrow = False
        elif not narrow and len(lines) > height and bar:
            lines = self._render_at(width - bar)
            narrow = True
        width -= bar if narrow else 0
        self._lines = lines
        resize_virtual(self, Size(width, len(lines)))
        self.refresh()

    def _render_at(self, width: int) -> list[Strip]:
        """The text as lines `width` cells wide, as a Static of that width paints it."""
        visual = visualize(self, hang_lines(self._text, width, self.app.console), markup=False)
        return Visual.to_strips(self, visual, width, None, self.visual_style)

    def render_line(self, y: int) -> Strip:
        """One line of the pane (Textual pads it to the width in the pane's own style)."""
        index = y + self.scroll_offset.y
        return self._lines[index] if 0 <= index < len(self._lines) else Strip([])


def hang_lines(text: Text, width: int, console: Console) -> Text:
    """`text` with each line that is marked to hang (labels.HANG) wrapped under its own column at `width`.

    A field's value ("Owners  A; B; C") continues under the value, not under the label; other lines wrap as
    the pane wraps them.
    """
    if width <= 0 or all(HANG not in span.style.meta for span in text.spans if not isinstance(span.style, str)):
        return text
    out = Text(end="", style=text.style)
    for number, line in enumerate(text.split("\n", allow_blank=True)):
        if number:
            out.append("\n")
        indent = next((span.style.meta[HANG] for span in line.spans
                       if not isinstance(span.style, str) and HANG in span.style.meta), 0)
        if not indent or line.cell_len <= width or indent >= width // 2:
            out.append_text(line)
            continue
        head, body = line[:indent], line[indent:]
        for row, part in enumerate(body.wrap(console, width - indent)):
            if row:
                out.append("\n" + " " * indent)
            else:
                out.append_text(head)
            out.append_text(part)
    return out
