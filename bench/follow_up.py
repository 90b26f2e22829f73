"""Following a plan up at scale: the filter and sort keys, and the missed-period queries; prints a table.

    python bench/follow_up.py                                # the 100k database bench/run.py built
    python bench/follow_up.py --db bench/out/bench-10000.sqlite --runs 3
    python bench/follow_up.py --code /tmp/main-code      # another checkout's app (e.g. `git archive main`)

Keys are timed as bench/app_session.py times them (from the key to the settled, repainted screen,
`pilot_timing`), for the benchmark's owner and for everyone, at 160×48 and 80×24, each against two floors
measured in the same run: the same widgets fed the same views read beforehand, with no database
(`floor_app.screen_floor_app`: what Textual takes to show them), and the bare key → repaint. Queries run in
process against a bare sqlite3 query. The target is 50 ms per key at 100,000 actions. Results go to
bench/out/follow_up.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
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

import app_session  # noqa: E402, F401  (loaded now: on import it puts this checkout first on the path, which --code
# must follow, not precede)
from pilot_timing import send_key, settle, timed  # noqa: E402
from run import TODAY, bare_sqlite_query, pick_owners  # noqa: E402

# Each key pressed in turn through its whole cycle, so every filter is timed and the view ends as it began;
# h (hide completed, an older key that reloads the tree the same way) for comparison.
KEYS = {"d": 4, "f": 4, "s": 2, "h": 2, "]": 1, "[": 1}
SIZES = {"160×48": (160, 48), "80×24": (80, 24)}
KEY_WORDS = {"d": "date filter key (overdue / due this month / missed / off)",
             "f": "status filter key (not started / ongoing / complete / off)",
             "s": "sort key (by due date / by reference)",
             "h": "for comparison: hide-completed key (on / off)",
             "]": "due panel one month on", "[": "due panel one month back"}
TARGET = 0.050
COLD = "everyone, nothing read ahead"  # everyone's keys with no region counts kept (tui/kept_regions.py)
SWITCHED = "everyone, first switch"  # pressed once everyone's view first shows, its read-ahead not waited for
CHANGED = "everyone, right after a status change"  # the first filter step pressed once the screen's own change shows
AHEAD = ("ahead",)  # the screen's read-ahead worker group: runs on in the background after a repaint
# everyone's due lists of the months either side of the one shown, read in the background once it shows: a month
# key is timed with the screen settled before it (the read-ahead done, as at a user's pace), not waiting for the
# read-ahead it starts
DUE_AHEAD = ("due-ahead",)
MONTH_KEYS = ("]", "[")


def cycles(owner_id: int) -> dict[str, list[Any]]:
    """The views each key steps through from the plain view (and back to it), by key and whose."""
    from store.queries import View
    from store.targets import Status

    steps: dict[str, list[dict[str, Any]]] = {
        "d": [{"when": "overdue"}, {"when": "due"}, {"when": "missed"}, {}],
        "f": [{"status": Status.NOT_STARTED}, {"status": Status.ONGOING}, {"status": Status.COMPLETE}, {}],
        "s": [{"order": "due"}, {}], "h": [{"hide_complete": True}, {}], "]": [], "[": []}
    return {f"{key} ({who})": [View(owner_id=owner_id if who == "owner" else None, **step) for step in views]
            for key, views in steps.items() for who in ("owner", "everyone")}


async def time_keys(db_path: Path, owner_label: str, runs: int, size: tuple[int, int]) -> dict[str, list[float]]:
    """Seconds per filter and sort key, for the owner and for everyone."""
    from store.config import Config
    from store.db import open_database
    from store.queries import find_owner
    from tui.app import ActionTrackApp
    from tui.kept_regions import KeptRegions
    from tui.widgets.plan_tree import PlanTree

    versions = itertools.count()
    db = open_database(db_path)
    with db.read() as session:
        owner = find_owner(session, owner_label)
    found: dict[str, list[float]] = {}
    app = ActionTrackApp(db, today=TODAY, config=Config(user="bench", owner=owner.label), owner=owner,
                         ask_owner=False)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        for who in ("owner", "everyone"):
            if who == "everyone":
                screen.choose_owner(None)  # type: ignore[attr-defined]
                await settle(app, pilot)
            screen.query_one(PlanTree).focus()
            await settle(app, pilot)
            await press_cycles(app, pilot, who, runs, found)
        await press_after_change(app, pilot, runs, found)
        # everyone's date, status and month keys again with nothing kept and nothing read ahead: what a key costs
        # when it comes before the read-ahead is done (right after everyone's view shows, or a change)
        screen.kept_regions = KeptRegions(lambda: next(versions))  # a new version at each look: never valid
        screen._read_regions_ahead = lambda _view: None
        screen._read_due_ahead = lambda _view, _month: None
        await press_cycles(app, pilot, COLD, runs, found, keys=("d", "f", *MONTH_KEYS))
    db.dispose()
    return found


async def time_first_switch(db_path: Path, owner_label: str, runs: int,
                            size: tuple[int, int]) -> dict[str, list[float]]:
    """Seconds of everyone's date and status keys pressed as soon as everyone's view shows for the first time since
    the app started on the owner's (the read-ahead the switch starts runs on, not waited for): a new app each time."""
    from store.config import Config
    from store.db import open_database
    from store.queries import find_owner
    from tui.app import ActionTrackApp

    found: dict[str, list[float]] = {}
    for key in ("d", "f"):
        times = found.setdefault(f"{key} ({SWITCHED})", [])
        for _ in range(runs):
            db = open_database(db_path)
            with db.read() as session:
                owner = find_owner(session, owner_label)
            app = ActionTrackApp(db, today=TODAY, config=Config(user="bench", owner=owner.label), owner=owner,
                                 ask_owner=False)
            async with app.run_test(size=size) as pilot:
                await settle(app, pilot)  # started, and whatever it reads once started
                app.screen.choose_owner(None)  # type: ignore[attr-defined]
                await settle(app, pilot, AHEAD + DUE_AHEAD)
                times.append(await timed(app, pilot, lambda k=key, a=app: send_key(a, k), AHEAD + DUE_AHEAD))
                await settle(app, pilot)
            db.dispose()
    return found


async def press_cycles(app: Any, pilot: Any, who: str, runs: int, found: dict[str, list[float]],
                       keys: tuple[str, ...] = tuple(KEYS)) -> None:
    """Each key through its whole cycle, `runs` times, its timings added to `found` by key and whose."""
    for key in keys:
        cycle = KEYS[key]
        times = found.setdefault(f"{key} ({who})", [])
        for _ in range(runs):
            for _ in range(cycle):
                if key in MONTH_KEYS:
                    await settle(app, pilot)
                    times.append(await timed(app, pilot, lambda k=key: send_key(app, k), DUE_AHEAD))
                else:
                    times.append(await timed(app, pilot, lambda k=key: send_key(app, k)))


async def press_after_change(app: Any, pilot: Any, runs: int, found: dict[str, list[float]]) -> None:
    """In everyone's view, the screen's own status key on the action highlighted in the due panel (complete: it
    moves everyone's counts; the tree stays at its regions), then, as soon as the change shows (the read-aheads it
    starts not waited for), the date or the status filter's first step (only overdue; only not started), timed
    with that read-ahead running on; the filters are cleared after. It completes 2 × `runs` actions."""
    from tui.widgets.due_panel import DuePanel

    panel = app.screen.query_one(DuePanel)
    for key in ("d", "f"):
        times = found.setdefault(f"{key} ({CHANGED})", [])
        for _ in range(runs):
            panel.focus()
            panel.highlighted = next(i for i in range(panel.option_count) if _on_action(panel, i))
            await settle(app, pilot)
            await timed(app, pilot, lambda: send_key(app, "c"), AHEAD + DUE_AHEAD)
            times.append(await timed(app, pilot, lambda k=key: send_key(app, k), AHEAD + DUE_AHEAD))
            await timed(app, pilot, lambda: send_key(app, "F"))  # the filters cleared, every read done


def _on_action(panel: Any, index: int) -> bool:
    """Whether the due panel's entry at `index` is an action (not a heading)."""
    panel.highlighted = index
    return panel.highlighted_row is not None


def read_floor(db_path: Path, owner_label: str, other_label: str) -> Any:
    """The same widgets' data (bench/app_session.py's), with the views each filter and sort key shows."""
    from app_session import read_floor_data, subjects

    from store.db import open_database
    from store.queries import runner
    from tui.loading import load_tree

    db = open_database(db_path, read_only=True)
    owner, other, action_id, own_region, biggest = subjects(db, owner_label, other_label, TODAY)
    data = read_floor_data(db, owner, other, TODAY, action_id, own_region.region, biggest.region)
    with db.read() as session:
        run = runner(session)
        data.views = {name: [(*load_tree(run, view, TODAY, None), view) for view in views]
                      for name, views in cycles(owner.id).items()}
    db.dispose()
    return data


async def time_floor_keys(data: Any, runs: int, size: tuple[int, int]) -> dict[str, list[float]]:
    """The same keys on the same widgets, each showing the view read beforehand: Textual's share of a key."""
    from floor_app import screen_floor_app

    from tui.widgets.plan_tree import PlanTree

    found: dict[str, list[float]] = {}
    app = screen_floor_app(data)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen: Any = app.screen
        for who in ("owner", "everyone"):
            screen.who = who
            if who == "everyone":
                screen.query_one(PlanTree).rebuild(data.everyone, set(), None)
            screen.query_one(PlanTree).focus()
            await settle(app, pilot)
            await press_cycles(app, pilot, who, runs, found)
    return found


def time_queries(db_path: Path, owner_label: str, runs: int) -> dict[str, list[float]]:
    """Seconds per query: the overdue list with its missed periods named, and the tree under each filter."""
    from store.db import open_database
    from store import lists, reads
    from store.queries import WHEN_WORDS, View, find_owner, overdue, regions, runner, view_tree, with_missed_periods
    from tui.kept_regions import single_filters
    from dateutil.relativedelta import relativedelta

    from tui.loading import load_due

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
        # the due panel of everyone's view: the first 200 of each list (their ids in order, then their rows) and
        # the lists' lengths; a month key reads the month's list alone (the overdue list does not move with it)
        month, run = TODAY.replace(day=1), runner(s)
        clock("due panel (everyone): due this month and overdue, the first 200 of each listed, all counted",
              lambda: load_due(run, View(), TODAY, month))
        shown = load_due(run, View(), TODAY, month)
        clock("due panel (everyone) one month on: the month's list, the overdue list kept",
              lambda: load_due(run, View(), TODAY, month + relativedelta(months=1), shown=shown))
        clock("for comparison: the same two lists read whole (the due panel before)",
              lambda: (lists.due_in_month(run, TODAY.year, TODAY.month, TODAY), lists.overdue(run, TODAY)))
        for when, words in WHEN_WORDS.items():
            clock(f"tree (owner) only {words}", lambda w=when: view_tree(s, View(owner_id=owner.id, when=w), TODAY))
            clock(f"regions (everyone) only {words}", lambda w=when: regions(s, View(when=w), TODAY))
        # what the screen reads ahead once everyone's view shows: one statement, every filter's regions from it
        clock("everyone's read-ahead: actions by region and class, every filter's regions counted from them",
              lambda: reads.regions_of(reads.region_classes(runner(s), TODAY), View(when="overdue")))
        clock("for comparison: the regions of each view of one filter read one by one (the read-ahead before)",
              lambda: [regions(s, view, TODAY) for view in single_filters(View())[1:]])
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


def table(keys: dict[str, dict[str, list[float]]], floors: dict[str, dict[str, list[float]]],
          key_floor: list[float], queries: dict[str, list[float]], query_floor: list[float], size: int) -> str:
    """The results as a Markdown table: median, p95, floors and ratio; keys against the 50 ms target."""
    lines = [f"| measure ({size:,} actions) | median | p95 | same widgets p50 / p95 | ratio | bare key | target | met |",
             "|---|---|---|---|---|---|---|---|"]
    bare = statistics.median(key_floor)
    for screen, timings in keys.items():
        for name, times in timings.items():
            key, who = name.split(" ", 1)
            median = statistics.median(times)
            floor = floors[screen][name.replace(COLD, "everyone").replace(SWITCHED, "everyone")
                                   .replace(CHANGED, "everyone")]
            lines.append(f"| {KEY_WORDS[key]} {who}, {screen} | {_ms(median)} | {_ms(_p95(times))} | "
                         f"{_ms(statistics.median(floor))} / {_ms(_p95(floor))} | "
                         f"{median / statistics.median(floor):.2f}× | {_ms(bare)} | ≤ 50 ms | "
                         f"{'yes' if median <= TARGET else 'NO'} |")
    floor = statistics.median(query_floor)
    for name, times in queries.items():
        median = statistics.median(times)
        lines.append(f"| query: {name} | {_ms(median)} | {_ms(_p95(times))} | | {median / floor:.0f}× "
                     f"the bare sqlite3 query ({_ms(floor)}) | | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=BENCH / "out" / "bench-100000.sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--code", type=Path, help="the checkout whose app is timed (default: this one), e.g. main's "
                        "code from `git archive`, timed in turn with this one")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    if not args.db.exists():
        print(f"{args.db} does not exist: bench/run.py builds it", file=sys.stderr)
        return 1
    owner, other = pick_owners(args.db)
    import sqlite3

    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
        size = conn.execute("SELECT count(*) FROM action WHERE NOT withdrawn").fetchone()[0]
    key_floor = bare_key(args.runs * 2)
    data = read_floor(args.db, owner, other)
    keys, floors = {}, {}
    for name, screen in SIZES.items():  # each key, then the same on its floor, in turn
        keys[name] = asyncio.run(time_keys(args.db, owner, args.runs, screen))
        keys[name].update(asyncio.run(time_first_switch(args.db, owner, args.runs, screen)))
        floors[name] = asyncio.run(time_floor_keys(data, args.runs, screen))
    query_floor = bare_sqlite_query(args.db, args.runs, owner)
    queries = time_queries(args.db, owner, args.runs)
    result = table(keys, floors, key_floor, queries, query_floor, size) + f"\n\nOwner: {owner}; today {TODAY}.\n"
    print(result)
    (BENCH / "out").mkdir(exist_ok=True)
    (BENCH / "out" / "follow_up.md").write_text(result, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
