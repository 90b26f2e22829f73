"""Where one status key's time goes, phase by phase, in the app and on the floor of the same widgets; prints a table.

    python bench/key_phases.py DB --size 160x48 --presses 40
    python bench/key_phases.py DB --code /tmp/main-code ...   # another checkout's app (e.g. `git archive main`)

Each key is timed as bench/app_session.py times it (`pilot_timing.timed`, from the key to the settled, repainted
screen), with `time.perf_counter_ns` marks at: the key's action running on the screen's thread; the write's job
starting (the write session opened: in a worker's thread, or on the screen's); BEGIN IMMEDIATE acquired;
`set_status` and the action read back returned; the commit returned (its fsync included); the result on the
screen's thread (`_show_change` called) and shown (it returned); the last compositor pass
(`Screen._compositor_refresh`, the repaint) ended. The floor (bench/floor_app.py) has the key's action, its end
and the repaint. Run it on a fresh copy of the database (the status key writes history).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

OWNER = "Head of Tameside PDU (Greater Manchester)"
OTHER = "Head of Performance and Quality (Greater Manchester)"
TODAY = date(2023, 9, 15)


class Marks:
    """The marks of the key being timed, by name (the first of each, but `repainted`: the last)."""

    def __init__(self) -> None:
        self.now: dict[str, int] = {}
        self.keys: list[dict[str, int]] = []

    def mark(self, name: str, *, last: bool = False) -> None:
        if last or name not in self.now:
            self.now[name] = time.perf_counter_ns()

    def start(self) -> None:
        self.now = {"key": time.perf_counter_ns()}

    def end(self) -> None:
        self.now["settled"] = time.perf_counter_ns()
        self.keys.append(self.now)


def _wrap(owner: Any, name: str, before: str | None, after: str | None, marks: Marks, *, last: bool = False) -> None:
    """Mark `before` as `owner.name` is called and `after` as it returns."""
    original = getattr(owner, name)

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        if before:
            marks.mark(before, last=last)
        try:
            return original(self, *args, **kwargs)
        finally:
            if after:
                marks.mark(after, last=last)

    setattr(owner, name, wrapped)


MARKS = Marks()


def _instrument_repaint() -> None:
    from textual.screen import Screen

    _wrap(Screen, "_compositor_refresh", None, "repainted", MARKS, last=True)


def _wrap_function(module: Any, name: str, after: str, marks: Marks) -> None:
    """Mark `after` as the function `module.name` returns."""
    original = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        finally:
            marks.mark(after)

    setattr(module, name, wrapped)


def _instrument_app(marks: Marks, db: Any) -> None:
    from sqlalchemy import event

    from store import commands
    from store.db import Database
    from tui.screens import main
    from tui.screens.main import MainScreen

    _wrap_function(commands, "set_status", "set", marks)
    _wrap_function(main, "load_after_change", "read", marks)

    _wrap(MainScreen, "_set_status", "action", None, marks)
    _wrap(MainScreen, "_show_change", "shown_start", "shown", marks)
    write = Database.write

    @contextmanager
    def timed_write(self: Any, **kwargs: Any) -> Iterator[Any]:
        marks.mark("job")
        with write(self, **kwargs) as session:
            yield session
        marks.mark("committed")

    Database.write = timed_write  # type: ignore[method-assign,assignment]

    @event.listens_for(db.engine, "begin")
    def _begun(_conn: Any) -> None:  # after the engine's own listener has run BEGIN IMMEDIATE
        if "job" in marks.now:  # the write's, not a read's
            marks.mark("locked")


APP_PHASES = [("key → the key's action runs", "key", "action"),
              ("→ the write's job starts", "action", "job"),
              ("→ BEGIN IMMEDIATE acquired", "job", "locked"),
              ("the write (`set_status`)", "locked", "set"),
              ("the action read back", "set", "read"),
              ("the commit with its fsync, the session closed", "read", "committed"),
              ("→ the result on the screen's thread", "committed", "shown_start"),
              ("showing it (the tree's line, the detail)", "shown_start", "shown"),
              ("→ the last repaint ends", "shown", "repainted"),
              ("→ settled (the benchmark's wait)", "repainted", "settled"),
              ("total", "key", "settled")]
FLOOR_PHASES = [("key → the key's action runs", "key", "action"),
                ("showing it (the tree's line, the detail)", "action", "shown"),
                ("→ the last repaint ends", "shown", "repainted"),
                ("→ settled (the benchmark's wait)", "repainted", "settled"),
                ("total", "key", "settled")]


def phases(keys: list[dict[str, int]], table: list[tuple[str, str, str]]) -> dict[str, float]:
    """Each phase's p50 in ms over the keys that have both its marks."""
    found = {}
    for label, a, b in table:
        spans = [(k[b] - k[a]) / 1e6 for k in keys if a in k and b in k]
        found[label] = statistics.median(spans) if spans else float("nan")
    return found


async def time_app(db_path: Path, size: tuple[int, int], presses: int) -> tuple[list[dict[str, int]], Any]:
    from app_session import cursor_on, read_floor_data, subjects
    from pilot_timing import send_key, settle, timed

    from store.config import Config
    from store.db import open_database
    from tui.app import ActionTrackApp

    db = open_database(db_path)
    owner, other, action_id, own_region, biggest = subjects(db, OWNER, OTHER, TODAY)
    marks = MARKS
    _instrument_app(marks, db)
    app = ActionTrackApp(db, today=TODAY, config=Config(user="bench", owner=owner.label), owner=owner,
                         ask_owner=False)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await cursor_on(app, pilot, action_id)
        for i in range(presses):
            marks.start()
            await timed(app, pilot, lambda k="ox"[i % 2]: send_key(app, k))
            marks.end()
        if presses % 2:
            send_key(app, "x")
            await settle(app, pilot)
    data = read_floor_data(db, owner, other, TODAY, action_id, own_region.region, biggest.region)
    db.dispose()
    return marks.keys, data


async def time_floor(data: Any, size: tuple[int, int], presses: int) -> list[dict[str, int]]:
    from app_session import floor_cursor_on
    from floor_app import screen_floor_app
    from pilot_timing import send_key, settle, timed

    marks = MARKS
    marks.keys = []
    app = screen_floor_app(data)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen: Any = app.screen
        _wrap(type(screen), "action_status", "action", "shown", marks)
        floor_cursor_on(app, data.row.id)
        await settle(app, pilot)
        for _ in range(presses):
            marks.start()
            await timed(app, pilot, lambda: send_key(app, "o"))
            marks.end()
    return marks.keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--size", default="160x48")
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose app is timed (default: this one)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import app_session  # noqa: F401  (loaded first: it puts this checkout before the others on sys.path)

    sys.path.insert(0, str(args.code))
    columns, rows = (int(n) for n in args.size.split("x"))
    _instrument_repaint()
    keys, data = asyncio.run(time_app(args.db, (columns, rows), args.presses))
    floor_keys = asyncio.run(time_floor(data, (columns, rows), args.presses))
    app, floor = phases(keys, APP_PHASES), phases(floor_keys, FLOOR_PHASES)
    print(f"status key at {columns}×{rows}, {args.presses} presses, p50 of each phase (ms):")
    for label, _, _ in APP_PHASES:
        print(f"| {label} | {app[label]:.2f} | {floor[label]:.2f} |" if label in floor else
              f"| {label} | {app[label]:.2f} | |")
    for name, found in (("app", keys), ("floor", floor_keys)):
        print(f"{name}, each mark's p50 from the key (ms): " + ", ".join(
            f"{mark} {offset:.2f}" for mark, offset in offsets(found)))


def offsets(keys: list[dict[str, int]]) -> list[tuple[str, float]]:
    """Each mark's p50 from the key, in ms, in order."""
    names = {name for key in keys for name in key}
    found = [(name, statistics.median([(k[name] - k["key"]) / 1e6 for k in keys if name in k])) for name in names]
    return sorted(found, key=lambda pair: pair[1])


if __name__ == "__main__":
    main()
