"""The detail pane: the selected node in full, wrapped, with its history."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize

from tui.labels import HANG
from tui.widgets.repaint import resize_virtual

PAINTED_KEPT = 2000  # lines of text kept painted (a long history is a few hundred)


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
        # each line of the text as painted, by its content, for one width and style (`_painted_for`): showing the
        # same subject again (a status key) paints only the lines that changed
        self._painted: dict[tuple[object, ...], tuple[list[Strip], int]] = {}
        self._painted_for: tuple[object, ...] = ()

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
        self.refresh()

    def notify_style_update(self) -> None:
        """The pane's colours changed (a theme): its lines were painted in the old ones."""
        super().notify_style_update()
        self._painted.clear()
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
        shown, self._lines = self._lines, lines
        resize_virtual(self, Size(width, len(lines)))
        self._repaint_changed(shown)

    def _repaint_changed(self, shown: list[Strip]) -> None:
        """Repaint the lines in sight whose strips are not the ones shown (a line painted again is a new strip)."""
        top = self.scroll_offset.y
        changed = [y for y in range(top, top + self.size.height)
                   if (shown[y] if y < len(shown) else None) is not (self._lines[y] if y < len(self._lines) else None)]
        if len(changed) * 2 > self.size.height:
            self.refresh()
        else:
            for y in changed:
                self.refresh_line(y)

    def _render_at(self, width: int) -> list[Strip]:
        """The text as lines `width` cells wide, as a Static of that width paints it: line by line, each line
        painted once while its content, the width and the pane's style stay the same."""
        style = self.visual_style
        if self._painted_for != (width, style) or len(self._painted) > PAINTED_KEPT:
            self._painted, self._painted_for = {}, (width, style)
        strips: list[Strip] = []
        y = 0  # the line's number in the text as wrapped by `hang_lines`: its strips carry it (for a selection)
        for line in self._text.split("\n", allow_blank=True):
            key = (y, line.plain, line.style, tuple(line.spans), line.justify, line.overflow, line.no_wrap)
            found = self._painted.get(key)
            if found is None:
                hung = hang_lines(line, width, self.app.console)
                painted = Visual.to_strips(self, visualize(self, hung, markup=False), width, None, style)
                found = self._painted[key] = (at_line(painted, y), hung.plain.count("\n") + 1)
            strips.extend(found[0])
            y += found[1]
        return strips

    def render_line(self, y: int) -> Strip:
        """One line of the pane (Textual pads it to the width in the pane's own style)."""
        index = y + self.scroll_offset.y
        return self._lines[index] if 0 <= index < len(self._lines) else Strip([])


def at_line(strips: list[Strip], y: int) -> list[Strip]:
    """Strips painted from a text's line as a text of its own, marked (`offset` meta) as painted from line `y` of
    a longer text, as they are when the whole text is painted at once."""
    if not y:
        return strips
    moved = []
    for strip in strips:
        segments = []
        for segment in strip:
            style = segment.style
            if style is not None and style._meta is not None and "offset" in style.meta:
                x, y0 = style.meta["offset"]
                style = style + RichStyle.from_meta({"offset": (x, y0 + y)})
            segments.append(Segment(segment.text, style, segment.control))
        moved.append(Strip(segments, strip.cell_length))
    return moved


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
