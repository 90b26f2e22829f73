"""Everyone's regions kept under each filter (tui.kept_regions): the counts a filter key shows are the store's
own, read again after any commit (the screen's or another program's), and read ahead in the background."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.counting import Counting
from helpers.screen import (
    SIZES,
    Running,
    TODAY,
    as_stored,
    change_elsewhere,
    go_to,
    main_screen,
    make_app,
    press,
    screen_lines,
    settle,
    sql,
)
from store import fastread, reads
from store.db import Database
from store.kinds import Status
from store.rows import View
from tui.kept_regions import KeptRegions, single_filters
from tui.widgets.plan_tree import PlanTree


EVERYONE_VIEWS = [View(), View(hide_complete=True), *(View(when=when) for when in ("overdue", "due", "missed")),
                  *(View(status=status) for status in Status), View(status=Status.ONGOING, when="overdue"),
                  View(include_closed=True, when="overdue")]


def test_kept_regions_are_the_stores_and_are_read_once_while_nothing_changes(db: Database) -> None:
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        counting = Counting(run)
        for view in EVERYONE_VIEWS:
            assert kept.regions(counting, view, TODAY) == reads.regions(run, view, TODAY), view
            assert kept.has(view, TODAY)
        read = len(counting.names)
        assert read == len(EVERYONE_VIEWS)
        assert all(kept.has(other, TODAY) for view in (View(), View(when="due"))  # every view of one filter
                   for other in single_filters(view))
        assert not all(kept.has(other, TODAY)  # of those, only one with closed plans was read
                       for other in single_filters(View(include_closed=True)))
        for view in EVERYONE_VIEWS:  # again, and in the other order of actions: nothing read
            assert kept.regions(counting, replace(view, order="due"), TODAY) == reads.regions(run, view, TODAY)
        assert len(counting.names) == read


def test_a_commit_elsewhere_makes_the_kept_regions_read_again(db: Database, db_path: Path) -> None:
    kept = KeptRegions(db.data_version)
    overdue = View(when="overdue")
    with fastread.reading(db_path) as run:
        before = kept.regions(run, overdue, TODAY)
    change_elsewhere(db_path, "gm-2023/6/1")  # overdue and not started: now ongoing
    assert not kept.has(overdue, TODAY)
    with fastread.reading(db_path) as run:
        counting = Counting(run)
        after = kept.regions(counting, overdue, TODAY)
        assert after == reads.regions(run, overdue, TODAY)
        assert kept.regions(counting, View(when="overdue", status=Status.ONGOING), TODAY) == reads.regions(
            run, View(when="overdue", status=Status.ONGOING), TODAY)
    assert counting.names == ["regions", "regions"]
    assert after == before  # still overdue: the same counts; the status filter above read them anew
    with fastread.reading(db_path) as run:
        ongoing = kept.regions(run, View(status=Status.ONGOING), TODAY)
    assert sum(region.progress.total for region in ongoing) == sql(
        db_path, "SELECT count(*) FROM action WHERE status = 'ongoing' AND NOT withdrawn")[0][0]


def test_an_owners_view_or_a_search_is_never_kept(db: Database) -> None:
    kept = KeptRegions(db.data_version)
    with fastread.reading(db.path) as run:
        counting = Counting(run)
        for view in (View(owner_id=1), View(search="training")):
            kept.regions(counting, view, TODAY)
            kept.regions(counting, view, TODAY)
            assert not kept.has(view, TODAY)
    assert counting.names == ["regions:owner", "regions:owner", "regions:search", "regions:search"]


@pytest.fixture(params=["laptop", "wide"])
async def everyone(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[Running]:
    app = make_app(db_path, who=None)
    async with app.run_test(size=SIZES[request.param]) as pilot:
        await settle(pilot)
        yield app, pilot


async def test_everyones_view_reads_ahead_every_view_of_one_filter(everyone: Running) -> None:
    app, _pilot = everyone
    screen = main_screen(app)
    assert screen.state.view == View()
    for view in single_filters(View()):
        assert screen.kept_regions.has(view, TODAY), view


async def test_filter_keys_after_a_change_in_the_screen_and_elsewhere_show_the_stores_counts(
        everyone: Running, db_path: Path) -> None:
    app, pilot = everyone
    await go_to(pilot, "gm-2023/6/1", db_path)  # overdue, not started
    await press(pilot, "d")  # only overdue
    assert main_screen(app).query_one(PlanTree).shown() == as_stored(app, db_path)
    await press(pilot, "d", "d", "d")  # off again
    await go_to(pilot, "gm-2023/6/1", db_path)
    await press(pilot, "c")  # complete, in the screen: no longer overdue
    assert sql(db_path, "SELECT status FROM action WHERE reference = 'gm-2023/6/1'") == [("complete",)]
    screen = main_screen(app)
    assert all(screen.kept_regions.has(view, TODAY) for view in single_filters(View()))  # read anew meanwhile
    await press(pilot, "d")
    shown = main_screen(app).query_one(PlanTree).shown()
    assert shown == as_stored(app, db_path)
    assert "6/1" not in "\n".join(screen_lines(app))
    change_elsewhere(db_path, "gm-2023/6/2")  # another program: now ongoing
    await press(pilot, "d", "d", "d", "f", "f")  # the date filter off; only ongoing
    assert main_screen(app).state.view == View(status=Status.ONGOING)
    assert main_screen(app).query_one(PlanTree).shown() == as_stored(app, db_path)


async def test_everyones_counts_are_carried_over_the_screens_own_changes_as_a_full_read_gives_them(
        everyone: Running, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, pilot = everyone
    screen = main_screen(app)
    read_again: list[bool] = []
    region_classes = reads.region_classes

    def spy(*args: object, **kwargs: bool) -> reads.RegionClasses:
        read_again.append(True)
        return region_classes(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reads, "region_classes", spy)
    await go_to(pilot, "gm-2023/6/1", db_path)  # overdue, not started
    for key, status in (("c", "complete"), ("u", "not_started"), ("o", "ongoing"), ("x", "not_started")):
        await press(pilot, key)
        assert sql(db_path, "SELECT status FROM action WHERE reference = 'gm-2023/6/1'") == [(status,)]
        assert read_again == [], key  # carried over the change, not read again
        with fastread.reading(db_path) as run:
            counting = Counting(run)
            for view in EVERYONE_VIEWS:
                if view.include_closed:
                    continue  # closed plans counted: read when asked for
                assert screen.kept_regions.has(view, TODAY), (key, view)
                assert screen.kept_regions.regions(counting, view, TODAY) == reads.regions(run, view, TODAY), \
                    (key, view)
            assert counting.names == [], key
            assert screen.kept_regions.regions(run, View(), TODAY) == \
                reads.regions_of(region_classes(run, TODAY), View())  # a fresh full read
    await press(pilot, "d")  # only overdue: no longer read, the view shown as stored
    assert read_again == []
    assert screen.query_one(PlanTree).shown() == as_stored(app, db_path)
    change_elsewhere(db_path, "gm-2023/6/2")  # another program's change: read again
    screen.refresh_all()
    await settle(pilot)
    assert read_again
    await press(pilot, "d", "d", "d", "f", "f")  # only ongoing
    assert screen.query_one(PlanTree).shown() == as_stored(app, db_path)


async def test_a_change_elsewhere_before_the_screens_own_is_never_carried_over(
        everyone: Running, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, pilot = everyone
    screen = main_screen(app)
    await go_to(pilot, "gm-2023/6/1", db_path)
    monkeypatch.setattr(screen, "refresh_all", lambda: None)  # the screen has not seen the other program's change
    change_elsewhere(db_path, "gm-2023/6/2")  # now ongoing
    await press(pilot, "c")
    with fastread.reading(db_path) as run:
        for view in (View(), View(status=Status.ONGOING), View(when="overdue")):
            assert screen.kept_regions.regions(run, view, TODAY) == reads.regions(run, view, TODAY), view
