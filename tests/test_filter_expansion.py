"""A filter that opens a small view whole, then one that leads back to a large view: the large view opens the
branches the user had open before the filters, not every branch of the small view (each read on its own: at
10,000 actions that took seconds per key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.screen import TODAY, main_screen, make_app, press, settle
from store import fastread
from tui import loading
from tui.loading import load_tree
from tui.nodes import ROOT, NodeKey
from tui.screens.main import MainScreen
from tui.widgets.plan_tree import PlanTree


def open_regions(tree: PlanTree) -> set[str]:
    return {str(key.id) for key in tree.expanded_keys() if key.kind == "region"}


def date_filter(screen: MainScreen) -> str | None:
    return screen.state.view.when


async def test_a_filter_switched_off_gives_back_the_branches_open_before_it(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # everyone's 292 actions open at their regions; overdue (105), due this month (55), missed (18) open whole
    monkeypatch.setattr(loading, "AUTO_EXPAND_LIMIT", 150)
    app = make_app(db_path, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        tree = screen.query_one(PlanTree)
        assert open_regions(tree) == set()
        tree.focus()
        tree.move_cursor(tree.nodes_by_key[NodeKey("region", "North West")])
        await press(pilot, "right")  # the user opens one region
        assert open_regions(tree) == {"North West"}
        await press(pilot, "d")  # overdue: small enough to open whole
        assert date_filter(screen) == "overdue"
        assert open_regions(tree) == {"Greater Manchester", "North East"}
        assert tree.fully_loaded
        await press(pilot, "d", "d")  # due this month, then missed a period: whole too
        assert tree.fully_loaded and date_filter(screen) == "missed"
        await press(pilot, "d")  # off: everyone's whole view again, as the user left it
        assert date_filter(screen) is None
        assert open_regions(tree) == {"North West"}
        assert tree.loaded == {ROOT, NodeKey("region", "North West")}  # nothing else read
        with fastread.reading(db_path) as run:  # what the store gives for that view with that region open
            stored, _ = load_tree(run, screen.state.view, TODAY, {NodeKey("region", "North West")})
        assert tree.shown() == stored
