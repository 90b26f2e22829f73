"""The screen's keys in CPU time, which a loaded machine moves less than wall time; prints one line per key.

    python bench/key_cpu.py DB --keys status,owner,f,d,s,h,expand_all,expand_own,month --size 160x48
    python bench/key_cpu.py DB --code /tmp/main-code ...   # another checkout's app (e.g. `git archive main`)

Each key is timed as bench/app_session.py times it (from the key to the settled, repainted screen,
`pilot_timing.timed`), with the CPU time of the whole process (the screen's thread and its workers) and of the
screen's thread alone around it, and the garbage collector's passes during the keys. Run it on a fresh copy of
the database each time (the status key writes history), in turn with the code compared against.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

OWNER = "Head of Tameside PDU (Greater Manchester)"
OTHER = "Head of Performance and Quality (Greater Manchester)"
TODAY = date(2023, 9, 15)
FILTERS = {"d": 4, "f": 4, "s": 2, "h": 2}  # each filter key through its whole cycle, three times


class Passes:
    """The garbage collector's passes while `on`, by generation: (count, longest ms, total ms)."""

    def __init__(self) -> None:
        self.on = False
        self.found: dict[int, list[float]] = defaultdict(list)
        self._start = 0.0
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        elif self.on:
            self.found[info["generation"]].append((time.perf_counter() - self._start) * 1000)

    def words(self) -> str:
        return ", ".join(f"gen{g} {len(v)}× (longest {max(v):.1f}, total {sum(v):.1f} ms)"
                         for g, v in sorted(self.found.items())) or "none"


async def time_key(db_path: Path, key: str, size: tuple[int, int]) -> str:
    from app_session import closed_region, cursor_on, subjects  # this checkout's bench, loaded already
    from pilot_timing import send_key, settle, timed

    from store.config import Config
    from store.db import open_database
    from tui.app import ActionTrackApp

    db = open_database(db_path)
    owner, other, action_id, own_region, biggest = subjects(db, OWNER, OTHER, TODAY)
    app = ActionTrackApp(db, today=TODAY, config=Config(user="bench", owner=owner.label), owner=owner,
                         ask_owner=False)
    walls: list[float] = []
    cpus: list[float] = []
    mains: list[float] = []
    passes = Passes()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen: Any = app.screen

        async def measured(act: Callable[[], Any]) -> None:
            passes.on = True
            cpu, main = time.process_time(), time.thread_time()
            walls.append(await timed(app, pilot, act))
            cpus.append(time.process_time() - cpu)
            mains.append(time.thread_time() - main)
            passes.on = False

        if key == "status":
            await cursor_on(app, pilot, action_id)
            for i in range(30):
                await measured(lambda k="ox"[i % 2]: send_key(app, k))
        elif key == "owner":
            for i in range(8):
                await measured(lambda w=(other, owner)[i % 2]: screen.choose_owner(w))
        elif key in ("expand_all", "expand_own"):
            region = biggest.region if key == "expand_all" else own_region.region
            if key == "expand_all":
                screen.choose_owner(None)
                await settle(app, pilot)
            for _ in range(6):
                await closed_region(app, pilot, region)
                await measured(lambda: send_key(app, "right"))
        elif key in FILTERS:
            for _ in range(3 * FILTERS[key]):
                await measured(lambda: send_key(app, key))
        elif key == "month":
            for i in range(30):
                await measured(lambda k=("right_square_bracket", "left_square_bracket")[i % 2]: send_key(app, k))
        else:
            raise SystemExit(f"no key {key!r}: status, owner, d, f, s, h, expand_all, expand_own or month")
    db.dispose()

    def p50(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.1f}"

    p95 = sorted(walls)[round(0.95 * (len(walls) - 1))] * 1000
    return (f"{key} {size[0]}×{size[1]} ({len(walls)} presses): wall p50 {p50(walls)} p95 {p95:.1f} ms; "
            f"CPU p50 {p50(cpus)} ms, of which the screen's thread {p50(mains)} ms; collector: {passes.words()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--keys", default="status,owner,f,d,s,h,expand_all,expand_own,month")
    parser.add_argument("--size", default="160x48")
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose app is timed (default: this one)")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import app_session  # noqa: F401  (loaded first: it puts this checkout before the others on sys.path)

    sys.path.insert(0, str(args.code))  # so that the app (tui, store) comes from `--code`
    columns, rows = (int(n) for n in args.size.split("x"))
    for key in args.keys.split(","):
        print(asyncio.run(time_key(args.db, key, (columns, rows))), flush=True)


if __name__ == "__main__":
    main()
