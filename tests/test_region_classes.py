"""Everyone's regions counted once by class (store.reads.region_classes): every status and date filter's counts
follow from that one read, equal to the regions the store reads for that view alone, on both read paths and on
any day; the screen's read-ahead is that one statement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import product
from pathlib import Path
from typing import get_args

import pytest

from helpers.counting import Counting
from helpers.screen import TODAY
from store import commands, fastread, queries, reads
from store.closing import close_plan
from store.db import Database, open_database
from store.kinds import Status
from store.revising import revise_target
from store.rows import View, When
from tui.kept_regions import KeptRegions, single_filters

DATES = (date(2019, 6, 1), date(2023, 7, 10), date(2023, 9, 15), date(2024, 2, 29))
WHENS: tuple[When | None, ...] = (None, *get_args(When))
STATUSES: tuple[Status | None, ...] = (None, *Status)


def every_view() -> Iterator[View]:
    """Everyone's views under every status and date filter, with and without the complete ones and closed plans."""
    for status, when, hide, closed in product(STATUSES, WHENS, (False, True), (False, True)):
        yield View(status=status, when=when, hide_complete=hide, include_closed=closed)


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The sample plans with a plan closed, a target revised twice (amber), statuses, ticks and a note."""
    from store.importing import open_or_create

    path = tmp_path_factory.mktemp("classes") / "varied.sqlite"
    open_or_create(path).dispose()
    db = open_database(path)
    with db.write() as s:
        ids = {ref: commands.find_action(s, ref).id for ref in
               ("gm-2023/6/1", "gm-2023/6/3", "gm-2023/7/4", "gm-2023/9/1", "gm-2023/8/3", "nw-2023/1/1")}
        revise_target(s, ids["gm-2023/6/1"], "March 2024", reason="staff shortage", by="t")
        revise_target(s, ids["gm-2023/6/1"], "June 2024", reason="again", by="t")
        commands.set_status(s, ids["gm-2023/6/3"], Status.COMPLETE, by="t", note="done")
        commands.set_status(s, ids["gm-2023/8/3"], Status.ONGOING, by="t")
        commands.tick_occurrence(s, ids["gm-2023/7/4"], "2023-08", by="t")
        commands.tick_occurrence(s, ids["gm-2023/9/1"], "2023-07", by="t")
        commands.add_note(s, ids["nw-2023/1/1"], "evidence", by="t")
        close_plan(s, "cgm-2019", note="signed off", by="t")
    try:
        yield db
    finally:
        db.dispose()


@pytest.mark.parametrize("today", DATES, ids=str)
def test_every_filters_regions_counted_from_the_classes_are_the_regions_read_for_it(varied: Database,
                                                                                    today: date) -> None:
    with varied.read() as session, fastread.reading(varied.path) as fast:
        full = queries.runner(session)
        for include_closed in (False, True):
            classes = reads.region_classes(fast, today, include_closed=include_closed)
            assert reads.region_classes(full, today, include_closed=include_closed) == classes
            for view in every_view():
                if view.include_closed == include_closed:
                    assert reads.regions_of(classes, view) == reads.regions(full, view, today), view
        everyone = reads.regions(full, View(), today)
        assert sum(region.progress.total for region in everyone) > 200  # the comparison compared something
        if today == TODAY:  # each filter the classes tell apart holds actions on the day of the screen's tests
            for view in (View(when="overdue"), View(when="due"), View(when="missed"), View(status=Status.ONGOING)):
                assert reads.regions(full, view, today), view
            assert any(region.progress.amber for region in everyone)


def test_the_closed_plan_is_left_out_unless_closed_plans_count(varied: Database) -> None:
    with fastread.reading(varied.path) as run:
        without = reads.regions_of(reads.region_classes(run, TODAY), View())
        with_closed = reads.regions_of(reads.region_classes(run, TODAY, include_closed=True), View())
    closed = {region.region: region.progress.total for region in with_closed}
    shown = {region.region: region.progress.total for region in without}
    assert shown["Greater Manchester"] < closed["Greater Manchester"]  # the 2019 CRC plan, closed above


def test_reading_ahead_is_one_statement_and_then_no_filter_reads_anything(varied: Database) -> None:
    kept = KeptRegions(varied.data_version)
    with fastread.reading(varied.path) as run:
        counting = Counting(run)
        kept.read_ahead(counting, View(), TODAY)
        kept.read_ahead(counting, View(when="due"), TODAY)  # held: nothing more to read
        assert counting.names == ["region_classes"]
        assert all(kept.has(view, TODAY) for view in single_filters(View()))
        for view in every_view():
            if not view.include_closed:
                assert kept.has(view, TODAY), view
                assert kept.regions(counting, view, TODAY) == reads.regions(run, view, TODAY), view
        assert counting.names == ["region_classes"]
        assert not kept.has(View(include_closed=True), TODAY)  # closed plans counted: another read
        assert not kept.has(View(), date(2023, 10, 1))  # another day: the ratings move with it


def test_a_commit_makes_the_classes_read_again(varied: Database, tmp_path: Path) -> None:
    kept = KeptRegions(varied.data_version)
    with fastread.reading(varied.path) as run:
        kept.read_ahead(run, View(), TODAY)
        before = kept.regions(run, View(status=Status.COMPLETE), TODAY)
    with varied.write() as s:
        commands.set_status(s, commands.find_action(s, "gm-2023/6/1").id, Status.COMPLETE, by="t")
    assert not any(kept.has(view, TODAY) for view in single_filters(View()))
    with fastread.reading(varied.path) as run:
        counting = Counting(run)
        after = kept.regions(counting, View(status=Status.COMPLETE), TODAY)
        assert counting.names == ["regions"]  # nothing kept now: this view alone
        assert after == reads.regions(run, View(status=Status.COMPLETE), TODAY)
    assert sum(r.progress.total for r in after) == sum(r.progress.total for r in before) + 1


def test_a_servers_classes_give_the_regions_it_reads_for_each_filter(pg_url: str) -> None:
    from store.importing import bundled_plan_files, import_plan_files
    from store.server import open_server

    server = open_server(pg_url)
    try:
        import_plan_files(server, bundled_plan_files())
        with server.write() as s:
            commands.set_status(s, commands.find_action(s, "gm-2023/6/3").id, Status.COMPLETE, by="t")
            close_plan(s, "cgm-2019", note="signed off", by="t")
        with server.read() as session:
            run = queries.runner(session)
            for include_closed in (False, True):
                classes = reads.region_classes(run, TODAY, include_closed=include_closed)
                for view in every_view():
                    if view.include_closed == include_closed:
                        assert reads.regions_of(classes, view) == reads.regions(run, view, TODAY), view
            assert reads.regions(run, View(when="overdue"), TODAY)  # the comparison compared something
    finally:
        server.dispose()


def test_one_actions_class_moved_gives_the_classes_read_after_its_change(db: Database) -> None:
    """What the screen keeps after its own change (`KeptRegions.carry`): the classes read before it, the changed
    action counted where the same rule puts it after, equal a full read after, closed plans counted or not."""
    with db.write() as s:
        close_plan(s, "cgm-2019", note="signed off", by="t")
        closed_one = s.connection().exec_driver_sql(
            "SELECT reference FROM action WHERE plan_id = 'cgm-2019' AND status != 'complete' LIMIT 1").scalar_one()

    def changes() -> Iterator[tuple[str, object]]:
        yield "gm-2023/6/1", lambda s, i: commands.set_status(s, i, Status.COMPLETE, by="t")  # overdue: complete
        yield "gm-2023/6/2", lambda s, i: commands.set_status(s, i, Status.ONGOING, by="t")  # the status alone
        yield "gm-2023/6/1", lambda s, i: commands.set_status(s, i, Status.NOT_STARTED, by="t")  # back again
        yield "gm-2023/7/4", lambda s, i: commands.tick_occurrence(s, i, "2023-08", by="t")  # a missed period ticked
        yield "gm-2023/9/1", lambda s, i: commands.tick_occurrence(s, i, "2023-09", by="t")  # this month's ticked
        yield "gm-2023/8/3", lambda s, i: revise_target(s, i, "March 2023", reason="earlier", by="t")  # now overdue
        yield "gm-2023/8/3", lambda s, i: commands.undo_last(s, by="t", action_id=i)
        yield closed_one, lambda s, i: commands.set_status(s, i, Status.COMPLETE, by="t")  # in the closed plan

    moved = 0
    for reference, change in changes():
        with db.read() as s:
            run = queries.runner(s)
            action_id = commands.find_action(s, reference).id
            before = {closed: reads.region_classes(run, TODAY, include_closed=closed) for closed in (False, True)}
            place = reads.action_class(run, action_id, TODAY)
        with db.write() as s:
            change(s, action_id)  # type: ignore[operator]
        with db.read() as s:
            run = queries.runner(s)
            now = reads.action_class(run, action_id, TODAY)
            for closed in (False, True):
                after = reads.region_classes(run, TODAY, include_closed=closed)
                assert reads.moved_class(before[closed], place, now, include_closed=closed) == after, \
                    (reference, closed)
                moved += after != before[closed]
        assert place is not None and now is not None and now.closed == (reference == closed_one)
    assert moved >= 8  # the changes moved counts (the closed plan's only where closed plans count)
