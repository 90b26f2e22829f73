"""National scale: the screen's questions stay indexed and give the same answers whichever way they are asked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from store import queries
from store.db import Database, open_database
from store.generate import generate_into
from store.queries import View

TODAY = date(2023, 9, 15)


@pytest.fixture(scope="module", params=["as generated", "without statistics"])
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A national data set; the plans must hold with SQLite's statistics (ANALYZE) and without."""
    database = open_database(tmp_path_factory.mktemp("scale") / "national.sqlite")
    generate_into(database, 3000, seed=6)
    if request.param == "without statistics":
        with database.write() as session:
            session.connection().exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
    yield database
    database.dispose()


def _busiest_head(db: Database) -> queries.OwnerCount:
    with db.read() as session:
        return next(o for o in queries.owners(session) if o.name.startswith("Head of") and o.name.endswith("PDU"))


@pytest.mark.parametrize("which", ["owner", "everyone", "owner, completed hidden"])
def test_view_tree_is_the_tree_asked_branch_by_branch(db: Database, which: str) -> None:
    owner = _busiest_head(db)
    view = View(owner_id=None if which == "everyone" else owner.id, hide_complete="hidden" in which)
    with db.read() as session:
        tree = queries.view_tree(session, view, TODAY)
        assert tree.regions == queries.regions(session, view, TODAY) and tree.regions
        for region in tree.regions:
            assert tree.addressees.get(region.region, []) == queries.addressees(session, view, region.region, TODAY)
            for addressee in tree.addressees.get(region.region, []):
                recs = queries.recommendations(session, view, addressee.id, TODAY)
                assert tree.recommendations.get(addressee.id, []) == recs
                for rec in recs:
                    assert tree.actions.get(rec.id, []) == queries.actions(session, view, rec.id, TODAY)


def test_find_owner_counts_as_owners_does(db: Database) -> None:
    with db.read() as session:
        everyone = {o.id: o for o in queries.owners(session)}
        for owner in list(everyone.values())[:25]:
            assert queries.find_owner(session, owner.label) == owner


def _plans(db: Database, ask: callable) -> list[str]:
    """The query plans SQLite chose for what `ask(session)` ran."""
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.read() as session:
            ask(session)
            raw = session.connection().connection.driver_connection
            return ["\n".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + s, p).fetchall())
                    for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def test_an_owners_questions_start_from_the_owners_links(db: Database) -> None:
    """Never a walk over every action: the owner's links (ix_action_owner_owner), then actions by id."""
    owner = _busiest_head(db)
    view = View(owner_id=owner.id)
    with db.read() as session:
        region = queries.regions(session, view, TODAY)[0].region
        addressee = queries.addressees(session, view, region, TODAY)[0].id

    def ask(session) -> None:  # noqa: ANN001
        queries.regions(session, view, TODAY)
        queries.addressees(session, view, region, TODAY)
        queries.recommendations(session, view, addressee, TODAY)
        queries.due_in_month(session, 2023, 9, TODAY, owner.id)
        queries.overdue(session, TODAY, owner.id)
        queries.view_tree(session, view, TODAY)

    plans = _plans(db, ask)
    assert len(plans) >= 6
    for plan in plans:
        assert "ix_action_owner_owner" in plan, plan
        assert "SCAN action" not in plan and "USING INDEX ix_action_due" not in plan, plan


def test_a_branch_of_everyones_tree_reads_that_branch_only(db: Database) -> None:
    with db.read() as session:
        region = queries.regions(session, View(), TODAY)[0].region
    [plan] = _plans(db, lambda session: queries.addressees(session, View(), region, TODAY))
    assert "SCAN action" not in plan and "ix_action_due" not in plan, plan
    assert "ix_action_rec" in plan, plan



@pytest.fixture
def read_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the import read ahead in a second process whatever the size of the files."""
    import store.importing

    monkeypatch.setattr(store.importing, "READ_AHEAD_BYTES", 0)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest may run helper threads


def _count(db: Database) -> int:
    from sqlalchemy import func, select

    from store.models import Action

    with db.read() as session:
        return session.execute(select(func.count()).select_from(Action)).scalar_one()


@pytest.mark.usefixtures("read_ahead")
def test_reading_ahead_imports_the_same_and_all_or_nothing(tmp_path: Path) -> None:
    from store.generate import write_plan_files
    from store.importing import _worth_reading_ahead, import_plan_files
    from store.planfile import PlanFileError

    paths = write_plan_files(tmp_path / "plans", 1500, seed=3)
    assert _worth_reading_ahead(paths)
    ahead = open_database(tmp_path / "ahead.sqlite")
    direct = open_database(tmp_path / "direct.sqlite")
    try:
        results = import_plan_files(ahead, paths)
        assert sum(r.added for r in results) == 1500 == _count(ahead)
        generate_into(direct, 1500, seed=3)
        with ahead.read() as a, direct.read() as d:
            owner = _busiest_head(direct)
            assert queries.view_tree(a, View(), TODAY) == queries.view_tree(d, View(), TODAY)
            assert queries.due_in_month(a, 2023, 9, TODAY, owner.id) == queries.due_in_month(d, 2023, 9, TODAY, owner.id)

        broken = tmp_path / "broken.toml"
        broken.write_text("[plan\n", encoding="utf-8")
        fresh = open_database(tmp_path / "fresh.sqlite")
        try:
            with pytest.raises(PlanFileError, match="broken.toml, line 1"):
                import_plan_files(fresh, [*paths[:3], broken, *paths[3:]])
            assert _count(fresh) == 0  # the plans before the bad file were rolled back
            with pytest.raises(PlanFileError, match="more than one of the files given"):
                import_plan_files(fresh, [*paths, paths[0]])
            assert _count(fresh) == 0
        finally:
            fresh.dispose()
    finally:
        ahead.dispose()
        direct.dispose()


def test_an_import_into_a_new_file_measures_every_index_it_builds_at_the_end(tmp_path: Path) -> None:
    """SQLite plans the screen's questions from ANALYZE's figures: an index left out of them (one an import into a
    new file builds at its end) would have its queries planned as on no other database."""
    import sqlite3

    from store.generate import write_plan_files
    from store.importing import import_plan_files

    database = open_database(tmp_path / "new.sqlite")
    import_plan_files(database, write_plan_files(tmp_path / "plans", 300, seed=2))
    database.dispose()
    conn = sqlite3.connect(tmp_path / "new.sqlite")
    try:
        indexes = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('action', 'change', 'actionowner')")}
        measured = {name for (name,) in conn.execute("SELECT idx FROM sqlite_stat1")}
    finally:
        conn.close()
    assert {"ix_action_uid", "ix_change_action", "ix_action_owner_owner"} <= indexes
    assert indexes <= measured
