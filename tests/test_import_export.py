"""Import and export: the bundled plans go in, importing again changes nothing, a revised plan keeps
what people recorded, and export then import gives back the same state for every sample plan."""

from __future__ import annotations

import tomllib
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import SAMPLE_IDS, TODAY, dump, load_sample, sample_file
from sqlalchemy import func, select

from store import commands
from store.db import Database, open_database
from store.exporting import export_toml
from store.importing import UncertainImport, bundled_plan_files, import_plan_files, open_or_create
from store.matching import Mapping
from store.queries import plan_ids
from store.planfile import PlanFileError
from store.models import Action, ActionOwner, Change, Owner, Plan, Recommendation
from store.queries import action_detail, history, ticked_periods
from store.targets import Status

BY = "tester"


def count_actions(document: dict[str, Any]) -> int:
    return sum(len(r.get("actions", [])) for a in document["addressees"] for r in a["recommendations"])


def action(db: Database, reference: str) -> Action:
    with db.read() as session:
        found = commands.find_action(session, reference)
        session.expunge(found)
        return found


# --- the bundled plans -----------------------------------------------------------------------------


def test_bundled_plan_files_are_the_samples() -> None:
    names = {p.stem for p in bundled_plan_files()}
    assert {"cgm-2019", "nw-2023", "nps-ne-2019"} <= names
    assert all(p.suffix == ".toml" and p.is_file() for p in bundled_plan_files())


def test_a_new_database_is_filled_from_every_sample(tmp_path: Path) -> None:
    path = tmp_path / "new" / "fresh.sqlite"
    db = open_or_create(path)
    try:
        with db.read() as session:
            plans = list(session.execute(select(Plan.id).order_by(Plan.id)).scalars())
            per_plan = dict(session.execute(select(Action.plan_id, func.count()).group_by(Action.plan_id)).all())
    finally:
        db.dispose()
    expected = sorted(p.stem for p in bundled_plan_files())
    assert plans == expected
    for plan_id in expected:
        assert per_plan[plan_id] == count_actions(load_sample(plan_id)), plan_id


def test_an_existing_database_is_not_refilled(db_path: Path) -> None:
    before = dump(db_path)
    open_or_create(db_path).dispose()
    assert dump(db_path) == before


@pytest.mark.parametrize("plan_id", SAMPLE_IDS)
def test_importing_the_same_file_again_changes_nothing(db: Database, plan_id: str) -> None:
    path = sample_file(plan_id)
    before = dump(db.path)
    [result] = import_plan_files(db, [path])
    assert result.plan_id == plan_id
    assert not result.changed, result.summary()
    assert result.unchanged == count_actions(load_sample(plan_id))
    assert "already up to date" in result.summary()
    assert dump(db.path) == before


# --- a revised plan ----------------------------------------------------------------------------------


def find(document: dict[str, Any], number: str) -> dict[str, Any]:
    for addressee in document["addressees"]:
        for rec in addressee["recommendations"]:
            if rec["number"] == number:
                return rec
    raise KeyError(number)


def history_ids(db: Database, reference: str) -> list[int]:
    with db.read() as session:
        return [h.id for h in history(session, action(db, reference).id or 0)]


def test_a_revised_plan_updates_what_changed_and_keeps_what_was_recorded(db: Database, tmp_path: Path) -> None:
    original = load_sample("gm-2023")
    ids_before = {ref: action(db, ref).id for ref in
                  ("gm-2023/6/1", "gm-2023/7/1", "gm-2023/8/3", "gm-2023/9/1", "gm-2023/10/4")}
    with db.write() as session:
        commands.set_status(session, ids_before["gm-2023/6/1"], Status.COMPLETE, by=BY, note="QIP signed off")
        commands.set_status(session, ids_before["gm-2023/7/1"], Status.ONGOING, by=BY)
        commands.set_status(session, ids_before["gm-2023/8/3"], Status.COMPLETE, by=BY)
        commands.tick_occurrence(session, ids_before["gm-2023/9/1"], "2023-07", by=BY)
        commands.add_note(session, ids_before["gm-2023/10/4"], "Meeting booked", by=BY)
    kept_history = {ref: history_ids(db, ref) for ref in ids_before}
    assert all(kept_history.values())

    revised = tomllib.loads(sample_file("gm-2023").read_text(encoding="utf-8"))
    find(revised, "6")["actions"][0]["text"] = "The Head of Tameside PDU and HOI will revise the ETE offer."
    find(revised, "7")["actions"][0]["owners"] = ["Head of Tameside PDU", "HoP&Q"]
    find(revised, "9")["actions"][0]["target"] = "Quarterly from July 2023"
    dropped = find(revised, "10")["actions"].pop()  # 10/4
    assert dropped["owners"] == find(original, "10")["actions"][3]["owners"]
    find(revised, "6")["actions"].append(
        {"text": "A new action of the revision.", "owners": ["Head of Tameside PDU"], "target": "October 2023"}
    )
    path = tmp_path / "gm-2023-revised.toml"
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")

    with pytest.raises(UncertainImport):  # 6/1 reworded: not matched on a guess
        import_plan_files(db, [path])
    [result] = import_plan_files(db, [path], mappings=[Mapping("gm-2023", actions={"6/1": "6/#1"})])
    assert (result.added, result.updated, result.withdrawn) == (1, 3, 1)
    assert result.unchanged == count_actions(original) - 4
    assert result.changed

    # references stay stable: the same rows answer to the same references
    for ref, action_id in ids_before.items():
        assert action(db, ref).id == action_id
    with db.read() as session:
        first = action_detail(session, ids_before["gm-2023/6/1"], TODAY)
        assert first.action.text == "The Head of Tameside PDU and HOI will revise the ETE offer."
        assert first.action.status == Status.COMPLETE  # kept
        owners71 = action_detail(session, ids_before["gm-2023/7/1"], TODAY)
        assert owners71.owners_written == ["Head of Tameside PDU", "HoP&Q"]
        assert owners71.action.owners == "Head of Tameside PDU; Head of Performance and Quality"
        assert owners71.action.status == Status.ONGOING
        linked = set(session.execute(
            select(Owner.name, Owner.region).join(ActionOwner, ActionOwner.owner_id == Owner.id)
            .where(ActionOwner.action_id == ids_before["gm-2023/7/1"])).all())
        assert linked == {("Head of Tameside PDU", "Greater Manchester"),
                          ("Head of Performance and Quality", "Greater Manchester")}
        quarterly = action_detail(session, ids_before["gm-2023/9/1"], TODAY)
        assert quarterly.action.target == "Quarterly from July 2023"
        assert quarterly.action.every_months == 3
        assert quarterly.ticked == ["2023-07"]
        assert action_detail(session, ids_before["gm-2023/8/3"], TODAY).action.status == Status.COMPLETE
        gone = action_detail(session, ids_before["gm-2023/10/4"], TODAY)
        assert gone.withdrawn
        assert [h.note for h in gone.history] == ["Meeting booked"]
        new = commands.find_action(session, "gm-2023/6/5")
        assert (new.text, new.status, new.withdrawn) == ("A new action of the revision.", Status.NOT_STARTED, False)
        assert session.execute(select(func.count()).select_from(Action)
                               .where(Action.reference == "gm-2023/10/4")).scalar_one() == 1
    after = {ref: history_ids(db, ref) for ref in ids_before}
    assert after.pop("gm-2023/9/1")[:-1] == kept_history.pop("gm-2023/9/1")
    assert after == kept_history
    with db.read() as session:  # the revised target is a history event; the original is kept in it
        revision = session.execute(select(Change).where(Change.action_id == ids_before["gm-2023/9/1"])
                                   .order_by(Change.id.desc())).scalars().first()
        assert revision is not None
        assert (revision.kind, revision.from_target, revision.to_target) == (
            "target", "Monthly from July 2023", "Quarterly from July 2023")

    # importing the revision again writes nothing (and needs no mapping: the words now match)
    before = dump(db.path)
    [again] = import_plan_files(db, [path])
    assert not again.changed
    assert dump(db.path) == before


def test_a_revision_dropping_an_action_in_the_middle_keeps_explicit_refs(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        commands.set_status(session, action(db, "cgm-2019/1/1.1.3").id or 0, Status.COMPLETE, by=BY, note="done")
    revised = load_sample("cgm-2019")
    actions = find(revised, "1")["actions"]
    assert [a["ref"] for a in actions[:4]] == ["1.1", "1.1.1", "1.1.2", "1.1.3"]
    del actions[2]
    path = tmp_path / "cgm.toml"
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")
    [result] = import_plan_files(db, [path])
    assert result.withdrawn == 1
    assert action(db, "cgm-2019/1/1.1.2").withdrawn
    kept = action(db, "cgm-2019/1/1.1.3")
    assert (kept.status, kept.withdrawn) == (Status.COMPLETE, False)
    with db.read() as session:
        assert [h.note for h in history(session, kept.id or 0)] == ["done"]


def test_a_revision_dropping_an_unnumbered_action_keeps_the_others_references(
    db: Database, tmp_path: Path
) -> None:
    """nw-2023 numbers its actions by position: dropping the first must not hand its status and
    history to the action that moves up into its place."""
    refs = [f"nw-2023/2/{n}" for n in range(1, 7)]
    texts = {ref: action(db, ref).text for ref in refs}
    with db.write() as session:
        commands.set_status(session, action(db, refs[0]).id or 0, Status.COMPLETE, by=BY, note="evidence for 2/1")
        commands.set_status(session, action(db, refs[2]).id or 0, Status.ONGOING, by=BY)
    revised = load_sample("nw-2023")
    del find(revised, "2")["actions"][0]
    path = tmp_path / "nw.toml"
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")
    [result] = import_plan_files(db, [path])
    assert (result.added, result.withdrawn) == (0, 1)

    dropped = action(db, refs[0])
    assert dropped.withdrawn and dropped.text == texts[refs[0]] and dropped.status == Status.COMPLETE
    for ref in refs[1:]:
        kept = action(db, ref)
        assert (kept.text, kept.withdrawn) == (texts[ref], False), ref
    assert action(db, refs[2]).status == Status.ONGOING
    assert action(db, refs[1]).status == Status.NOT_STARTED
    assert history_ids(db, refs[1]) == []
    with db.read() as session:
        assert [h.note for h in history(session, dropped.id or 0)] == ["evidence for 2/1"]

    # an action inserted at the top takes a new reference; the others keep theirs
    find(revised, "2")["actions"].insert(0, {"text": "Inserted first.", "owners": ["Head of PDU"],
                                             "target": "May 2024"})
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")
    [result] = import_plan_files(db, [path])
    assert result.added == 1
    inserted = action(db, "nw-2023/2/7")
    assert (inserted.text, inserted.position) == ("Inserted first.", 1)
    assert inserted.owners_display == "Head of Cheshire West PDU"
    for ref in refs[1:]:
        assert action(db, ref).text == texts[ref]
    before = dump(db.path)
    [again] = import_plan_files(db, [path])
    assert not again.changed
    assert dump(db.path) == before


def test_a_dropped_recommendation_is_withdrawn_with_its_actions(db: Database, tmp_path: Path) -> None:
    revised = load_sample("nps-ne-2019")
    for addressee in revised["addressees"]:
        addressee["recommendations"] = [r for r in addressee["recommendations"] if r["number"] != "7"]
    path = tmp_path / "ne.toml"
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")
    [result] = import_plan_files(db, [path])
    assert result.withdrawn == 2
    with db.read() as session:
        rec = session.execute(select(Recommendation).where(Recommendation.plan_id == "nps-ne-2019",
                                                           Recommendation.number == "7")).scalar_one()
        assert rec.withdrawn
    assert action(db, "nps-ne-2019/7/7.1").withdrawn


# --- export, then import into an empty database ----------------------------------------------------


def exercise(db: Database, plan_id: str) -> None:
    """Record a little of everything on a plan: statuses, a note, a tick, an undo."""
    with db.read() as session:
        rows = list(session.execute(
            select(Action).where(Action.plan_id == plan_id).order_by(Action.id)).scalars())
    not_started = [a for a in rows if a.status == Status.NOT_STARTED]
    complete = [a for a in rows if a.status == Status.COMPLETE]
    recurring = [a for a in rows if a.every_months is not None and a.start_month is not None]
    with db.write() as session:
        commands.set_status(session, not_started[0].id or 0, Status.COMPLETE, by=BY, note="Evidence: minutes 12 Sept")
        commands.set_status(session, not_started[1].id or 0, Status.ONGOING, by="someone else")
        commands.add_note(session, not_started[2].id or 0, "Chased the owner", by=BY)
        if complete:
            commands.set_status(session, complete[0].id or 0, Status.ONGOING, by=BY, note="reopened")
    with db.write() as session:
        commands.set_status(session, not_started[3].id or 0, Status.ONGOING, by=BY)
    with db.write() as session:
        commands.undo_last(session, by=BY)
    if recurring:
        first = recurring[0]
        start = first.start_month or 0
        periods = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in (start, start + (first.every_months or 1))]
        with db.write() as session:
            commands.tick_occurrence(session, first.id or 0, periods[0], by=BY)
            commands.tick_occurrence(session, first.id or 0, periods[1], by=BY, note="second")
        with db.write() as session:
            commands.undo_last(session, by=BY)


def state(db: Database, plan_id: str) -> dict[str, Any]:
    """Everything recorded about a plan's actions, by reference."""
    out: dict[str, Any] = {}
    with db.read() as session:
        for a in session.execute(select(Action).where(Action.plan_id == plan_id, Action.withdrawn.is_(False))
                                 ).scalars():
            rows = history(session, a.id or 0)
            position = {h.id: i for i, h in enumerate(rows)}
            out[a.reference] = {
                "status": a.status, "text": a.text, "owners": a.owners_display, "target": a.target,
                "ticked": ticked_periods(session, a.id or 0),
                "history": [
                    (h.at.replace(tzinfo=UTC) if h.at.tzinfo is None else h.at.astimezone(UTC), h.by, h.kind,
                     h.from_status, h.to_status, h.period, h.note, h.undone,
                     position.get(h.undoes_id) if h.undoes_id else None)
                    for h in rows
                ],
            }
    return out


def body(exported: str) -> str:
    first, rest = exported.split("\n", 1)
    assert first == "# Exported by actiontrack. Import it again with `actiontrack import`."
    return rest


@pytest.mark.parametrize("plan_id", SAMPLE_IDS)
def test_export_then_import_gives_back_the_same_state(db: Database, tmp_path: Path, plan_id: str) -> None:
    sample_file(plan_id)
    exercise(db, plan_id)
    with db.read() as session:
        first = export_toml(session, plan_id)
    exported = tmp_path / f"{plan_id}.toml"
    exported.write_text(first, encoding="utf-8")

    fresh = open_database(tmp_path / "fresh.sqlite")
    try:
        [result] = import_plan_files(fresh, [exported])
        assert result.added == len(state(db, plan_id))
        with fresh.read() as session:
            second = export_toml(session, plan_id)
        assert body(second) == body(first)
        original, copy = state(db, plan_id), state(fresh, plan_id)
        assert copy == original
        assert sum(len(v["history"]) for v in copy.values()) >= 5
        assert any(v["status"] == Status.COMPLETE and v["history"] for v in copy.values())
    finally:
        fresh.dispose()


@pytest.mark.parametrize("plan_id", SAMPLE_IDS)
def test_importing_an_export_back_into_its_own_database_changes_nothing(
    db: Database, tmp_path: Path, plan_id: str
) -> None:
    sample_file(plan_id)
    exercise(db, plan_id)
    with db.read() as session:
        text = export_toml(session, plan_id)
    path = tmp_path / "back.toml"
    path.write_text(text, encoding="utf-8")
    before = dump(db.path)
    [result] = import_plan_files(db, [path])
    assert not result.changed, result.summary()
    assert dump(db.path) == before


def test_export_holds_history_as_the_format_documents(db: Database) -> None:
    ref = "nw-2023/1/1"
    with db.write() as session:
        commands.set_status(session, action(db, ref).id or 0, Status.COMPLETE, by="jsmith", note="Evidence")
    with db.read() as session:
        document = tomllib.loads(export_toml(session, "nw-2023"))
    entry = find(document, "1")["actions"][0]
    assert entry["ref"] == "1" and entry["status"] == "complete"
    [row] = entry["history"]
    assert (row["by"], row["change"], row["from"], row["to"], row["note"]) == (
        "jsmith", "status", "not_started", "complete", "Evidence")
    assert row["at"].tzinfo is not None


def test_change_rows_are_never_deleted_by_an_import(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        commands.add_note(session, action(db, "nw-2023/2/1").id or 0, "kept", by=BY)
    with db.read() as session:
        before = session.execute(select(func.count()).select_from(Change)).scalar_one()
    revised = load_sample("nw-2023")
    find(revised, "2")["actions"] = find(revised, "2")["actions"][1:]
    path = tmp_path / "nw.toml"
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")
    import_plan_files(db, [path])
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(Change)).scalar_one() == before


# --- carrying state between two databases ------------------------------------------------------------


def export_to(db: Database, plan_id: str, path: Path) -> Path:
    with db.read() as session:
        path.write_text(export_toml(session, plan_id), encoding="utf-8")
    return path


def test_a_later_export_brings_its_undo_to_a_database_that_has_the_earlier_one(
    db: Database, tmp_path: Path
) -> None:
    """Laptop and office copy: the office imports Monday's export, then Tuesday's with an undo."""
    status_ref, tick_ref = "gm-2023/7/1", "gm-2023/9/1"
    with db.write() as session:
        commands.set_status(session, action(db, status_ref).id or 0, Status.COMPLETE, by=BY, note="too early")
        commands.tick_occurrence(session, action(db, tick_ref).id or 0, "2023-07", by=BY)
    monday = export_to(db, "gm-2023", tmp_path / "monday.toml")
    office = open_database(tmp_path / "office.sqlite")
    try:
        import_plan_files(office, [sample_file("gm-2023")])
        import_plan_files(office, [monday])
        assert state(office, "gm-2023") == state(db, "gm-2023")

        with db.write() as session:
            commands.undo_last(session, by=BY)  # the tick
        with db.write() as session:
            commands.undo_last(session, by=BY)  # the status
        tuesday = export_to(db, "gm-2023", tmp_path / "tuesday.toml")
        [result] = import_plan_files(office, [tuesday])
        assert result.history_added == 2
        assert state(office, "gm-2023") == state(db, "gm-2023")
        with office.read() as session:
            rows = history(session, commands.find_action(session, status_ref).id or 0)
            assert [(h.kind, h.undone) for h in rows] == [("status", True), ("undo", False)]
            assert rows[1].undoes_id == rows[0].id
            assert ticked_periods(session, commands.find_action(session, tick_ref).id or 0) == []
        # Monday's file, imported again, is older than the office copy: it changes nothing
        before = dump(office.path)
        [stale] = import_plan_files(office, [monday])
        assert not stale.changed
        assert dump(office.path) == before
    finally:
        office.dispose()


def test_a_corrected_alias_table_reaches_actions_whose_words_did_not_change(db: Database, tmp_path: Path) -> None:
    before = action(db, "gm-2023/7/2")
    assert before.owners_written == ["BM", "SPOs"]
    assert before.owners_display == "Tameside PDU Business Manager; Tameside PDU Senior Probation Officers"
    revised = load_sample("gm-2023")
    revised["aliases"]["BM"] = "Business and Performance Manager"
    path = tmp_path / "gm.toml"
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")
    [result] = import_plan_files(db, [path])
    uses_bm = sum(1 for a in revised["addressees"] for r in a["recommendations"] for x in r.get("actions", [])
                  if "BM" in x["owners"])
    assert result.updated == uses_bm > 0
    after = action(db, "gm-2023/7/2")
    assert after.owners_display == "Business and Performance Manager; Tameside PDU Senior Probation Officers"
    with db.read() as session:
        linked = set(session.execute(
            select(Owner.name).join(ActionOwner, ActionOwner.owner_id == Owner.id)
            .where(ActionOwner.action_id == after.id)).scalars())
    assert "Business and Performance Manager" in linked and "Tameside PDU Business Manager" not in linked


def test_a_new_database_whose_filling_fails_is_not_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[plan]\nid = 'broken'\n", encoding="utf-8")
    monkeypatch.setattr("store.importing.bundled_plan_files", lambda: [broken])
    path = tmp_path / "new.sqlite"
    with pytest.raises(PlanFileError):
        open_or_create(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.toml"]
    monkeypatch.undo()
    db = open_or_create(path)  # the next run fills it
    try:
        with db.read() as session:
            assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == len(bundled_plan_files())
    finally:
        db.dispose()


def test_a_first_run_cut_short_leaves_no_database_and_the_next_run_starts_afresh(tmp_path: Path) -> None:
    """The first run builds the database beside its path: killed half-way, it leaves only that file
    (here: a schema without plans), never a database at the path for later runs to mistake for the user's."""
    from store.db import open_database

    path = tmp_path / "cut-short.sqlite"
    open_database(tmp_path / ".cut-short.sqlite.999-1.new").dispose()  # what a killed first run leaves
    assert not path.exists()
    db = open_or_create(path)
    try:
        with db.read() as session:
            assert sorted(plan_ids(session)) == ["cgm-2019", "gm-2023", "nps-ne-2019", "nw-2023"]
    finally:
        db.dispose()


def test_the_actions_after_a_dropped_one_take_their_new_places_and_keep_their_owners(
    db: Database, tmp_path: Path
) -> None:
    refs = [f"nw-2023/2/{n}" for n in range(1, 7)]
    owners = {ref: action(db, ref).owners_display for ref in refs}
    revised = load_sample("nw-2023")
    del find(revised, "2")["actions"][0]
    find(revised, "2")["actions"][0]["owners"] = ["Head of Performance and Quality"]  # 2/2 changes owner
    path = tmp_path / "nw.toml"
    path.write_text(tomli_w.dumps(revised), encoding="utf-8")
    [result] = import_plan_files(db, [path])
    assert (result.withdrawn, result.updated) == (1, 1)
    assert [action(db, ref).position for ref in refs[1:]] == [1, 2, 3, 4, 5]
    assert action(db, refs[1]).owners_display == "Head of Performance and Quality"
    assert [action(db, ref).owners_display for ref in refs[2:]] == [owners[ref] for ref in refs[2:]]
    with db.read() as session:
        linked = session.execute(select(Owner.name).join(ActionOwner, ActionOwner.owner_id == Owner.id)
                                 .where(ActionOwner.action_id == action(db, refs[1]).id)).scalars().all()
    assert linked == ["Head of Performance and Quality"]
