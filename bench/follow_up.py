"""Following a plan up at scale: the filter and sort keys, and the missed-period queries; prints a table.

    python bench/follow_up.py                                # the 100k database bench/run.py built
    python bench/follow_up.py --db bench/out/bench-10000.sqlite --runs 3

Keys are timed as bench/app_session.py times them (from the key to the settled, repainted screen,
`pilot_timing`), for the benchmark's owner and for everyone, each against the bare key → repaint floor
(`floor_app.py`) measured in the same run. Queries run in process against a bare sqlite3 query. The
target is 50 ms per key at 100,000 actions. Results go to bench/out/follow_up.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from pilot_timing import send_key, settle, timed  # noqa: E402
from run import TODAY, bare_sqlite_query, pick_owners  # noqa: E402

# Each key pressed in turn through its whole cycle, so every filter is timed and the view ends as it began;
# h (hide completed, an older key that reloads the tree the same way) for comparison.
KEYS = {"d": 4, "f": 4, "s": 2, "h": 2}
KEY_WORDS = {"d": "date filter key (overdue / due this month / missed / off)",
             "f": "status filter key (not started / ongoing / complete / off)",
             "s": "sort key (by due date / by reference)",
             "h": "for comparison: hide-completed key (on / off)"}
TARGET = 0.050


async def time_keys(db_path: Path, owner_label: str, runs: int) -> dict[str, list[float]]:
    """Seconds per filter and sort key, for the owner and for everyone."""
    from store.config import Config
    from store.db import open_database
    from store.queries import find_owner
    from tui.app import ActionTrackApp
    from tui.widgets.plan_tree import PlanTree

    db = open_database(db_path)
    with db.read() as session:
        owner = find_owner(session, owner_label)
    found: dict[str, list[float]] = {}
    app = ActionTrackApp(db, today=TODAY, config=Config(user="bench", owner=owner.label), owner=owner,
                         ask_owner=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        for who in ("owner", "everyone"):
            if who == "everyone":
                screen.choose_owner(None)  # type: ignore[attr-defined]
                await settle(app, pilot)
            screen.query_one(PlanTree).focus()
            await settle(app, pilot)
            for key, cycle in KEYS.items():
                times = found.setdefault(f"{key} ({who})", [])
                for _ in range(runs):
                    times += [await timed(app, pilot, lambda k=key: send_key(app, k)) for _ in range(cycle)]
    db.dispose()
    return found


def time_queries(db_path: Path, owner_label: str, runs: int) -> dict[str, list[float]]:
    """Seconds per query: the overdue list with its missed periods named, and the tree under each filter."""
    from store.db import open_database
    from store.queries import WHEN_WORDS, View, find_owner, overdue, regions, view_tree, with_missed_periods

    db = open_database(db_path, read_only=True)
    found: dict[str, list[float]] = {}

    def clock(name: str, fn: Callable[[], Any]) -> None:
        times = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        found[name] = times[1:]  # the first run warms the caches

    with db.read() as s:
        owner = find_owner(s, owner_label)
        clock("missed periods: overdue (owner), months named",
              lambda: with_missed_periods(s, overdue(s, TODAY, owner.id), TODAY))
        clock("missed periods: overdue (everyone), the 200 listed named",
              lambda: with_missed_periods(s, overdue(s, TODAY)[:200], TODAY))
        for when, words in WHEN_WORDS.items():
            clock(f"tree (owner) only {words}", lambda w=when: view_tree(s, View(owner_id=owner.id, when=w), TODAY))
            clock(f"regions (everyone) only {words}", lambda w=when: regions(s, View(when=w), TODAY))
    db.dispose()
    return found


def bare_key(runs: int) -> list[float]:
    """The floor of a key: a bare Textual app repainting one label, measured the same way."""
    printed = subprocess.run([sys.executable, str(BENCH / "floor_app.py"), "--pilot", str(runs)],
                             capture_output=True, text=True, check=True).stdout
    return [float(t) for t in json.loads(printed)]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.001 else f"{seconds * 1e6:.0f} µs"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(keys: dict[str, list[float]], key_floor: list[float], queries: dict[str, list[float]],
          query_floor: list[float], size: int) -> str:
    """The results as a Markdown table: median, p95, floor and ratio; keys against the 50 ms target."""
    lines = [f"| measure ({size:,} actions) | median | p95 | floor | ratio | target | met |",
             "|---|---|---|---|---|---|---|"]
    floor = statistics.median(key_floor)
    for name, times in keys.items():
        key, who = name.split(" ", 1)
        median = statistics.median(times)
        lines.append(f"| {KEY_WORDS[key]} {who} | {_ms(median)} | {_ms(_p95(times))} | {_ms(floor)} (bare key) | "
                     f"{median / floor:.1f}× | ≤ 50 ms | {'yes' if median <= TARGET else 'NO'} |")
    floor = statistics.median(query_floor)
    for name, times in queries.items():
        median = statistics.median(times)
        lines.append(f"| query: {name} | {_ms(median)} | {_ms(_p95(times))} | {_ms(floor)} (bare sqlite3) | "
                     f"{median / floor:.0f}× | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=BENCH / "out" / "bench-100000.sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db} does not exist: bench/run.py builds it", file=sys.stderr)
        return 1
    owner, _ = pick_owners(args.db)
    import sqlite3

    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
        size = conn.execute("SELECT count(*) FROM action WHERE NOT withdrawn").fetchone()[0]
    key_floor = bare_key(args.runs * 2)
    keys = asyncio.run(time_keys(args.db, owner, args.runs))
    query_floor = bare_sqlite_query(args.db, args.runs, owner)
    queries = time_queries(args.db, owner, args.runs)
    result = table(keys, key_floor, queries, query_floor, size) + f"\n\nOwner: {owner}; today {TODAY}.\n"
    print(result)
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / "follow_up.md").write_text(result, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
