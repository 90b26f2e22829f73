"""--json on every read command: schema 1, parsed back with the json module, as a region's scripts would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import run_inprocess

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile.toml"


def _json(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> Any:
    run = run_inprocess(capsys, "--db", str(db_path), "--today", "2023-07-10", *args, "--json")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert document["schema"] == 1
    assert document["command"] == args[0]
    return document


def test_due_lists_the_owners_actions_of_the_month(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, db_path, "due", "--owner", "Head of Tameside PDU", "--month", "2023-07")
    assert (document["month"], document["owner"]) == ("2023-07", "Head of Tameside PDU (Greater Manchester)")
    refs = [a["reference"] for a in document["actions"]]
    assert refs == ["gm-2023/6/1", "gm-2023/7/1", "gm-2023/7/3", "gm-2023/10/1", "gm-2023/7/4", "gm-2023/7/5",
                    "gm-2023/9/1", "gm-2023/9/2"]
    first = document["actions"][0]
    assert (first["status"], first["deadline"], first["recurring"], first["target"]) == (
        "not_started", "2023-07-31", False, "July 2023")


def test_overdue_lists_past_deadlines(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, db_path, "overdue", "--owner", "Head of Tameside PDU")
    assert document["today"] == "2023-07-10"
    assert document["actions"] and all(a["overdue"] for a in document["actions"])
    for action in document["actions"]:  # past its deadline, or a recurring duty with periods missed
        assert (action["deadline"] or "") < "2023-07-10" if not action["recurring"] else action["missed"] > 0


def test_owners_lists_every_owner_with_counts(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, db_path, "owners")
    tameside = next(o for o in document["owners"] if o["name"] == "Head of Tameside PDU")
    assert tameside == {"label": "Head of Tameside PDU (Greater Manchester)", "name": "Head of Tameside PDU",
                        "region": "Greater Manchester", "open": 12, "total": 12}  # 0/12 done


def test_show_carries_the_history(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_inprocess(capsys, "--db", str(db_path), "status", "gm-2023/6/1", "complete",
                         "--note", "Training delivered 12 July").code == 0
    action = _json(capsys, db_path, "show", "gm-2023/6/1")["action"]
    assert (action["reference"], action["status"], action["plan"]) == ("gm-2023/6/1", "complete", "gm-2023")
    [change] = action["history"]
    assert (change["change"], change["from"], change["to"], change["note"], change["undone"]) == (
        "status", "not_started", "complete", "Training delivered 12 July", False)
    assert change["at"].endswith("+00:00")


def test_report_prints_its_summary(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, db_path, "report", "--plan", "nw-2023", "--owner", "everyone")
    [plan] = document["plans"]
    assert plan["agreement"] == {"agreed": 35, "partly agreed": 2, "not agreed": 1}
    assert document["totals"]["actions"] == sum(a["actions"] for a in plan["addressees"]) == 105


def test_json_never_carries_raw_control_characters(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_inprocess(capsys, "--db", str(db_path), "import", str(HOSTILE)).code == 0
    run = run_inprocess(capsys, "--db", str(db_path), "show", "hostile-2023/1/1.1", "--json")
    assert run.code == 0
    assert not any(ch in run.out for ch in "\x1b\x07\x9b\u202e\u2066")
    action = json.loads(run.out)["action"]
    assert "\x9b2J" in action["text"] and "\u2066isolate" in action["text"]  # the exact text, read back
