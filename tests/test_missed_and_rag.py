"""Missed periods, RAG and days overdue as the tree and the due panel read them from the store: the SQL
rule gives every action of the sample plans the rating, missed periods and days the report's Python rule
gives, and branch counts include missed periods."""

from __future__ import annotations

from datetime import date

import pytest

from store import commands, revising
from store.db import Database
from store.queries import View, overdue, view_tree, with_missed_periods
from store.rag import Rag
from store.reports import ReportScope, build_report

BY = "tester"


@pytest.mark.parametrize("today", [date(2019, 6, 3), date(2023, 7, 31), date(2023, 9, 15), date(2024, 2, 29)])
def test_the_trees_rating_of_every_action_is_the_reports(db: Database, today: date) -> None:
    with db.write() as session:  # a revised target twice (amber), a tick, a complete one
        ref = commands.find_action(session, "gm-2023/6/3").id or 0
        revising.revise_target(session, ref, "March 2024", reason="one", by=BY)
        revising.revise_target(session, ref, "April 2024", reason="two", by=BY)
        commands.tick_occurrence(session, commands.find_action(session, "gm-2023/9/1").id or 0, "2023-08", by=BY)
    with db.read() as session:
        tree = view_tree(session, View(), today)
        report = build_report(session, ReportScope(as_of=today))
    rows = {row.reference: row for rows in tree.actions.values() for row in rows}
    reported = {a.reference: a for a in report.actions}
    assert rows.keys() == reported.keys() and len(rows) > 250
    for reference, row in rows.items():
        want = reported[reference]
        assert (row.rag, row.missed_periods, row.days_overdue) == (want.rag, want.missed, want.days_overdue), reference
    assert {row.rag for row in rows.values()} == set(Rag) or today.year == 2019


def test_branch_counts_include_missed_periods_and_rate_the_branch(db: Database) -> None:
    today = date(2023, 9, 15)
    with db.read() as session:
        tree = view_tree(session, View(), today)
        late = overdue(session, today)
    red = {row.reference for row in late}
    for rec_id, rows in tree.actions.items():
        rec = next(r for recs in tree.recommendations.values() for r in recs if r.id == rec_id)
        assert rec.progress.overdue == sum(row.reference in red for row in rows)
        assert rec.progress.amber == sum(row.rag is Rag.AMBER for row in rows)
        worst = next((rag for rag in (Rag.RED, Rag.AMBER, Rag.GREEN) if any(r.rag is rag for r in rows)), Rag.COMPLETE)
        assert rec.progress.rag is worst


def test_an_overdue_duty_lists_its_missed_months_and_days_since_the_oldest(db: Database) -> None:
    today = date(2023, 9, 15)
    with db.read() as session:
        [row] = with_missed_periods(session, [r for r in overdue(session, today) if r.reference == "gm-2023/9/1"], today)
    # 'Monthly from July 2023': July and August passed without a tick; July ended 46 days before 15 September
    assert (row.missed, row.missed_periods, row.days_overdue, row.rag) == (2, ("2023-07", "2023-08"), 46, Rag.RED)
    with db.write() as session:
        commands.tick_occurrence(session, row.id, "2023-07", by=BY)
    with db.read() as session:
        [row] = with_missed_periods(session, [r for r in overdue(session, today) if r.reference == "gm-2023/9/1"], today)
    assert (row.missed_periods, row.days_overdue) == (("2023-08",), 15)
