"""Key r: revising an action's target from the screen, the new target shown as read before it is saved."""

from __future__ import annotations

from pathlib import Path

from helpers.screen import NotifySpy, Running, go_to, press, screen_lines, sql
from tui.app import ActionTrackApp
from tui.screens.main import MainScreen
from tui.screens.revise import ReviseScreen

REF = "gm-2023/6/3"  # 'November 2023', a Head of Tameside action



def shown(app: ActionTrackApp) -> str:
    return "\n".join(screen_lines(app))


async def test_r_shows_the_reading_asks_a_reason_and_saves_the_revision(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, REF, db_path)
    await press(pilot, "r")
    assert isinstance(app.screen, ReviseScreen)
    await press(pilot, *"March 2024")
    assert "read as: due by 31 Mar 2024" in shown(app)
    await press(pilot, "enter", "enter")  # to the reason; an empty reason is refused
    assert isinstance(app.screen, ReviseScreen)
    assert "A revised target needs a reason." in shown(app)
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]
    await press(pilot, *"New IT system late")
    assert "A revised target needs a reason." not in shown(app)  # the warning went with what it was about
    await press(pilot, "enter")
    assert isinstance(app.screen, MainScreen)
    assert sql(db_path, "SELECT target, deadline FROM action WHERE reference = ?", REF) == [
        ("March 2024", "2024-03-31")]
    assert sql(db_path, "SELECT kind, from_target, to_target, note FROM change") == [
        ("target", "November 2023", "March 2024", "New IT system late")]
    detail = shown(app)  # the detail pane: the target in force, read, and the original beside it
    assert "Target         “March 2024”" in detail and "read as      due by 31 Mar 2024" in detail
    assert "first agreed “November 2023” (revised 1×: New IT" in detail
    assert "target “November 2023” → “March" in detail  # its history
    assert "6/3    Mar 2024" in detail  # the tree follows the revised date


async def test_an_unreadable_target_is_said_and_not_saved(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    await go_to(pilot, REF, db_path)
    await press(pilot, "r", *"soonish")
    assert "the target 'soonish' cannot be read as a date" in shown(app)
    await press(pilot, "tab", *"because", "enter")
    assert isinstance(app.screen, ReviseScreen)
    assert "Write a new target the reader understands first." in shown(app)
    await press(pilot, "escape")
    assert isinstance(app.screen, MainScreen)
    assert sql(db_path, "SELECT count(*) FROM change") == [(0,)]
    assert sql(db_path, "SELECT target FROM action WHERE reference = ?", REF) == [("November 2023",)]


async def test_u_reverts_a_revision_from_the_screen(wide: Running, db_path: Path) -> None:
    app, pilot = wide
    spy = NotifySpy(app)
    await go_to(pilot, REF, db_path)
    await press(pilot, "r", *"March 2024", "enter", *"late", "enter")
    await press(pilot, "u")
    assert spy.last == f"{REF}: undid target “November 2023” → “March 2024”; now not started"
    assert sql(db_path, "SELECT target, deadline FROM action WHERE reference = ?", REF) == [
        ("November 2023", "2023-11-30")]
