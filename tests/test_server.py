"""The shared PostgreSQL backend, on a real server started for the tests: the same commands and
guarantees as the SQLite file, and permissions the server itself enforces."""

from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY
from helpers.cli import assert_one_clean_line, run_inprocess
from sqlalchemy import text
from sqlmodel import select

from store import commands
from store.db import SCHEMA_VERSION
from store.errors import RefusedError, StaleError, StoreError
from store.importing import bundled_plan_files, import_plan_files
from store.models import Action, Change
from store.server import ServerDatabase, open_server
from store.targets import Status


@pytest.fixture
def server(pg_url: str) -> Any:
    """A server database holding the sample plans."""
    db = open_server(pg_url)
    import_plan_files(db, bundled_plan_files())
    try:
        yield db
    finally:
        db.dispose()


def _psql(pg_server: Any, db: ServerDatabase, sql: str, user: str) -> subprocess.CompletedProcess[str]:
    database = db.url.rsplit("/", 1)[1]
    return subprocess.run([str(pg_server.bindir / "psql"), "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                           "-p", str(pg_server.port), "-U", user, "-d", database, "-c", sql],
                          capture_output=True, text=True, timeout=60)


def test_every_command_runs_on_a_server_as_on_a_file(pg_url: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    imported = run_inprocess(capsys, "--db", pg_url, "import", *map(str, bundled_plan_files()))
    assert imported.code == 0, imported.err
    assert "gm-2023: 109 added" in imported.out
    assert run_inprocess(capsys, "--db", pg_url, "status", "gm-2023/6/2", "complete", "--note", "Training held").code == 0
    shown = run_inprocess(capsys, "--db", pg_url, "show", "gm-2023/6/2")
    assert "[complete]" in shown.out and "not started → complete — Training held" in shown.out
    assert run_inprocess(capsys, "--db", pg_url, "undo", "gm-2023/6/2").code == 0
    assert "[not started]" in run_inprocess(capsys, "--db", pg_url, "show", "gm-2023/6/2").out
    owners = run_inprocess(capsys, "--db", pg_url, "owners")
    assert "Head of Tameside PDU (Greater Manchester)" in owners.out
    # Every reading command says on the server what it says on a file holding the same plans and history.
    local = str(tmp_path / "local.sqlite")
    assert run_inprocess(capsys, "--db", local, "import", *map(str, bundled_plan_files())).code == 0
    for db in (pg_url, local):  # the same change, made on each
        assert run_inprocess(capsys, "--db", db, "tick", "gm-2023/7/4", "--month", "2023-09").code == 0
    today = ("--today", TODAY.isoformat())
    for command in (["owners"], ["due", "--month", "2023-09"], ["overdue"], ["due", "--owner", "Head of Tameside PDU"],
                    ["export", "--plan", "nw-2023"]):
        on_server = run_inprocess(capsys, "--db", pg_url, *today, *command)
        assert on_server.code == 0 and on_server.out.strip(), (command, on_server.err)
        assert on_server.out == run_inprocess(capsys, "--db", local, *today, *command).out, command


def test_actiontrack_db_in_the_environment_names_the_server(pg_url: str, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONTRACK_DB", pg_url)
    assert run_inprocess(capsys, "import", str(bundled_plan_files()[0])).code == 0
    assert "cgm-2019" in run_inprocess(capsys, "export", "--plan", "cgm-2019").out


def test_a_password_in_the_url_is_refused_and_never_printed(pg_server: Any,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    run = run_inprocess(capsys, "--db", f"postgresql://someone:s3cret@127.0.0.1:{pg_server.port}/x", "owners")
    line = assert_one_clean_line(run, "password", ".pgpass")
    assert "s3cret" not in line


def test_an_unreachable_server_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_inprocess(capsys, "--db", "postgresql://nobody@127.0.0.1:1/region", "owners")
    assert_one_clean_line(run, "cannot reach the server postgresql://nobody@127.0.0.1:1/region")


def test_a_reading_command_never_makes_a_schema(pg_url: str, pg_server: Any,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_clean_line(run_inprocess(capsys, "--db", pg_url, "owners"), "holds no actiontrack database")
    database = pg_url.rsplit("/", 1)[1]
    assert pg_server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database) == "0"


def test_an_older_schema_on_the_server_is_upgraded_by_the_same_migrations(pg_url: str) -> None:
    db = open_server(pg_url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE syncstate")
        conn.exec_driver_sql("DROP TABLE loginrole CASCADE")
        conn.exec_driver_sql("DROP INDEX ix_change_kind")
        conn.exec_driver_sql("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.dispose()
    db = open_server(pg_url)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == str(
                SCHEMA_VERSION)
            assert conn.exec_driver_sql("SELECT to_regclass('public.syncstate')").scalar() == "syncstate"
            assert conn.exec_driver_sql("SELECT to_regclass('public.ix_change_kind')").scalar() == "ix_change_kind"
    finally:
        db.dispose()


def test_a_newer_schema_on_the_server_is_refused(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    open_server(pg_url).dispose()
    db = open_server(pg_url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.dispose()
    assert_one_clean_line(run_inprocess(capsys, "--db", pg_url, "owners"), "newer actiontrack", "schema 99")


def test_a_change_and_its_history_row_commit_together_or_not_at_all(server: ServerDatabase) -> None:
    with pytest.raises(RuntimeError), server.write() as session:
        action = commands.find_action(session, "gm-2023/6/2")
        commands.set_status(session, action.id or 0, Status.COMPLETE, by="me")
        raise RuntimeError("cut off before the commit")
    with server.read() as session:
        action = commands.find_action(session, "gm-2023/6/2")
        assert action.status == Status.NOT_STARTED
        assert session.execute(select(Change).where(Change.action_id == action.id)).first() is None


def test_a_stale_change_is_refused_on_the_server(server: ServerDatabase) -> None:
    with server.read() as session:
        seen = commands.find_action(session, "gm-2023/6/2")
    with server.write() as session:
        commands.set_status(session, seen.id or 0, Status.ONGOING, by="other", expected_version=seen.version)
    with pytest.raises(StaleError), server.write() as session:
        commands.set_status(session, seen.id or 0, Status.COMPLETE, by="me", expected_version=seen.version)
    with server.read() as session:
        assert commands.find_action(session, "gm-2023/6/2").status == Status.ONGOING


def test_a_write_reads_back_what_it_wrote_in_its_own_transaction_on_the_server(server: ServerDatabase) -> None:
    from store import fastread, queries, reads

    with server.write() as session:
        action_id = commands.find_action(session, "gm-2023/6/2").id or 0
        commands.set_status(session, action_id, Status.ONGOING, by="me", note="started")
        run = fastread.in_transaction(session)
        assert not isinstance(run, fastread.Reader)  # a server: through SQLAlchemy
        inside = reads.action_detail(run, action_id, TODAY)
    assert (inside.action.status, inside.history[-1].note) == (Status.ONGOING, "started")
    with server.read() as session:
        assert reads.action_detail(queries.runner(session), action_id, TODAY) == inside


def test_the_screen_sees_another_users_commit(server: ServerDatabase, pg_url: str) -> None:
    before = server.data_version()
    assert server.data_version() == before  # reading moves nothing
    other = open_server(pg_url)
    try:
        with other.write() as session:
            action = commands.find_action(session, "gm-2023/6/2")
            commands.add_note(session, action.id or 0, "seen elsewhere?", by="other")
    finally:
        other.dispose()
    assert server.data_version() != before


# -- permissions --------------------------------------------------------------------------------

@pytest.fixture
def tameside(server: ServerDatabase, capsys: pytest.CaptureFixture[str]) -> str:
    """The URL of a login holding the Head of Tameside PDU's role, added by the region's lead."""
    login = "hop_" + server.url.rsplit("/", 1)[1][-8:]
    run = run_inprocess(capsys, "--db", server.url, "logins", "add", login, "Head of Tameside PDU")
    assert run.code == 0, run.err
    assert "Head of Tameside PDU (Greater Manchester)" in run_inprocess(capsys, "--db", server.url, "logins", "list").out
    return server.url.replace("postgresql://postgres@", f"postgresql://{login}@")


def test_a_head_of_pdu_changes_their_own_actions_and_reads_the_whole_region(
        tameside: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_inprocess(capsys, "--db", tameside, "status", "gm-2023/8/3", "ongoing").code == 0
    assert run_inprocess(capsys, "--db", tameside, "tick", "gm-2023/7/4", "--month", "2023-09").code == 0
    assert "nw-2023" in run_inprocess(capsys, "--db", tameside, "export", "--plan", "nw-2023").out


def test_a_head_of_pdu_cannot_change_another_owners_action(tameside: str, server: ServerDatabase,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    for change in (["status", "nw-2023/2/1", "complete"], ["note", "nw-2023/2/1", "not mine"]):
        assert_one_clean_line(run_inprocess(capsys, "--db", tameside, *change), "refused", "owner roles")
    with server.read() as session:
        action = commands.find_action(session, "nw-2023/2/1")
        assert action.status == Status.NOT_STARTED and action.version == 0


def test_the_server_refuses_a_direct_sql_write_outside_the_logins_roles(
        tameside: str, server: ServerDatabase, pg_server: Any) -> None:
    login = tameside.split("//", 1)[1].split("@", 1)[0]
    own = _psql(pg_server, server, "UPDATE action SET status = 'complete' WHERE reference = 'gm-2023/8/3'", login)
    assert own.returncode == 0 and "UPDATE 1" in own.stdout
    other = _psql(pg_server, server, "UPDATE action SET status = 'complete' WHERE reference = 'nw-2023/2/1'", login)
    assert "UPDATE 0" in other.stdout  # row-level security: the row is not this login's to change
    history = _psql(pg_server, server, "INSERT INTO change (uid, action_id, at, by, kind) SELECT "
                    "'forged', id, now(), 'x', 'note' FROM action WHERE reference = 'nw-2023/2/1'", login)
    assert history.returncode != 0 and "row-level security" in history.stderr
    words = _psql(pg_server, server, "UPDATE action SET text = 'rewritten' WHERE reference = 'gm-2023/8/3'", login)
    assert words.returncode != 0 and "permission denied" in words.stderr
    plans = _psql(pg_server, server, "DELETE FROM plan", login)
    assert plans.returncode != 0 and "permission denied" in plans.stderr
    with server.read() as session:
        assert commands.find_action(session, "nw-2023/2/1").status == Status.NOT_STARTED


def test_a_store_error_from_refusal_is_a_refused_error(tameside: str) -> None:
    db = open_server(tameside)
    try:
        with pytest.raises(RefusedError), db.write() as session:
            action = commands.find_action(session, "nw-2023/2/1")
            commands.set_status(session, action.id or 0, Status.ONGOING, by="me")
    finally:
        db.dispose()


# -- load -----------------------------------------------------------------------------------------

CLIENTS, CHANGES, SHARED_ACTIONS = 20, 200, 100
NEXT = {Status.NOT_STARTED: Status.ONGOING, Status.ONGOING: Status.COMPLETE, Status.COMPLETE: Status.NOT_STARTED}


def _client(url: str, n: int, ids: list[int], report: Any) -> None:
    """One user, in a process of its own: CHANGES status changes on actions other users change too,
    each made on what it last saw; sends back how many were stale, or the error that stopped it."""
    db = open_server(url, init=False)
    stale = done = 0
    try:
        while done < CHANGES:
            action_id = ids[(n * 5 + done) % len(ids)]  # each action is some other clients' too
            with db.read() as session:
                seen = session.get(Action, action_id)
                assert seen is not None
                status, version = seen.status, seen.version
            try:
                with db.write() as session:
                    commands.set_status(session, action_id, NEXT[status], by=f"client-{n}", expected_version=version)
            except StaleError:
                stale += 1  # another user got there first: look again, as the screen does
                continue
            done += 1
        report.send(("ok", stale))
    except BaseException as exc:  # noqa: BLE001  (reported by the test)
        report.send(("error", repr(exc)))
    finally:
        db.dispose()


def test_twenty_clients_at_once_lose_no_update_and_every_event_is_there_once(server: ServerDatabase) -> None:
    import multiprocessing

    with server.read() as session:
        ids = list(session.execute(select(Action.id).where(Action.plan_id == "nw-2023").order_by(Action.id)
                                   .limit(SHARED_ACTIONS)).scalars())
        start = {a.id: (a.status, a.version) for a in session.execute(select(Action).where(Action.id.in_(ids))).scalars()}
    server.dispose()  # no connection of ours crosses into the clients
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe(duplex=False) for _ in range(CLIENTS)]
    clients = [context.Process(target=_client, args=(server.url, n, ids, pipes[n][1])) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    reports = [receiver.recv() for receiver, _ in pipes]
    for client in clients:
        client.join(timeout=60)
    assert all(kind == "ok" for kind, _ in reports), reports
    assert sum(stale for _, stale in reports) > 0  # the clients did get in each other's way
    with server.read() as session:
        events = session.execute(select(Change).where(Change.by.startswith("client-")).order_by(Change.id)).scalars().all()
        assert len(events) == CLIENTS * CHANGES
        assert len({e.uid for e in events}) == CLIENTS * CHANGES
        per_action: dict[int, list[Change]] = defaultdict(list)
        for event in events:
            per_action[event.action_id].append(event)
        for action_id, history in per_action.items():
            action = session.get(Action, action_id)
            assert action is not None
            # each change started from the state the one before it left: none was written over
            assert history[0].from_status == start[action_id][0]
            for before, after in zip(history, history[1:], strict=False):
                assert after.from_status == before.to_status
            assert action.status == history[-1].to_status
            assert action.version == start[action_id][1] + len(history)


def test_the_server_numbers_history_in_commit_order(server: ServerDatabase) -> None:
    """Sync receives "every server event above N": ids must grow with commits (the write lock)."""
    with server.engine.connect() as conn:
        seq = conn.execute(text("SELECT pg_get_serial_sequence('change', 'id')")).scalar()
        last = conn.execute(text(f"SELECT last_value FROM {seq}")).scalar()
        top = conn.execute(text("SELECT coalesce(max(id), 0) FROM change")).scalar()
    assert last >= top  # the sequence is past every id an import gave itself
    with server.write() as session:
        action = commands.find_action(session, "gm-2023/6/2")
        change = commands.add_note(session, action.id or 0, "after an import", by="me")
        assert (change.id or 0) > top


def test_an_error_on_the_server_is_a_store_error_not_a_traceback(server: ServerDatabase) -> None:
    with pytest.raises(StoreError), server.write() as session:
        session.execute(text("SELECT no_such_column FROM action"))


def test_a_servers_due_panel_lists_the_head_of_each_list_with_its_length(server: Any) -> None:
    """The due panel's reads (a list's first rows by id, then its length) give on a server what the whole lists
    give: the screen opened on a region's server shows the same panel as on a file."""
    from store import lists
    from store.queries import runner

    with server.read() as session:
        run = runner(session)
        due = lists.due_in_month(run, 2023, 9, TODAY)
        late = lists.overdue(run, TODAY)
        assert len(due) > 3 and len(late) > 3
        assert lists.due_listed(run, 2023, 9, TODAY, None, 3) == (due[:3], len(due))
        assert lists.overdue_listed(run, TODAY, None, 3) == (late[:3], len(late))
