"""The synthetic national data set: deterministic, exactly the size asked, valid, importable, real shapes."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from typing import Any
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.db import open_database
from store.generate import REGIONS, TARGETS, generate_into, generate_plans, write_plan_files
from store.importing import import_plan_files
from store.models import Action, Change, Occurrence, Owner, Plan
from store.planfile import read_plan_file
from store.targets import TargetKind, read_target
from tui.cli import main

SAMPLES = Path(__file__).parent.parent / "sample_plans"


def _actions(document: dict) -> list[dict]:
    return [a for ad in document["addressees"] for r in ad["recommendations"] for a in r.get("actions", [])]


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.toml"))}


@pytest.fixture(scope="module")
def national() -> list[dict]:
    """A 4,000-action data set: several rounds per region."""
    return list(generate_plans(4000, seed=11))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = write_plan_files(tmp_path / "a", 1500, seed=3)
    write_plan_files(tmp_path / "b", 1500, seed=3)
    write_plan_files(tmp_path / "c", 1500, seed=4)
    assert first and _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")


@pytest.mark.parametrize("size", [1, 7, 500, 1999, 4000])
def test_exactly_the_number_of_actions_asked(size: int) -> None:
    assert sum(len(_actions(d)) for d in generate_plans(size, seed=1)) == size


def test_zero_actions_is_refused() -> None:
    with pytest.raises(ValueError):
        list(generate_plans(0))


def test_twelve_regions_several_rounds_unique_ids(national: list[dict]) -> None:
    regions = Counter(d["plan"]["region"] for d in national)
    assert set(regions) == {r.name for r in REGIONS} and len(REGIONS) == 12
    assert min(regions.values()) >= 2
    ids = [d["plan"]["id"] for d in national]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", i) for i in ids)


def test_files_pass_read_plan_file_and_import(tmp_path: Path) -> None:
    paths = write_plan_files(tmp_path / "plans", 1200, seed=5)
    for path in paths:
        read_plan_file(path)
    db = open_database(tmp_path / "x.sqlite")
    try:
        results = import_plan_files(db, paths)
        assert sum(r.added for r in results) == 1200
        with db.read() as session:
            assert session.execute(select(func.count()).select_from(Action)).scalar_one() == 1200
            history = session.execute(select(func.count()).select_from(Change)).scalar_one()
            ticks = session.execute(select(func.count()).select_from(Occurrence)).scalar_one()
        assert history == sum(r.history_added for r in results) > 1200
        assert ticks > 0
        again = import_plan_files(db, paths)
        assert not any(r.changed for r in again)
    finally:
        db.dispose()


def test_straight_into_a_database_matches_the_files(tmp_path: Path) -> None:
    paths = write_plan_files(tmp_path / "plans", 900, seed=8)
    from_files = open_database(tmp_path / "files.sqlite")
    direct = open_database(tmp_path / "direct.sqlite")
    try:
        import_plan_files(from_files, paths)
        generate_into(direct, 900, seed=8)

        def snapshot(db) -> tuple:
            with db.read() as session:
                actions = session.execute(
                    select(Action.reference, Action.status, Action.deadline, Action.owners_display)
                    .order_by(Action.reference)).all()
                owners = session.execute(select(Owner.name, Owner.region).order_by(Owner.name, Owner.region)).all()
                changes = session.execute(select(func.count()).select_from(Change)).scalar_one()
            return actions, owners, changes

        assert snapshot(from_files) == snapshot(direct)
        with pytest.raises(Exception, match="already holds plans"):
            generate_into(direct, 10, seed=8)
    finally:
        from_files.dispose()
        direct.dispose()


def test_owner_shapes_of_the_real_plans(national: list[dict]) -> None:
    cells = [tuple(a["owners"]) for d in national for a in _actions(d)]
    written = Counter(o for cell in cells for o in cell)
    assert sum(len(c) > 1 for c in cells) / len(cells) > 0.25  # joint owners are common
    assert written["Head of PDU"] > 0 and written["HoP&Q"] > 0 and written["Head of Ops"] > 0
    abbreviated = [o for d in national for a in _actions(d) for o in a["owners"]
                   if (m := re.fullmatch(r"Head of (.+) PDU", o)) and m.group(1) in d.get("aliases", {})]
    assert abbreviated  # "Head of M/C N PDU": an abbreviation the plan defines in [aliases]
    assert written["Deputy Director, Probation Workforce Programme"] > 0
    for document in national:
        used = {o for a in _actions(document) for o in a["owners"]}
        aliases = document.get("aliases", {})
        for owner in used:
            m = re.fullmatch(r"Head of (.+) PDU", owner)
            if m and m.group(1) in aliases:
                assert aliases[m.group(1)] in document["plan"]["title"]
        national_used = used & {"Deputy Director, Probation Workforce Programme", "Head of Personnel Security Vetting"}
        assert national_used <= set(document["plan"].get("national_owners", []))


def test_head_of_pdu_resolves_to_the_pdu_addressed(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.sqlite")
    try:
        generate_into(db, 3000, seed=2)
        with db.read() as session:
            names = set(session.execute(select(Owner.name)).scalars())
    finally:
        db.dispose()
    heads = {n for n in names if re.fullmatch(r"Head of .+ PDU", n)}
    assert "Head of PDU" not in names
    assert len(heads) >= 10
    pdus = {f"Head of {p} PDU" for r in REGIONS for p in r.pdus}
    assert heads <= pdus


def test_target_shapes_and_rates(national: list[dict]) -> None:
    targets = [(a["target"], d["plan"]["plan_submitted"]) for d in national for a in _actions(d)]
    kinds = Counter(read_target(t, plan_date=when).kind for t, when in targets)
    total = len(targets)
    assert kinds[TargetKind.ONE_OFF] / total > 0.4
    for kind in (TargetKind.RECURRING, TargetKind.COMPLETE, TargetKind.COMPLETE_RECURRING, TargetKind.ONGOING,
                 TargetKind.PERIOD):
        assert kinds[kind] > 0, kind
    assert 0 < kinds[TargetKind.UNREADABLE] / total < 0.01  # rare, never absent
    written = {t for t, _ in targets}
    assert "Complete and monthly" in written
    assert any(re.fullmatch(r"(Jan|Feb|Mar|April|May|June|July|Aug|Sept|Oct|Nov|Dec) \d\d", t) for t in written)


def test_target_templates_are_the_real_strings() -> None:
    real = set()
    for path in SAMPLES.glob("*.toml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("target = "):
                real.add(tomllib.loads(line)["target"])
    month = r"[A-Z][a-z]+\.? ?\d{2,4}|[A-Z][a-z]+\.?\d{2}|[A-Z][a-z]+\.\d{2}"
    synthetic = {"End of Q{q} {y}", "TBC"}  # unreadable on purpose: the real unreadable one is ""
    for _, template in TARGETS:
        if template in synthetic:
            continue
        pattern = re.escape(template)
        for field in (r"\{m\}", r"\{m2\}", r"\{past\}"):
            pattern = pattern.replace(field, f"(?:{month})")
        pattern = pattern.replace(r"\{n\}", r"\d+")
        assert any(re.fullmatch(pattern, t) for t in real), template


def test_statuses_and_history_in_export_form(national: list[dict]) -> None:
    actions = [a for d in national for a in _actions(d)]
    statuses = Counter(a["status"] for a in actions)
    assert all(statuses[s] > 0 for s in ("not_started", "ongoing", "complete"))
    rows = [h for a in actions for h in a.get("history", [])]
    kinds = Counter(h["change"] for h in rows)
    assert kinds["status"] and kinds["tick"] and kinds["note"]
    for a in actions:
        history = a.get("history", [])
        assert [h["at"] for h in history] == sorted(h["at"] for h in history)
        ticks = [h["period"] for h in history if h["change"] == "tick"]
        assert ticks == a.get("ticked", [])
        for h in history:
            if "undoes" in h:
                assert history[h["undoes"] - 1]["change"] == "status"
        moves = [h for h in history if h["change"] in ("status", "undo")]
        if moves:
            assert moves[-1]["to"] == a["status"]


def test_cli_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--actions", "300", "--seed", "9", "-o", str(tmp_path / "f"),
                 "--db", str(tmp_path / "x.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "300 actions" in out
    with open_database(tmp_path / "x.sqlite").read() as session:
        assert session.execute(select(func.count()).select_from(Plan)).scalar_one() == len(
            list((tmp_path / "f").glob("*.toml")))
    assert main(["generate", "--actions", "5"]) == 1


def test_generator_does_not_import_textual() -> None:
    code = "import sys, store.generate; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent).returncode == 0


def test_import_then_export_gives_back_the_generated_state(tmp_path: Path) -> None:
    from store.exporting import plan_document

    documents = list(generate_plans(800, seed=4))
    db = open_database(tmp_path / "x.sqlite")
    try:
        generate_into(db, 800, seed=4)
        with db.read() as session:
            for document in documents:
                exported = plan_document(session, document["plan"]["id"])
                want = [(a["text"], a["owners"], a["target"], a["status"], a.get("ticked", []),
                         [dict(h) for h in a.get("history", [])]) for a in _actions(document)]
                got = [(a["text"], a["owners"], a["target"], a["status"], a.get("ticked", []),
                        _by_position(a.get("history", []))) for a in _actions(exported)]
                assert got == want
    finally:
        db.dispose()


def _by_position(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exported history as the generator writes it: no uids, an undo naming its event by position."""
    position = {h["uid"]: n for n, h in enumerate(history, start=1)}
    rows = [{k: v for k, v in h.items() if k != "uid"} for h in history]
    for row in rows:
        if "undoes" in row:
            row["undoes"] = position[row["undoes"]]
    return rows


def test_bulk_import_writes_values_as_sqlalchemy_would() -> None:
    """The national-scale import formats some values itself: they must be what SQLAlchemy stores."""
    from datetime import UTC, datetime, timedelta, timezone

    from sqlalchemy.dialects import sqlite

    from store.importing import _utc_text

    dialect = sqlite.dialect()
    process = Change.__table__.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    for moment in (datetime(2023, 9, 15, 10, 31, tzinfo=UTC), datetime(2019, 1, 2, 3, 4, 5, 60, tzinfo=UTC),
                   datetime(2023, 3, 26, 0, 59, 59, 999999, tzinfo=timezone(timedelta(hours=1)))):
        assert _utc_text(moment) == process(moment)
