"""Following a plan up on the screen: missed periods, RAG marks and days overdue, as the user sees them
and as the database holds them after a key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from helpers.screen import SIZES, Running, due_text, go_to, make_app, press, screen_lines, settle, sql, tree_text
from tui.app import ActionTrackApp
from tui.nodes import NodeKey
from tui.widgets.context_bar import ContextBar
from tui.widgets.plan_tree import PlanTree




def header(app: ActionTrackApp) -> str:
    return screen_lines(app)[0]


def label_of(app: ActionTrackApp, key: NodeKey) -> str:
    return app.screen.query_one(PlanTree).nodes_by_key[key].label.plain


def ticked(db_path: Path, reference: str) -> list[str]:
    return [period for (period,) in sql(db_path, "SELECT period FROM occurrence JOIN action ON action.id = "
                                                 "occurrence.action_id WHERE reference = ? AND done ORDER BY period",
                                        reference)]


async def test_the_tree_counts_missed_periods_as_the_header_does(wide: Running) -> None:
    app, _ = wide
    text = tree_text(app)
    assert "· 10 overdue" in header(app)
    assert "R Greater Manchester  0/12  10 overdue" in text
    assert "R Tameside PDU · 2023 plan  0/12  10 overdue" in text
    assert "R 9 [agreed]  0/2  2 overdue" in text  # 9/1 and 9/2 missed July and August
    assert "R ○ 9/1    recurring 2 missed" in text
    assert "R ○ 10/3   recurring 1 missed" in text  # the August quarter
    assert "G ○ 6/3    Nov 2023" in text  # on track
    assert "A ○ 8/3    Sep 2023   due now" in text


async def test_the_due_panels_overdue_list_names_the_missed_months_and_days(wide: Running) -> None:
    app, _ = wide
    due = due_text(app)
    overdue = due.split("Overdue · 10")[1]
    assert "R ○ gm-2023/6/1  July 2023  46 days overdue" in overdue
    assert "R ○ gm-2023/9/1  Monthly from July 2023\n  missed: Jul 2023, Aug 2023 · 46 days overdue" in overdue
    assert "R ○ gm-2023/10/3  August 2023 and quarterly the…\n  missed: Aug 2023 · 15 days overdue" in overdue


async def test_ticking_a_missed_month_reached_with_the_month_keys_clears_it(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/9/1", db_path)
    await press(pilot, "left_square_bracket")  # the due panel shows August 2023
    assert "Due in August 2023" in due_text(app)
    await press(pilot, "t")
    assert ticked(db_path, "gm-2023/9/1") == ["2023-08"]
    assert "R ○ 9/1    recurring 1 missed" in tree_text(app)
    assert "missed: Jul 2023 · 46 days overdue" in due_text(app)
    assert "· 10 overdue" in header(app)  # July is still missed

    await press(pilot, "left_square_bracket", "t")  # July
    assert ticked(db_path, "gm-2023/9/1") == ["2023-07", "2023-08"]
    text = tree_text(app)
    assert "○ 9/1    recurring  " in text and "A ○ 9/1" in text  # September's occurrence is open: amber
    assert "R 9 [agreed]  0/2  1 overdue" in text
    assert "gm-2023/9/1" not in due_text(app).split("Overdue · ")[1]
    assert "· 9 overdue" in header(app)
    assert "R Greater Manchester  0/12  9 overdue" in text


async def test_complete_takes_an_action_out_of_red_and_its_branch_follows(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/10/1", db_path)
    await press(pilot, "c")
    assert sql(db_path, "SELECT status FROM action WHERE reference = 'gm-2023/10/1'") == [("complete",)]
    rec = [key for key in app.screen.query_one(PlanTree).nodes_by_key
           if key.kind == "recommendation" and label_of(app, key).startswith("R 10 ")]
    assert rec and "1/2  1 overdue" in label_of(app, rec[0])  # 10/3 still missed its quarter
    assert "C ● 10/1" in tree_text(app)


@pytest.mark.parametrize("theme", ["actiontrack-dark", "actiontrack-light", "actiontrack-high-contrast"])
async def test_rag_marks_use_the_themes_colours_and_a_letter(db_path: Path, theme: str) -> None:
    app = make_app(db_path, theme=theme)
    async with app.run_test(size=SIZES["laptop"]) as pilot:
        await settle(pilot)
        colours = app.theme_variables
        tree = app.screen.query_one(PlanTree)
        for key, node in tree.nodes_by_key.items():
            if key.kind != "action":
                continue
            label = node.label
            letter = label.plain[0]
            assert letter in "RAGC" and label.plain[1] == " "
            rag = {"R": "red", "A": "amber", "G": "green", "C": "complete"}[letter]
            assert not str(label.style)  # the mark colours its letter only, not the row
            style = str(label.spans[0].style)
            assert colours[f"rag-{rag}"].lower() in style.lower(), (theme, style)
        lines = screen_lines(app)
        assert any(line.lstrip("│ ├└─").startswith("R ○ 6/1") for line in lines)
        assert "10 overdue" in app.screen.query_one(ContextBar).render().plain  # type: ignore[attr-defined]


async def test_a_theme_change_colours_every_mark_in_the_new_theme(db_path: Path) -> None:
    app = make_app(db_path, theme="actiontrack-dark")
    async with app.run_test(size=SIZES["laptop"]) as pilot:
        await settle(pilot)
        app.theme = "actiontrack-light"
        await settle(pilot)
        colours = app.theme_variables
        tree = app.screen.query_one(PlanTree)
        marks = [node.label for key, node in tree.nodes_by_key.items() if key.kind == "action"]
        rags = {"R": "red", "A": "amber", "G": "green", "C": "complete"}
        assert marks and all(colours[f"rag-{rags[label.plain[0]]}"].lower() in str(label.spans[0].style).lower()
                             for label in marks)
        assert any(line.lstrip("│ ├└─").startswith("R ○ 6/1") for line in screen_lines(app))


# -- filters and sort ---------------------------------------------------------------------------------

def action_refs(app: ActionTrackApp) -> list[str]:
    """The short references of the actions in the tree, top to bottom."""
    found = []
    for line in tree_text(app).splitlines():
        words = line.split()
        if len(words) > 2 and words[1] in "○◐●":
            found.append(words[2].rstrip("✎"))
    return found


async def test_the_date_filter_key_steps_through_overdue_due_and_missed(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    changes_before = sql(db_path, "SELECT count(*) FROM change")
    every = action_refs(app)
    assert len(every) == 12

    await press(pilot, "d")
    assert "· only overdue" in header(app)
    assert sorted(action_refs(app)) == sorted(["6/1", "6/2", "7/1", "7/3", "7/4", "7/5", "9/1", "9/2", "10/1", "10/3"])

    await press(pilot, "d")
    assert "· only due this month" in header(app)
    assert sorted(action_refs(app)) == sorted(["6/2", "7/4", "7/5", "8/3", "9/1", "9/2"])  # the panel's 6 due

    await press(pilot, "d")
    assert "· only missed a period" in header(app)
    assert sorted(action_refs(app)) == sorted(["6/2", "7/4", "7/5", "9/1", "9/2", "10/3"])

    await press(pilot, "d")
    assert "only" not in header(app) and len(action_refs(app)) == 12
    assert sql(db_path, "SELECT count(*) FROM change") == changes_before  # a filter writes nothing


async def test_the_status_filter_key_and_clearing_both_filters(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/7/5", db_path)  # the one ongoing action
    await press(pilot, "f")
    assert "· only not started" in header(app)
    assert "7/5" not in action_refs(app) and len(action_refs(app)) == 11
    await press(pilot, "f")
    assert "· only ongoing" in header(app) and action_refs(app) == ["7/5"]
    await press(pilot, "d")
    assert "· only ongoing, overdue" in header(app) and action_refs(app) == ["7/5"]
    await press(pilot, "f")
    assert "· only complete, overdue" in header(app)
    assert action_refs(app) == []
    assert "Press F to clear the filters" in app.screen.query_one("#detail").text  # type: ignore[attr-defined]
    await press(pilot, "F")
    assert "only" not in header(app) and len(action_refs(app)) == 12


async def test_an_action_whose_status_leaves_the_filter_leaves_the_tree_and_its_counts(wide: Running,
                                                                                      db_path: Path) -> None:
    app, pilot = wide
    await press(pilot, "f")
    assert "· only not started" in header(app) and len(action_refs(app)) == 11
    assert "Greater Manchester  0/11" in tree_text(app)
    await go_to(pilot, "gm-2023/6/1", db_path)
    await press(pilot, "o")  # ongoing: no longer what the filter shows
    assert sql(db_path, "SELECT status FROM action WHERE reference = 'gm-2023/6/1'") == [("ongoing",)]
    assert "6/1" not in action_refs(app) and len(action_refs(app)) == 10
    assert "Greater Manchester  0/10" in tree_text(app)
    await press(pilot, "u")  # not started again: back in the view
    assert "6/1" in action_refs(app) and "Greater Manchester  0/11" in tree_text(app)
    await go_to(pilot, "gm-2023/6/1", db_path)
    await press(pilot, "o")
    await press(pilot, "f")  # only ongoing: there it is
    assert sorted(action_refs(app)) == ["6/1", "7/5"]


async def test_undoing_a_completion_while_completed_actions_are_hidden_shows_the_action_again(
        wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await press(pilot, "h")
    await go_to(pilot, "gm-2023/6/1", db_path)
    await press(pilot, "c")
    assert "6/1" not in action_refs(app) and len(action_refs(app)) == 11
    await press(pilot, "u")
    assert "6/1" in action_refs(app) and len(action_refs(app)) == 12


async def test_a_region_under_the_cursor_shows_the_counts_of_the_view_after_a_filter(wide: Running) -> None:
    app, pilot = wide
    tree = app.screen.query_one(PlanTree)
    tree.focus()
    tree.move_cursor(tree.nodes_by_key[NodeKey("region", "Greater Manchester")])
    await settle(pilot)
    detail = app.screen.query_one("#detail")
    assert "0 of 12 actions complete" in detail.text  # type: ignore[attr-defined]
    await press(pilot, "f")  # only not started: 11 of them
    assert tree.cursor_key == NodeKey("region", "Greater Manchester")
    assert "0 of 11 actions complete" in detail.text  # type: ignore[attr-defined]


async def test_the_sort_key_orders_a_recommendations_actions_by_due_date(wide: Running) -> None:
    app, pilot = wide
    assert action_refs(app)[:3] == ["6/1", "6/2", "6/3"]  # plan order
    await press(pilot, "s")
    assert "· sorted by due date" in header(app)
    assert action_refs(app)[:3] == ["6/1", "6/3", "6/2"]  # July, November, then the monthly duty
    assert action_refs(app)[3:7] == ["7/1", "7/3", "7/4", "7/5"]
    await press(pilot, "s")
    assert "sorted" not in header(app) and action_refs(app)[:3] == ["6/1", "6/2", "6/3"]


async def test_filters_and_sort_are_in_help_and_the_palette(wide: Running) -> None:
    app, pilot = wide
    from tui.commands import ActionCommands

    screen = app.screen
    keys = dict(screen.help_keys())  # type: ignore[attr-defined]
    for key in ("f", "d", "F", "s"):
        assert key in keys
    assert "not started" in keys["f"] and "overdue" in keys["d"] and "due date" in keys["s"]
    names = [c.name for c in ActionCommands(screen)._commands()]
    for name in ("Status filter", "Date filter", "Clear filters", "Sort", "Filter: not started", "Filter: overdue",
                 "Filter: due this month", "Filter: missed a period"):
        assert name in names
    await press(pilot, "ctrl+p")
    await pilot.press(*"missed a period")
    await settle(pilot)
    await press(pilot, "enter")
    assert "· only missed a period" in header(app)
    assert len(action_refs(app)) == 6


def test_a_report_of_a_filtered_view_holds_what_the_screen_shows(db_path: Path) -> None:
    from datetime import date

    from store.db import open_database
    from store.queries import View, find_owner
    from store.reports import ReportScope, build_report

    db = open_database(db_path)
    try:
        with db.read() as session:
            owner = find_owner(session, "Head of Tameside PDU")
            report = build_report(session, ReportScope(as_of=date(2023, 9, 15), view=View(owner_id=owner.id,
                                                                                          when="missed")))
    finally:
        db.dispose()
    assert sorted(a.reference for a in report.actions) == sorted(
        f"gm-2023/{r}" for r in ["6/2", "7/4", "7/5", "9/1", "9/2", "10/3"])
    assert "missed a period" in report.title


# -- evidence notes -------------------------------------------------------------------------------------

async def test_a_note_of_several_lines_keeps_its_lines_and_links_and_marks_the_action(
        wide: Running, db_path: Path) -> None:
    from tui.screens.note import NoteScreen
    from tui.widgets.detail import DetailPane

    app, pilot = wide
    await go_to(pilot, "gm-2023/6/3", db_path)
    assert "○ 6/3 " in tree_text(app) and "6/3✎" not in tree_text(app)
    await press(pilot, "n")
    assert isinstance(app.screen, NoteScreen)
    assert "ctrl+s saves · escape cancels" in "\n".join(screen_lines(app))
    await pilot.press(*"Evidence: minutes 12 Sept", "enter", *"https://example.org/qip?id=3&x=[b]")
    await settle(pilot)
    assert isinstance(app.screen, NoteScreen)  # enter started a new line; nothing saved yet
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]
    await press(pilot, "ctrl+s")
    assert sql(db_path, "SELECT kind, note FROM change") == [
        ("note", "Evidence: minutes 12 Sept\nhttps://example.org/qip?id=3&x=[b]")]
    assert "G ○ 6/3✎" in tree_text(app)  # the evidence mark beside the reference
    detail = app.screen.query_one(DetailPane).text  # type: ignore[attr-defined]
    assert "Evidence: minutes 12 Sept\n" + " " * 20 + "https://example.org/qip?id=3&x=[b]" in detail


async def test_escape_in_the_note_box_saves_nothing(wide: Running, db_path: Path) -> None:
    from tui.screens.note import NoteScreen

    app, pilot = wide
    await go_to(pilot, "gm-2023/6/3", db_path)
    await press(pilot, "n")
    await pilot.press(*"half a thought")
    await press(pilot, "escape")
    assert not isinstance(app.screen, NoteScreen)
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]
    assert "6/3✎" not in tree_text(app)


async def test_an_undone_note_takes_the_evidence_mark_away(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/6/3", db_path)
    await press(pilot, "n")
    await pilot.press(*"Evidence: register")
    await press(pilot, "ctrl+s")
    assert "6/3✎" in tree_text(app)
    await press(pilot, "u")
    assert sql(db_path, "SELECT kind FROM change ORDER BY id") == [("note",), ("undo",)]
    assert "6/3✎" not in tree_text(app)


# -- closed plans -----------------------------------------------------------------------------------------

@pytest.fixture
async def everyone(db_path: Path) -> AsyncIterator[Running]:
    app = make_app(db_path, who=None)
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        yield app, pilot


async def run_palette(pilot: Pilot[None], words: str) -> None:
    await press(pilot, "ctrl+p")
    await pilot.press(*words)
    await settle(pilot)
    await press(pilot, "enter")


async def test_closing_a_plan_from_the_palette_and_showing_it_again_with_p(everyone: Running, db_path: Path) -> None:
    from tui.screens.note import NoteScreen

    app, pilot = everyone
    await go_to(pilot, "cgm-2019/1/1.2", db_path)
    await run_palette(pilot, "Plan: close")
    assert isinstance(app.screen, NoteScreen)
    await pilot.press(*"Signed off by the board")
    await press(pilot, "ctrl+s")
    closed = sql(db_path, "SELECT count(*), min(change.note), min(change.by) FROM change JOIN action ON action.id = "
                          "change.action_id WHERE action.plan_id = 'cgm-2019' AND kind = 'close'")
    assert closed == [(54, "Signed off by the board", "tester")]
    text = tree_text(app)
    assert "Cheshire and Greater Manchester CRC" not in text and "Tameside PDU · 2023 plan" in text
    assert "cgm-2019/" not in due_text(app)

    await press(pilot, "P")
    assert "· closed plans shown" in header(app)
    assert "Cheshire and Greater Manchester CRC · 2019 plan (closed)" in tree_text(app)
    assert tree_text(app).count("(closed)") == 2  # its two addressees (the CRC, Purple Futures); nps-ne-2019 is open
    assert "cgm-2019/" in due_text(app)  # its overdue actions are listed again while shown

    await go_to(pilot, "cgm-2019/1/1.2", db_path)
    await run_palette(pilot, "Plan: reopen")
    reopened = sql(db_path, "SELECT count(*) FROM change JOIN action ON action.id = change.action_id "
                            "WHERE action.plan_id = 'cgm-2019' AND kind = 'reopen'")
    assert reopened == [(54,)]
    assert "(closed)" not in tree_text(app)
    await press(pilot, "P")
    assert "closed plans shown" not in header(app)
    assert "Cheshire and Greater Manchester CRC · 2019 plan  " in tree_text(app)


async def test_closing_on_a_recommendation_says_where_to_go(everyone: Running, db_path: Path) -> None:
    from helpers.screen import NotifySpy

    app, pilot = everyone
    spy = NotifySpy(app)
    tree = app.screen.query_one(PlanTree)
    rec = next(k for k in tree.nodes_by_key if k.kind == "recommendation")
    tree.move_cursor(tree.nodes_by_key[rec])
    await settle(pilot)
    await run_palette(pilot, "Plan: close")
    assert spy.said("move to one of its actions or addressees")
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]
