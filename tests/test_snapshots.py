"""Pictures of whole screens, so that a change of layout is seen in review.

Each test renders the screen as an SVG (`App.export_screenshot`, what Textual's own snapshot plugin
compares) and compares it with the file committed in tests/snapshots/. A mismatch leaves the new
picture beside the test's temporary files and names both: open them in a browser. When the change is
meant, run `ACTIONTRACK_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py` and commit the files.

(pytest-textual-snapshot would need pytest < 9 through its syrupy pin; this needs nothing more.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.screen import SIZES, go_to, make_app, settle

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def matches(name: str, svg: str, tmp_path: Path) -> None:
    """Compare `svg` with the committed snapshot `name`, or write it when asked to update."""
    committed = SNAPSHOTS / f"{name}.svg"
    if os.environ.get("ACTIONTRACK_UPDATE_SNAPSHOTS") == "1":
        committed.write_text(svg, encoding="utf-8")
        return
    assert committed.exists(), f"no snapshot {committed.name}: run with ACTIONTRACK_UPDATE_SNAPSHOTS=1"
    if committed.read_text(encoding="utf-8") != svg:
        new = tmp_path / f"{name}.new.svg"
        new.write_text(svg, encoding="utf-8")
        pytest.fail(f"the screen {name} changed: compare {committed} with {new}")


@pytest.mark.parametrize("size", ["laptop", "wide"])
async def test_the_owners_screen(db_path: Path, tmp_path: Path, size: str) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES[size]) as pilot:
        await settle(pilot)
        matches(f"main-{size}", app.export_screenshot(), tmp_path)


async def test_an_action_read_in_full_on_a_laptop(db_path: Path, tmp_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZES["laptop"]) as pilot:
        await settle(pilot)
        await go_to(pilot, "gm-2023/6/1", db_path)
        await pilot.press("enter")
        await settle(pilot)
        matches("detail-laptop", app.export_screenshot(), tmp_path)
