"""In-app timings with Textual's Pilot, against the real app on a benchmark database; prints JSON.

    python bench/app_session.py DB --owner LABEL --other LABEL --today 2023-09-15 --runs 5 --size 160x48

Each timing runs from the key press (or the owner being chosen) until every worker it started has
finished and the screen has been laid out and repainted. The status and month keys are pressed
`--presses` times (for a 95th percentile); the status key is pressed again with the garbage collector's
start-up freeze undone, to show what `gc.freeze()` is worth. The same keys are timed on the floor of the
same widgets (bench/floor_app.py), fed with the same data read beforehand, and its figures go under
"floor". The status key, the ratio that matters most and the smallest figure, is pressed in the app and on
its floor in turn, press by press, with both running: on a shared machine the processor's speed moves from
one second to the next, and a floor timed a few seconds after the app can meet another machine. Prints
{"unavailable": why} when the app (tui/app.py and its main screen) is not there yet or does not have the
shape this script drives.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pilot_timing import send_key, settle, timed  # noqa: E402


async def open_picker(app: Any, pilot: Any) -> float:
    """Seconds from `p` to the owner picker shown; then it is closed."""
    took = await timed(app, pilot, lambda: send_key(app, "p"))
    send_key(app, "escape")
    await settle(app, pilot)
    return took


MANY_OWNERS = 3000


def many_owners(owners: list[Any]) -> list[Any]:
    """At least MANY_OWNERS owners: the data set's, and copies of them in made-up places (a national
    database's number of roles; the 100k data set holds fewer)."""
    from dataclasses import replace

    found = list(owners)
    copy = 1
    while owners and len(found) < MANY_OWNERS:
        found += [replace(o, id=o.id + 1_000_000 * copy, region=f"{o.region} {copy}") for o in owners]
        copy += 1
    return found


async def picker_with_many(app: Any, pilot: Any, runs: int) -> dict[str, list[float]]:
    """Opening the picker over MANY_OWNERS owners or more, and each letter of a name typed in its filter."""
    opened, typed = [], []
    for _ in range(runs):
        opened.append(await timed(app, pilot, lambda: send_key(app, "p")))
        for letter in "tame":
            typed.append(await timed(app, pilot, lambda k=letter: send_key(app, k)))
        send_key(app, "escape")
        await settle(app, pilot)
    return {"picker_many": opened, "filter_many": typed}


async def measure(db_path: Path, owner_label: str, other_label: str, today: date, runs: int,
                  size: tuple[int, int] = (160, 48), presses: int = 40) -> dict[str, Any]:
    try:
        from tui.app import ActionTrackApp
        from tui.screens.main import MainScreen
        from tui.nodes import NodeKey
        from tui.widgets.plan_tree import PlanTree
    except ImportError as exc:
        return {"unavailable": f"app not yet available ({exc})"}
    from store.config import Config
    from store.db import open_database

    db = open_database(db_path)
    owner, other, action_id, own_region, biggest = subjects(db, owner_label, other_label, today)
    floor_data = read_floor_data(db, owner, other, today, action_id, own_region.region, biggest.region)

    found: dict[str, Any] = {"floor": {}}
    app = ActionTrackApp(db, today=today, config=Config(user="bench", owner=owner.label), owner=owner,
                         ask_owner=False)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        if not isinstance(screen, MainScreen):
            return {"unavailable": f"the app opened {type(screen).__name__}, not MainScreen"}
        tree = screen.query_one(PlanTree)

        # Moving the due panel one month (forward, then back: both are one key).
        keys = ["right_square_bracket", "left_square_bracket"]
        found["month"] = [await timed(app, pilot, lambda k=keys[i % 2]: send_key(app, k)) for i in range(presses)]

        # One status key -> committed -> repainted, in turn with the floor's.
        await cursor_on(app, pilot, action_id)
        async with status_floor(floor_data, size) as floor:
            found["status"], found["floor"]["status"] = await status_in_turn(app, pilot, *floor, presses)
            gc.unfreeze()  # what the key takes without the start-up freeze
            found["status_unfrozen"], found["floor"]["status_unfrozen"] = await status_in_turn(
                app, pilot, *floor, presses)
            gc.freeze()
        if presses % 2:  # leave the action as it was
            send_key(app, "x")
            await settle(app, pilot)

        # Expanding a region: the owner's own, then everyone's largest (its addressees, counted over all).
        async def expand(region: str) -> float:
            node = await closed_region(app, pilot, region)
            loaded = NodeKey("region", region) in tree.loaded
            took = await timed(app, pilot, lambda: send_key(app, "right"))
            found.setdefault("expanded", {})[region] = {"was_loaded": loaded, "children": len(node.children),
                                                        "open": node.is_expanded}
            return took

        found["expand_own"] = [await expand(own_region.region) for _ in range(runs)]

        # Switching owner: the chosen owner <-> a big one (the picker's choice, then tree and due panel).
        owners = [other, owner]
        found["owner"] = []
        for i in range(runs):
            who = owners[i % 2]
            found["owner"].append(await timed(app, pilot, lambda w=who: screen.choose_owner(w)))

        # Opening the owner picker (it lists every owner with counts), then with a national number of owners.
        found["picker"] = [await open_picker(app, pilot) for _ in range(runs)]
        known = screen.owners
        screen.owners = many_owners(known or [])
        found.update(await picker_with_many(app, pilot, runs))
        screen.owners = known

        screen.choose_owner(None)  # everyone
        await settle(app, pilot)
        found["expand_all"] = [await expand(biggest.region) for _ in range(runs)]
        screen.choose_owner(owner)
        await settle(app, pilot)

    db.dispose()
    found["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    found["floor"].update(await measure_floor(floor_data, runs, size, presses, own_region.region, biggest.region))
    found["regions"] = {"own": own_region.region, "biggest": biggest.region,
                        "biggest_total": biggest.progress.total}
    return found


@asynccontextmanager
async def status_floor(data: ScreenFloorData, size: tuple[int, int]) -> AsyncIterator[tuple[Any, Any]]:
    """The floor of the same widgets running beside the app, its tree's cursor on the status key's action."""
    from floor_app import screen_floor_app

    floor = screen_floor_app(data)
    async with floor.run_test(size=size) as pilot:
        await settle(floor, pilot)
        floor_cursor_on(floor, data.row.id)
        await settle(floor, pilot)
        yield floor, pilot


async def status_in_turn(app: Any, pilot: Any, floor: Any, floor_pilot: Any,
                         presses: int) -> tuple[list[float], list[float]]:
    """The status key pressed `presses` times in the app and on its floor, in turn (which goes first alternates):
    both meet the machine as it is in the same fraction of a second. The app's key goes between not started and
    ongoing and back; the floor's makes the same repaints."""
    app_times: list[float] = []
    floor_times: list[float] = []

    async def app_key(i: int) -> None:
        with app._context():  # Textual's active app, which the run_test entered last has taken
            app_times.append(await timed(app, pilot, lambda: send_key(app, "ox"[i % 2])))

    async def floor_key() -> None:
        with floor._context():
            floor_times.append(await timed(floor, floor_pilot, lambda: send_key(floor, "o")))

    for i in range(presses):
        if i % 2:
            await floor_key()
            await app_key(i)
        else:
            await app_key(i)
            await floor_key()
    return app_times, floor_times


def floor_cursor_on(floor: Any, action_id: int) -> None:
    """The floor's tree cursor on the action, its line on the screen, as the app has them."""
    from tui.nodes import NodeKey
    from tui.widgets.plan_tree import PlanTree

    tree = floor.screen.query_one(PlanTree)
    action = tree.nodes_by_key.get(NodeKey("action", action_id))
    if action is not None:
        tree.move_cursor(action)


async def cursor_on(app: Any, pilot: Any, action_id: int) -> None:
    """The app's tree cursor on the action and the tree focused (where a status key is timed from)."""
    from tui.widgets.plan_tree import PlanTree

    app.screen.select_action(action_id)
    await settle(app, pilot)
    app.screen.query_one(PlanTree).focus()
    await settle(app, pilot)


async def closed_region(app: Any, pilot: Any, region: str) -> Any:
    """The app's tree read afresh, `region` closed and the cursor on it (where an expand is timed from); its node."""
    from tui.nodes import NodeKey
    from tui.widgets.plan_tree import PlanTree

    app.screen.reload_tree(fresh=True)
    await settle(app, pilot)
    tree = app.screen.query_one(PlanTree)
    node = tree.nodes_by_key[NodeKey("region", region)]
    if node.is_expanded:
        node.collapse()
    tree.move_cursor(node)
    tree.focus()
    await settle(app, pilot)
    return node


def subjects(db: Any, owner_label: str, other_label: str, today: date) -> tuple[Any, Any, int, Any, Any]:
    """The owner and the one switched to, an open action of the owner's for the status key (not started <->
    ongoing, back and forth), the owner's largest region and everyone's."""
    from sqlalchemy import select

    from store.models import Action, ActionOwner
    from store.queries import View, find_owner, regions

    with db.read() as session:
        owner = find_owner(session, owner_label)
        other = find_owner(session, other_label)
        action_id = session.execute(
            select(Action.id).join(ActionOwner, ActionOwner.action_id == Action.id)
            .where(ActionOwner.owner_id == owner.id, Action.status == "not_started", Action.withdrawn.is_(False))
            .order_by(Action.id).limit(1)
        ).scalar_one()
        biggest = max(regions(session, View(), today), key=lambda r: r.progress.total)
        own_region = max(regions(session, View(owner_id=owner.id), today), key=lambda r: r.progress.total)
    return owner, other, action_id, own_region, biggest


@dataclass
class ScreenFloorData:
    """What the floor of the same widgets shows, read from the database before it starts."""

    who: str
    today: date
    children: dict[Any, list[Any]]  # the owner's tree, by parent key (as the app loads it)
    expanded: set[Any] | None
    other_children: dict[Any, list[Any]]
    other_expanded: set[Any] | None
    everyone: dict[Any, list[Any]]  # everyone's regions
    branches: dict[Any, list[Any]]  # the children of the regions the expand timings open
    due: tuple[Any, Any]  # the owner's due lists for this month and the next
    everyone_due: tuple[Any, Any]  # everyone's, the same two months
    other_due: Any
    row: Any  # the action the status key changes, and its detail
    detail: Any
    owners: list[Any]
    # the filter and sort keys' views in the order each key steps through them, by key and whose tree
    # (bench/follow_up.py): each the tree's children, the branches to open, and the view
    views: dict[str, list[tuple[Any, Any, Any]]] = field(default_factory=dict)


def read_floor_data(db: Any, owner: Any, other: Any, today: date, action_id: int, own_region: str,
                    biggest: str) -> ScreenFloorData:
    """Everything the floor shows and its keys change, read now so that its timings read nothing."""
    from store.queries import View, action_detail, owners, runner
    from tui.loading import children_of, load_due, load_tree
    from tui.nodes import ROOT, NodeKey

    mine, theirs, everyone = View(owner_id=owner.id), View(owner_id=other.id), View()
    month = today.replace(day=1)
    with db.read() as session:
        run = runner(session)
        children, expanded = load_tree(run, mine, today, None)
        other_children, other_expanded = load_tree(run, theirs, today, None)
        regions = children_of(run, everyone, today, ROOT)
        branches = {NodeKey("region", own_region): children_of(run, mine, today, NodeKey("region", own_region)),
                    NodeKey("region", biggest): children_of(run, everyone, today, NodeKey("region", biggest))}
        later = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
        due = (load_due(run, mine, today, month), load_due(run, mine, today, later))
        everyone_due = (load_due(run, everyone, today, month), load_due(run, everyone, today, later))
        detail = action_detail(session, action_id, today)
        return ScreenFloorData(
            who=owner.label, today=today, children=dict(children), expanded=expanded,
            other_children=dict(other_children), other_expanded=other_expanded, everyone={ROOT: regions},
            branches=branches, due=due, everyone_due=everyone_due, other_due=load_due(run, theirs, today, month), row=detail.action,
            detail=detail, owners=owners(session))


async def measure_floor(data: ScreenFloorData, runs: int, size: tuple[int, int], presses: int, own_region: str,
                        biggest: str) -> dict[str, list[float]]:
    """The other keys on the floor of the same widgets (the status key's are timed in turn with the app's, by
    `status_in_turn`): what Textual takes to repaint what the app repaints."""
    from floor_app import screen_floor_app

    from tui.nodes import NodeKey
    from tui.widgets.plan_tree import PlanTree

    found: dict[str, list[float]] = {}
    app = screen_floor_app(data)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen: Any = app.screen
        tree = screen.query_one(PlanTree)
        keys = ["right_square_bracket", "left_square_bracket"]
        found["month"] = [await timed(app, pilot, lambda k=keys[i % 2]: send_key(app, k)) for i in range(presses)]

        async def expand(region: str, children: dict[Any, list[Any]], expanded: set[Any] | None) -> float:
            tree.rebuild(children, expanded, None)
            await settle(app, pilot)
            node = tree.nodes_by_key[NodeKey("region", region)]
            if node.is_expanded:
                node.collapse()
            tree.move_cursor(node)
            await settle(app, pilot)
            return await timed(app, pilot, lambda: send_key(app, "right"))

        found["expand_own"] = [await expand(own_region, data.children, data.expanded) for _ in range(runs)]
        found["owner"] = [await timed(app, pilot, screen.switch_owner) for _ in range(runs)]

        found["picker"] = [await open_picker(app, pilot) for _ in range(runs)]
        known = data.owners
        data.owners = many_owners(known)
        found.update(await picker_with_many(app, pilot, runs))
        data.owners = known
        found["expand_all"] = [await expand(biggest, data.everyone, set()) for _ in range(runs)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--owner", required=True)
    parser.add_argument("--other", required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2023, 9, 15))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="160x48", help="the terminal, COLUMNSxROWS (80x24: the narrow layout)")
    parser.add_argument("--presses", type=int, default=40, help="presses of the status and month keys (for p95)")
    args = parser.parse_args()
    columns, rows = (int(n) for n in args.size.split("x"))
    try:
        result = asyncio.run(measure(args.db, args.owner, args.other, args.today, args.runs, (columns, rows),
                                     args.presses))
    except Exception as exc:  # noqa: BLE001  (the app is being written: report, do not crash the benchmark)
        import traceback

        result = {"unavailable": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-2000:]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
