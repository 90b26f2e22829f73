"""Status and history: each change writes exactly one history row; ticks, notes and undo; a stale
view is refused; changes are recorded as the configured user, else the login name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import dump
from sqlalchemy import func, select, update

from store import commands
from store.config import Config, config_path, load_config, save_config
from store.db import Database
from store.errors import StaleError, StoreError
from store.models import Action, Change, ChangeKind, Occurrence
from store.queries import history, ticked_periods
from store.targets import Status

BY = "jsmith"


def the(db: Database, reference: str) -> Action:
    with db.read() as session:
        found = commands.find_action(session, reference)
        session.expunge(found)
        return found


def changes(db: Database) -> list[Change]:
    with db.read() as session:
        rows = list(session.execute(select(Change).order_by(Change.id)).scalars())
        for row in rows:
            session.expunge(row)
        return rows


def new_rows(db: Database, before: list[Change]) -> list[Change]:
    known = {c.id for c in before}
    return [c for c in changes(db) if c.id not in known]


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@pytest.mark.parametrize(("reference", "steps"), [
    ("gm-2023/7/1", [Status.COMPLETE, Status.ONGOING, Status.NOT_STARTED]),
    ("nw-2023/9/1", [Status.ONGOING, Status.NOT_STARTED, Status.COMPLETE]),  # starts complete ("Completed")
    ("cgm-2019/1/1.1.2", [Status.ONGOING, Status.COMPLETE]),
])
def test_each_status_change_writes_one_history_row(db: Database, reference: str, steps: list[Status]) -> None:
    action = the(db, reference)
    for step in steps:
        previous, before = the(db, reference), changes(db)
        started = datetime.now(UTC)
        with db.write() as session:
            commands.set_status(session, action.id or 0, step, by=BY, note="  Evidence: QIP minutes  ")
        [row] = new_rows(db, before)
        assert (row.action_id, row.kind, row.from_status, row.to_status, row.by, row.note) == (
            action.id, ChangeKind.STATUS, previous.status, step, BY, "Evidence: QIP minutes")
        assert started - timedelta(seconds=1) <= aware(row.at) <= datetime.now(UTC) + timedelta(seconds=1)
        after = the(db, reference)
        assert after.status == step
        assert after.version == previous.version + 1


def test_setting_the_status_it_has_is_refused_and_writes_nothing(db: Database) -> None:
    action = the(db, "gm-2023/7/1")
    assert action.status == Status.NOT_STARTED
    before = dump(db.path)
    with pytest.raises(StoreError, match="already not started"), db.write() as session:
        commands.set_status(session, action.id or 0, Status.NOT_STARTED, by=BY)
    assert dump(db.path) == before


def test_ticking_off_this_months_occurrence(db: Database) -> None:
    monthly = the(db, "gm-2023/9/1")  # "Monthly from July 2023"
    assert monthly.every_months == 1
    before = changes(db)
    with db.write() as session:
        commands.tick_occurrence(session, monthly.id or 0, "2023-07", by=BY, note="attendance list")
    [row] = new_rows(db, before)
    assert (row.kind, row.period, row.by, row.note, row.from_status, row.to_status) == (
        ChangeKind.TICK, "2023-07", BY, "attendance list", None, None)
    after = the(db, "gm-2023/9/1")
    assert after.status == monthly.status  # the duty goes on
    assert after.version == monthly.version + 1
    with db.read() as session:
        assert ticked_periods(session, monthly.id or 0) == ["2023-07"]


@pytest.mark.parametrize(("reference", "period", "words"), [
    ("gm-2023/9/1", "2023-06", "no occurrence in 2023-06"),         # before "Monthly from July 2023"
    ("gm-2023/10/3", "2023-09", "no occurrence in 2023-09"),        # "August 2023 and quarterly thereafter"
    ("gm-2023/7/1", "2023-07", "not a recurring action"),           # "July 2023"
    ("cgm-2019/1/1.1.3", "2019-06", "not a recurring action"),      # "May19 – Aug 19"
])
def test_ticking_where_there_is_no_occurrence_is_refused(
    db: Database, reference: str, period: str, words: str
) -> None:
    before = dump(db.path)
    with pytest.raises(StoreError, match=words), db.write() as session:
        commands.tick_occurrence(session, the(db, reference).id or 0, period, by=BY)
    assert dump(db.path) == before


def test_quarterly_occurrences_fall_every_third_month(db: Database) -> None:
    action = the(db, "gm-2023/10/3")
    assert action.every_months == 3
    with db.write() as session:
        commands.tick_occurrence(session, action.id or 0, "2023-08", by=BY)
        commands.tick_occurrence(session, action.id or 0, "2023-11", by=BY)
    with pytest.raises(StoreError, match="already ticked off"), db.write() as session:
        commands.tick_occurrence(session, action.id or 0, "2023-11", by=BY)
    with db.read() as session:
        assert ticked_periods(session, action.id or 0) == ["2023-08", "2023-11"]


def test_adding_a_note_writes_one_row_and_keeps_the_status(db: Database) -> None:
    action = the(db, "nw-2023/1/1")
    before = changes(db)
    with db.write() as session:
        commands.add_note(session, action.id or 0, "Chased by email", by=BY)
    [row] = new_rows(db, before)
    assert (row.kind, row.note, row.by, row.from_status, row.to_status) == (ChangeKind.NOTE, "Chased by email", BY,
                                                                           None, None)
    assert the(db, "nw-2023/1/1").status == action.status
    with pytest.raises(StoreError, match="empty"), db.write() as session:
        commands.add_note(session, action.id or 0, "   ", by=BY)
    assert len(changes(db)) == len(before) + 1


def test_a_status_change_writes_every_column_of_its_history_row_and_the_session_sees_the_new_status(
        db: Database) -> None:
    """The change is written without the ORM's unit of work: its row still takes the model's defaults (a fresh
    uid, where it was made), the id it returns is the stored row's, and an Action the same session holds is
    read again, not left at the status it had."""
    action = the(db, "gm-2023/7/1")
    others = {c.uid for c in changes(db)}
    with db.write() as session:
        held = session.get(Action, action.id)
        assert held is not None and held.status == Status.NOT_STARTED
        written = commands.set_status(session, action.id or 0, Status.ONGOING, by=BY, note=" minutes ",
                                      expected_version=action.version)
        assert (held.status, held.version) == (Status.ONGOING, action.version + 1)
        noted = commands.add_note(session, action.id or 0, "and a note", by=BY)
    stored = {c.id: c for c in changes(db)}
    row, note = stored[written.id], stored[noted.id]
    assert (row.action_id, row.kind, row.from_status, row.to_status, row.by, row.note, row.undoes_id) == (
        action.id, ChangeKind.STATUS, Status.NOT_STARTED, Status.ONGOING, BY, "minutes", None)
    assert (row.uid, row.at.replace(tzinfo=None), row.origin) == (
        written.uid, written.at.replace(tzinfo=None), written.origin)
    assert row.origin == db.origin != ""
    assert len({row.uid, note.uid} | others) == len(others) + 2 and all(len(u) == 36 for u in (row.uid, note.uid))
    assert noted.id == written.id + 1 and (note.kind, note.note) == (ChangeKind.NOTE, "and a note")


def test_undo_of_a_status_writes_a_change_back_and_deletes_nothing(db: Database) -> None:
    action = the(db, "gm-2023/8/3")
    with db.write() as session:
        done = commands.set_status(session, action.id or 0, Status.COMPLETE, by=BY, note="evidence")
        done_id = done.id
    before = changes(db)
    with db.write() as session:
        commands.undo_last(session, by=BY)
    [row] = new_rows(db, before)
    assert (row.kind, row.from_status, row.to_status, row.undoes_id, row.by) == (
        ChangeKind.UNDO, Status.COMPLETE, Status.NOT_STARTED, done_id, BY)
    assert [c.id for c in changes(db)][: len(before)] == [c.id for c in before]  # the undone row stays
    assert the(db, "gm-2023/8/3").status == Status.NOT_STARTED
    with db.read() as session:
        rows = history(session, action.id or 0)
    assert [(h.kind, h.undone) for h in rows] == [("status", True), ("undo", False)]


def test_undo_of_a_tick_unticks_it(db: Database) -> None:
    action = the(db, "gm-2023/9/2")
    with db.write() as session:
        tick = commands.tick_occurrence(session, action.id or 0, "2023-08", by=BY)
        tick_id = tick.id
    before = changes(db)
    with db.write() as session:
        commands.undo_last(session, by=BY)
    [row] = new_rows(db, before)
    assert (row.kind, row.period, row.undoes_id) == (ChangeKind.UNDO, "2023-08", tick_id)
    with db.read() as session:
        assert ticked_periods(session, action.id or 0) == []
        assert session.execute(select(func.count()).select_from(Occurrence)
                               .where(Occurrence.action_id == action.id)).scalar_one() == 1  # kept, not done
    # and it can be ticked off again
    with db.write() as session:
        commands.tick_occurrence(session, action.id or 0, "2023-08", by=BY)
    with db.read() as session:
        assert ticked_periods(session, action.id or 0) == ["2023-08"]


def test_undo_of_a_note_keeps_the_note_and_marks_it_undone(db: Database) -> None:
    action = the(db, "nw-2023/1/1")
    with db.write() as session:
        commands.add_note(session, action.id or 0, "Wrong action", by=BY)
    with db.write() as session:
        commands.undo_last(session, by=BY)
    with db.read() as session:
        rows = history(session, action.id or 0)
    assert [(h.kind, h.note, h.undone) for h in rows] == [("note", "Wrong action", True), ("undo", "", False)]


def test_undo_goes_back_one_change_at_a_time_and_only_yours(db: Database) -> None:
    first, second = the(db, "gm-2023/7/1"), the(db, "gm-2023/7/3")
    with db.write() as session:
        commands.set_status(session, first.id or 0, Status.ONGOING, by=BY)
    with db.write() as session:
        commands.set_status(session, second.id or 0, Status.ONGOING, by=BY)
    with db.write() as session:
        commands.set_status(session, the(db, "nw-2023/1/1").id or 0, Status.ONGOING, by="someone else")
    with db.write() as session:
        assert commands.undo_last(session, by=BY).action_id == second.id
    with db.write() as session:
        assert commands.undo_last(session, by=BY).action_id == first.id
    assert the(db, "gm-2023/7/1").status == the(db, "gm-2023/7/3").status == Status.NOT_STARTED
    assert the(db, "nw-2023/1/1").status == Status.ONGOING
    before = dump(db.path)
    with pytest.raises(StoreError, match="no change of yours"), db.write() as session:
        commands.undo_last(session, by=BY)
    assert dump(db.path) == before


def test_undo_of_a_status_changed_again_since_is_refused(db: Database) -> None:
    action = the(db, "gm-2023/7/1")
    with db.write() as session:
        commands.set_status(session, action.id or 0, Status.ONGOING, by=BY)
    with db.write() as session:
        commands.set_status(session, action.id or 0, Status.COMPLETE, by="colleague")
    before = dump(db.path)
    with pytest.raises(StaleError), db.write() as session:
        commands.undo_last(session, by=BY)
    assert dump(db.path) == before


@pytest.mark.parametrize("command", ["status", "tick", "note"])
def test_a_stale_expected_version_is_refused_and_writes_nothing(db: Database, command: str) -> None:
    action = the(db, "gm-2023/9/1")
    shown = action.version
    with db.write() as session:  # someone else changes it after it was shown
        commands.add_note(session, action.id or 0, "elsewhere", by="colleague")
    before = dump(db.path)
    with pytest.raises(StaleError), db.write() as session:
        if command == "status":
            commands.set_status(session, action.id or 0, Status.COMPLETE, by=BY, expected_version=shown)
        elif command == "tick":
            commands.tick_occurrence(session, action.id or 0, "2023-07", by=BY, expected_version=shown)
        else:
            commands.add_note(session, action.id or 0, "mine", by=BY, expected_version=shown)
    assert dump(db.path) == before
    with db.write() as session:  # with the current version it goes through
        commands.set_status(session, action.id or 0, Status.COMPLETE, by=BY, expected_version=shown + 1)
    assert the(db, "gm-2023/9/1").status == Status.COMPLETE


def test_a_withdrawn_action_cannot_be_changed(db: Database) -> None:
    action = the(db, "gm-2023/7/1")
    with db.write() as session:
        session.execute(update(Action).where(Action.id == action.id).values(withdrawn=True))
    before = dump(db.path)
    with pytest.raises(StoreError, match="withdrawn"), db.write() as session:
        commands.set_status(session, action.id or 0, Status.COMPLETE, by=BY)
    assert dump(db.path) == before


def test_unknown_reference_is_not_found(db: Database) -> None:
    with pytest.raises(StoreError, match="no action has the reference 'gm-2023/99/1'"), db.read() as session:
        commands.find_action(session, "gm-2023/99/1")


# --- who is recorded --------------------------------------------------------------------------------


def test_by_is_the_configured_user(private_home: Path) -> None:
    path = config_path()
    assert str(path).startswith(str(private_home))
    save_config(Config(user="Jo Smith (Tameside)"))
    assert load_config().by == "Jo Smith (Tameside)"
    assert path.stat().st_mode & 0o777 == 0o600


def test_by_is_the_login_name_without_a_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "loginname")
    assert not config_path().exists()
    assert load_config().by == "loginname"
    assert Config(user="").by == "loginname"


def test_a_broken_config_is_one_clear_error() -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("user = ", encoding="utf-8")
    with pytest.raises(StoreError, match="config file .* cannot be read"):
        load_config()


def test_by_is_recorded_as_one_tidy_name(db: Database) -> None:
    """An exported history row must import back as the same name, so stray spaces go."""
    save_config(Config(user="  Jo   Smith \t"))
    by = load_config().by
    assert by == "Jo Smith"
    with db.write() as session:
        row = commands.add_note(session, the(db, "nw-2023/1/1").id or 0, "x", by=by)
        assert row.by == "Jo Smith"


def test_undo_passes_over_changes_of_withdrawn_actions(db: Database) -> None:
    kept, gone = the(db, "gm-2023/7/1"), the(db, "gm-2023/7/3")
    with db.write() as session:
        commands.set_status(session, kept.id or 0, Status.ONGOING, by=BY)
    with db.write() as session:
        commands.set_status(session, gone.id or 0, Status.ONGOING, by=BY)
    with db.write() as session:  # as a revised plan would
        session.execute(update(Action).where(Action.id == gone.id).values(withdrawn=True))
    with db.write() as session:
        assert commands.undo_last(session, by=BY).action_id == kept.id
    assert the(db, "gm-2023/7/1").status == Status.NOT_STARTED


HAND_WRITTEN = '''\
[plan]
id = "hand-2024"
title = "A plan kept by hand"
region = "Test Region"
plan_submitted = 2024-01-15

[[addressees]]
name = "Testtown PDU"
kind = "pdu"

[[addressees.recommendations]]
number = "1"
text = "Improve."
agreement = "agreed"

[[addressees.recommendations.actions]]
text = "A monthly duty."
owners = ["Head of PDU"]
target = "Monthly"
status = "ongoing"
ticked = ["2024-01"]
history = [
  { at = 2024-02-01T09:00:00Z, by = "jsmith", change = "tick", period = "2024-01" },
  { at = 2024-02-02T09:00:00Z, by = "jsmith", change = "tick", period = "2024-02" },
  { at = 2024-02-03T09:00:00Z, by = "jsmith", change = "untick", period = "2024-02" },
]

[[addressees.recommendations.actions]]
text = "A one-off."
owners = ["Head of PDU"]
target = "March 2024"
status = "complete"
history = [{ at = 2024-03-01T09:00:00Z, by = "jsmith", change = "status", to = "complete" }]
'''


def test_undo_of_changes_kept_by_hand_in_a_plan_file(db: Database, tmp_path: Path) -> None:
    from store.importing import import_plan_files

    path = tmp_path / "hand.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    import_plan_files(db, [path])
    one_off = the(db, "hand-2024/1/2")
    before = dump(db.path)
    with pytest.raises(StoreError, match="does not record the status before"), db.write() as session:
        commands.undo_last(session, by="jsmith", action_id=one_off.id)
    assert dump(db.path) == before
    monthly = the(db, "hand-2024/1/1")
    with db.read() as session:
        assert ticked_periods(session, monthly.id or 0) == ["2024-01"]
    with db.write() as session:  # undoing the untick of February ticks it off again
        commands.undo_last(session, by="jsmith", action_id=monthly.id)
    with db.read() as session:
        assert ticked_periods(session, monthly.id or 0) == ["2024-01", "2024-02"]
