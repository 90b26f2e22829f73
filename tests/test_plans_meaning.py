"""Every action reaches the right person at the right time: the cases of the sample plans where a
simple reading gave the wrong owner or the wrong month, each checked in the list its owner sees."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import tomli_w
from conftest import load_sample
from sqlalchemy import select, text
from sqlmodel import Session

from store import commands
from store.db import Database, open_database
from store.errors import NotFoundError, StoreError
from store.importing import bundled_plan_files, import_plan_files, open_or_create
from store.models import Action, ActionOwner
from store.queries import due_in_month, find_owner, overdue, owners
from store.targets import Status
from tests.helpers.schema import make_schema_1
from tui.cli import main

BY = "tester"
SEPT_2023 = date(2023, 9, 15)


def owned(db: Database, label: str) -> set[str]:
    """References of every action the owner `label` holds (alone or jointly)."""
    with db.read() as session:
        owner = find_owner(session, label)
        return set(session.execute(
            select(Action.reference).join(ActionOwner, ActionOwner.action_id == Action.id)
            .where(ActionOwner.owner_id == owner.id)).scalars())


def due(db: Database, label: str, year: int, month: int) -> list[str]:
    with db.read() as session:
        return [r.reference for r in due_in_month(session, year, month, SEPT_2023, find_owner(session, label).id)]


def late(db: Database, label: str, today: date) -> list[str]:
    with db.read() as session:
        return [r.reference for r in overdue(session, today, find_owner(session, label).id)]


def action_id(db: Database, reference: str) -> int:
    with db.read() as session:
        found = commands.find_action(session, reference).id
    assert found is not None
    return found


# --- owners: organisation ----------------------------------------------------------------------


def test_the_crc_head_of_operations_is_not_todays(db: Database) -> None:
    today_s = late(db, "Head of Operations (Greater Manchester)", SEPT_2023)
    assert not [ref for ref in today_s if ref.startswith("cgm-2019/")]
    crc = late(db, "Head of Operations (Cheshire and Greater Manchester CRC)", SEPT_2023)
    assert {"cgm-2019/1/1.1", "cgm-2019/2/2.8"} <= set(crc)
    assert all(ref.startswith("cgm-2019/") for ref in crc)
    assert owned(db, "Performance Manager (Cheshire and Greater Manchester CRC)") >= {"cgm-2019/1/1.2"}
    assert not any(r.startswith("cgm-2019/") for r in owned(db, "Performance Manager (Greater Manchester)"))


# --- owners: a PDU's own roles ------------------------------------------------------------------


@pytest.mark.parametrize(("label", "holds", "not_holds"), [
    ("Tameside PDU Business Manager (Greater Manchester)",
     {"gm-2023/7/2", "gm-2023/7/4", "gm-2023/9/1", "gm-2023/9/2"}, {"gm-2023/12/1", "gm-2023/1/3"}),
    ("Wigan PDU Business Manager (Greater Manchester)", {"gm-2023/12/1", "gm-2023/12/2"}, {"gm-2023/7/2"}),
    ("Manchester North PDU Business Manager (Greater Manchester)", {"gm-2023/1/3"}, {"gm-2023/9/1"}),
    ("Manchester North PDU Senior Probation Officers (Greater Manchester)",
     {"gm-2023/1/3", "gm-2023/2/1", "gm-2023/5/4"}, {"gm-2023/7/2", "gm-2023/14/2"}),
    ("Tameside PDU Senior Probation Officers (Greater Manchester)", {"gm-2023/7/2"}, {"gm-2023/1/3"}),
    # 24 is to the region but about Wigan ("Work with Wigan children's social care services ...")
    ("Wigan PDU Senior Probation Officers (Greater Manchester)", {"gm-2023/14/2", "gm-2023/24/4"}, {"gm-2023/7/2"}),
    ("Wigan PDU Senior Probation Officer complaints lead (Greater Manchester)", {"gm-2023/14/3"}, set()),
])
def test_a_pdu_role_is_that_pdus_holder(db: Database, label: str, holds: set[str], not_holds: set[str]) -> None:
    mine = owned(db, label)
    assert holds <= mine
    assert not (not_holds & mine)


def test_no_region_wide_pool_of_business_managers_or_spos_remains(db: Database) -> None:
    for pooled in ("Business Manager (Greater Manchester)", "Senior Probation Officers (Greater Manchester)"):
        with db.read() as session, pytest.raises(NotFoundError):
            find_owner(session, pooled)


def test_spos_in_a_region_recommendation_naming_no_pdu_are_every_pdus(db: Database) -> None:
    for pdu in ("Manchester North", "Tameside", "Wigan"):
        assert "gm-2023/20/2" in owned(db, f"{pdu} PDU Senior Probation Officers (Greater Manchester)")


def test_heads_of_pdu_reach_every_head_in_scope(db: Database) -> None:
    """nw-2023/22 is to the region, noting Cheshire West PDU and Cumbria PDU: 'Heads of PDU' is both heads."""
    assert "nw-2023/22/2" in due(db, "Head of Cumbria PDU", 2023, 9)
    assert "nw-2023/22/2" in due(db, "Head of Cheshire West PDU", 2023, 9)
    assert {"nw-2023/22/1", "nw-2023/22/2"} <= owned(db, "Head of Cumbria PDU")
    with db.read() as session, pytest.raises(NotFoundError):
        find_owner(session, "Heads of PDU")


# --- owners: look-alike names --------------------------------------------------------------------


def _plan_with_owners(tmp_path: Path, owners: list[str], plan_id: str = "gm-extra",
                      target: str = "September 2023") -> Path:
    plan = {
        "plan": {"id": plan_id, "title": "Extra", "region": "Greater Manchester", "plan_submitted": date(2023, 6, 1)},
        "addressees": [{"name": "Tameside PDU", "kind": "pdu", "recommendations": [{
            "number": "1", "text": "Do it.", "agreement": "agreed",
            "actions": [{"text": "Act.", "owners": owners, "target": target}]}]}],
    }
    path = tmp_path / f"{plan_id}.toml"
    path.write_text(tomli_w.dumps(plan), encoding="utf-8")
    return path


def test_invisible_characters_and_odd_spaces_do_not_make_a_second_owner(db: Database, tmp_path: Path) -> None:
    look_alikes = ["Head of Tameside\u200b PDU", "Head\u00a0of  Wigan\ufeff PDU"]
    import_plan_files(db, [_plan_with_owners(tmp_path, look_alikes)])
    assert "gm-extra/1/1" in due(db, "Head of Tameside PDU", 2023, 9)
    assert "gm-extra/1/1" in due(db, "Head of Wigan PDU", 2023, 9)
    with db.read() as session:
        labels = [o.label for o in owners(session)]
    assert not [label for label in labels if "\u200b" in label or "\u00a0" in label or "\ufeff" in label]


def test_an_owner_of_only_invisible_characters_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _plan_with_owners(tmp_path, ["\u200b\u200d"])
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "recommendation '1' › action 1" in err and "owner 1 is only invisible characters" in err


def test_check_reports_near_duplicate_owners_without_merging_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _plan_with_owners(tmp_path, ["Regional Equality Lead", "Regional Equalities Lead"])
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"warning: owners 'Regional Equalities Lead \(Greater Manchester\)' \(gm-extra/1/1\) and "
                     r"'Regional Equality Lead' \(gm-extra/1/1\) look like one role", out)


def test_check_on_the_sample_plans_flags_only_what_the_documents_lack(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", *map(str, bundled_plan_files())]) == 0
    out = capsys.readouterr().out
    flagged = re.findall(r"^  ! (\S+)", out, re.MULTILINE)
    # the rows lost from the extracts: their owners and dates are not in the documents
    assert flagged == ["gm-2023/15/1", "gm-2023/18/1", "nps-ne-2019/5/1"]
    # PP SOM is printed once beside PP SOSM: whether they are one role is for a person to say
    assert re.findall(r"^  warning: owners '([^']*)'", out, re.MULTILINE) == [
        "Public Protection Senior Operational Manager (Greater Manchester)"]


def test_an_unknown_owner_gets_the_closest_names(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert main(["--db", str(db_path), "due", "--owner", "Head of Tamside PDU"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no owner is called 'Head of Tamside PDU'; did you mean 'Head of Tameside PDU (Greater Manchester)'" in err


# --- targets -------------------------------------------------------------------------------------


def test_a_deadline_then_continuing_falls_due_and_can_be_overdue(db: Database) -> None:
    """nps-ne-2019/7/7.1, 'September 2019 and on-going'."""
    with db.read() as session:
        [owner_id] = {o.id for o in owners(session)
                      if "nps-ne-2019/7/7.1" in _refs(session, o.id)} or {None}
        assert owner_id is not None
        assert "nps-ne-2019/7/7.1" in [r.reference for r in due_in_month(session, 2019, 9, SEPT_2023, owner_id)]
        assert "nps-ne-2019/7/7.1" in [r.reference for r in overdue(session, date(2019, 10, 1), owner_id)]
        assert "nps-ne-2019/7/7.1" not in [r.reference for r in overdue(session, date(2019, 9, 30), owner_id)]


def _refs(session: Session, owner_id: int) -> set[str]:
    return set(session.execute(
        select(Action.reference).join(ActionOwner, ActionOwner.action_id == Action.id)
        .where(ActionOwner.owner_id == owner_id)).scalars())


def test_a_checkpoint_is_due_in_its_month_and_is_ticked_off(db: Database) -> None:
    """cgm-2019/7/7.3, 'April 19 with checkpoint Sept 19': due in April 2019, and again in September 2019."""
    owner = "Business and Project Manager (Cheshire and Greater Manchester CRC)"
    assert "cgm-2019/7/7.3" in due(db, owner, 2019, 4)
    assert "cgm-2019/7/7.3" in due(db, owner, 2019, 9)
    assert "cgm-2019/7/7.3" not in due(db, owner, 2019, 8)
    assert "cgm-2019/7/7.3" in late(db, owner, date(2019, 10, 1))
    # another action's tick of September 2019 is not this checkpoint's
    monthly = _plan_with_owners(Path(db.path).parent, ["Head of Wigan PDU"], target="Monthly from May 2019")
    import_plan_files(db, [monthly])
    with db.write() as session:
        commands.tick_occurrence(session, action_id(db, "gm-extra/1/1"), "2019-09", by=BY)
    assert "cgm-2019/7/7.3" in late(db, owner, date(2019, 10, 1))
    with db.write() as session:
        commands.set_status(session, action_id(db, "cgm-2019/7/7.3"), Status.ONGOING, by=BY)
        commands.tick_occurrence(session, action_id(db, "cgm-2019/7/7.3"), "2019-09", by=BY, note="survey re-run")
    assert "cgm-2019/7/7.3" not in due(db, owner, 2019, 9)
    with db.write() as session, pytest.raises(StoreError, match=r"no checkpoint in 2019-08 \(its checkpoints: 2019-09\)"):
        commands.tick_occurrence(session, action_id(db, "cgm-2019/7/7.3"), "2019-08", by=BY)


def test_the_transcribed_second_date_of_gm_2023_23_9_is_a_milestone(db: Database) -> None:
    assert "gm-2023/23/9" in due(db, "Head of Unpaid Work (Greater Manchester)", 2023, 9)
    with db.read() as session:
        action = commands.find_action(session, "gm-2023/23/9")
    assert action.target == "Complete and ongoing September 2023" and action.status == Status.ONGOING


@pytest.mark.parametrize("reference", ["gm-2023/20/1", "gm-2023/20/2", "gm-2023/20/3", "nps-ne-2019/2/2.2"])
def test_work_the_plan_describes_as_under_way_starts_ongoing(db: Database, reference: str) -> None:
    with db.read() as session:
        assert commands.find_action(session, reference).status == Status.ONGOING


def test_monthly_in_a_plan_without_a_date_is_an_error_naming_file_and_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = load_sample("gm-2023")
    del plan["plan"]["plan_submitted"], plan["plan"]["report_published"]
    path = tmp_path / "undated.toml"
    path.write_text(tomli_w.dumps(plan), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(path) in err and "recommendation '1' › action '5'" in err  # gm-2023/1/5, 'Monthly'
    assert "'Monthly' recurs from no stated month and the plan has no date" in err


# --- an older database ----------------------------------------------------------------------------


def test_a_schema_1_database_is_upgraded_and_the_next_import_rescopes_its_owners(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    open_or_create(path).dispose()
    conn = sqlite3.connect(path)  # make it what version 1 wrote: owners scoped by region alone
    with conn:
        scoped = conn.execute("SELECT id, key, region FROM owner WHERE key LIKE '% @ %'").fetchall()
        for owner_id, key, region in scoped:
            bare = key.split(" @ ")[0]
            same = conn.execute("SELECT id FROM owner WHERE key = ? AND region = ?", (bare, region)).fetchone()
            if same is None:
                conn.execute("UPDATE owner SET key = ? WHERE id = ?", (bare, owner_id))
            else:  # the CRC's role merged with today's namesake
                conn.execute("UPDATE actionowner SET owner_id = ? WHERE owner_id = ?", (same[0], owner_id))
                conn.execute("DELETE FROM owner WHERE id = ?", (owner_id,))
    conn.close()
    make_schema_1(path)
    db = open_database(path)
    try:
        with db.read() as session:
            assert session.execute(text("SELECT count(*) FROM checkpoint")).scalar() == 0
        merged = late(db, "Head of Operations (Greater Manchester)", SEPT_2023)
        assert "cgm-2019/1/1.1" in merged  # as version 1 had it
        import_plan_files(db, bundled_plan_files())
        assert "cgm-2019/1/1.1" not in late(db, "Head of Operations (Greater Manchester)", SEPT_2023)
        assert "cgm-2019/1/1.1" in late(db, "Head of Operations (Cheshire and Greater Manchester CRC)", SEPT_2023)
        assert "cgm-2019/7/7.3" in due(db, "Business and Project Manager (Cheshire and Greater Manchester CRC)",
                                       2019, 9)
    finally:
        db.dispose()
