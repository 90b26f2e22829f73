"""A key paints what changed, once: the detail pane's unchanged lines are not painted again, the due panel
builds the entries in view only, and the tree's lines change without laying the screen out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region, Size
from textual.renderables.blank import Blank
from textual.screen import Screen
from textual.visual import Visual, visualize
from textual.widget import Widget
from textual.widgets import Tree

import tui.widgets.detail as detail_module
import tui.widgets.repaint as repaint_module
from helpers.screen import SIZES, TODAY, due_text, go_to, main_screen, make_app, press, settle
from store import fastread
from store.rows import View
from tui.labels import due_label, due_label_height
from tui.loading import load_due
from tui.widgets.detail import DetailPane, hang_lines
from tui.widgets.due_panel import DueEntry, DuePanel
from tui.widgets.plan_tree import PlanTree
from tui.widgets.repaint import _on_line as on_line
from tui.widgets.repaint import follow_virtual_size, lay_out, new_node, set_children, steady_virtual_size


class LayoutsCounted:
    """Counts the screen's layouts while in its `with` block."""

    def __enter__(self) -> LayoutsCounted:
        self.count = 0
        self._textual = Screen._refresh_layout

        def counted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
            self.count += 1
            self._textual(screen, *args, **kwargs)

        Screen._refresh_layout = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        Screen._refresh_layout = self._textual  # type: ignore[method-assign]


def whole(pane: DetailPane, text: Text, width: int) -> list[str]:
    """The text painted in one piece, as the pane painted it before it painted line by line."""
    visual = visualize(pane, hang_lines(text, width, pane.app.console), markup=False)
    return [repr(list(strip)) for strip in Visual.to_strips(pane, visual, width, None, pane.visual_style)]


async def test_the_detail_pane_paints_line_by_line_what_it_painted_whole(db_path: Path) -> None:
    """Segment for segment, styles and their offsets included, at widths that wrap the fields and the history."""
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        pane = main_screen(app).query_one(DetailPane)
        for reference in ("gm-2023/6/1", "gm-2023/6/2"):
            await go_to(pilot, reference, db_path)
            await press(pilot, "o", "x")  # a history of changes, wrapped under its author
            texts = [pane._text, Text("[b]not markup[/b]\n\ttab\n\n" + "long " * 80 + "\n")]
            for text in texts:
                for width in (12, 30, 41, 57, 90):
                    pane._text = text
                    assert [repr(list(strip)) for strip in pane._render_at(width)] == whole(pane, text, width)


async def test_a_status_key_paints_only_the_lines_of_the_detail_that_changed(db_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/6/1", db_path)
        await press(pilot, "o", "x")  # a history to keep
        pane = main_screen(app).query_one(DetailPane)
        before = pane.text.split("\n")
        painted: list[str] = []

        def spy(text: Text, width: int, console: Any) -> Text:
            painted.append(text.plain)
            return hang_lines(text, width, console)

        monkeypatch.setattr(detail_module, "hang_lines", spy)
        await press(pilot, "c")
        changed = [line for line in pane.text.split("\n") if line not in before]
        assert "● complete" in changed[0] and "not started → complete" in changed[-1] and len(before) >= 15
        # those lines, and the blank line at the end (a line further down)
        assert painted == [*changed, ""]


async def test_the_due_panel_builds_the_entries_in_view_only(db_path: Path) -> None:
    app = make_app(db_path, who=None)  # everyone: more entries than the panel shows
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        panel = main_screen(app).query_one(DuePanel)
        entries = [option.prompt for option in panel.options if isinstance(option.prompt, DueEntry)]
        built = [entry for entry in entries if entry._label is not None]
        assert len(entries) > 60 and 0 < len(built) <= panel.size.height
        assert panel.virtual_size.height == sum(due_label_height(e.row, late=e.late) for e in entries) + 2
        listed = due_text(app)  # every entry still reads in full
        assert all(e.row.reference in listed and e.label.plain in listed for e in entries)


def test_an_entry_has_the_lines_of_its_label(db_path: Path) -> None:
    """Every row the sample plans list as due or overdue, in both lists' forms (those with missed periods too)."""
    with fastread.reading(db_path) as run:
        lists = load_due(run, View(), TODAY, TODAY.replace(day=1))
    rows = [*lists.due, *lists.overdue[:200]]
    assert any(row.missed_periods for row in rows)
    for row in rows:
        for late in (False, True):
            assert due_label(row, {}, late=late).plain.count("\n") + 1 == due_label_height(row, late=late)


class SteadyTree(Tree[int]):
    virtual_size = steady_virtual_size()

    def watch_virtual_size(self, size: Size) -> None:
        follow_virtual_size(self, size)


class TreeApp(App[None]):
    CSS = "Tree { height: 1fr; }"

    def compose(self) -> ComposeResult:
        tree = SteadyTree(Text("root"))
        tree.show_root = False
        yield tree


@pytest.mark.parametrize(("leaves", "laid_out"), [(4, False), (30, True)])
async def test_the_tree_lays_the_screen_out_only_when_its_scrollbar_shows(leaves: int, laid_out: bool) -> None:
    app = TreeApp()
    async with app.run_test(size=(40, 12)) as pilot:
        tree = app.query_one(SteadyTree)
        set_children(tree.root, [new_node(tree, tree.root, Text(f"leaf {n}"), n, leaf=True) for n in range(3)])
        lay_out(tree, tree.root.children[0])
        await settle(pilot)
        with LayoutsCounted() as layouts:
            kids = [new_node(tree, tree.root, Text(f"leaf {n}"), n, leaf=True) for n in range(leaves)]
            set_children(tree.root, kids)
            lay_out(tree, kids[-1])
            await settle(pilot)
        assert tree.virtual_size.height == leaves and tree.show_vertical_scrollbar is laid_out
        assert (layouts.count > 0) is laid_out
        assert tree.cursor_node is kids[-1] and tree.cursor_line == leaves - 1


async def test_tree_lines_kept_by_what_they_show_paint_what_the_tree_paints(db_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """After keys that move the rows to other lines (filters, sort, the cursor), every line in view is, segment for
    segment (the line number the mouse reads included), the line Textual paints afresh."""
    moved: list[int] = []

    def spy(strip: Any, number: int, node_id: int) -> Any:
        moved.append(number)
        return on_line(strip, number, node_id)

    monkeypatch.setattr(repaint_module, "_on_line", spy)
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        tree = main_screen(app).query_one(PlanTree)
        for keys in (["f"], ["f"], ["s"], ["down", "down", "down"], ["f", "f"], ["s"], ["d"], ["d", "d", "d"]):
            await press(pilot, *keys)
            ours = [repr(list(tree.render_line(y))) for y in range(tree.size.height)]
            tree._line_cache.clear()
            fresh = [repr(list(Tree.render_line(tree, y))) for y in range(tree.size.height)]
            tree._line_cache.clear()
            assert ours == fresh, keys
        assert moved  # some lines were taken from those kept, at other line numbers


async def test_a_status_key_repaints_the_due_panel_entry_it_changed_alone(db_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/8/3", db_path)  # due this month: listed in the panel
        panel = main_screen(app).query_one(DuePanel)
        painted: list[str] = []
        render = DueEntry.render_strips

        def spy(entry: DueEntry, *args: Any) -> Any:
            painted.append(entry.row.reference)
            return render(entry, *args)

        monkeypatch.setattr(DueEntry, "render_strips", spy)
        await press(pilot, "o")
        assert painted == ["gm-2023/8/3"]
        assert "◐ gm-2023/8/3" in due_text(app)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "◐ gm-2023/8/3" in shown and panel.option_count > 5


async def test_a_month_and_back_paints_no_entry_again(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows of a month shown a moment ago are the same entries, already painted."""
    app = make_app(db_path)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await press(pilot, "right_square_bracket", "left_square_bracket")  # both months painted once
        before = due_text(app)
        painted: list[str] = []
        paint = DueEntry._painted

        def spy(entry: DueEntry) -> Any:
            painted.append(entry.row.reference)
            return paint(entry)

        monkeypatch.setattr(DueEntry, "_painted", spy)
        await press(pilot, "right_square_bracket")
        assert "Due in October 2023" in due_text(app)
        await press(pilot, "left_square_bracket")
        assert due_text(app) == before and painted == []
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "Due in September 2023" in shown and "gm-2023/8/3" in shown


def textual_lines(tree: PlanTree) -> list[list[Any]]:
    """Every line of the tree (and one past its end) as Textual's own `Tree._render_line` paints it afresh."""
    width, style = max(tree.virtual_size.width, tree.size.width), tree.rich_style
    lines = []
    for y in range(len(tree._tree_lines) + 1):
        tree._line_cache.clear()
        lines.append(list(Tree._render_line(tree, y, 0, width, style)))
    tree._line_cache.clear()
    return lines


@pytest.mark.parametrize("theme", ["actiontrack-dark", "actiontrack-light", "actiontrack-high-contrast"])
@pytest.mark.parametrize("size", ["wide", "laptop"])
async def test_the_plan_trees_lines_are_painted_as_textual_paints_them(db_path: Path, theme: str, size: str) -> None:
    """The tree's own line painter against Textual's, segment for segment (styles, the line numbers and node ids
    the mouse reads included), on every line: branches open and closed at three depths, the cursor, the mouse over
    a line, the tree focused and not."""
    app = make_app(db_path, who=None)  # everyone: regions, addressees, recommendations, actions
    async with app.run_test(size=SIZES[size]) as pilot:
        app.theme = theme
        await settle(pilot)
        tree = main_screen(app).query_one(PlanTree)
        tree.focus()
        await press(pilot, "right", "right", "down", "right", "right", "down", "right", "right", "down")
        assert {len(line.path) for line in tree._tree_lines} == {1, 2, 3, 4}  # every depth shown

        def ours() -> list[list[Any]]:
            width, style = max(tree.virtual_size.width, tree.size.width), tree.rich_style
            return [list(tree._render_line(y, 0, width, style)) for y in range(len(tree._tree_lines) + 1)]

        assert ours() == textual_lines(tree)
        tree.hover_line = 2  # the mouse over a line
        await settle(pilot)
        assert tree._tree_lines[2].node._hover and ours() == textual_lines(tree)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "▼" in shown and str(tree.cursor_node.label)[:20] in shown  # what the screen shows
        tree.hover_line = -1
        await press(pilot, "tab")  # the tree loses the focus: its selected guides go
        assert not tree.has_focus and ours() == textual_lines(tree)


def test_a_kept_line_moved_has_the_styles_style_addition_gives() -> None:
    """`_on_line` builds each style without `Style.__add__`: equal to it (colours, attributes, meta and its order)."""
    from rich.segment import Segment
    from rich.style import Style
    from textual.strip import Strip

    line_style = Style(color="white", bgcolor="#282a30") + Style.from_meta({"line": 4})
    strip = Strip([Segment("├── ", line_style + Style(color="grey50")),
                   Segment("▶ ", line_style + Style.from_meta({"toggle": True}) + Style.from_meta({"node": 9})),
                   Segment("North East", line_style + Style(bold=True, italic=False) + Style.from_meta({"node": 9})),
                   Segment("  ", line_style), Segment("", None), Segment("plain", Style(color="red"))])
    moved = on_line(strip, 17, 23)
    line, label = Style.from_meta({"line": 17}), Style.from_meta({"line": 17, "node": 23})
    expected = [Segment(text, style if style is None or style._meta is None else
                        style + (label if "node" in style.meta else line), control) for text, style, control in strip]
    assert list(moved) == expected and moved.cell_length == strip.cell_length
    assert [segment.style.meta if segment.style else None for segment in moved][:3] == [
        {"line": 17}, {"line": 17, "toggle": True, "node": 23}, {"line": 17, "node": 23}]


def framed_as_textual(widget: Widget) -> tuple[list[list[Any]], list[list[Any]]]:
    """A widget's lines with its CSS (border, title), through its own styles cache and through Textual's."""
    from textual._styles_cache import StylesCache

    whole = Region(0, 0, *widget.outer_size)
    widget._styles_cache.clear()
    ours = [list(strip) for strip in widget.render_lines(whole)]
    kept = widget._styles_cache
    widget._styles_cache = StylesCache()
    try:
        theirs = [list(strip) for strip in widget.render_lines(whole)]
    finally:
        widget._styles_cache = kept
    return ours, theirs


@pytest.mark.parametrize("theme", ["actiontrack-dark", "actiontrack-light", "actiontrack-high-contrast"])
@pytest.mark.parametrize("size", ["wide", "laptop"])
async def test_the_plan_trees_frame_is_drawn_as_textual_draws_it(db_path: Path, theme: str, size: str) -> None:
    """Every line of the tree with its border (the titled top, the sides, the bottom; none when narrow), focused
    and not, and of its scrollbar, segment for segment as Textual's own styles cache draws
    them."""
    app = make_app(db_path, who=None)
    async with app.run_test(size=SIZES[size]) as pilot:
        app.theme = theme
        await settle(pilot)
        tree = main_screen(app).query_one(PlanTree)
        tree.focus()
        await press(pilot, "right", "right", "down", "right")
        bar = tree.vertical_scrollbar
        assert not isinstance(bar.render(), Blank)  # everyone's tree overflows: the bar shows its thumb
        for _ in range(2):
            ours, theirs = framed_as_textual(tree)
            assert len(ours) == tree.outer_size.height and ours == theirs
            assert (tree.styles.border.left[0] != "") is (size == "wide")
            ours, theirs = framed_as_textual(bar)
            assert len(ours) == bar.outer_size.height and ours == theirs
            await press(pilot, "tab")  # and without the focus (another border colour)
        whole = Region(0, 0, *tree.outer_size)
        tree.refresh()
        before = tree.render_lines(whole)
        tree.refresh()  # painted again, nothing changed: each content line is the strip framed before
        again = tree.render_lines(whole)
        rows = range(1, len(again) - 1) if size == "wide" else range(len(again))
        assert all(again[y] is before[y] for y in rows if y < len(tree._tree_lines))
