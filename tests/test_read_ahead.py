"""What the screen reads ahead for the next keys (tui.loading.read_ahead): an owner's tree under each filter and in
the other order, everyone's regions and each region's addressees. What a key then shows is the store's own, and a
commit (the screen's or another program's) makes it read again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from helpers.counting import Counting
from helpers.screen import (
    TODAY,
    as_stored,
    change_elsewhere,
    main_screen,
    make_app,
    owner,
    press,
    settle,
    sql,
)
from store import commands, fastread, reads
from store.db import Database
from store.kinds import Status
from store.rows import ActionRow, View
from tui import loading
from tui.kept_regions import KeptRegions, single_filters
from tui.loading import children_of, load_actions, load_tree, read_ahead
from tui.nodes import ROOT, NodeKey
from tui.widgets.plan_tree import PlanTree


def never() -> bool:
    return False


def test_an_owners_filter_and_sort_keys_read_nothing_once_read_ahead(db: Database) -> None:
    mine = View(owner_id=owner(db, "Head of Tameside PDU").id)
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        read_ahead(run, mine, TODAY, kept, never)
        assert kept.read_ahead_for(replace(mine, when="overdue"), TODAY)  # the owner's views: not again
        counting = Counting(run)
        for view in single_filters(mine):
            shown, _ = load_tree(counting, view, TODAY, None, kept=kept)
            fresh, _ = load_tree(run, view, TODAY, None)
            assert shown == fresh, view
            if view.status is None:
                assert shown[ROOT], view  # the owner has actions in each of these views
        in_due_order = load_actions(counting, replace(mine, order="due"), TODAY, None, kept)
        assert in_due_order == load_actions(run, replace(mine, order="due"), TODAY, None)
        back = load_actions(counting, mine, TODAY, None, kept)  # the sort key back to plan order
        assert back == load_actions(run, mine, TODAY, None)
        assert counting.names == []
        assert not kept.read_ahead_for(View(), TODAY)  # everyone's are read ahead on their own
        load_tree(counting, replace(mine, status=Status.ONGOING, when="overdue"), TODAY, None, kept=kept)
        assert counting.names[0] == "regions:owner"  # two filters at once: not read ahead


def test_everyones_expand_reads_nothing_once_read_ahead(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "AUTO_EXPAND_LIMIT", 10)  # everyone's view opens at its regions, as at scale
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        read_ahead(run, View(), TODAY, kept, never)
        counting = Counting(run)
        regions = kept.regions(counting, View(), TODAY)
        assert regions
        for region in regions:
            key = NodeKey("region", region.region)
            assert children_of(counting, View(), TODAY, key, kept) == reads.addressees(run, View(), region.region,
                                                                                       TODAY)
        assert counting.names == []
        assert kept.read_ahead_for(View(when="due"), TODAY)
        assert children_of(counting, View(when="due"), TODAY, NodeKey("region", regions[0].region), kept) == \
            reads.addressees(run, View(when="due"), regions[0].region, TODAY)
        assert counting.names == ["addressees"]  # under a filter: read when asked for


def test_a_read_ahead_stopped_by_a_key_is_not_taken_as_done(db: Database) -> None:
    mine = View(owner_id=owner(db, "Head of Tameside PDU").id)
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        counting = Counting(run)
        read_ahead(counting, mine, TODAY, kept, lambda: True)
        assert counting.names == []
        assert not kept.read_ahead_for(mine, TODAY)


def test_a_commit_elsewhere_makes_what_was_read_ahead_read_again(db: Database, db_path: Path) -> None:
    mine = View(owner_id=owner(db, "Head of Tameside PDU").id)
    kept = KeptRegions(db.data_version)
    ongoing = replace(mine, status=Status.ONGOING)
    with fastread.reading(db_path) as run:
        read_ahead(run, mine, TODAY, kept, never)
        read_ahead(run, View(), TODAY, kept, never)
        before, _ = load_tree(run, ongoing, TODAY, None, kept=kept)
    change_elsewhere(db_path, "gm-2023/6/1")  # not started: now ongoing
    assert not kept.read_ahead_for(mine, TODAY) or not kept.has(View(), TODAY)
    with fastread.reading(db_path) as run:
        after, _ = load_tree(run, ongoing, TODAY, None, kept=kept)
        assert after == load_tree(run, ongoing, TODAY, None)[0]
        region = next(iter(kept.regions(run, View(), TODAY))).region
        addressees = children_of(run, View(), TODAY, NodeKey("region", region), kept)
        assert addressees == reads.addressees(run, View(), region, TODAY)
    assert not kept.read_ahead_for(mine, TODAY)
    ongoing_ids = {row.id for rows in after.values() for row in rows if isinstance(row, ActionRow)}
    assert len(ongoing_ids) == len({row.id for rows in before.values() for row in rows
                                    if isinstance(row, ActionRow)}) + 1


async def test_the_owners_keys_show_the_stores_view_after_a_change_elsewhere(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await press(pilot, "f")  # only not started; the owner's other views are read ahead meanwhile
        assert screen.kept_regions.read_ahead_for(screen.state.view, TODAY)
        await press(pilot, "f")  # only ongoing: read ahead
        assert screen.query_one(PlanTree).shown() == as_stored(app, db_path)
        ongoing = len(sql(db_path, "SELECT 1 FROM action a JOIN actionowner o ON o.action_id = a.id JOIN owner w "
                                   "ON w.id = o.owner_id WHERE w.name = 'Head of Tameside PDU' AND a.status = "
                                   "'ongoing' AND NOT a.withdrawn"))
        change_elsewhere(db_path, "gm-2023/6/1")  # another program: now ongoing
        await press(pilot, "f", "f", "f", "f")  # round to only ongoing again
        assert screen.state.view.status == Status.ONGOING
        shown = screen.query_one(PlanTree).shown()
        assert shown == as_stored(app, db_path)
        assert sum(1 for rows in shown.values() for row in rows if isinstance(row, ActionRow)) == ongoing + 1


async def test_everyones_counts_are_read_ahead_from_the_first_screen(db_path: Path) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.state.view.owner_id is not None
        assert all(screen.kept_regions.has(view, TODAY) for view in single_filters(View()))
        await press(pilot, "a")  # everyone's
        assert screen.state.view == View()
        assert screen.query_one(PlanTree).shown() == as_stored(app, db_path)


def test_the_screens_own_change_keeps_what_it_leaves_as_it_was(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everyone's reads carried over one action's change (`KeptRegions.carry`): the classes, that action counted
    anew, and the addressees of the regions it is not in; its own region's addressees are read again."""
    monkeypatch.setattr(loading, "AUTO_EXPAND_LIMIT", 10)  # everyone's view opens at its regions, as at scale
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        read_ahead(run, View(), TODAY, kept, never)
    with db.write() as session:
        action_id = commands.find_action(session, "gm-2023/6/1").id
        move = loading.class_before(db, session, action_id, TODAY)
        commands.set_status(session, action_id, Status.COMPLETE, by="t")
        move = loading.class_after(move, session, action_id, TODAY)
    now = db.data_version()
    assert now == move.at + 1
    assert kept.carry(move.at, now, TODAY, move.before, move.after, loading.unmoved_by(move))
    assert kept.read_ahead_for(View(), TODAY)
    with fastread.reading(db.path) as run:
        counting = Counting(run)
        for view in single_filters(View()):
            assert kept.regions(counting, view, TODAY) == reads.regions(run, view, TODAY), view
        assert counting.names == []
        for region in kept.regions(run, View(), TODAY):
            key = NodeKey("region", region.region)
            assert children_of(counting, View(), TODAY, key, kept) == reads.addressees(run, View(), region.region,
                                                                                       TODAY)
        assert counting.names == ["addressees"]  # Greater Manchester's alone
    assert move.before is not None and move.before.region == "Greater Manchester"


def test_nothing_is_carried_over_a_change_when_another_commit_came_first(db: Database, db_path: Path) -> None:
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        read_ahead(run, View(), TODAY, kept, never)
    change_elsewhere(db_path, "gm-2023/6/2")
    with db.write() as session:
        action_id = commands.find_action(session, "gm-2023/6/1").id
        move = loading.class_before(db, session, action_id, TODAY)
        commands.set_status(session, action_id, Status.COMPLETE, by="t")
        move = loading.class_after(move, session, action_id, TODAY)
    assert not kept.carry(move.at, db.data_version(), TODAY, move.before, move.after, loading.unmoved_by(move))
    assert not kept.has(View(), TODAY)
    kept.version()  # the next read notices the commits
    assert not kept.read_ahead_for(View(), TODAY)
