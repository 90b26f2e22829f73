"""Sync between laptops' SQLite files and the region's PostgreSQL server (a real one, started for
the tests): history events exchanged by uid, state derived from the merged history, idempotent,
and resumable after kill -9 or a server that stops mid-way."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import ROOT, assert_one_clean_line, run_inprocess
from sqlalchemy import func
from sqlmodel import select

from store import commands
from store.db import Database, open_database
from store.errors import StoreError
from store.importing import bundled_plan_files, import_plan_files
from store.models import Action, Change, Occurrence
from store.server import ServerDatabase, open_server
from store.sync import sync, sync_status
from store.targets import Status


@pytest.fixture
def server(pg_url: str) -> Any:
    db = open_server(pg_url)
    try:
        yield db
    finally:
        db.dispose()


def laptop(prepared_db: Path, folder: Path, name: str) -> Database:
    """A laptop's database holding the sample plans (as a first run makes it)."""
    path = folder / f"{name}.sqlite"
    shutil.copyfile(prepared_db, path)
    return open_database(path)


def state(db: Database) -> tuple[dict[str, tuple[str, tuple[str, ...]]], set[str]]:
    """Every action's status and ticked periods by reference, and the uids of every history event."""
    with db.read() as session:
        ticks: dict[int, list[str]] = {}
        for action_id, period in session.execute(select(Occurrence.action_id, Occurrence.period)
                                                 .where(Occurrence.done.is_(True)).order_by(Occurrence.period)):
            ticks.setdefault(action_id, []).append(period)
        actions = {a.reference: (str(a.status.value), tuple(ticks.get(a.id or 0, [])))
                   for a in session.execute(select(Action)).scalars()}
        events = set(session.execute(select(Change.uid)).scalars())
    return actions, events


def events_count(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(Change)).scalar_one())


def offline_changes(db: Database, count: int, seed: int, by: str) -> None:
    """`count` changes as a user makes them offline: statuses, ticks of recurring actions, notes."""
    rng = random.Random(seed)
    with db.read() as session:
        ids = list(session.execute(select(Action.id).where(Action.withdrawn.is_(False)).order_by(Action.id)).scalars())
    made = 0
    with db.write() as session:
        while made < count:
            action = session.get(Action, rng.choice(ids))
            assert action is not None and action.id is not None
            roll = rng.random()
            try:
                if roll < 0.6:
                    status = rng.choice([s for s in Status if s != action.status])
                    commands.set_status(session, action.id, status, by=by)
                elif roll < 0.8 and action.every_months:
                    commands.tick_occurrence(session, action.id, f"2023-{rng.randint(1, 12):02d}", by=by)
                else:
                    commands.add_note(session, action.id, f"evidence {made} from {by}", by=by)
            except StoreError:
                continue  # no occurrence that month, or already ticked: the user picks another
            made += 1


def test_a_first_sync_sends_the_laptops_plans_and_another_laptop_receives_them(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path) -> None:
    a = laptop(prepared_db, tmp_path, "a")
    offline_changes(a, 30, seed=1, by="Ann")
    first = sync(a, server, by="Ann")
    assert first.plans_sent == 4
    b = open_database(tmp_path / "b.sqlite")  # a new laptop holding one plan only
    import_plan_files(b, [p for p in bundled_plan_files() if p.stem == "gm-2023"])
    received = sync(b, server, by="Bob")
    assert received.plans_received == 3
    assert state(b) == state(a) == state(server)
    for db in (a, b):
        db.dispose()


def test_the_same_action_changed_on_two_laptops_keeps_both_and_the_newer_wins(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = laptop(prepared_db, tmp_path, "a"), laptop(prepared_db, tmp_path, "b")
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    for db, status, by in ((a, Status.COMPLETE, "Ann"), (b, Status.ONGOING, "Bob")):  # Bob's is the newer
        with db.write() as session:
            action = commands.find_action(session, "gm-2023/6/2")
            commands.set_status(session, action.id or 0, status, by=by, note=f"{by}'s evidence")
    for db, by in ((a, "Ann"), (b, "Bob"), (a, "Ann")):
        sync(db, server, by=by)
    for db in (a, b, server):
        shown = run_inprocess(capsys, "--db", db.url if isinstance(db, ServerDatabase) else str(db.path),
                              "show", "gm-2023/6/2").out
        assert "[ongoing]" in shown
        assert "Ann: not started → complete — Ann's evidence" in shown
        assert "Bob: not started → ongoing — Bob's evidence" in shown
    a.dispose()
    b.dispose()


def test_two_laptops_with_500_offline_changes_each_converge_on_both_and_the_server(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path) -> None:
    a, b = laptop(prepared_db, tmp_path, "a"), laptop(prepared_db, tmp_path, "b")
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    offline_changes(a, 500, seed=1, by="Ann")
    offline_changes(b, 500, seed=2, by="Bob")
    with a.read() as session:
        assert sync_status(session).waiting == 500
    made = events_count(a) + events_count(b)  # neither holds the other's yet
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    sync(a, server, by="Ann")
    actions, events = state(server)
    assert len(events) == made == events_count(server)  # every event once
    assert state(a) == state(b) == (actions, events)
    for db in (a, b):
        with db.read() as session:
            assert sync_status(session).waiting == 0
    # Synced again, nothing moves either way.
    again = sync(b, server, by="Bob")
    assert (again.events_sent, again.events_received, again.plans_sent, again.plans_received) == (0, 0, 0, 0)
    assert state(b) == state(server) and events_count(server) == made
    a.dispose()
    b.dispose()


def test_sync_is_idempotent_when_its_record_of_progress_is_lost(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path) -> None:
    a = laptop(prepared_db, tmp_path, "a")
    offline_changes(a, 50, seed=3, by="Ann")
    sync(a, server, by="Ann")
    before = state(server)
    with a.write() as session:  # as if every sync had been cut off before recording anything
        session.execute(Action.__table__.update().values(version=Action.version))
        session.connection().exec_driver_sql("UPDATE syncstate SET pushed_upto = 0, pulled_upto = 0")
    sync(a, server, by="Ann")
    assert state(server) == before == state(a)
    a.dispose()


# -- faults -------------------------------------------------------------------------------------

def _sync_process(db: Path, url: str) -> subprocess.Popen[bytes]:
    """`actiontrack sync` as a user runs it, in a process of its own."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "tui", "--db", str(db), "sync", "--server", url], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _sync_in_child(db: str, url: str) -> None:
    """A forked process's sync (no interpreter start-up: the kills fall inside the sync itself)."""
    local, server = open_database(db), open_server(url)
    sync(local, server, by="Ann")
    os._exit(0)


def test_sync_killed_at_twenty_random_moments_loses_and_doubles_nothing(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path) -> None:
    import multiprocessing

    fork = multiprocessing.get_context("fork")
    a, b = laptop(prepared_db, tmp_path, "a"), laptop(prepared_db, tmp_path, "b")
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    # How long one sync of a round's changes takes here, so that the kills fall all along it.
    offline_changes(a, 30, seed=100, by="Ann")
    offline_changes(b, 10, seed=200, by="Bob")
    sync(b, server, by="Bob")
    started = time.monotonic()
    child = fork.Process(target=_sync_in_child, args=(str(a.path), server.url))
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0
    whole = time.monotonic() - started
    rng = random.Random(14)
    killed_midway = 0
    for round_ in range(20):
        offline_changes(a, 30, seed=round_, by="Ann")  # to send
        offline_changes(b, 10, seed=1000 + round_, by="Bob")  # to receive
        sync(b, server, by="Bob")
        a.dispose()
        server.dispose()  # no connection of ours crosses into the child
        child = fork.Process(target=_sync_in_child, args=(str(a.path), server.url))
        child.start()
        time.sleep(rng.uniform(0.0, whole))
        if child.is_alive():
            killed_midway += 1
            os.kill(child.pid or 0, signal.SIGKILL)
        child.join(timeout=60)
    assert killed_midway >= 10  # most kills landed inside a sync
    finished = _sync_process(a.path, server.url)  # the next sync, as a user runs it, completes
    assert finished.wait(timeout=120) == 0, finished.stderr.read() if finished.stderr else ""
    sync(b, server, by="Bob")
    made = 21 * 40
    with server.read() as session:
        assert session.execute(select(func.count()).select_from(Change)).scalar_one() == made
    assert state(a) == state(b) == state(server)
    a.dispose()
    b.dispose()


def test_the_server_stopping_mid_sync_loses_nothing_and_the_next_sync_completes(
        server: ServerDatabase, pg_server: Any, prepared_db: Path, tmp_path: Path) -> None:
    a = laptop(prepared_db, tmp_path, "a")
    sync(a, server, by="Ann")
    offline_changes(a, 200, seed=5, by="Ann")
    made = events_count(a)

    def stop_at_sending(step: str) -> None:
        if step.startswith("send changes"):
            pg_server.stop("immediate")

    try:
        with pytest.raises(StoreError, match="cannot reach the server"):
            sync(a, server, by="Ann", step=stop_at_sending)
    finally:
        pg_server.start()
    with a.read() as session:
        assert sync_status(session).waiting == 200  # nothing recorded as sent
    done = sync(a, server, by="Ann")
    assert done.events_sent == 200
    assert events_count(server) == made and state(server) == state(a)
    a.dispose()


# -- the command --------------------------------------------------------------------------------

def test_sync_command_says_what_moved_and_remembers_the_server(
        server: ServerDatabase, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_inprocess(capsys, "--db", str(db_path), "sync", "--server", server.url)
    assert first.code == 0, first.err
    assert first.out.startswith(f"synced with {server.url}: sent 0 changes, received 0, 4 new plans sent")
    assert run_inprocess(capsys, "--db", str(db_path), "status", "gm-2023/6/2", "complete").code == 0
    again = run_inprocess(capsys, "--db", str(db_path), "sync")  # the server last synced with
    assert again.code == 0 and "sent 1 change, received 0" in again.out


def test_sync_command_refusals_are_one_sentence(db_path: Path, pg_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_clean_line(run_inprocess(capsys, "--db", str(db_path), "sync"), "--server")
    assert_one_clean_line(run_inprocess(capsys, "--db", pg_url, "sync"), "laptop's database file")
    assert_one_clean_line(run_inprocess(capsys, "--db", str(db_path), "sync", "--server", "postgresql://u:pw@h/db"),
                          "password")


def test_changes_the_login_may_not_make_stay_on_the_laptop_and_are_reported(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lead = laptop(prepared_db, tmp_path, "lead")
    sync(lead, server, by="Lead")  # the region's lead puts the plans on the server
    login = "hop_" + server.url.rsplit("/", 1)[1][-8:]
    assert run_inprocess(capsys, "--db", server.url, "logins", "add", login, "Head of Tameside PDU").code == 0
    mine = open_server(server.url.replace("postgresql://postgres@", f"postgresql://{login}@"))
    a = laptop(prepared_db, tmp_path, "a")
    for reference in ("gm-2023/8/3", "nw-2023/2/1"):  # Tameside's, and Cheshire West's
        with a.write() as session:
            action = commands.find_action(session, reference)
            commands.set_status(session, action.id or 0, Status.ONGOING, by="Tess")
    result = sync(a, mine, by="Tess")
    assert result.events_sent == 1 and result.not_allowed == 1
    assert "1 change to actions your login may not change were kept here, not sent" in result.summary()
    with server.read() as session:
        assert commands.find_action(session, "gm-2023/8/3").status == Status.ONGOING
        assert commands.find_action(session, "nw-2023/2/1").status == Status.NOT_STARTED
    mine.dispose()
    a.dispose()
    lead.dispose()


# -- the screen ---------------------------------------------------------------------------------

async def test_the_screen_shows_waiting_changes_and_S_syncs(server: ServerDatabase, db_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from test_app import SIZE, go_to, make_app, settle

    from tui.widgets.sync_bar import SyncBar

    monkeypatch.setenv("ACTIONTRACK_SERVER", server.url)
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(SyncBar)
        assert bar.display and "never synced · 0 local changes waiting" in str(bar.content)
        await go_to(pilot, "gm-2023/6/1", db_path)
        await pilot.press("c")
        await settle(pilot)
        bar.refresh_status()
        await settle(pilot)
        assert "1 local change waiting" in str(bar.content)
        await pilot.press("S")
        await settle(pilot)
        await settle(pilot)
        assert "last sync" in str(bar.content) and "0 local changes waiting" in str(bar.content)
    with server.read() as session:
        assert commands.find_action(session, "gm-2023/6/1").status == Status.COMPLETE


async def test_without_a_server_the_sync_line_and_key_are_hidden(db_path: Path) -> None:
    from test_app import SIZE, make_app, settle

    from tui.widgets.sync_bar import SyncBar

    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(SyncBar).display
        assert app.screen.check_action("sync", ()) is False


def test_a_plan_closed_on_one_laptop_is_closed_on_the_server_and_the_other_laptop(
        server: ServerDatabase, prepared_db: Path, tmp_path: Path) -> None:
    from store.closing import close_plan, is_closed, reopen_plan

    a, b = laptop(prepared_db, tmp_path, "a"), laptop(prepared_db, tmp_path, "b")
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    with a.write() as session:
        close_plan(session, "cgm-2019", note="Signed off", by="Ann")
    sync(a, server, by="Ann")
    sync(b, server, by="Bob")
    for db in (server, b):
        with db.read() as session:
            assert is_closed(session, "cgm-2019") and not is_closed(session, "gm-2023")
            closings = session.execute(select(Change.by, Change.note).where(Change.kind == "close")).all()
            assert set(closings) == {("Ann", "Signed off")} and len(closings) == 54
    with b.write() as session:
        reopen_plan(session, "cgm-2019", by="Bob")
    sync(b, server, by="Bob")
    sync(a, server, by="Ann")
    for db in (server, a):
        with db.read() as session:
            assert not is_closed(session, "cgm-2019")
    a.dispose()
    b.dispose()
