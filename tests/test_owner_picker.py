"""The owner picker with a national number of owners: every one within reach, fresh counts kept in place."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import App

from helpers.screen import settle
from store.queries import OwnerCount
from tui.screens.owner_picker import MAX_LISTED, OwnerPicker
from tui.widgets.lazy_options import LazyOptionList

OWNERS = [OwnerCount(id=n, name=f"Head of Place {n:04d} PDU", region="Region", open=n % 7, total=10)
          for n in range(1, 3201)]


class PickerApp(App[None]):
    def __init__(self, picker: OwnerPicker) -> None:
        super().__init__()
        self.picker = picker
        self.chosen: Any = None

    def on_mount(self) -> None:
        def chosen(choice: object) -> None:
            self.chosen = choice

        self.push_screen(self.picker, chosen)


def listed(picker: OwnerPicker) -> LazyOptionList:
    return picker.query_one("#picker-list", LazyOptionList)


def highlighted_prompt(picker: OwnerPicker) -> str:
    options = listed(picker)
    assert options.highlighted is not None
    return str(options.get_option_at_index(options.highlighted).prompt)


async def test_end_reaches_the_last_owner_listed_and_typing_narrows() -> None:
    picker = OwnerPicker(OWNERS)
    app = PickerApp(picker)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert listed(picker).option_count < MAX_LISTED  # only what is within reach is in the list
        await pilot.press("down", "end")
        await settle(pilot)
        assert highlighted_prompt(picker).startswith(f"Head of Place {MAX_LISTED:04d} PDU")
        await pilot.press("pageup")
        await settle(pilot)
        assert "Place 0" in highlighted_prompt(picker)
        picker.query_one("#picker-filter").focus()
        await pilot.press(*"place 3199")
        await settle(pilot)
        assert highlighted_prompt(picker).startswith("Head of Place 3199 PDU")
        await pilot.press("enter")
        await settle(pilot)
    assert app.chosen == OWNERS[3198]


async def test_scrolling_down_brings_more_owners_into_the_list() -> None:
    picker = OwnerPicker(OWNERS)
    app = PickerApp(picker)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = listed(picker).option_count
        for _ in range(before):
            listed(picker).scroll_down(animate=False)
        await settle(pilot)
        assert listed(picker).option_count > before


async def test_fresher_counts_keep_the_filter_and_the_cursor() -> None:
    picker = OwnerPicker(OWNERS)
    app = PickerApp(picker)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*"place 12")
        await pilot.press("down", "down", "down")
        await settle(pilot)
        before = highlighted_prompt(picker)
        picker.update_owners([replace(o, open=o.open + 1) for o in OWNERS])
        await settle(pilot)
        after = highlighted_prompt(picker)
        assert after.split("  ")[0] == before.split("  ")[0]
        assert after != before  # the counts moved on
        assert all("Place 12" in str(listed(picker).get_option_at_index(i).prompt)
                   for i in range(listed(picker).option_count))
