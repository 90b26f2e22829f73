"""Everyone's month key and filter keys after a change, this round's way and the way before in turn, in one app.

    python bench/everyone_in_turn.py DB --presses 10      # a copy of the 100k database: it completes actions

On a loaded machine two runs minutes apart move by more than a change between them, so the two ways alternate
press by press and meet the same load. The month key (`]`, `[`): its months read ahead, against nothing kept
(its list read at the key, as before). The date and status filter's first step pressed as soon as the screen's own
status change shows (`c` on the action the due panel highlights): everyone's counts carried over the change,
against read again after it (as before), and, to show what the background reads cost the key, carried with no
read-ahead at all (none after the change or the key: not what the app does). Each key is timed as `follow_up.py`
times it; prints p50 and each press.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from follow_up import AHEAD, DUE_AHEAD, _on_action  # noqa: E402
from pilot_timing import send_key, settle, timed  # noqa: E402
from run import TODAY, pick_owners  # noqa: E402


async def in_turn(db_path: Path, presses: int, size: tuple[int, int]) -> dict[str, list[float]]:
    """Seconds per key, by key and way."""
    from store.config import Config
    from store.db import open_database
    from store.queries import find_owner
    from tui.app import ActionTrackApp
    from tui.kept_regions import KeptRegions
    from tui.widgets.due_panel import DuePanel
    from tui.widgets.plan_tree import PlanTree

    db = open_database(db_path)
    with db.read() as session:
        owner = find_owner(session, pick_owners(db_path)[0])
    app = ActionTrackApp(db, today=TODAY, config=Config(user="bench", owner=owner.label), owner=owner,
                         ask_owner=False)
    found: dict[str, list[float]] = {}
    versions = itertools.count(10**9)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen: Any = app.screen
        screen.choose_owner(None)
        await settle(app, pilot)
        screen.query_one(PlanTree).focus()
        await settle(app, pilot)
        kept, due_ahead, carry = screen.kept_regions, screen._read_due_ahead, screen._carry_classes
        regions_ahead = screen._read_regions_ahead
        months = itertools.cycle(["right_square_bracket", "left_square_bracket"])
        for _ in range(presses):
            for way in ("read ahead", "nothing kept"):
                screen.kept_regions = kept if way == "read ahead" else KeptRegions(lambda: next(versions))
                screen._read_due_ahead = due_ahead if way == "read ahead" else (lambda _view, _month: None)
                screen._read_due_ahead_if_needed()
                await settle(app, pilot)
                month = next(months)
                found.setdefault(f"month key, {way}", []).append(
                    await timed(app, pilot, lambda k=month: send_key(app, k), DUE_AHEAD))
        screen.kept_regions, screen._read_due_ahead = kept, due_ahead
        panel = screen.query_one(DuePanel)
        for _ in range(presses):
            for key in ("d", "f"):
                for way in ("carried", "read again", "carried, nothing read ahead"):
                    screen._carry_classes = carry if way != "read again" else (lambda _move, _now: False)
                    screen._read_regions_ahead = regions_ahead if way != "carried, nothing read ahead" \
                        else (lambda *_args: None)
                    panel.focus()
                    panel.highlighted = next(i for i in range(panel.option_count) if _on_action(panel, i))
                    await settle(app, pilot)
                    await timed(app, pilot, lambda: send_key(app, "c"), AHEAD + DUE_AHEAD)
                    found.setdefault(f"{key} right after a status change, counts {way}", []).append(
                        await timed(app, pilot, lambda k=key: send_key(app, k), AHEAD + DUE_AHEAD))
                    await timed(app, pilot, lambda: send_key(app, "F"))  # the filters cleared, every read done
    db.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--presses", type=int, default=10)
    args = parser.parse_args()
    for name, size in {"160×48": (160, 48), "80×24": (80, 24)}.items():
        for key, times in asyncio.run(in_turn(args.db, args.presses, size)).items():
            print(f"{name} {key}: p50 {statistics.median(times) * 1000:.1f} ms "
                  f"({', '.join(f'{t * 1000:.1f}' for t in times)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
