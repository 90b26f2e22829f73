"""`due` and `overdue` with `--status`: only the actions of those statuses, said in the title."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tui.cli import main

LISTED = re.compile(r"^  (\S+/\S+/\S+)  ", re.MULTILINE)
TAMESIDE = ("--owner", "Head of Tameside PDU")


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", "2023-09-15", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_overdue_of_one_status(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    everything = set(LISTED.findall(run(capsys, db_path, "overdue", *TAMESIDE)[1]))
    assert {"gm-2023/6/1", "gm-2023/7/5"} <= everything
    run(capsys, db_path, "status", "gm-2023/6/1", "ongoing")
    code, out, err = run(capsys, db_path, "overdue", *TAMESIDE, "--status", "ongoing")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == ("Overdue on 15 September 2023 · Head of Tameside PDU (Greater Manchester) "
                                   "· ongoing · 2 actions")
    assert set(LISTED.findall(out)) == {"gm-2023/6/1", "gm-2023/7/5"}
    not_started = set(LISTED.findall(run(capsys, db_path, "overdue", *TAMESIDE, "--status", "not-started")[1]))
    assert not_started == everything - {"gm-2023/6/1", "gm-2023/7/5"}


def test_due_of_several_statuses_and_in_json(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    run(capsys, db_path, "status", "gm-2023/8/3", "complete")
    code, out, _ = run(capsys, db_path, "due", *TAMESIDE, "--status", "not-started", "--status", "ongoing")
    assert code == 0 and "· not started or ongoing · " in out.splitlines()[0]
    assert "gm-2023/8/3" not in LISTED.findall(out) and "gm-2023/7/5" in LISTED.findall(out)
    code, out, _ = run(capsys, db_path, "due", *TAMESIDE, "--status", "ongoing", "--json")
    assert code == 0
    assert [a["reference"] for a in json.loads(out)["actions"]] == ["gm-2023/7/5"]


def test_an_unknown_status_is_refused(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db_path), "overdue", "--status", "late"])
    assert exit_.value.code == 2
    assert "invalid choice: 'late'" in capsys.readouterr().err
