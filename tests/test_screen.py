"""The screen as a Head of PDU sees it on a laptop (80×24), a larger window (100×30) and a wide one (160×48).

Each test reads what the terminal shows (`screen_lines`) or the database, never a widget's private state.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from helpers.screen import (
    SIZES,
    TODAY,
    NotifySpy,
    Running,
    action_id,
    change_elsewhere,
    go_to,
    make_app,
    open_at,
    press,
    screen_lines,
    settle,
    sql,
    tree_text,
)
from store.config import config_path, load_config
from store.queries import ActionRow
from store.targets import Status
from themes import ORDER, title
from tui.app import ActionTrackApp
from tui.cli import main
from tui.labels import action_label
from tui.nodes import NodeKey
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.note import NoteScreen
from tui.screens.owner_picker import OwnerPicker
from tui.widgets.context_bar import ContextBar, context_text
from tui.widgets.detail import DetailPane
from tui.widgets.due_panel import DuePanel
from tui.widgets.plan_tree import PlanTree
from tui.writes import OwnVersions

ROOT = Path(__file__).resolve().parent.parent





def main_screen(app: ActionTrackApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def line_with(lines: list[str], words: str) -> str:
    found = [line for line in lines if words in line]
    assert found, f"{words!r} is not on the screen:\n" + "\n".join(lines)
    return found[0]


# -- every size: header, rows, footer ---------------------------------------------------------------

@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
async def test_what_a_user_sees_at_each_size(db_path: Path, size: tuple[int, int]) -> None:
    async for app, _ in open_at(db_path, size):
        lines = screen_lines(app)
        width, height = size
        assert len(lines) == height
        header, footer = lines[0], lines[-1]
        assert "Head of Tameside PDU (Greater Manchester)" in header  # words go before the name is cut
        assert "6 due" in header and "10 overdue" in header  # 4 past deadline, 6 duties missed a month
        # the footer fits: every key shown whole, the palette hint at the right edge, nothing after it
        assert footer.rstrip().endswith("^p palette")
        for key in ("c Complete", "o Ongoing", "n Note", "u Undo", "p Owner", "/ Search", "? Help"):
            assert key in footer
        # an overdue action's row: RAG and status marks, short reference, deadline, how late, and its text
        row = line_with(lines, "6/1 ")
        match = re.search(r"R ○ 6/1\s+Jul 2023 46d late\s+(.*)$", row.rstrip())
        assert match, row
        text = match.group(1).rstrip("│ ")
        assert "The Head of Tameside PDU and Head of Interv".startswith(text[:40])
        assert len(text) >= 40, (size, row)
        # recommendation counts come before their text, so they are never cut
        assert re.search(r"R 6 \[agreed\]  0/3  2 overdue", line_with(lines, "6 [agreed]"))  # 6/2 missed August
        narrow = width < 120
        assert ("Due in September 2023" in "\n".join(lines)) is not narrow  # the due panel is beside only if wide
        assert ("tab Due" in footer) is narrow


async def test_the_header_keeps_its_counts_after_hide_and_after_a_search(laptop: Running) -> None:
    app, pilot = laptop
    for keys in (["h"], ["h"], ["slash", *"Equality", "enter"], ["escape"]):
        await press(pilot, *keys)
        header = screen_lines(app)[0]
        assert "6 due" in header and "10 overdue" in header, (keys, header)


def test_the_header_shortens_words_never_figures() -> None:
    from tui.widgets.context_bar import Context

    context = Context(who="Head of Performance and Quality (Greater Manchester)", today=TODAY, month=TODAY,
                      due=12, overdue=103, hide_complete=True, search="quarterly report", read_only="locked")
    for width in (60, 80, 100, 160):
        line = context_text(context, width, {}).plain
        assert len(line) <= width
        assert "12 due" in line and "103 overdue" in line and "READ-ONLY" in line, (width, line)
        assert line.startswith("actiontrack  Head of Perf") or line.startswith("Head of Perf"), line
    assert "quarterly report" in context_text(context, 120, {}).plain
    assert "today 15 Sep 2023" in context_text(context, 240, {}).plain


def test_a_continuing_target_keeps_a_space_before_the_text() -> None:
    row = ActionRow(id=1, reference="nw-2023/3/2", text="Monthly audit of cases", status=Status.ONGOING,
                    target="Completed and ongoing", target_reading="", target_kind="complete-recurring",
                    deadline=None, every_months=None, owners="", version=0, overdue=False)
    assert "continuing Monthly audit" in action_label(row, {}).plain


async def test_the_tree_never_scrolls_sideways(wide: Running) -> None:
    app, _ = wide
    tree = app.screen.query_one(PlanTree)
    assert tree.virtual_size.width > tree.content_size.width  # labels wider than the tree...
    assert not tree.show_horizontal_scrollbar  # ...are cut at its edge, no lone scrollbar thumb


async def test_help_text_wraps_beside_its_key(db_path: Path) -> None:
    async for app, pilot in open_at(db_path, SIZES["laptop"]):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = screen_lines(app)
        first = line_with(lines, "Tick off the recurring action")
        column = first.index("Tick off")
        following = lines[lines.index(first) + 1]
        assert following[column - 8:column].strip(" █▌▐│") == ""  # the wrapped words stay in the description column
        assert following[column:].strip(" █▌▐│")


# -- narrow: the tree has the width; enter and tab bring the detail and the due panel --------------

async def test_narrow_enter_reads_an_action_in_full_and_escape_comes_back(laptop: Running, db_path: Path) -> None:
    app, pilot = laptop
    await go_to(pilot, "gm-2023/6/1", db_path)
    await press(pilot, "enter")
    text = "\n".join(screen_lines(app))
    assert "mandatory training session for all PDU staff" in text and "read as" in text
    assert "esc Back" in screen_lines(app)[-1]
    await press(pilot, "c")  # the keys still act on the action read
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/1'") == [("complete",)]
    await press(pilot, "escape")
    assert "● 6/1" in "\n".join(screen_lines(app))
    assert app.screen.query_one(PlanTree).has_focus


async def test_narrow_tab_shows_the_due_panel_and_enter_goes_to_the_action(laptop: Running, db_path: Path) -> None:
    app, pilot = laptop
    await press(pilot, "tab")
    text = "\n".join(screen_lines(app))
    assert "Due in September 2023 · 6" in text and "Overdue · 10" in text
    panel = app.screen.query_one(DuePanel)
    target = f"due-{action_id(db_path, 'gm-2023/9/2')}"
    panel.highlighted = next(i for i in range(panel.option_count) if panel.get_option_at_index(i).id == target)
    await press(pilot, "enter")
    tree = app.screen.query_one(PlanTree)
    assert tree.has_focus and tree.cursor_key == NodeKey("action", action_id(db_path, "gm-2023/9/2"))
    assert "Due in September 2023" not in "\n".join(screen_lines(app))


async def test_narrow_tab_puts_the_cursor_on_the_first_due_action_and_c_completes_it(laptop: Running,
                                                                                     db_path: Path) -> None:
    app, pilot = laptop
    await press(pilot, "tab")
    panel = app.screen.query_one(DuePanel)
    first = panel.highlighted_row
    assert first is not None and first.reference == "gm-2023/8/3"  # the first action listed, not a heading
    await press(pilot, "c")
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/8/3'") == [("complete",)]
    assert "Due in September 2023 · 5" in "\n".join(screen_lines(app))
    after = panel.highlighted_row  # the completed action left the list: the cursor stays in its place
    assert panel.has_focus and after is not None and after.reference == "gm-2023/6/2"
    await press(pilot, "o")
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/2'") == [("ongoing",)]


async def test_wide_enter_on_an_action_leaves_the_cursor_in_the_tree(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/6/1", db_path)
    await press(pilot, "enter")  # the detail beside the tree shows it already
    assert app.screen.query_one(PlanTree).has_focus
    assert "mandatory training session" in app.screen.query_one(DetailPane).text
    await press(pilot, "down")
    current = main_screen(app).current
    assert current is not None and current.reference == "gm-2023/6/2"


async def test_the_first_due_action_shows_with_its_heading_when_the_cursor_comes_back_to_it(laptop: Running) -> None:
    app, pilot = laptop
    await press(pilot, "tab")
    panel = app.screen.query_one(DuePanel)
    await press(pilot, "end")  # the last overdue action: the panel scrolled down, the headings out of view
    assert "Due in September 2023" not in "\n".join(screen_lines(app))
    await press(pilot, "home")
    first = panel.highlighted_row
    assert first is not None and first.reference == "gm-2023/8/3"
    assert "Due in September 2023 · 6" in "\n".join(screen_lines(app))


async def test_wide_tab_moves_between_tree_and_due_panel_only(wide: Running) -> None:
    app, pilot = wide
    tree, panel = app.screen.query_one(PlanTree), app.screen.query_one(DuePanel)
    assert tree.has_focus
    await pilot.press("tab")
    assert panel.has_focus
    await pilot.press("tab")
    assert tree.has_focus  # never the detail pane
    assert not app.screen.query_one(DetailPane).has_focus


async def test_wide_tab_shows_the_first_due_action_beside_the_panel(wide: Running) -> None:
    app, pilot = wide
    await press(pilot, "tab")
    current = main_screen(app).current
    assert current is not None and current.reference == "gm-2023/8/3"
    assert "Working with Head of PP and Head of P&Q" in app.screen.query_one(DetailPane).text


# -- tree keys -------------------------------------------------------------------------------------

async def test_left_closes_a_branch_or_goes_to_its_parent_and_right_opens_it(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/6/2", db_path)
    tree = app.screen.query_one(PlanTree)
    rec = tree.cursor_node.parent if tree.cursor_node else None
    assert rec is not None and rec.is_expanded
    await pilot.press("left")  # on an action: up to its recommendation
    assert tree.cursor_node is rec
    await pilot.press("left")  # on an open branch: close it
    assert not rec.is_expanded and tree.cursor_node is rec
    assert "○ 6/2 " not in "\n".join(screen_lines(app))  # its actions are out of sight
    await pilot.press("left")  # closed: up to the addressee
    assert tree.cursor_node is rec.parent
    await pilot.press("down", "right")  # right opens it again
    assert rec.is_expanded


async def test_clearing_a_search_keeps_the_cursor_on_its_action(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await press(pilot, "slash", *"Equality", "enter")
    await go_to(pilot, "gm-2023/10/1", db_path)
    await press(pilot, "escape")
    assert "6/1" in tree_text(app)  # the whole view again...
    current = main_screen(app).current
    assert current is not None and current.reference == "gm-2023/10/1"  # ...with the cursor where it was


async def test_a_filter_change_keeps_the_cursor_on_its_action(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/9/2", db_path)
    for key in ("h", "h", "a", "a"):
        await press(pilot, key)
        current = main_screen(app).current
        assert current is not None and current.reference == "gm-2023/9/2", key


# -- every key answers -----------------------------------------------------------------------------

async def test_an_action_key_on_a_branch_says_why(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    tree = app.screen.query_one(PlanTree)
    tree.move_cursor(tree.nodes_by_key[NodeKey("region", "Greater Manchester")])
    await settle(pilot)
    for key in "cotn":
        await press(pilot, key)
        assert spy.last.startswith(f"{key} acts on one action and the cursor is on a region"), spy.last
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]


async def test_an_owner_typo_says_no_owner_matches_and_offers_the_closest(wide: Running) -> None:
    app, pilot = wide
    await press(pilot, "p")
    assert isinstance(app.screen, OwnerPicker)
    await press(pilot, *"Head of Tamesde")
    lines = "\n".join(screen_lines(app))
    assert "no owner matches “Head of Tamesde”; the closest:" in lines
    assert "Head of Tameside PDU (Greater Manchester)" in lines
    await press(pilot, "enter")  # the closest is offered first: enter chooses it
    assert load_config(config_path()).owner == "Head of Tameside PDU (Greater Manchester)"



async def test_a_misspelt_place_alone_offers_the_owners_of_the_place_it_is_like(wide: Running) -> None:
    app, pilot = wide
    await press(pilot, "p")
    await press(pilot, *"Wign")
    lines = "\n".join(screen_lines(app))
    assert "no owner matches “Wign”; the closest:" in lines
    assert "Head of Wigan PDU (Greater Manchester)" in lines
    assert "Tameside" not in lines

# -- undo ------------------------------------------------------------------------------------------

async def test_undo_acts_on_the_action_under_the_cursor_and_names_it(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/3", db_path)
    await press(pilot, "c")
    await go_to(pilot, "gm-2023/6/1", db_path)
    await press(pilot, "o")  # the newest change, on another action
    await go_to(pilot, "gm-2023/6/3", db_path)
    await press(pilot, "u")
    assert sql(db_path, "SELECT reference, status FROM action WHERE reference IN ('gm-2023/6/1', 'gm-2023/6/3') "
                        "ORDER BY reference") == [("gm-2023/6/1", "ongoing"), ("gm-2023/6/3", "not_started")]
    assert spy.last == "gm-2023/6/3: undid not started → complete; now not started"


async def test_undo_of_a_note_and_of_a_tick_says_what_was_undone(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/2", db_path)
    await press(pilot, "n", *"Surgery held 5 Sept", "ctrl+s")  # enter starts a new line in the note box
    await press(pilot, "u")
    assert spy.last == "gm-2023/6/2: undid the note “Surgery held 5 Sept”; now not started"
    await press(pilot, "t")
    await press(pilot, "u")
    assert spy.last == "gm-2023/6/2: undid the tick of 2023-09; now not started"
    assert sql(db_path, "SELECT done FROM occurrence WHERE action_id = ?", action_id(db_path, "gm-2023/6/2")) == [(0,)]


async def test_undo_with_nothing_of_yours_on_the_action_says_so(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/3", db_path)
    await press(pilot, "u")
    assert spy.last == "gm-2023/6/3 has no change of yours to undo"


# -- writes one at a time, in order ----------------------------------------------------------------

async def test_two_quick_keys_on_one_action_both_apply_in_order(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    await go_to(pilot, "gm-2023/6/3", db_path)
    await press(pilot, "o", "c")  # the second key comes before the first write has reported back
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("complete",)]
    assert sql(db_path, "SELECT from_status, to_status FROM change ORDER BY id") == [
        ("not_started", "ongoing"), ("ongoing", "complete")]
    assert not spy.said("changed elsewhere")
    assert "● 6/3" in tree_text(app)


def test_a_later_key_follows_only_this_screens_own_writes() -> None:
    """The version a queued key expects moves on with this screen's writes, never with anyone else's."""
    versions = OwnVersions()
    assert versions.expected(7, 3) == 3
    versions.moved(7, 3, 4)  # our 'o' on action 7, shown at version 3
    versions.moved(7, 4, 5)  # our 'c' after it
    assert versions.expected(7, 3) == 5  # a third key pressed while the screen still showed version 3
    assert versions.expected(7, 6) == 6  # a version made elsewhere is not ours to follow
    assert versions.expected(8, 3) == 3


async def test_a_note_typed_while_the_action_changed_elsewhere_is_kept(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/6/3", db_path)
    await pilot.press("n", *"Evidence: minutes of 12 Sept")
    change_elsewhere(db_path, "gm-2023/6/3")  # the CLI, a moment before saving
    await press(pilot, "ctrl+s")
    assert sql(db_path, "SELECT count(*) FROM change WHERE kind = 'note'") == [(0,)]
    note = app.screen
    assert isinstance(note, NoteScreen)  # asked again, the text kept, what changed said
    assert note.query_one("#note-input").text == "Evidence: minutes of 12 Sept"  # type: ignore[attr-defined]
    warning = "\n".join(screen_lines(app))
    assert "gm-2023/6/3 changed while you wrote: not started → ongoing by someone else" in warning
    await press(pilot, "ctrl+s")  # saved on the new state
    assert sql(db_path, "SELECT kind, note FROM change ORDER BY id") == [
        ("status", ""), ("note", "Evidence: minutes of 12 Sept")]
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/6/3'") == [("ongoing",)]


# -- palette and themes ----------------------------------------------------------------------------

async def palette_entries(app: ActionTrackApp, pilot: Pilot[None]) -> list[str]:
    await press(pilot, "ctrl+p")
    await pilot.pause(0.3)
    assert isinstance(app.screen, CommandPalette)
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


@pytest.mark.parametrize("size", ["laptop", "wide"])
async def test_the_palette_shows_human_names_once_each(db_path: Path, size: str) -> None:
    async for app, pilot in open_at(db_path, SIZES[size]):
        await go_to(pilot, "gm-2023/6/3", db_path)
        await check_palette(app, pilot)


async def check_palette(app: ActionTrackApp, pilot: Pilot[None]) -> None:
    entries = await palette_entries(app, pilot)
    names = [entry.split("\n")[0] for entry in entries]
    assert len(names) == len(set(names)), names
    for name in ("Complete", "Note", "Undo", "Owner", "Quit", "Help", "Theme: Dark", "Theme: Light",
                 "Theme: High contrast"):
        assert name in names
    assert not any("action:" in entry or "_" in entry for entry in entries), entries
    assert "Next pane" not in names and "Due" not in names and "Back" not in names  # moving between panes
    assert "Mark the action complete." in "\n".join(entries)  # each with what it does


async def test_a_theme_chosen_in_the_palette_is_remembered(wide: Running) -> None:
    app, pilot = wide
    await palette_entries(app, pilot)
    await pilot.press(*"Theme: Light")
    await pilot.pause(0.3)
    await settle(pilot)
    await press(pilot, "enter")
    assert app.theme == "actiontrack-light"
    assert load_config(config_path()).theme == "actiontrack-light"


async def test_the_theme_key_cycles_in_the_readme_order(wide: Running) -> None:
    app, pilot = wide
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"next theme \(([^;)]*)", readme)
    assert listed, "the README's key table names the themes"
    assert [name.strip() for name in listed.group(1).split(",")] == [title(n).lower() for n in ORDER]
    seen = [app.theme]
    for _ in ORDER:
        await press(pilot, "T")
        seen.append(app.theme)
    assert seen == [*ORDER, ORDER[0]]
    assert load_config(config_path()).theme == ORDER[0]


def test_an_unknown_theme_is_one_line_naming_the_themes(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", str(db_path), "--theme", "purple"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == "actiontrack: there is no theme 'purple'; the themes are dark, light, high-contrast\n"


async def test_a_theme_given_for_one_run_is_not_saved(db_path: Path) -> None:
    app = make_app(db_path, theme="actiontrack-light")
    async with app.run_test(size=SIZES["wide"]) as pilot:
        await settle(pilot)
        assert app.theme == "actiontrack-light"
    assert not config_path().exists() or load_config(config_path()).theme != "actiontrack-light"


async def test_a_theme_change_repaints_the_context_bar(wide: Running) -> None:
    app, pilot = wide
    bar = app.screen.query_one(ContextBar)
    before = bar.render().spans
    await press(pilot, "T")
    assert bar.render().spans != before  # the overdue count in the new theme's colour


async def test_a_month_key_pressed_while_a_write_runs_keeps_the_new_month(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, "gm-2023/8/3", db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock: the key's write waits for it
        await pilot.press("o", "right_square_bracket")  # the due panel moves on while the write waits
        await pilot.pause(0.5)  # (not settle: that would wait for the write, which waits for the lock)
        assert "Due in October 2023" in "\n".join(screen_lines(app))
    finally:
        other.execute("COMMIT")
        other.close()
    await settle(pilot)  # now the write goes through and reports back
    panel = "\n".join(screen_lines(app))
    assert "Due in October 2023" in panel and "Due in September 2023" not in panel
    assert sql(db_path, "SELECT status FROM action WHERE reference='gm-2023/8/3'") == [("ongoing",)]
