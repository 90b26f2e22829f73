"""Plans of other bodies (a council's domestic homicide review plan): no agreement column, owners that
are organisations or roles with named officers' initials, and columns for progress, completion and review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import tomli_w

from store.db import open_database
from store.exporting import plan_document
from store.importing import import_plan_files
from store.queries import due_in_month, find_owner, owners
from tui.cli import main

DHR = {
    "plan": {"id": "dhr-lbth-2016", "title": "Domestic homicide review action plan", "region": "London",
             "organisation": "London Borough of Tower Hamlets", "plan_submitted": date(2016, 6, 1)},
    "addressees": [{"name": "Community Safety Partnership", "kind": "other", "recommendations": [{
        "number": "1", "text": "Improve information sharing between agencies.",
        "actions": [
            {"text": "Brief all duty officers on the information sharing protocol.",
             "owners": [{"role": "Operations Managers", "holders": ["SF", "CD"]}, {"organisation": "MPS"}],
             "target": "31 October 2016", "progress": "Two of three briefings held",
             "review": "January 2017"},
            {"text": "Audit referrals.", "owners": ["LBTH Adult social care"], "target": "Q3 2016/17",
             "completed": "12/12/2016"},
        ]}]}],
}


@pytest.fixture
def dhr_file(tmp_path: Path) -> Path:
    path = tmp_path / "dhr.toml"
    path.write_text(tomli_w.dumps(DHR), encoding="utf-8")
    return path


def test_a_council_plan_is_checked_and_read(dhr_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(dhr_file)]) == 0
    out = capsys.readouterr().out
    assert "'31 October 2016' → due by 31 Oct 2016" in out
    assert "'Q3 2016/17' → Oct 2016 – Dec 2016, due by 31 Dec 2016" in out


def test_roles_with_holders_and_organisations_are_owners_as_a_user_picks_them(
    dhr_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "db.sqlite"
    assert main(["--db", str(db_path), "import", str(dhr_file)]) == 0
    db = open_database(db_path)
    try:
        with db.read() as session:
            labels = {o.label for o in owners(session) if o.region == "London"}
            assert labels == {"Operations Managers (London Borough of Tower Hamlets)", "MPS (organisation)",
                              "LBTH Adult social care (London Borough of Tower Hamlets)"}
            managers = find_owner(session, "Operations Managers")  # the role is what a user picks
            assert [r.reference for r in due_in_month(session, 2016, 10, date(2016, 10, 1), managers.id)] == [
                "dhr-lbth-2016/1/1"]
            mps = find_owner(session, "MPS (organisation)")
            assert [r.reference for r in due_in_month(session, 2016, 10, date(2016, 10, 1), mps.id)] == [
                "dhr-lbth-2016/1/1"]
            document = plan_document(session, "dhr-lbth-2016")
    finally:
        db.dispose()
    capsys.readouterr()
    assert main(["--db", str(db_path), "show", "dhr-lbth-2016/1/1"]) == 0
    out = capsys.readouterr().out
    assert "Recommendation: 1 (not stated)" in out
    assert "as written:   Operations Managers (SF, CD); MPS" in out  # the holders are kept
    assert "Progress:       Two of three briefings held" in out and "Review:         January 2017" in out
    assert main(["--db", str(db_path), "show", "dhr-lbth-2016/1/2"]) == 0
    out = capsys.readouterr().out
    assert "[complete]" in out and "Completed:      12/12/2016" in out  # a completion date: done
    # the export writes the tables back, and importing it changes nothing
    action = document["addressees"][0]["recommendations"][0]["actions"][0]
    assert action["owners"] == [{"role": "Operations Managers", "holders": ["SF", "CD"]}, {"organisation": "MPS"}]
    again = tmp_path / "again.toml"
    again.write_text(tomli_w.dumps(document), encoding="utf-8")
    db = open_database(db_path)
    try:
        [result] = import_plan_files(db, [again])
    finally:
        db.dispose()
    assert not result.changed


@pytest.mark.parametrize(("owner", "words"), [
    ({"role": "Operations Managers", "organisation": "MPS"}, "either role (with optional holders) or organisation"),
    ({"organisation": "MPS", "holders": ["SF"]}, "holders go with a role"),
    ({"holders": ["SF"]}, "either role"),
])
def test_an_owner_table_that_is_neither_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], owner: dict[str, object], words: str
) -> None:
    plan = {**DHR, "addressees": [{**DHR["addressees"][0], "recommendations": [{  # type: ignore[dict-item]
        "number": "1", "text": "x", "actions": [{"text": "y", "owners": [owner], "target": "May 2016"}]}]}]}
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(plan), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and words in err
