"""The detail pane, a view of wrapped lines that scrolls inside: it follows the theme and the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from helpers.screen import SIZES, go_to, make_app, settle
from tui.widgets.detail import DetailPane


def detail_cells(app: App[Any]) -> list[str]:
    """The background colours of the detail pane's first line, as painted."""
    pane = app.screen.query_one(DetailPane)
    x, y = pane.content_region.x, pane.content_region.y
    strips = app.screen._compositor.render_strips()
    return [str(segment.style.bgcolor) for segment in strips[y].crop(x, pane.content_region.right)
            if segment.style is not None]


async def test_a_new_theme_repaints_the_pane_in_its_colours(db_path: Path) -> None:
    light = make_app(db_path, theme="actiontrack-light")
    async with light.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/6/1", db_path)
        expected = detail_cells(light)
    app = make_app(db_path, theme="actiontrack-dark")
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/6/1", db_path)
        dark = detail_cells(app)
        app.theme = "actiontrack-light"
        await settle(pilot)
        assert detail_cells(app) == expected != dark


async def test_a_long_history_scrolls_inside_the_pane(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["laptop"]) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/6/2", db_path)
        await pilot.press("enter")  # read in full, in the tree's place
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        assert pane.max_scroll_y > 0 and pane.show_vertical_scrollbar
        await pilot.press("end")
        await settle(pilot)
        assert pane.scroll_y == pane.max_scroll_y
        assert any("History" in line for line in [strip.text for strip in app.screen._compositor.render_strips()])


async def test_a_field_that_wraps_continues_under_its_value_not_its_label(db_path: Path) -> None:
    app = make_app(db_path, who="Head of Knowsley & St Helens PDU")
    async with app.run_test(size=SIZES["laptop"]) as pilot:
        await settle(pilot)
        await go_to(pilot, "nw-2023/11/2", db_path)
        await pilot.press("enter")  # read in full, in the tree's place
        await settle(pilot)
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        for label, rest in (("Owners ", "North PDU"), ("Plan ", "Knowsley")):
            at = next(i for i, line in enumerate(lines) if line.lstrip("│ ").startswith(label))
            value_column = lines[at].index(label) + 15
            continued = lines[at + 1]
            assert continued[:value_column].strip("│ ") == "", continued  # nothing under the label
            assert continued[value_column] != " " and rest in continued, continued
