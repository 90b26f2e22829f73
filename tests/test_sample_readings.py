"""The whole-plan table: for every action of the four sample plans, the owners an import links it to
and the reading it stores, against tests/data/sample_readings.tsv."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from store.db import Database
from store.models import Action, ActionOwner, Checkpoint, Owner
from store.owners import owner_key, owner_label

TABLE = Path(__file__).resolve().parent / "data" / "sample_readings.tsv"


def _table() -> dict[str, tuple[str, ...]]:
    rows = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        reference, *rest = line.split("\t")
        assert len(rest) == 7, line
        rows[reference] = tuple(rest)
    return rows


EXPECTED = _table()


def _text(value: date | int | None) -> str:
    return "-" if value is None else (value.isoformat() if isinstance(value, date) else str(value))


@pytest.fixture(scope="module")
def stored(prepared_db: Path) -> dict[str, tuple[str, ...]]:
    from store.db import open_database

    db: Database = open_database(prepared_db, read_only=True)
    try:
        with db.read() as session:
            owners: dict[int, list[str]] = {}
            for action_id, name, region, organisation in session.execute(
                select(ActionOwner.action_id, Owner.name, Owner.region, Owner.organisation)
                .join(Owner, Owner.id == ActionOwner.owner_id).order_by(ActionOwner.action_id, ActionOwner.position)
            ):
                owners.setdefault(action_id, []).append(owner_label(name, region, organisation))
            checkpoints: dict[int, list[str]] = {}
            query = select(Checkpoint.action_id, Checkpoint.due).order_by(Checkpoint.due)
            for action_id, due in session.execute(query):
                checkpoints.setdefault(action_id, []).append(due.isoformat())
            found = {}
            for a in session.execute(select(Action).where(Action.withdrawn.is_(False))).scalars():
                assert a.id is not None
                found[a.reference] = (
                    "; ".join(owners.get(a.id, [])) or "-", a.target_kind.value, _text(a.deadline), _text(a.start),
                    _text(a.every_months), ",".join(checkpoints.get(a.id, [])) or "-", a.status.value,
                )
            return found
    finally:
        db.dispose()


def test_the_table_covers_every_action_of_the_four_plans(stored: dict[str, tuple[str, ...]]) -> None:
    assert sorted(stored) == sorted(EXPECTED)
    assert len(EXPECTED) == 292  # 54 + 109 + 24 + 105, as the README counts them


@pytest.mark.parametrize("reference", sorted(EXPECTED))
def test_each_action_reaches_its_owners_with_its_reading(stored: dict[str, tuple[str, ...]], reference: str) -> None:
    owners, *reading = EXPECTED[reference]
    got_owners, *got_reading = stored[reference]
    # one owner whatever the case of its first spelling ("Training lead" / "Training Lead")
    assert [owner_key(o) for o in got_owners.split("; ")] == [owner_key(o) for o in owners.split("; ")], \
        f"{reference}: owners {got_owners!r}"
    assert got_reading == reading, f"{reference}: (kind, deadline, start, every, checkpoints, first status)"


def test_all_community_directors_reach_each_community_director(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """cgm-2019/1/1.1.2 is for "All Community Directors": it is in the Community Director's list, beside 2/2.1,
    written for "Community Director with Training Lead"; no second owner "Community Directors" exists."""
    from tui.cli import main

    owner = "Community Director (Cheshire and Greater Manchester CRC)"
    assert main(["--db", str(db_path), "--today", "2019-05-15", "due", "--owner", owner, "--month", "2019-05"]) == 0
    listed = capsys.readouterr().out
    assert "cgm-2019/1/1.1.2" in listed and "cgm-2019/2/2.1" in listed
    assert main(["--db", str(db_path), "due", "--owner", "Community Directors (Cheshire and Greater Manchester CRC)",
                 "--month", "2019-05"]) == 1
    assert "did you mean" in capsys.readouterr().err
