"""The reaches into Textual's internals (tui/widgets/repaint.py), checked against the installed Textual.

These fail loudly on a Textual upgrade that moves what they use: read the internals again in the new
version, then add it to `CHECKED_WITH`. If the contrast test fails because `TreeNode.set_label` now
repaints the node's line alone, the adapter's `relabel` can give way to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import textual
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, OptionList, Tree
from textual.widgets._footer import FooterKey

from helpers.screen import built_lines, settle
from tui.widgets.repaint import (
    CHECKED_WITH,
    SteadyFooter,
    lay_out,
    new_node,
    relabel,
    resize_virtual,
    set_children,
    set_expanded,
    set_label,
    steady_virtual_size,
    tree_line,
)


def test_the_installed_textual_is_one_the_adapter_was_read_in() -> None:
    assert textual.__version__ in CHECKED_WITH, (
        f"tui/widgets/repaint.py uses Textual internals read in {CHECKED_WITH} (TreeNode._label, _updates, "
        f"_line, _children, _expanded, _allow_expand, _remove; Tree._tree_lines_cached, _tree_lines, "
        f"_refresh_line, _add_node, _invalidate, _clear_line_cache, _render_line, _pseudo_class_state, _cursor_node; "
        f"OptionList._line_cache, _option_render_cache, _clear_caches, _get_visual, _get_left_gutter_width; "
        f"Option._set_prompt; Widget._scroll_update, _vertical_scrollbar; App._start_widget): read them again in "
        f"{textual.__version__} and add it to CHECKED_WITH")


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        tree: Tree[int] = Tree(Text("root"))
        tree.show_root = False
        branch = tree.root.add(Text("branch 0/10"), data=0, expand=True)
        for n in range(1, 11):
            branch.add_leaf(Text(f"leaf {n}"), data=n)
        yield tree


def screen_text(app: App[Any]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_relabel_repaints_the_node_line_alone() -> None:
    app = TreeApp()
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        tree = app.query_one(Tree)
        branch = tree.root.children[0]
        built = built_lines(tree)
        relabel(tree, branch, Text("branch 1/10"))
        await settle(pilot)
        assert "branch 1/10" in screen_text(app)[0]
        assert "leaf 10" in "".join(screen_text(app))
        assert built == [0]  # the branch's line only, not its ten children's


async def test_textual_set_label_still_repaints_every_line_below() -> None:
    """Why `relabel` exists: Textual's own call builds the node's line and all its children's again."""
    app = TreeApp()
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        tree = app.query_one(Tree)
        built = built_lines(tree)
        tree.root.children[0].set_label(Text("branch 1/10"))
        await settle(pilot)
        assert "branch 1/10" in screen_text(app)[0]
        assert sorted(set(built)) == list(range(11))


class Lines(ScrollView):
    def render_line(self, y: int) -> Strip:
        return Strip([])


class LinesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Lines()


@contextmanager
def layouts_counted() -> Iterator[list[Screen[Any]]]:
    """The screens laid out while in the block, one entry per layout."""
    layouts: list[Screen[Any]] = []
    refresh_layout = Screen._refresh_layout

    def counted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(screen)
        refresh_layout(screen, *args, **kwargs)

    Screen._refresh_layout = counted  # type: ignore[method-assign]
    try:
        yield layouts
    finally:
        Screen._refresh_layout = refresh_layout  # type: ignore[method-assign]


@pytest.mark.parametrize(("height", "scrollbar"), [(5, False), (30, True)])
async def test_resize_virtual_lays_out_only_when_a_scrollbar_shows(height: int, scrollbar: bool) -> None:
    app = LinesApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await settle(pilot)
        lines = app.query_one(Lines)
        resize_virtual(lines, Size(30, 3))
        await settle(pilot)
        with layouts_counted() as layouts:
            resize_virtual(lines, Size(30, height))
            await settle(pilot)
        assert lines.virtual_size == Size(30, height)
        assert lines.show_vertical_scrollbar is scrollbar
        assert (len(layouts) > 0) is scrollbar  # no layout at all while the scrollbars stay as they were


class SteadyOptions(OptionList):
    virtual_size = steady_virtual_size()


class OptionsApp(App[None]):
    CSS = "OptionList { height: 1fr; }"  # a panel's height, as the due panel's (an auto height follows the options)

    def __init__(self, options: OptionList) -> None:
        super().__init__()
        self.options = options

    def compose(self) -> ComposeResult:
        yield self.options


def count_layouts() -> tuple[list[int], Any]:
    """Count the screen's layouts from now on; the second value puts Textual's method back."""
    layouts = [0]
    refresh_layout = Screen._refresh_layout

    def counted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts[0] += 1
        refresh_layout(screen, *args, **kwargs)

    Screen._refresh_layout = counted  # type: ignore[method-assign]
    return layouts, refresh_layout


@pytest.mark.parametrize(("before", "after", "laid_out"), [(30, 60, False), (60, 25, False), (3, 30, True)])
async def test_a_steady_option_list_lays_out_only_when_its_scrollbar_shows(before: int, after: int,
                                                                          laid_out: bool) -> None:
    """A due panel's lists change length with each month: only a scrollbar showing or hiding needs a layout.
    (Reads Widget.virtual_size's reactive, which asks for a layout on any change in Textual 8.2.)"""
    options = SteadyOptions()
    app = OptionsApp(options)
    async with app.run_test(size=(40, 10)) as pilot:
        options.set_options([f"option {n}" for n in range(before)])
        await settle(pilot)
        layouts, refresh_layout = count_layouts()
        try:
            options.set_options([f"option {n}" for n in range(after)])
            await settle(pilot)
        finally:
            Screen._refresh_layout = refresh_layout  # type: ignore[method-assign]
        assert options.virtual_size.height == after
        assert options.show_vertical_scrollbar
        assert (layouts[0] > 0) is laid_out


async def test_textual_option_list_still_lays_out_when_its_length_changes() -> None:
    """Why `steady_virtual_size` exists: a plain OptionList asks for a layout of the screen on every change."""
    options = OptionList()
    app = OptionsApp(options)
    async with app.run_test(size=(40, 10)) as pilot:
        options.set_options([f"option {n}" for n in range(30)])
        await settle(pilot)
        layouts, refresh_layout = count_layouts()
        try:
            options.set_options([f"option {n}" for n in range(60)])
            await settle(pilot)
        finally:
            Screen._refresh_layout = refresh_layout  # type: ignore[method-assign]
        assert layouts[0] > 0


class FooterApp(App[None]):
    BINDINGS = [("k", "bump", "Bump"), ("j", "other", "Other")]

    def __init__(self) -> None:
        super().__init__()
        self.bumps = 0

    def compose(self) -> ComposeResult:
        yield SteadyFooter()

    def action_bump(self) -> None:
        self.bumps += 1
        self.refresh_bindings()

    def action_other(self) -> None:
        """Nothing: a key for check_action to take away."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "other" and self.bumps % 2)


async def built_when_covered(app: FooterApp, pilot: Any, footer: Footer) -> list[int]:
    """Spy on the footer's rebuilds, then cover its screen with another and uncover it; the rebuilds so far."""
    built: list[int] = []
    recompose = footer.recompose

    async def counted() -> None:
        built.append(1)
        await recompose()

    footer.recompose = counted  # type: ignore[method-assign]
    await app.push_screen(Screen())
    await settle(pilot)
    app.pop_screen()
    await settle(pilot)
    return built


async def test_a_steady_footer_builds_its_keys_again_only_when_they_change() -> None:
    """A screen covering the footer's and going again rebuilt every key in Textual 8.2 (Footer.bindings_changed)."""
    app = FooterApp()
    async with app.run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        footer = app.query_one(SteadyFooter)
        built = await built_when_covered(app, pilot, footer)
        assert built == []
        assert "Other" in " ".join(screen_text(app))
        await pilot.press("k")  # the Other key no longer applies: no longer shown
        await settle(pilot)
        assert built == [1]
        assert [key.action for key in footer.query(FooterKey)] == ["bump", "command_palette"]


async def test_textual_footer_still_builds_its_keys_again_when_covered() -> None:
    """Why `SteadyFooter` exists."""
    app = FooterApp()
    app.compose = lambda: iter([Footer()])  # type: ignore[method-assign]
    async with app.run_test(size=(60, 10)) as pilot:
        await settle(pilot)
        assert await built_when_covered(app, pilot, app.query_one(Footer))


async def test_nodes_moved_added_and_removed_in_one_layout_with_the_cursor_on_its_node() -> None:
    """`new_node`, `set_children`, `set_expanded` and `lay_out`: the tree in view changed in one pass."""
    app = TreeApp()
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        tree = app.query_one(Tree)
        branch = tree.root.children[0]
        leaves = list(branch.children)
        tree.move_cursor(leaves[4])  # leaf 5
        await settle(pilot)
        added = new_node(tree, branch, Text("leaf 11"), 11, leaf=True)
        assert set_children(branch, [added, *reversed(leaves[2:])])  # leaves 1 and 2 go
        assert not set_children(branch, list(branch.children))  # the same children: nothing to do
        other = new_node(tree, tree.root, Text("branch 2"), 20, leaf=False)
        set_children(other, [new_node(tree, other, Text("leaf 21"), 21, leaf=True)])
        assert set_expanded(other, True) and not set_expanded(other, True)
        set_children(tree.root, [branch, other])
        set_label(tree, added, Text("leaf eleven"))
        lay_out(tree, leaves[4])
        await settle(pilot)
        shown = [line.strip(" ▼├└─│") for line in screen_text(app) if line.strip()]
        assert shown == ["branch 0/10", "leaf eleven", *(f"leaf {n}" for n in range(10, 2, -1)), "branch 2",
                         "leaf 21"]
        assert tree.cursor_node is leaves[4] and tree.cursor_line == 7  # leaf 5, on its new line
        assert all(node not in tree._tree_nodes.values() for node in leaves[:2])


async def test_tree_line_paints_what_the_tree_paints() -> None:
    """`tree_line` with the style worked out once gives the strips `Tree.render_line` gives, line by line."""
    app = TreeApp()
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        tree = app.query_one(Tree)
        tree.move_cursor(tree.root.children[0].children[2])
        await settle(pilot)
        style = tree.rich_style
        for y in range(tree.size.height):
            tree._line_cache.clear()  # each line painted afresh, not taken from the cache the other filled
            ours = list(tree_line(tree, y, style))
            tree._line_cache.clear()
            assert ours == list(Tree.render_line(tree, y)), y


async def test_the_plan_trees_lines_changing_in_number_lay_nothing_out(db_path: Path) -> None:
    """The tree's scrollbar keeps its place (`QuietScrollBar`): the lines going from fitting to overflowing and back
    lay the screen out not once, and while nothing scrolls its column is the tree's own background, no bar."""
    from textual.renderables.blank import Blank

    from helpers.screen import TODAY, main_screen, make_app
    from store import fastread
    from store.rows import View
    from tui.loading import load_tree
    from tui.widgets.plan_tree import PlanTree

    app = make_app(db_path)  # the Head of Tameside PDU's actions: they fit
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        tree = main_screen(app).query_one(PlanTree)
        bar = tree.vertical_scrollbar
        assert isinstance(bar.render(), Blank)
        column, row = bar.region.x, bar.region.y
        cell = app.screen._compositor.render_strips()[row].crop(column, column + 1)
        assert cell.text == " "
        assert {segment.style.bgcolor for segment in cell if segment.style} == {tree.rich_style.bgcolor}
        mine = tree.shown()
        with fastread.reading(db_path) as run:
            everyone, _ = load_tree(run, View(), TODAY, None)
        with layouts_counted() as layouts:
            tree.rebuild(everyone, None, None)
            await settle(pilot)
            assert tree.virtual_size.height > tree.scrollable_content_region.height  # it scrolls now
            assert not isinstance(bar.render(), Blank)
            tree.rebuild(mine, None, None)
            await settle(pilot)
        assert layouts == []
        assert isinstance(bar.render(), Blank)
