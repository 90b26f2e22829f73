"""The floors the app is measured against: a bare Textual app that paints one label.

    python bench/floor_app.py            # paints "floor painted" (run it in a pty; the benchmark does)
    python bench/floor_app.py --sqlmodel # the same, after importing sqlmodel as the real app must
    python bench/floor_app.py --pilot N  # headless: N timings of a key press -> label changed -> repainted (JSON)
"""

from __future__ import annotations

import sys

if "--sqlmodel" in sys.argv:
    import sqlmodel  # noqa: F401  (the unavoidable import the real app pays)

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "floor painted"


class FloorApp(App[None]):
    """One label; `k` changes it."""

    BINDINGS = [("k", "bump", "Bump")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Label(MARKER, id="label")

    def action_bump(self) -> None:
        self.count += 1
        self.query_one(Label).update(f"{MARKER} {self.count}")


async def _pilot(runs: int) -> list[float]:
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pilot_timing import send_key, settle, timed

    app = FloorApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        timings = [await timed(app, pilot, lambda: send_key(app, "k")) for _ in range(runs + 1)]
        assert app.count == runs + 1
    return timings[1:]  # the first press warms up the key machinery


if __name__ == "__main__":
    if "--pilot" in sys.argv:
        import asyncio
        import json

        print(json.dumps(asyncio.run(_pilot(int(sys.argv[sys.argv.index("--pilot") + 1])))))
    else:
        FloorApp().run()
