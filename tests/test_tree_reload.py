"""Reloading the tree in view (filter, sort and hide keys, a change made elsewhere): the screen shows what
the store holds for the new view, and the cursor stays on its action."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from helpers.screen import (
    SIZES,
    Running,
    as_stored,
    built_lines,
    change_elsewhere,
    go_to,
    main_screen,
    make_app,
    press,
    screen_lines,
    settle,
    sql,
)
from store.rows import AddresseeNode, Progress, RegionNode
from tui.app import ActionTrackApp
from tui.nodes import ROOT, NodeKey
from tui.widgets.plan_tree import PlanTree



@pytest.fixture(params=["laptop", "wide"])
async def running(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[Running]:
    app = make_app(db_path)
    async with app.run_test(size=SIZES[request.param]) as pilot:
        await settle(pilot)
        yield app, pilot


def cursor_line(app: ActionTrackApp) -> str:
    """The tree's line under the cursor, as the terminal shows it."""
    tree = app.screen.query_one(PlanTree)
    top = tree.content_region.y + tree.cursor_line - tree.scroll_offset.y
    return screen_lines(app)[top]


async def test_each_filter_key_shows_what_the_store_holds_with_the_cursor_on_its_action(
        running: Running, db_path: Path) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/9/2", db_path)  # overdue, due this month and missed: in every date filter
    for key in ("d", "d", "d", "f", "s", "s", "F", "h", "h"):
        await press(pilot, key)
        assert main_screen(app).query_one(PlanTree).shown() == as_stored(app, db_path), key
        current = main_screen(app).current
        assert current is not None and current.reference == "gm-2023/9/2", key
        assert "9/2" in cursor_line(app), key  # the highlighted line is the action's


async def test_hide_completed_hides_complete_rows_and_keeps_the_counts(running: Running, db_path: Path) -> None:
    app, pilot = running
    for reference in ("gm-2023/9/1", "gm-2023/9/2"):  # all of recommendation 9
        await go_to(pilot, reference, db_path)
        await press(pilot, "c")
    text = "\n".join(screen_lines(app))
    assert "9 [agreed]  2/2" in text and "● 9/1" in text
    await go_to(pilot, "gm-2023/10/1", db_path)
    await press(pilot, "h")
    text = "\n".join(screen_lines(app))
    assert "9 [agreed]" not in text and "9/1" not in text and "9/2" not in text  # its branch goes with them
    assert "0/12" not in text and "2/12" in text  # the counts count the complete ones still
    assert main_screen(app).query_one(PlanTree).shown() == as_stored(app, db_path)
    assert "10/1" in cursor_line(app)
    await press(pilot, "h")
    assert "● 9/1" in "\n".join(screen_lines(app))  # its branch open again, as it was
    assert main_screen(app).query_one(PlanTree).shown() == as_stored(app, db_path)


async def test_a_filter_that_hides_the_cursors_action_moves_it_to_the_first_row(
        running: Running, db_path: Path) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/6/3", db_path)  # on track: not overdue
    await press(pilot, "d")
    screen = main_screen(app)
    tree = screen.query_one(PlanTree)
    assert "6/3" not in "\n".join(screen_lines(app))
    assert tree.cursor_node is tree.root.children[0]
    await press(pilot, "d", "d", "d")  # the filter off again: the cursor stays where it went
    assert tree.cursor_node is tree.root.children[0]


async def test_a_change_made_elsewhere_shows_on_its_line_after_the_reload(running: Running, db_path: Path) -> None:
    app, pilot = running
    await go_to(pilot, "gm-2023/6/1", db_path)
    change_elsewhere(db_path, "gm-2023/6/1")
    main_screen(app).refresh_all()
    await settle(pilot)
    assert "◐ 6/1" in cursor_line(app)
    assert sql(db_path, "SELECT status FROM action WHERE reference = 'gm-2023/6/1'") == [("ongoing",)]


class BranchApp(App[None]):
    """The plan tree alone, at its regions; the branches asked for are filled when the test says."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[NodeKey] = []

    def compose(self) -> ComposeResult:
        yield PlanTree()

    def on_mount(self) -> None:
        regions = [RegionNode("North East", Progress(done=1, total=3, overdue=1)),
                   RegionNode("Wales", Progress(done=0, total=1, overdue=0))]
        self.query_one(PlanTree).rebuild({ROOT: list(regions)}, set(), None)
        self.query_one(PlanTree).focus()

    def on_plan_tree_branch_expanded(self, message: PlanTree.BranchExpanded) -> None:
        self.asked.append(message.key)


def addressee(n: int) -> AddresseeNode:
    return AddresseeNode(id=n, name=f"Addressee {n}", kind="pdu", rating="", plan_id=f"ne-{n}", plan_year="2023",
                         progress=Progress(done=0, total=1, overdue=0))


@pytest.mark.parametrize("key", ["right", "enter"])
async def test_a_branch_not_loaded_opens_with_its_children_in_one_paint(key: str) -> None:
    app = BranchApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(pilot)
        tree = app.query_one(PlanTree)
        region = NodeKey("region", "North East")
        await press(pilot, key)
        assert app.asked == [region]
        lines = screen_lines(app)
        assert lines[0].startswith("▶") and "North East" in lines[0]  # not shown open and empty meanwhile
        assert "Addressee" not in "\n".join(lines)
        await press(pilot, key)  # pressed again while its children are read: asked once
        assert app.asked == [region]
        painted = built_lines(tree)
        tree.fill(region, [addressee(1), addressee(2)])
        await settle(pilot)
        lines = screen_lines(app)
        assert lines[0].startswith("▼") and "North East" in lines[0]
        assert "Addressee 1" in lines[1] and "Addressee 2" in lines[2] and "Wales" in lines[3]
        assert sorted(painted) == sorted(set(painted))  # each line painted once
        await press(pilot, "left" if key == "right" else "enter")  # and closes as before
        assert "Addressee" not in "\n".join(screen_lines(app))
        await press(pilot, key)  # loaded now: it opens at once, nothing asked
        assert app.asked == [region] and "Addressee 1" in "\n".join(screen_lines(app))
