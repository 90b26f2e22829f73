"""Repainting less than Textual's public calls do: the one module that reaches into Textual's internals.

A key that changes one action should repaint what changed and nothing else (one layout pass at most).
Two public calls do more than that in Textual 8.2:

- `TreeNode.set_label` repaints the node's line and every visible line under it, each built again:
  relabelling a region's counts rebuilt the whole tree. `relabel` repaints the node's own line only.
- `OptionList.replace_option_prompt` forgets every option's painted lines and repaints the whole list;
  `replace_prompt` repaints the option's own lines where its height stays (a due-panel entry after a key).
- `Footer` builds all its keys again (~30 ms) whenever its screen's bindings may have changed: each time
  another screen covers it or uncovers it. `SteadyFooter` builds them again only when what it shows changes.
- Setting `Widget.virtual_size` always asks for a layout of the screen, even when the scrollbars stay
  as they are. `resize_virtual` lays out only when they change; `steady_virtual_size` does the same for a
  widget that sets its own virtual size (an OptionList whose options change in number).
- `TreeNode.add` and `TreeNode.remove` lay the tree's lines out again (and ask for a repaint) at every
  node, and nodes cannot be reordered: a reload of the tree in view (a filter key) rebuilt every node.
  `new_node`, `set_children` and `set_expanded` change the nodes without that, so that nodes whose row
  did not change are kept as they are, and `lay_out` lays the lines out once at the end. Textual's own
  `Tree._invalidate` also asks for a layout of the whole screen, and the tree's lines setting its virtual
  size ask for another: `lay_out` repaints the tree alone, and a tree with `steady_virtual_size` and
  `follow_virtual_size` lays the screen out only when its scrollbar shows or hides.
- A scrollbar showing or hiding lays the whole screen out (`show_vertical_scrollbar` asks for it): the tree's
  scrollbar appearing on an expand cost a layout and a second pass over the screen. `QuietScrollBar` stays in
  place (the tree's `overflow-y: scroll`) and is drawn as the tree's background while nothing scrolls, so the
  tree's lines changing in number never lay the screen out.
- `Tree.render_line` works out the widget's style (walking up the DOM for its background) for every line
  it paints; `tree_line` paints a line with a style worked out once for the whole repaint. Its line cache
  is keyed by line number and emptied at every layout of the lines; `PaintedLines` keeps lines by what they
  show, so a row that moves to another line is not painted again (`_on_line` gives it its new line number, with
  the styles `Style.__add__` would give, each segment's meta read once).
- `Tree._render_line` also works out its component styles and guide strings again for every line, and builds
  the guides as a `Text` to render: `LinePainter` paints the same segments with those worked out once per
  repaint and the guides made into segments directly (about a quarter less per line painted afresh). It follows
  `Tree._render_line` step by step (`TreeNode._hover`, `_selected`, `Tree.LINES`); a test compares the two on
  every line, in each theme.
- `StylesCache.render_line` works out the border's sides (two styles, a box lookup) and checks padding, tint and
  opacity again for every line of a widget, and its lines are kept by line number and forgotten at every repaint
  of the whole widget. `FramedLines`, the plan tree's and its scrollbar's styles cache, frames content lines with
  sides worked out once per repaint when there is nothing but a border around them, keeps each framed line by the
  content strip it was made from (an unchanged row keeps its framed strip, and the colour filter and the
  compositor's cuts cached on it), and leaves every other line to Textual; a test compares the two, border and
  title included, in each theme.

All of these use private attributes; `tests/test_repaint.py` checks them against the installed Textual and
fails on an upgrade that moves them. An upstream fix (a label-only refresh in Tree) is the better end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pickle import dumps, loads
from typing import Any, TypeVar, cast

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._border import get_box
from textual._segment_tools import line_pad
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.renderables.blank import Blank
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Tree
from textual.widgets.tree import TreeNode

T = TypeVar("T")

# The Textual versions these internals were read in (the test fails on any other, to be read again).
CHECKED_WITH = ("8.2.8",)


def relabel(tree: Tree[T], node: TreeNode[T], label: Text) -> None:
    """Give `node` a new label and repaint its own line only (its children's lines do not change)."""
    set_label(tree, node, label)
    if tree._tree_lines_cached is None:
        return  # the tree is being rebuilt: every line will be painted anyway
    line = node._line
    if line >= 0:
        tree._refresh_line(line)


def new_node(tree: Tree[T], parent: TreeNode[T], label: Text, data: T, *, leaf: bool) -> TreeNode[T]:
    """A node for `parent` (collapsed), not yet among its children: `set_children` places it."""
    node = tree._add_node(parent, tree.process_label(label), data)
    node._allow_expand = not leaf
    return node


def set_label(tree: Tree[T], node: TreeNode[T], label: Text) -> None:
    """Give `node` a new label, repainted when the tree's lines are laid out again (`lay_out`)."""
    node._label = tree.process_label(label)
    node._updates += 1  # part of the line cache's key: the node's line is built again when painted


def set_children(parent: TreeNode[T], children: list[TreeNode[T]]) -> bool:
    """Make `children` (its own, or from `new_node`) the children of `parent`, in this order; those it had
    that are not among them leave the tree with theirs. Shown once `lay_out` runs. False if nothing changed."""
    if len(children) == len(parent._children) and all(a is b for a, b in zip(children, parent._children, strict=True)):
        return False
    kept = {id(child) for child in children}
    for old in [child for child in parent._children if id(child) not in kept]:
        old._remove()
    parent._children = list(children)
    parent._updates += 1
    return True


def set_expanded(node: TreeNode[T], expanded: bool) -> bool:
    """Open or close `node` without a message or a repaint (shown once `lay_out` runs). False if it already was."""
    if node._expanded == expanded:
        return False
    node._expanded = expanded
    node._updates += 1
    return True


def lay_out(tree: Tree[T], cursor: TreeNode[T] | None) -> None:
    """Lay the tree's lines out again, once, after `new_node`, `set_children`, `set_expanded` or `set_label`,
    with the cursor on `cursor` (None: no cursor), where Textual would leave it on a line a removed node had.
    The tree is repainted; the screen is laid out only if the tree's scrollbar shows or hides (with
    `follow_virtual_size`)."""
    tree._cursor_node = cursor
    _lines_anew(tree)
    lines = tree._tree_lines  # laid out now, so the line numbers are the new ones
    if cursor is None:
        tree.cursor_line = -1
        return
    if not 0 <= cursor._line < len(lines) or lines[cursor._line].node is not cursor:  # under a closed branch
        above = cursor.parent
        while above is not None:
            above._expanded = True
            above = above.parent
        _lines_anew(tree)
        lines = tree._tree_lines
    tree.cursor_line = cursor._line


def _lines_anew(tree: Tree[T]) -> None:
    """`Tree._invalidate` without its layout of the screen: the lines are built again when next asked for."""
    tree._clear_line_cache()
    tree._updates += 1
    tree.root._reset()
    tree.refresh()


def follow_virtual_size(widget: Widget, size: Size) -> None:
    """Update a widget's scrollbars to a new virtual size (a widget with `steady_virtual_size` whose own code
    sets it calls this from `watch_virtual_size`); showing or hiding one lays the screen out."""
    widget._scroll_update(size)


def tree_line(tree: Tree[T], y: int, style: Style) -> Strip:
    """Line `y` of the tree's view as `Tree.render_line` paints it, with `style` its `rich_style`."""
    scroll_x, scroll_y = tree.scroll_offset
    return tree._render_line(y + scroll_y, scroll_x, scroll_x + tree.size.width, style)


class LinePainter:
    """Paints tree lines as `Tree._render_line` does, segment for segment, with what is the same for every line of
    one repaint (the component styles, the guides' strings) worked out once, and the guides made into segments
    directly rather than through a `Text` (Textual works all of it out again for each line)."""

    def __init__(self, tree: Tree[T], base_style: Style) -> None:
        self.tree, self.base_style = tree, base_style
        self.width = tree.size.width
        self.pad_width = max(tree.virtual_size.width, self.width)
        self.has_focus = tree.has_focus
        self.hover_line, self.cursor_line = tree.hover_line, tree.cursor_line
        self.console = tree.app.console
        rich_style = tree.get_component_rich_style
        hidden = {name: tree.get_component_styles(name).color.a == 0
                  for name in ("tree--guides", "tree--guides-hover", "tree--guides-selected")}
        self.base_hidden, self.hover_hidden = hidden["tree--guides"], hidden["tree--guides-hover"]
        self.selected_hidden = hidden["tree--guides-selected"]
        self.base_guide = rich_style("tree--guides", partial=True)
        self.hover_guide = self.base_guide + rich_style("tree--guides-hover", partial=True)
        self.selected_guide = self.base_guide + rich_style("tree--guides-selected", partial=True)
        self.label_style = rich_style("tree--label", partial=True)
        self._styles: dict[str, Style] = {}
        self._guides: dict[tuple[Style, bool], tuple[str, str, str, str]] = {}

    def _component(self, name: str, *, partial: bool) -> Style:
        found = self._styles.get(name)
        if found is None:
            found = self._styles[name] = self.tree.get_component_rich_style(name, partial=partial)
        return found

    def _guide_strings(self, style: Style, hidden: bool) -> tuple[str, str, str, str]:
        """Space, vertical, terminator and cross, as `Tree._render_line`'s `get_guides`."""
        found = self._guides.get((style, hidden))
        if found is None:
            tree = self.tree
            lines: Any
            if tree.show_guides and not hidden:
                lines = tree.LINES["bold"] if style.bold else (
                    tree.LINES["double"] if style.underline2 else tree.LINES["default"])
            else:
                lines = ("  ", "  ", "  ", "  ")
            depth = max(0, tree.guide_depth - 2)
            found = self._guides[(style, hidden)] = cast(
                "tuple[str, str, str, str]", tuple(f"{chars[0]}{chars[1] * depth} " for chars in lines))
        return found

    def paint(self, y: int) -> Strip:
        """Line `y` of the tree (not cropped), as `Tree._render_line(y, 0, width, base_style)` paints it."""
        tree = self.tree
        lines = tree._tree_lines
        if y >= len(lines):
            return Strip.blank(self.width, self.base_style)
        line = lines[y]
        path = line.path
        is_hover = self.hover_line >= 0 and any(node._hover for node in path)
        line_style = self._component("tree--highlight-line", partial=False) if is_hover else self.base_style
        line_style += Style(meta={"line": y})

        pieces: list[tuple[str, Style | None]] = []  # the guides, each with its style (None: none, as Text.append)
        hover, selected = path[0]._hover, path[0]._selected and self.has_focus
        guide_style, hidden = self.base_guide, True
        for node in path[1:]:
            hidden = self.base_hidden
            if hover:
                guide_style, hidden = self.hover_guide, self.hover_hidden
            if selected:
                guide_style, hidden = self.selected_guide, self.selected_hidden
            space, vertical, _, _ = self._guide_strings(guide_style, hidden)
            if node is not path[-1]:
                pieces.append((space if node.is_last else vertical, guide_style or None))
            hover = hover or node._hover
            selected = (selected or node._selected) and self.has_focus
        if len(path) > 1:
            _, _, terminator, cross = self._guide_strings(guide_style, hidden)
            pieces.append((terminator if line.last else cross, guide_style or None))

        label_style = self.label_style
        if self.hover_line == y:
            label_style += self._component("tree--highlight", partial=True)
        if self.cursor_line == y:
            label_style += self._component("tree--cursor", partial=False)
        label = tree.render_label(line.path[-1], line_style, label_style).copy()
        label.stylize(Style(meta={"node": line.node._id}))
        label.style = line_style  # the guides' Text's style, under every span, as when appended to it

        segments = _guide_segments(pieces, line_style)
        segments.extend(label.render(self.console))
        cells = sum(cell_len(text) for text, _ in pieces) + label.cell_len
        return Strip(line_pad(segments, 0, self.pad_width - cells, line_style))


def _guide_segments(pieces: list[tuple[str, Style | None]], line_style: Style) -> list[Segment]:
    """The guides as `Text.render` cuts them: a segment per styled piece, unstyled pieces side by side in one."""
    segments: list[Segment] = []
    plain = ""
    for text, style in pieces:
        if style is None:
            plain += text
            continue
        if plain:
            segments.append(Segment(plain, line_style))
            plain = ""
        segments.append(Segment(text, line_style + style))
    if plain:
        segments.append(Segment(plain, line_style))
    return segments


class PaintedLines:
    """The tree's lines as painted, kept by what they show rather than by line number (Textual's own cache is
    emptied whenever the lines are laid out again): a filter or sort key that moves the rows shown paints only
    the rows it brings in, and moves the others to their new line."""

    KEPT = 4000  # painted lines kept (a few screens of a large tree)

    def __init__(self) -> None:
        self._painted: dict[tuple[object, ...], tuple[Text, int, int, Strip]] = {}

    def clear(self) -> None:
        """Forget every line (the tree's colours changed)."""
        self._painted.clear()

    def line(self, tree: Tree[T], y: int, style: Style) -> Strip:
        """Line `y` of the tree's view as `tree_line` paints it."""
        scroll_x, scroll_y = tree.scroll_offset
        width = tree.size.width
        number = y + scroll_y
        lines = tree._tree_lines
        if number >= len(lines) or scroll_x:
            return tree_line(tree, y, style)
        line = lines[number]
        node = line.node
        # everything Tree._render_line paints a line from, but its number and its node's id (a row that leaves a
        # view and comes back has a new node)
        key = (id(node._label), node._expanded, node._allow_expand, line.last,
               tuple((above._hover, above._selected, above.is_last) for above in line.path),
               tree.cursor_line == number, tree.hover_line == number, tree.hover_line >= 0, width,
               tree.virtual_size.width, tree._pseudo_class_state, tree.has_focus, style)
        found = self._painted.get(key)
        if found is None or found[0] is not node._label:
            strip = tree._render_line(number, 0, max(tree.virtual_size.width, width), style)
            if len(self._painted) >= self.KEPT:
                self._painted.clear()
        elif found[1:3] != (number, node._id):
            strip = _on_line(found[3], number, node._id)
        else:
            return found[3].crop(0, width)
        self._painted[key] = (node._label, number, node._id, strip)
        return strip.crop(0, width)


def _on_line(strip: Strip, number: int, node_id: int) -> Strip:
    """A tree line's strip as painted on line `number` for node `node_id` (its segments say both, for the mouse):
    each styled segment's style plus `{"line": number}`, and `"node": node_id` where it had a node."""
    line, label = Style.from_meta({"line": number}), Style.from_meta({"line": number, "node": node_id})
    segments = []
    for text, style, control in strip:
        if style is not None and style._meta is not None:
            meta = loads(style._meta)
            if style._link:  # Style.__add__ gives a linked style a link id of its own
                style = style + (label if "node" in meta else line)
            elif "node" in meta:
                meta.update(line=number, node=node_id)
                style = _with_meta(style, meta, label)
            else:
                meta["line"] = number
                style = _with_meta(style, meta, line)
        segments.append(Segment(text, style, control))
    return Strip(segments, strip.cell_length)


def _with_meta(style: Style, meta: dict[str, Any], added: Style) -> Style:
    """`style + added` where `added` is a style of meta alone and `meta` their meta merged, as `Style._add` makes
    it, without reading both metas again (a tree line moved to another line has a few of these per segment)."""
    new: Style = Style.__new__(Style)
    new._ansi = None
    new._style_definition = None
    new._color, new._bgcolor = style._color, style._bgcolor
    new._attributes, new._set_attributes = style._attributes, style._set_attributes
    new._link, new._link_id = style._link, added._link_id
    new._null = False
    new._meta = dumps(meta)
    new._hash = None
    return new


class FramedLines(StylesCache):
    """Textual's `StylesCache` (a widget's lines with its CSS: border, padding, tint...), with a faster way for the
    lines between a plain frame: where the widget has no padding, outline, hatch, tint, text opacity or opacity
    (the plan tree), each content line is framed with the border's two sides worked out once per repaint rather
    than once per line, and a content line painted before (the same `Strip`) gets the framed line it had, on any
    line (Textual keeps lines by line number, and forgets them at every repaint of the whole widget): the colour
    filter and the compositor's cuts, kept on that strip, are not worked out again either. Every other line, and
    every widget with more in its CSS, is painted as Textual paints it."""

    def __init__(self) -> None:
        super().__init__()
        self._frame: tuple[Segment | None, Segment | None] | None = None  # the sides, for the repaint under way
        self._framing: object = None  # what the kept lines were framed with (sides, colours, sizes)
        self._framed: dict[int, tuple[Strip, Strip]] = {}  # by the content strip's id: it, and it framed

    def render(self, styles: Any, size: Size, base_background: Color, background: Color, *args: Any,
               **kwargs: Any) -> list[Strip]:
        padding, opacity = kwargs.get("padding"), kwargs.get("opacity", 1.0)
        self._frame = frame = _plain_frame(self, styles, base_background, background, padding, opacity)
        framing = (frame, base_background, background, kwargs.get("content_size"), size)
        if framing != self._framing or len(self._framed) > 4 * size.height:
            self._framing = framing
            self._framed.clear()
        try:
            return super().render(styles, size, base_background, background, *args, **kwargs)
        finally:
            self._frame = None

    def render_line(self, styles: Any, y: int, size: Size, content_size: Size, padding: Any, base_background: Color,
                    background: Color, render_content_line: Callable[[int], Strip], *args: Any) -> Strip:
        frame = self._frame
        top, _, bottom, _ = styles.gutter
        if frame is None or (top and y == 0) or (bottom and y == size.height - 1):
            return super().render_line(styles, y, size, content_size, padding, base_background, background,
                                       render_content_line, *args)
        inner = self.get_inner_outer(base_background, background)[0].rich_style
        content_width, content_height = content_size
        content_y = y - top
        if content_y >= content_height:
            line: Iterable[Segment] = Strip.blank(content_width, inner)
            content = None
        else:
            content = render_content_line(content_y)
            kept = self._framed.get(id(content))
            if kept is not None and kept[0] is content:
                return kept[1]
            line = content.adjust_cell_length(content_width, inner)
        left, right = frame
        if left is not None or right is not None:
            line = [*([left] if left is not None else []), *line, *([right] if right is not None else [])]
        framed = Strip(line, size.width)
        if content is not None:
            self._framed[id(content)] = (content, framed)
        return framed


def _plain_frame(cache: StylesCache, styles: Any, base_background: Color, background: Color, padding: Any,
                 opacity: float) -> tuple[Segment | None, Segment | None] | None:
    """The left and right sides of the border around a widget's content lines, as `StylesCache.render_line` draws
    them, if those lines are plain (nothing but a border around them); else None."""
    if padding is None:
        padding = styles.padding
    if (any(padding) or opacity != 1.0 or styles.text_opacity != 1.0 or styles.tint.a
            or any(edge for edge, _ in styles.outline) or (styles.has_rule("hatch") and styles.hatch != "none")):
        return None
    (_, _), (right_type, right_color), (_, _), (left_type, left_color) = styles.border
    inner, outer = cache.get_inner_outer(base_background, background)

    def side(color: Color) -> TextualStyle:
        return TextualStyle(foreground=base_background + color.multiply_alpha(1.0))

    left = get_box(left_type, inner, outer, side(left_color))[1][0] if left_type else None
    right = get_box(right_type, inner, outer, side(right_color))[1][2] if right_type else None
    return left, right


def replace_prompt(options: OptionList, option_id: str, prompt: VisualType) -> None:
    """Give an option a new prompt and repaint its own lines, where it keeps its height (`replace_option_prompt`
    forgets every option's lines and repaints the whole list)."""
    index = options.get_option_index(option_id)
    option = options.get_option_at_index(index)
    height = options._line_cache.heights.get(index)
    option._set_prompt(prompt)
    painted = options._option_render_cache
    for key in [key for key in painted.keys() if key[0] is option]:
        painted.discard(key)
    width = options.scrollable_content_region.width - options._get_left_gutter_width()
    padding = options.get_component_styles("option-list--option").padding
    rules = cast(RulesMap, options.styles)  # as OptionList measures its options
    if height is None or options._get_visual(option).get_height(rules, width - padding.width) != height:
        options._clear_caches()  # its lines move the others: every line is placed again
        return
    line = options._line_cache.index_to_line[index] - options.scroll_offset.y
    options.refresh(Region(0, line, options.scrollable_content_region.width, height))


def resize_virtual(widget: Widget, size: Size) -> None:
    """Set a scrolling widget's virtual size; the screen is laid out again only if a scrollbar shows or hides."""
    if widget.virtual_size == size:
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)  # updates the scrollbars; showing or hiding one asks for a layout itself


def steady_virtual_size() -> Reactive[Size]:
    """A widget's `virtual_size`, declared in its class (`virtual_size = steady_virtual_size()`), whose changes
    ask for a repaint and not for a layout of the screen, however they are made (an OptionList sets its own);
    the scrollbars' update still lays out when one shows or hides."""
    return Reactive(Size(0, 0), layout=False)


class SteadyFooter(Footer):
    """Textual's Footer, whose keys are built again only when the keys it shows change (which, their key, words,
    whether they apply), not each time its screen's bindings are announced as perhaps changed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: object = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = (screen.app.app_focus, [(binding.key, self.app.get_key_display(binding), binding.description,
                                         binding.action, binding.group, enabled, tooltip)
                                        for _, binding, enabled, tooltip in screen.active_bindings.values()
                                        if binding.show])
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)


class QuietScrollBar(ScrollBar):
    """A vertical scrollbar that stays in place (its widget's `overflow-y: scroll`) and is drawn as the widget's own
    background while there is nothing to scroll: the lines changing in number never show or hide it, so they never
    lay the screen out."""

    def render(self) -> Any:
        if self.window_virtual_size <= self.window_size:
            assert self.parent is not None
            return Blank(self.parent.background_colors[1])
        return super().render()


def steady_scrollbar(widget: Widget) -> ScrollBar:
    """`Widget.vertical_scrollbar` (created when first asked for) as a `QuietScrollBar`."""
    if widget._vertical_scrollbar is None:
        widget._vertical_scrollbar = bar = QuietScrollBar(vertical=True, name="vertical",
                                                          thickness=widget.scrollbar_size_vertical)
        bar._styles_cache = FramedLines()  # nothing around its lines: each painted as it comes
        bar.display = False
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar
