"""The reaches into Textual's internals (tui/widgets/repaint.py), checked against the installed Textual.

These fail loudly on a Textual upgrade that moves what they use: read the internals again in the new
version, then add it to `CHECKED_WITH`. If the contrast test fails because `TreeNode.set_label` now
repaints the node's line alone, the adapter's `relabel` can give way to it.
"""

from __future__ import annotations

from typing import Any

import pytest
import textual
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Tree

from helpers.screen import settle
from tui.widgets.repaint import (
    CHECKED_WITH,
    lay_out,
    new_node,
    relabel,
    resize_virtual,
    set_children,
    set_expanded,
    set_label,
    tree_line,
)


def test_the_installed_textual_is_one_the_adapter_was_read_in() -> None:
    assert textual.__version__ in CHECKED_WITH, (
        f"tui/widgets/repaint.py uses Textual internals read in {CHECKED_WITH} (TreeNode._label, _updates, "
        f"_line, _children, _expanded, _allow_expand, _remove; Tree._tree_lines_cached, _tree_lines, "
        f"_refresh_line, _add_node, _invalidate, _cursor_node; Widget._scroll_update): read them again in "
        f"{textual.__version__} and add it to CHECKED_WITH")


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        tree: Tree[int] = Tree(Text("root"))
        tree.show_root = False
        branch = tree.root.add(Text("branch 0/10"), data=0, expand=True)
        for n in range(1, 11):
            branch.add_leaf(Text(f"leaf {n}"), data=n)
        yield tree


def built_lines(tree: Tree[int]) -> list[int]:
    """Spy on the tree: the lines it paints from now on."""
    painted: list[int] = []
    paint = tree._render_line

    def spy(y: int, *args: Any) -> Strip:
        painted.append(y)
        return paint(y, *args)

    tree._render_line = spy  # type: ignore[method-assign]
    return painted


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


@pytest.mark.parametrize(("height", "scrollbar"), [(5, False), (30, True)])
async def test_resize_virtual_lays_out_only_when_a_scrollbar_shows(height: int, scrollbar: bool) -> None:
    app = LinesApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await settle(pilot)
        lines = app.query_one(Lines)
        resize_virtual(lines, Size(30, 3))
        await settle(pilot)
        layouts = 0
        refresh_layout = Screen._refresh_layout

        def counted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
            nonlocal layouts
            layouts += 1
            refresh_layout(screen, *args, **kwargs)

        Screen._refresh_layout = counted  # type: ignore[method-assign]
        try:
            resize_virtual(lines, Size(30, height))
            await settle(pilot)
        finally:
            Screen._refresh_layout = refresh_layout  # type: ignore[method-assign]
        assert lines.virtual_size == Size(30, height)
        assert lines.show_vertical_scrollbar is scrollbar
        assert (layouts > 0) is scrollbar  # no layout at all while the scrollbars stay as they were


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
