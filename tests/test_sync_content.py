"""Sync on a real PostgreSQL server, beyond history events: plans' content edited on either side travels,
changes the server refused are offered again, and every event says where it was made."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from sqlmodel import select
from test_sync import laptop, offline_changes, state
from test_sync import server as server  # the fixture, shared

from helpers.cli import run_inprocess
from store import commands
from store.db import Database, open_database
from store.exporting import plan_document
from store.importing import bundled_plan_files, import_plan_files
from store.models import Action, ActionOwner, Change, Owner, Recommendation
from store.revising import revise_target
from store.server import ServerDatabase, open_server
from store.sync import sync, sync_status
from store.targets import Status


def action(db: Database, reference: str) -> Action:
    with db.read() as session:
        return commands.find_action(session, reference)


def database_name(server: ServerDatabase) -> str:
    return server.url.rsplit("/", 1)[1]


def member(server: ServerDatabase, capsys: pytest.CaptureFixture[str], *owners: str) -> ServerDatabase:
    """A Head of PDU's login on the server, holding these owner roles."""
    login = "hop_" + database_name(server)[-8:]
    for owner in owners:
        assert run_inprocess(capsys, "--db", server.url, "logins", "add", login, owner).code == 0
    return open_server(server.url.replace("postgresql://postgres@", f"postgresql://{login}@"))


def reworded(db: Database, folder: Path, plan_id: str, reference: str, text: str) -> Path:
    """The plan exported from `db` with one action's text changed: a revised plan file."""
    with db.read() as session:
        document = plan_document(session, plan_id)
    ref = reference.split("/", 1)[1]
    for addressee in document["addressees"]:
        for rec in addressee["recommendations"]:
            for entry in rec["actions"]:
                if f"{rec['number']}/{entry['ref']}" == ref:
                    entry["text"] = text
    path = folder / f"{plan_id}-revised.toml"
    path.write_text(tomli_w.dumps(tomllib.loads(tomli_w.dumps(document))), encoding="utf-8")
    return path


def test_plans_sent_to_a_server_holding_others_keep_every_record_event_and_tick(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path) -> None:
    b = open_database(tmp_path / "b.sqlite")  # the server first gets one plan, from another laptop
    import_plan_files(b, [p for p in bundled_plan_files() if p.stem == "nw-2023"])
    offline_changes(b, 40, seed=7, by="Bob")
    sync(b, server, by="Bob")
    a = laptop(prepared_db, tmp_path, "a")  # its ids overlap the server's: they are numbered anew there
    offline_changes(a, 120, seed=8, by="Ann")
    sent = sync(a, server, by="Ann")
    assert sent.plans_sent == 3
    sync(b, server, by="Bob")
    assert state(a) == state(b) == state(server)
    assert shape(a) == shape(server)
    c = open_database(tmp_path / "c.sqlite")  # a new laptop receives what was copied
    sync(c, server, by="Cy")
    assert state(c) == state(server) and shape(c) == shape(server)


def shape(db: Database) -> list[tuple[str, str, str, str, str]]:
    """Every action with its recommendation's text, target, deadline and the owner roles it is linked to."""
    with db.read() as session:
        return sorted(session.execute(
            select(Action.reference, Recommendation.text, Action.target, Action.deadline, Owner.key)
            .join(Recommendation, Recommendation.id == Action.recommendation_id)
            .join(ActionOwner, ActionOwner.action_id == Action.id).join(Owner, Owner.id == ActionOwner.owner_id)
        ).all())  # type: ignore[arg-type]


def test_a_plan_reworded_on_the_server_without_a_history_event_reaches_every_laptop(
        server: ServerDatabase, pg_server: Any, prepared_db: Path, tmp_path: Path) -> None:
    a, b = laptop(prepared_db, tmp_path, "a"), laptop(prepared_db, tmp_path, "b")
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    # The region's lead corrects a typo by hand: no history event, no import.
    pg_server.psql("UPDATE action SET text = 'Reworded on the server' WHERE reference = 'gm-2023/6/1'",
                   database=database_name(server))
    for db, by in ((a, "Ann"), (b, "Bob")):
        result = sync(db, server, by=by)
        assert result.content_received == ["gm-2023"] and result.events_received == 0
        assert "the edited text of plan gm-2023 received" in result.summary()
        assert action(db, "gm-2023/6/1").text == "Reworded on the server"
    again = sync(a, server, by="Ann")  # what came from the server is not sent back
    assert (again.content_sent, again.content_received, again.events_sent) == ([], [], 0)


def test_a_plan_revised_on_a_laptop_reaches_the_server_and_the_other_laptops(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = laptop(prepared_db, tmp_path, "a"), laptop(prepared_db, tmp_path, "b")
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    import_plan_files(a, [reworded(a, tmp_path, "nw-2023", "nw-2023/2/1", "Reworded in a revised plan file")])
    with a.write() as session:
        revise_target(session, action(a, "gm-2023/6/1").id or 0, "March 2024", reason="Trainer left", by="Ann")
    sent = sync(a, server, by="Ann")
    assert sorted(sent.content_sent) == ["gm-2023", "nw-2023"] and sent.events_sent == 1  # the target's event
    for db in (server, b):
        if db is b:
            received = sync(b, server, by="Bob")
            assert sorted(received.content_received) == ["gm-2023", "nw-2023"]
        assert action(db, "nw-2023/2/1").text == "Reworded in a revised plan file"
        revised = action(db, "gm-2023/6/1")
        assert (revised.target, str(revised.deadline)) == ("March 2024", "2024-03-31")
    shown = run_inprocess(capsys, "--db", str(b.path), "--today", "2024-03-01", "due", "--month", "2024-03").out
    assert "gm-2023/6/1" in shown
    again = sync(b, server, by="Bob")
    assert (again.content_sent, again.content_received) == ([], [])


def test_an_action_added_to_a_stored_plan_on_a_laptop_reaches_the_server(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path) -> None:
    a = laptop(prepared_db, tmp_path, "a")
    sync(a, server, by="Ann")
    with a.read() as session:
        document = plan_document(session, "cgm-2019")
    rec = document["addressees"][0]["recommendations"][0]
    rec["actions"].append({"ref": "9.9", "text": "An action the revised plan adds", "owners": ["Head of Operations"],
                           "target": "March 2024"})
    path = tmp_path / "cgm-2019-revised.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    import_plan_files(a, [path])
    sent = sync(a, server, by="Ann")
    assert sent.content_sent == ["cgm-2019"]
    assert action(server, f"cgm-2019/{rec['number']}/9.9").text == "An action the revised plan adds"


def test_a_plan_edited_on_both_sides_keeps_the_servers_text_and_says_so(
        server: ServerDatabase, pg_server: Any, prepared_db: Path, tmp_path: Path) -> None:
    a = laptop(prepared_db, tmp_path, "a")
    sync(a, server, by="Ann")
    import_plan_files(a, [reworded(a, tmp_path, "gm-2023", "gm-2023/6/1", "Reworded on the laptop")])
    pg_server.psql("UPDATE action SET text = 'Reworded on the server' WHERE reference = 'gm-2023/6/1'",
                   database=database_name(server))
    result = sync(a, server, by="Ann")
    assert result.conflicts == ["gm-2023"] and result.content_sent == []
    assert "plan gm-2023 had its text edited both here and on the server since the last sync: the server's was kept" \
        in result.summary()
    assert action(a, "gm-2023/6/1").text == action(server, "gm-2023/6/1").text == "Reworded on the server"


def test_a_refused_change_waits_on_the_laptop_and_goes_once_the_login_holds_the_role(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(laptop(prepared_db, tmp_path, "lead"), server, by="Lead")  # the lead puts the plans on the server
    mine = member(server, capsys, "Head of Tameside PDU")
    a = laptop(prepared_db, tmp_path, "a")
    with a.write() as session:
        commands.set_status(session, action(a, "nw-2023/2/1").id or 0, Status.ONGOING, by="Tess")  # Cheshire West's
    first = sync(a, mine, by="Tess")
    assert first.not_allowed == 1 and first.events_sent == 0
    with a.read() as session:
        status = sync_status(session)
    assert (status.waiting, status.refused) == (1, 1)
    assert status.describe() == "1 local change waiting (1 refused by the server)"
    assert sync(a, mine, by="Tess").not_allowed == 1  # offered again, refused again: still waiting
    assert action(a, "nw-2023/2/1").status == Status.ONGOING  # the laptop keeps it meanwhile
    mine.dispose()
    mine = member(server, capsys, "Head of Cheshire West PDU")  # the lead gives the login the role
    done = sync(a, mine, by="Tess")
    assert (done.events_sent, done.not_allowed) == (1, 0)
    assert action(server, "nw-2023/2/1").status == Status.ONGOING
    with a.read() as session:
        status = sync_status(session)
    assert (status.waiting, status.refused) == (0, 0)
    mine.dispose()
    a.dispose()


def test_a_members_revised_target_waits_with_the_plans_text_the_server_refuses(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sync(laptop(prepared_db, tmp_path, "lead"), server, by="Lead")
    mine = member(server, capsys, "Head of Tameside PDU")
    a = laptop(prepared_db, tmp_path, "a")
    sync(a, mine, by="Tess")
    with a.write() as session:
        revise_target(session, action(a, "gm-2023/6/1").id or 0, "March 2024", reason="Trainer left", by="Tess")
    result = sync(a, mine, by="Tess")
    assert result.plans_refused == ["gm-2023"] and result.events_sent == 0
    assert "plan gm-2023: your login may not add plans or change their text on the server" in result.summary()
    assert action(server, "gm-2023/6/1").target != "March 2024"
    with server.read() as session:  # neither the target nor its history event reached the server
        assert session.execute(select(Change).where(Change.kind == "target")).first() is None
    assert action(a, "gm-2023/6/1").target == "March 2024"  # kept here, not undone by what was received
    with a.read() as session:
        assert sync_status(session).plans_refused == 1
    mine.dispose()


def test_every_event_says_where_it_was_made(server: ServerDatabase, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    gm = [p for p in bundled_plan_files() if p.stem == "gm-2023"]
    a, b = open_database(tmp_path / "a.sqlite"), open_database(tmp_path / "b.sqlite")
    for db in (a, b):
        import_plan_files(db, gm)
    assert a.origin and b.origin and a.origin != b.origin  # each laptop's own machine id
    assert open_database(tmp_path / "a.sqlite").origin == a.origin  # made once, kept
    with a.write() as session:
        commands.set_status(session, action(a, "gm-2023/6/1").id or 0, Status.COMPLETE, by="Ann")
    sync(a, server, by="Ann")
    with server.write() as session:  # the region's lead, on the server itself
        commands.set_status(session, action(server, "gm-2023/6/2").id or 0, Status.ONGOING, by="Lead")
    sync(b, server, by="Bob")
    with b.read() as session:
        origins = dict(session.execute(select(Action.reference, Change.origin).select_from(Change)
                                       .join(Action, Action.id == Change.action_id)).all())
    assert origins == {"gm-2023/6/1": a.origin, "gm-2023/6/2": "postgres@127.0.0.1"}
    shown = run_inprocess(capsys, "--db", str(b.path), "show", "gm-2023/6/1").out
    assert f"Ann: not started → complete · on {a.origin}" in shown
    assert "Lead: not started → ongoing · on postgres@127.0.0.1" in run_inprocess(
        capsys, "--db", str(b.path), "show", "gm-2023/6/2").out
    assert "· on" not in run_inprocess(capsys, "--db", str(a.path), "show", "gm-2023/6/1").out  # made here
    for db in (a, b):
        db.dispose()
