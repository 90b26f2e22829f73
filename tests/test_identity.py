"""Identity, matching and merging: records keep their uids across exports, imports and machines;
a revision that cannot be matched with certainty is not guessed; history merges as a set of events.

Each test is named after the behaviour it protects; the numbers are the failure cases of the issue
that introduced uids (see the README's "Your data")."""

from __future__ import annotations

import sqlite3
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import dump, load_sample, sample_file
from sqlalchemy import select
from test_import_export import action, find

from helpers.cli import run_inprocess
from store import commands
from store.db import Database, open_database
from store.exporting import export_toml
from store.importing import UncertainImport, import_plan_files, preview_plan_files
from store.matching import Mapping
from store.models import Action, Addressee, Change, Plan, Recommendation
from store.queries import history, ticked_periods
from store.targets import Status
from tests.helpers.schema import UID_TABLES, make_schema_1

BY = "tester"


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(document, multiline_strings=True), encoding="utf-8")
    return path


def exported(db: Database, plan_id: str, path: Path) -> Path:
    with db.read() as session:
        path.write_text(export_toml(session, plan_id), encoding="utf-8")
    return path


def uids(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: {r[0] for r in conn.execute(f'SELECT uid FROM "{t}"')} for t in UID_TABLES}
    finally:
        conn.close()


def notes(db: Database, reference: str) -> list[str]:
    with db.read() as session:
        return [h.note for h in history(session, action(db, reference).id or 0) if h.note]


# --- 1. identity ---------------------------------------------------------------------------------


def test_every_record_has_a_uid_that_exports_write_and_imports_honour(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        commands.set_status(session, action(db, "gm-2023/6/1").id or 0, Status.COMPLETE, by=BY, note="evidence")
    path = exported(db, "gm-2023", tmp_path / "gm.toml")
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    rec = find(document, "6")
    assert document["plan"]["uid"] and rec["uid"] and rec["actions"][0]["uid"]
    assert rec["actions"][0]["history"][0]["uid"]
    fresh = open_database(tmp_path / "fresh.sqlite")
    try:
        import_plan_files(fresh, [path])
    finally:
        fresh.dispose()
    mine = {t: {u for u in s} for t, s in uids(db.path).items()}
    theirs = uids(tmp_path / "fresh.sqlite")
    gm_actions = {a.uid for a in _plan_actions(db, "gm-2023")}
    assert theirs["action"] == gm_actions
    assert theirs["change"] <= mine["change"] and len(theirs["change"]) == 1
    assert theirs["plan"] <= mine["plan"]


def _plan_actions(db: Database, plan_id: str) -> list[Action]:
    with db.read() as session:
        rows = list(session.execute(select(Action).where(Action.plan_id == plan_id)).scalars())
        for row in rows:
            session.expunge(row)
        return rows


def test_two_machines_importing_the_same_plan_file_give_its_records_the_same_uids(tmp_path: Path) -> None:
    for name in ("laptop-a.sqlite", "laptop-b.sqlite"):
        db = open_database(tmp_path / name)
        try:
            import_plan_files(db, [sample_file("nw-2023")])
        finally:
            db.dispose()
    assert uids(tmp_path / "laptop-a.sqlite") == uids(tmp_path / "laptop-b.sqlite")


def test_an_upgraded_database_has_uids_and_an_export_made_before_uids_imports_back_onto_it(
    db: Database, tmp_path: Path
) -> None:
    """Schema 1 had no uids: the upgrade gives every row the uid an import of the same records derives,
    so an export written by the old version adds nothing when imported again."""
    ref = "nw-2023/2/1"
    with db.write() as session:
        commands.set_status(session, action(db, ref).id or 0, Status.COMPLETE, by=BY, note="Evidence: minutes")
        commands.add_note(session, action(db, ref).id or 0, "Chased", by=BY)
    before = uids(db.path)
    old_export = tomllib.loads(exported(db, "nw-2023", tmp_path / "x.toml").read_text(encoding="utf-8"))
    _strip_uids(old_export)
    old_file = write(tmp_path / "old-export.toml", old_export)
    db.dispose()
    make_schema_1(db.path)
    upgraded = open_database(db.path)
    try:
        after = uids(db.path)
        assert len(after.pop("change")) == len(before.pop("change")) == 2  # events made here had random uids
        assert after == before  # the rest were derived at import, as the upgrade derives them
        rows = dump(db.path)
        [result] = import_plan_files(upgraded, [old_file])
        assert not result.changed, result.summary()
        assert dump(db.path) == rows
    finally:
        upgraded.dispose()


def _strip_uids(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("uid", None)
        if isinstance(node.get("history"), list):
            position = {h["uid"]: n for n, h in enumerate(node["history"], start=1) if "uid" in h}
            for h in node["history"]:
                if isinstance(h.get("undoes"), str):
                    h["undoes"] = position[h["undoes"]]
        for value in node.values():
            _strip_uids(value)
    elif isinstance(node, list):
        for value in node:
            _strip_uids(value)


# --- case 3: a reworded action beside a dropped one ------------------------------------------------


def _rec6_revision(tmp_path: Path, *, refs: bool) -> Path:
    revised = load_sample("gm-2023")
    actions = find(revised, "6")["actions"]
    if refs:
        for n, entry in enumerate(actions, start=1):
            entry["ref"] = str(n)
    del actions[0]
    assert "surgery sessions" in actions[0]["text"]
    actions[0]["text"] = actions[0]["text"].replace("surgery sessions", "surgeries")
    return write(tmp_path / "gm-2023-revised.toml", revised)


def _record_training(db: Database) -> None:
    with db.write() as session:
        commands.set_status(session, action(db, "gm-2023/6/1").id or 0, Status.COMPLETE, by=BY,
                            note="Training delivered 12 July")
        commands.tick_occurrence(session, action(db, "gm-2023/6/2").id or 0, "2023-08", by=BY)


def test_a_reworded_action_beside_a_dropped_one_is_not_matched_on_a_guess(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record_training(db)
    path = _rec6_revision(tmp_path, refs=False)
    before = dump(db.path)
    with pytest.raises(UncertainImport):
        import_plan_files(db, [path])
    assert dump(db.path) == before
    db.dispose()

    run = run_inprocess(capsys, "--db", str(db.path), "import", str(path))
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err_lines[0].startswith("actiontrack: ") and "nothing was written" in run.err_lines[0]
    assert dump(db.path) == before
    mapping = tmp_path / "gm-2023-revised.mapping.toml"
    assert f"--mapping {mapping}" in run.err
    proposal = tomllib.loads(mapping.read_text(encoding="utf-8"))
    assert proposal["actions"] == {"6/1": "withdraw", "6/2": "6/#1"}  # proposed, not applied

    run = run_inprocess(capsys, "--db", str(db.path), "import", "--mapping", str(mapping), str(path))
    assert run.code == 0, run.err
    again = open_database(db.path)
    try:
        dropped, reworded = action(again, "gm-2023/6/1"), action(again, "gm-2023/6/2")
        assert (dropped.withdrawn, dropped.status) == (True, Status.COMPLETE)
        assert notes(again, "gm-2023/6/1") == ["Training delivered 12 July"]  # the evidence stays with its action
        assert (reworded.withdrawn, reworded.status) == (False, Status.NOT_STARTED)
        assert "surgeries" in reworded.text and notes(again, "gm-2023/6/2") == []
        with again.read() as session:
            assert ticked_periods(session, reworded.id or 0) == ["2023-08"]  # its tick stays with it
    finally:
        again.dispose()


def test_the_same_revision_with_explicit_refs_needs_no_confirmation(db: Database, tmp_path: Path) -> None:
    _record_training(db)
    [result] = import_plan_files(db, [_rec6_revision(tmp_path, refs=True)])
    assert (result.withdrawn, result.updated) == (1, 1)
    assert action(db, "gm-2023/6/1").withdrawn and action(db, "gm-2023/6/1").status == Status.COMPLETE
    assert action(db, "gm-2023/6/2").status == Status.NOT_STARTED


# --- case 4: an unrelated plan under an existing id -----------------------------------------------


def test_an_unrelated_plan_under_an_existing_id_is_refused_not_merged_by_position(
    db: Database, tmp_path: Path
) -> None:
    _record_training(db)
    other = load_sample("gm-2023")
    other["plan"]["title"] = "Recruitment plan"
    other["plan"]["region"] = "Wales"
    find(other, "6")["actions"][0]["text"] = "Recruit 5 probation officers"
    path = write(tmp_path / "other.toml", other)
    before = dump(db.path)
    with pytest.raises(UncertainImport, match="another title, region"):
        import_plan_files(db, [path])
    assert dump(db.path) == before
    with db.read() as session:
        assert session.get(Plan, "gm-2023").title.startswith("Greater Manchester")  # type: ignore[union-attr]


def test_a_plan_file_whose_uid_differs_from_the_stored_plan_of_its_id_is_refused(
    db: Database, tmp_path: Path
) -> None:
    document = load_sample("nw-2023")
    document["plan"]["uid"] = "00000000-0000-4000-8000-000000000001"
    before = dump(db.path)
    with pytest.raises(Exception, match="already used here by another plan"):
        import_plan_files(db, [write(tmp_path / "nw.toml", document)])
    assert dump(db.path) == before


# --- case 5 and point 4: exports carry everything ----------------------------------------------------


def test_an_export_carries_withdrawn_actions_with_their_history(db: Database, tmp_path: Path) -> None:
    _record_training(db)
    import_plan_files(db, [_rec6_revision(tmp_path, refs=True)])
    document = tomllib.loads(exported(db, "gm-2023", tmp_path / "out.toml").read_text(encoding="utf-8"))
    gone = [a for a in find(document, "6")["actions"] if a.get("withdrawn")]
    assert [a["ref"] for a in gone] == ["1"]
    assert [h["note"] for h in gone[0]["history"]] == ["Training delivered 12 July"]


def test_export_all_then_import_then_export_again_gives_identical_files(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record_training(db)
    import_plan_files(db, [_rec6_revision(tmp_path, refs=True)])  # withdrawn actions and a target event
    with db.write() as session:
        commands.undo_last(session, by=BY)
    db.dispose()
    first, second, restored = tmp_path / "first", tmp_path / "second", tmp_path / "restored.sqlite"
    assert run_inprocess(capsys, "--db", str(db.path), "export", "-o", str(first)).code == 0
    files = sorted(first.glob("*.toml"))
    assert len(files) == 4
    assert run_inprocess(capsys, "--db", str(restored), "import", *map(str, files)).code == 0
    assert run_inprocess(capsys, "--db", str(restored), "export", "-o", str(second)).code == 0
    for path in files:
        assert (second / path.name).read_bytes() == path.read_bytes(), path.name
    assert "withdrawn = true" in (first / "gm-2023.toml").read_text(encoding="utf-8")


# --- case 6, case 7 and point 3: merges -------------------------------------------------------------


def test_an_older_export_over_newer_local_changes_keeps_the_newer_state(db: Database, tmp_path: Path) -> None:
    ref = "nw-2023/1/1"
    with db.write() as session:
        commands.set_status(session, action(db, ref).id or 0, Status.ONGOING, by=BY)
    old = exported(db, "nw-2023", tmp_path / "backup.toml")  # the backup says: ongoing
    with db.write() as session:
        commands.set_status(session, action(db, ref).id or 0, Status.COMPLETE, by=BY, note="done")
    before = dump(db.path)
    [result] = import_plan_files(db, [old])
    assert not result.changed, result.summary()
    assert action(db, ref).status == Status.COMPLETE
    assert dump(db.path) == before


def test_two_events_differing_only_in_from_and_to_within_one_second_are_both_kept(
    empty_db: Database, tmp_path: Path
) -> None:
    document = load_sample("nw-2023")
    moment = datetime(2023, 9, 15, 10, 31, 0, tzinfo=UTC)
    first = find(document, "1")["actions"][0]
    first["history"] = [
        {"at": moment, "by": BY, "change": "status", "from": "not_started", "to": "ongoing"},
        {"at": moment, "by": BY, "change": "status", "from": "ongoing", "to": "complete"},
    ]
    first["status"] = "complete"
    path = write(tmp_path / "nw.toml", document)
    [result] = import_plan_files(empty_db, [path])
    assert result.history_added == 2
    with empty_db.read() as session:
        rows = history(session, action(empty_db, "nw-2023/1/1").id or 0)
    assert [(h.from_status, h.to_status) for h in rows] == [("not_started", "ongoing"), ("ongoing", "complete")]
    [again] = import_plan_files(empty_db, [path])
    assert not again.changed


def test_two_laptops_exchanging_exports_both_ways_end_in_the_same_state_with_every_event(
    db_path: Path, tmp_path: Path
) -> None:
    laptop_b = tmp_path / "b.sqlite"
    laptop_b.write_bytes(db_path.read_bytes())
    a, b = open_database(db_path), open_database(laptop_b)
    try:
        with a.write() as session:
            commands.set_status(session, action(a, "gm-2023/7/1").id or 0, Status.ONGOING, by="alice")
            commands.add_note(session, action(a, "gm-2023/8/3").id or 0, "Alice's evidence", by="alice")
        with b.write() as session:
            commands.set_status(session, action(b, "gm-2023/7/1").id or 0, Status.COMPLETE, by="bob", note="QIP")
            commands.tick_occurrence(session, action(b, "gm-2023/9/1").id or 0, "2023-07", by="bob")
        from_a, from_b = exported(a, "gm-2023", tmp_path / "a.toml"), exported(b, "gm-2023", tmp_path / "b.toml")
        import_plan_files(a, [from_b])
        import_plan_files(b, [from_a])
        for one in (a, b):
            assert action(one, "gm-2023/7/1").status == Status.COMPLETE  # bob's change is the newer
            assert notes(one, "gm-2023/8/3") == ["Alice's evidence"]
            with one.read() as session:
                assert ticked_periods(session, action(one, "gm-2023/9/1").id or 0) == ["2023-07"]
        assert _events(db_path) == _events(laptop_b) and len(_events(db_path)) == 4
        assert exported(a, "gm-2023", tmp_path / "a2.toml").read_text() == exported(
            b, "gm-2023", tmp_path / "b2.toml").read_text()
    finally:
        a.dispose()
        b.dispose()


def _events(path: Path) -> set[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return set(conn.execute('SELECT c.uid, a.uid, c.at, c."by", c.kind, c.to_status, c.period, c.note '
                                "FROM change c JOIN action a ON a.id = c.action_id"))
    finally:
        conn.close()


def test_a_newer_status_from_another_machine_wins_over_an_older_local_one(db: Database, tmp_path: Path) -> None:
    """The newest event wins, whichever side it comes from; the file's `status` line is not believed."""
    document = tomllib.loads(exported(db, "nw-2023", tmp_path / "x.toml").read_text(encoding="utf-8"))
    entry = find(document, "1")["actions"][0]
    entry["status"] = "not_started"  # what the file says is not what decides
    entry["history"] = [{"uid": "11111111-1111-4111-8111-111111111111", "at": datetime.now(UTC) + timedelta(days=1),
                         "by": "colleague", "change": "status", "from": "not_started", "to": "complete"}]
    with db.write() as session:
        commands.set_status(session, action(db, "nw-2023/1/1").id or 0, Status.ONGOING, by=BY)
    [result] = import_plan_files(db, [write(tmp_path / "y.toml", document)])
    assert (result.history_added, result.moved) == (1, 1)
    assert action(db, "nw-2023/1/1").status == Status.COMPLETE


# --- point 2: the preview -------------------------------------------------------------------------------


def test_a_dry_run_prints_what_the_import_would_do_and_writes_nothing(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record_training(db)
    revised = load_sample("gm-2023")
    actions = find(revised, "6")["actions"]
    for n, entry in enumerate(actions, start=1):
        entry["ref"] = str(n)
    del actions[0]
    actions[0]["target"] = "Monthly from September 2023"
    actions[0]["target_reason"] = "programmes team recruited late"
    actions.append({"ref": "5", "text": "A new action.", "owners": ["Head of Tameside PDU"], "target": "December 2023"})
    path = write(tmp_path / "rev.toml", revised)
    db.dispose()
    before = dump(db.path)
    run = run_inprocess(capsys, "--db", str(db.path), "import", "--dry-run", str(path))
    assert run.code == 0, run.err
    assert dump(db.path) == before
    out = run.out
    assert "1 added, 1 changed, 1 withdrawn" in out
    assert "gm-2023/6/2 target: Monthly from August 2023 → Monthly from September 2023" in out
    assert "- gm-2023/6/1 withdrawn; its status (complete) and 1 history event are kept with it" in out
    assert "+ gm-2023/6/5: A new action." in out
    assert "history to add: 1 target" in out
    assert out.rstrip().endswith("dry run: nothing was written")


def test_a_revised_target_is_a_history_event_with_its_reason_and_the_original_is_kept(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    revised = load_sample("gm-2023")
    entry = find(revised, "8")["actions"][2]
    original = entry["target"]
    entry["target"] = "March 2024"
    entry["target_reason"] = "Recruitment delayed"
    import_plan_files(db, [write(tmp_path / "rev.toml", revised)], by="jsmith")
    reference = "gm-2023/8/3"
    with db.read() as session:
        [event] = [c for c in session.execute(select(Change).where(
            Change.action_id == action(db, reference).id)).scalars() if c.kind == "target"]
    assert (event.from_target, event.to_target, event.note, event.by) == (
        original, "March 2024", "Recruitment delayed", "jsmith")
    preview = preview_plan_files(db, [tmp_path / "rev.toml"])
    assert not preview[0].writes_anything  # recorded once: importing it again adds no second event
    shown = run_inprocess(capsys, "--db", str(db.path), "show", reference).out
    assert f"jsmith: target “{original}” → “March 2024” — Recruitment delayed" in shown


def test_a_mapping_that_names_no_unmatched_action_is_refused_in_one_sentence(db: Database, tmp_path: Path) -> None:
    path = _rec6_revision(tmp_path, refs=False)
    with pytest.raises(Exception, match="does not name an unmatched action"):
        import_plan_files(db, [path], mappings=[Mapping("gm-2023", actions={"6/1": "6/#9", "6/2": "withdraw"})])


def test_addressee_and_recommendation_uids_survive_a_revision(db: Database, tmp_path: Path) -> None:
    with db.read() as session:
        before = {(r.number, r.uid) for r in session.execute(
            select(Recommendation).where(Recommendation.plan_id == "gm-2023")).scalars()}
        addressees = {a.uid for a in session.execute(
            select(Addressee).where(Addressee.plan_id == "gm-2023")).scalars()}
    import_plan_files(db, [_rec6_revision(tmp_path, refs=True)])
    with db.read() as session:
        assert {(r.number, r.uid) for r in session.execute(
            select(Recommendation).where(Recommendation.plan_id == "gm-2023")).scalars()} == before
        assert {a.uid for a in session.execute(
            select(Addressee).where(Addressee.plan_id == "gm-2023")).scalars()} == addressees


def test_a_plan_with_another_title_is_taken_as_the_stored_plan_only_once_the_user_confirms_it(
    db: Database, tmp_path: Path
) -> None:
    revised = load_sample("nw-2023")
    revised["plan"]["title"] = "North West region: revised response"
    path = write(tmp_path / "nw.toml", revised)
    with pytest.raises(UncertainImport, match="another title"):
        import_plan_files(db, [path])
    [result] = import_plan_files(db, [path], mappings=[Mapping("nw-2023", same_plan=True)])
    assert result.unchanged > 100 and not result.added
    with db.read() as session:
        assert session.get(Plan, "nw-2023").title == "North West region: revised response"  # type: ignore[union-attr]


def test_a_dry_run_of_an_uncertain_revision_shows_the_proposal_as_it_would_apply(
    db: Database, tmp_path: Path
) -> None:
    _record_training(db)
    [changes] = preview_plan_files(db, [_rec6_revision(tmp_path, refs=False)])
    assert not changes.certain
    assert [(p.key, p.value) for p in changes.proposals] == [("6/1", "withdraw"), ("6/2", "6/#1")]
    assert [w.reference for w in changes.withdrawn] == ["gm-2023/6/1"]
    assert not changes.added  # as proposed, the reworded action is 6/2 changed, not a new one


def test_a_recommendation_moved_to_another_addressee_keeps_its_uid_and_actions(db: Database, tmp_path: Path) -> None:
    revised = load_sample("gm-2023")
    source = next(a for a in revised["addressees"] if any(r["number"] == "6" for r in a["recommendations"]))
    target = next(a for a in revised["addressees"] if a is not source)
    rec = find(revised, "6")
    source["recommendations"].remove(rec)
    target["recommendations"].append(rec)
    with db.read() as session:
        before = session.execute(select(Recommendation).where(Recommendation.plan_id == "gm-2023",
                                                              Recommendation.number == "6")).scalar_one()
        uid, addressee_id = before.uid, before.addressee_id
    kept = action(db, "gm-2023/6/1").uid
    import_plan_files(db, [write(tmp_path / "moved.toml", revised)])
    with db.read() as session:
        after = session.execute(select(Recommendation).where(Recommendation.plan_id == "gm-2023",
                                                             Recommendation.number == "6")).scalar_one()
        moved_to = session.get(Addressee, after.addressee_id)
        assert (after.uid, after.addressee_id != addressee_id) == (uid, True)
        assert moved_to is not None and moved_to.name == target["name"]
    assert action(db, "gm-2023/6/1").uid == kept
