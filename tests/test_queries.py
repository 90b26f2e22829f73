"""Queries: due in a month, overdue, one owner's actions, progress counts that add up, and plans of
one region kept apart. Expected references are read off the sample plans by hand."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import TODAY, sample_file
from sqlalchemy import func, select

from store import commands
from store.db import Database
from store.models import Action, Recommendation
from store.queries import (
    View,
    action_detail,
    actions,
    addressees,
    due_in_month,
    find_owner,
    overdue,
    recommendations,
    regions,
)
from store.targets import Status

BY = "tester"

# Head of Tameside PDU's actions in July 2023 (gm-2023): one-offs due "July 2023" and the monthly
# duties under way then ("Monthly", "Complete and monthly", "Monthly from July 2023").
TAMESIDE_JULY = {"gm-2023/6/1", "gm-2023/7/1", "gm-2023/7/3", "gm-2023/10/1",
                 "gm-2023/7/4", "gm-2023/7/5", "gm-2023/9/1", "gm-2023/9/2"}


@pytest.fixture(autouse=True)
def needs_gm() -> None:
    sample_file("gm-2023")


def owner_id(db: Database, name: str) -> int:
    with db.read() as session:
        return find_owner(session, name).id


def due(db: Database, year: int, month: int, owner: str | None = None, today: date = TODAY) -> set[str]:
    oid = owner_id(db, owner) if owner else None
    with db.read() as session:
        return {r.reference for r in due_in_month(session, year, month, today, oid)}


def late(db: Database, today: date, owner: str | None = None) -> list[str]:
    oid = owner_id(db, owner) if owner else None
    with db.read() as session:
        return [r.reference for r in overdue(session, today, oid)]


def act(db: Database, reference: str) -> int:
    with db.read() as session:
        return commands.find_action(session, reference).id or 0


def test_due_in_july_2023_for_the_head_of_tameside(db: Database) -> None:
    assert due(db, 2023, 7, "Head of Tameside PDU") == TAMESIDE_JULY


def test_due_excludes_ticked_off_and_complete_actions(db: Database) -> None:
    with db.write() as session:
        commands.tick_occurrence(session, act(db, "gm-2023/9/1"), "2023-07", by=BY)
        commands.set_status(session, act(db, "gm-2023/7/1"), Status.COMPLETE, by=BY)
        commands.set_status(session, act(db, "gm-2023/7/5"), Status.COMPLETE, by=BY)
    assert due(db, 2023, 7, "Head of Tameside PDU") == TAMESIDE_JULY - {"gm-2023/9/1", "gm-2023/7/1", "gm-2023/7/5"}
    # ticking July off leaves August's occurrence due
    assert "gm-2023/9/1" in due(db, 2023, 8, "Head of Tameside PDU")


def test_recurring_actions_start_in_their_start_month(db: Database) -> None:
    # 6/2 "Monthly from August 2023"; 10/3 "August 2023 and quarterly thereafter"
    assert "gm-2023/6/2" not in due(db, 2023, 7)
    assert "gm-2023/6/2" in due(db, 2023, 8)
    assert "gm-2023/10/3" not in due(db, 2023, 7)
    assert {m for m in range(7, 13) if "gm-2023/10/3" in due(db, 2023, m)} == {8, 11}
    assert "gm-2023/10/3" in due(db, 2024, 2)


def test_due_in_a_month_of_a_2019_plan(db: Database) -> None:
    may = due(db, 2019, 5)
    # cgm-2019 "May 19" is May 2019 (not 19 May); "May19 – Aug 19" is due at the end of August
    assert {"cgm-2019/1/1.1", "cgm-2019/1/1.1.2", "cgm-2019/5/5.4"} <= may
    assert "cgm-2019/1/1.1.3" not in may and "cgm-2019/1/1.1.3" in due(db, 2019, 8)
    assert "cgm-2019/1/1.1.1" not in may  # "Completed"
    assert all(ref.startswith(("cgm-2019/", "nps-ne-2019/")) for ref in may)


TAMESIDE_MISSED = ["gm-2023/6/2", "gm-2023/7/4", "gm-2023/7/5", "gm-2023/9/1", "gm-2023/9/2", "gm-2023/10/3"]


def test_overdue_lists_past_deadlines_then_recurring_duties_with_missed_periods(db: Database) -> None:
    september = date(2023, 9, 15)
    assert late(db, september, "Head of Tameside PDU") == [
        "gm-2023/6/1", "gm-2023/7/1", "gm-2023/7/3", "gm-2023/10/1", *TAMESIDE_MISSED]
    with db.write() as session:
        commands.set_status(session, act(db, "gm-2023/7/1"), Status.COMPLETE, by=BY)
        commands.set_status(session, act(db, "gm-2023/6/1"), Status.ONGOING, by=BY)
    assert late(db, september, "Head of Tameside PDU") == [
        "gm-2023/6/1", "gm-2023/7/3", "gm-2023/10/1", *TAMESIDE_MISSED]
    # a deadline is the end of its month: not overdue on its last day
    assert "gm-2023/8/3" not in late(db, date(2023, 9, 30), "Head of Tameside PDU")
    assert "gm-2023/8/3" in late(db, date(2023, 10, 1), "Head of Tameside PDU")
    # in July only June has passed: 7/4 ("Monthly", from the plan's June) and 7/5 missed it
    assert late(db, date(2023, 7, 31), "Head of Tameside PDU") == ["gm-2023/7/4", "gm-2023/7/5"]


def test_a_missed_quarter_counts_as_overdue_until_it_is_ticked_off(db: Database) -> None:
    """gm-2023/10/3, 'August 2023 and quarterly thereafter': the August quarter missed by 15 September."""
    tameside = owner_id(db, "Head of Tameside PDU")
    with db.read() as session:
        [row] = [r for r in overdue(session, date(2023, 9, 15), tameside) if r.reference == "gm-2023/10/3"]
    assert row.missed == 1 and row.overdue
    with db.write() as session:
        commands.tick_occurrence(session, act(db, "gm-2023/10/3"), "2023-08", by=BY)
    assert "gm-2023/10/3" not in late(db, date(2023, 9, 15), "Head of Tameside PDU")
    with db.read() as session:  # by December, November's quarter is missed too
        [row] = [r for r in overdue(session, date(2023, 12, 1), tameside) if r.reference == "gm-2023/10/3"]
    assert row.missed == 1


def test_overdue_never_lists_complete_actions_nor_duties_with_nothing_missed(db: Database) -> None:
    with db.read() as session:
        rows = overdue(session, date(2030, 1, 1))
    assert Status.COMPLETE not in {r.status for r in rows}
    assert all(r.overdue for r in rows)
    assert all(r.missed > 0 for r in rows if r.every_months is not None)
    assert not any(r.target_kind in ("ongoing", "complete") for r in rows)


def test_owner_filter_holds_actions_owned_alone_or_jointly(db: Database) -> None:
    gm_quality = "Head of Performance and Quality (Greater Manchester)"
    july = due(db, 2023, 7, gm_quality)
    assert "gm-2023/1/4" in july  # Head of M/C N PDU & HoP&Q
    assert "gm-2023/7/3" in july  # Head of Tameside PDU & HoP&Q
    assert "gm-2023/15/2" in july  # HoP&Q & PM
    assert "gm-2023/6/1" not in july  # Head of Tameside PDU & HOI
    assert not any(ref.startswith("nw-2023/") for ref in july)
    everyone = due(db, 2023, 7)
    assert july <= everyone and TAMESIDE_JULY <= everyone


def test_progress_counts_add_up_down_the_tree(db: Database) -> None:
    with db.write() as session:
        commands.set_status(session, act(db, "gm-2023/7/1"), Status.COMPLETE, by=BY)
    today = date(2023, 9, 15)
    for view in (View(), View(owner_id=owner_id(db, "Head of Tameside PDU")),
                 View(owner_id=owner_id(db, "Deputy Director, Probation Workforce Programme"))):
        with db.read() as session:
            region_nodes = regions(session, view, today)
            assert region_nodes
            grand = 0
            for region in region_nodes:
                add_nodes = addressees(session, view, region.region, today)
                assert sum(a.progress.total for a in add_nodes) == region.progress.total
                assert sum(a.progress.done for a in add_nodes) == region.progress.done
                assert sum(a.progress.overdue for a in add_nodes) == region.progress.overdue
                for addressee in add_nodes:
                    recs = recommendations(session, view, addressee.id, today)
                    assert sum(r.progress.total for r in recs) == addressee.progress.total
                    assert sum(r.progress.done for r in recs) == addressee.progress.done
                    assert sum(r.progress.overdue for r in recs) == addressee.progress.overdue
                    for rec in recs:
                        rows = actions(session, view, rec.id, today)
                        assert len(rows) == rec.progress.total
                        assert sum(r.status == Status.COMPLETE for r in rows) == rec.progress.done
                        assert sum(r.overdue for r in rows) == rec.progress.overdue
                grand += region.progress.total
            if view.owner_id is None:
                live = session.execute(select(func.count()).select_from(Action)
                                       .where(Action.withdrawn.is_(False))).scalar_one()
                assert grand == live


def test_tameside_progress_in_september(db: Database) -> None:
    view = View(owner_id=owner_id(db, "Head of Tameside PDU"))
    today = date(2023, 9, 15)
    with db.read() as session:
        [gm] = regions(session, view, today)
        assert gm.region == "Greater Manchester"
        # 4 past their deadline and 6 recurring duties with a missed month, as the overdue list and header say
        assert (gm.progress.done, gm.progress.overdue) == (0, 10)
        assert gm.progress.overdue == len(overdue(session, today, view.owner_id))
        [tameside] = addressees(session, view, "Greater Manchester", today)
        assert (tameside.name, tameside.plan_id) == ("Tameside PDU", "gm-2023")


def test_plans_of_one_region_never_mix(db: Database) -> None:
    sample_file("cgm-2019")
    with db.read() as session:
        nodes = addressees(session, View(), "Greater Manchester", TODAY)
        assert [n.plan_id for n in nodes][:1] == ["gm-2023"]  # newest plan first
        assert {n.plan_id for n in nodes} == {"gm-2023", "cgm-2019"}
        assert {(n.plan_id, n.plan_year) for n in nodes} == {("gm-2023", "2023"), ("cgm-2019", "2019")}
        seen: dict[str, set[str]] = {"gm-2023": set(), "cgm-2019": set()}
        for node in nodes:
            for rec in recommendations(session, View(), node.id, TODAY):
                plan = session.execute(select(Recommendation.plan_id)
                                       .where(Recommendation.id == rec.id)).scalar_one()
                assert plan == node.plan_id
                seen[plan].add(rec.number)
                for row in actions(session, View(), rec.id, TODAY):
                    assert row.reference.startswith(f"{node.plan_id}/{rec.number}/")
        # both plans number a recommendation "1": each stays under its own plan
        assert "1" in seen["gm-2023"] and "1" in seen["cgm-2019"]


def test_hide_complete_and_search(db: Database) -> None:
    today = date(2023, 9, 15)
    with db.read() as session:
        tameside = [n for n in addressees(session, View(), "Greater Manchester", today) if n.name == "Tameside PDU"]
        [node] = tameside
        recs = recommendations(session, View(hide_complete=True), node.id, today)
        for rec in recs:
            assert all(r.status != Status.COMPLETE for r in actions(session, View(hide_complete=True), rec.id, today))
        found = regions(session, View(search="ViSOR"), today)
        assert {r.region for r in found} == {"North West"}
        assert regions(session, View(search="100%_no_such"), today) == []


def test_action_detail_carries_the_target_as_written_and_read(db: Database) -> None:
    with db.read() as session:
        detail = action_detail(session, act(db, "cgm-2019/1/1.8"), TODAY)
    assert detail.action.target.startswith("June 19 TBC")
    assert detail.action.deadline == date(2019, 6, 30)
    assert detail.caveat and "TBC" in detail.caveat
    assert detail.plan_id == "cgm-2019" and detail.recommendation_number == "1"
