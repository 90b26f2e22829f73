"""Revised targets: `actiontrack revise`, what due/overdue/show/report/export then say, and undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import dump, read_rows

from tui.cli import main

REF = "gm-2023/4/4"  # one-off, 'September 2023' in the sample plan


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str, today: str = "2023-10-10") -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", today, *args])
    out, err = capsys.readouterr()
    return code, out, err


rows = read_rows


def target_of(db: Path, ref: str = REF) -> tuple[object, ...]:
    return rows(db, "SELECT target, deadline, target_reading FROM action WHERE reference = ?", ref)[0]


def test_a_revised_target_moves_the_action_out_of_overdue_and_keeps_the_original(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert target_of(db_path)[:2] == ("September 2023", "2023-09-30")
    assert REF in run(capsys, db_path, "overdue")[1]

    code, out, err = run(capsys, db_path, "revise", REF, "March 2024", "--reason", "Waiting for the new IT system")
    assert (code, err) == (0, "")
    assert out.strip() == f"{REF}: target revised to 'March 2024' (read as due by 31 Mar 2024)"
    assert target_of(db_path)[:2] == ("March 2024", "2024-03-31")
    events = rows(db_path, "SELECT kind, from_target, to_target, change.note FROM change JOIN action ON action.id = "
                           "change.action_id WHERE reference = ?", REF)
    assert events == [("target", "September 2023", "March 2024", "Waiting for the new IT system")]

    assert REF not in run(capsys, db_path, "overdue")[1]
    assert REF in run(capsys, db_path, "due", "--month", "2024-03")[1]
    shown = run(capsys, db_path, "show", REF)[1]
    assert "Target:         'March 2024' → due by 31 Mar 2024" in shown
    assert "revised 1×: first agreed 'September 2023'; reason: Waiting for the new IT system" in shown
    assert "target “September 2023” → “March 2024” — Waiting for the new IT system" in shown
    import json

    as_json = json.loads(run(capsys, db_path, "show", REF, "--json")[1])["action"]
    assert as_json["revision"] == {"original": "September 2023", "revised": "March 2024",
                                   "reason": "Waiting for the new IT system", "count": 1}
    assert as_json["history"][-1]["from_target"] == "September 2023"


def test_undo_puts_the_target_back(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    run(capsys, db_path, "revise", REF, "March 2024", "--reason", "IT")
    code, out, err = run(capsys, db_path, "undo")
    assert (code, err) == (0, "")
    assert out.strip() == f"{REF}: undone; its target is 'September 2023' again"
    assert target_of(db_path)[:2] == ("September 2023", "2023-09-30")
    assert REF in run(capsys, db_path, "overdue")[1]
    shown = run(capsys, db_path, "show", REF)[1]
    assert "revised" not in shown.split("History:")[0]
    assert "(undone)" in shown and "undo: target “March 2024” → “September 2023”" in shown


def test_a_revision_to_a_checkpointed_target_replaces_the_checkpoints(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    ref = "gm-2023/4/5"
    code, _, err = run(capsys, db_path, "revise", ref, "April 2024 with checkpoint January 2024", "--reason", "r")
    assert (code, err) == (0, ""), err
    due = rows(db_path, "SELECT due FROM checkpoint JOIN action ON action.id = checkpoint.action_id "
                        "WHERE reference = ?", ref)
    assert due == [("2024-01-31",)]
    assert ref in run(capsys, db_path, "due", "--month", "2024-01")[1]


@pytest.mark.parametrize(("args", "words"), [
    (["March 2024", "--reason", "  "], ("needs a reason",)),
    (["when pigs fly", "--reason", "r"], ("'when pigs fly'", "cannot be read as a date")),
    (["September 2023", "--reason", "r"], ("already 'September 2023'",)),
    (["", "--reason", "r"], ("target is empty",)),
])
def test_a_revision_that_cannot_be_made_says_why_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], db_path: Path, args: list[str], words: tuple[str, ...]) -> None:
    before = dump(db_path)
    code, out, err = run(capsys, db_path, "revise", REF, *args)
    assert code != 0 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("actiontrack: ") and "Traceback" not in err
    for word in words:
        assert word in err
    assert dump(db_path) == before


def test_revise_without_a_reason_is_refused_by_the_command_line(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    before = dump(db_path)
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db_path), "revise", REF, "March 2024"])
    assert exit_.value.code == 2 and "--reason" in capsys.readouterr().err
    assert dump(db_path) == before


def test_reports_and_exports_carry_the_revision(capsys: pytest.CaptureFixture[str], db_path: Path,
                                                tmp_path: Path) -> None:
    run(capsys, db_path, "revise", REF, "December 2023", "--reason", "first delay")
    run(capsys, db_path, "revise", REF, "March 2024", "--reason", "second delay")
    code, out, _ = run(capsys, db_path, "report", "--plan", "gm-2023", "--format", "csv")
    assert code == 0
    import csv
    import io

    line = next(r for r in csv.DictReader(io.StringIO(out)) if r["reference"] == REF)
    assert (line["target"], line["revised_target"], line["revision_reason"]) == (
        "September 2023", "March 2024", "second delay")
    assert line["rag"] == "amber"  # revised more than once
    assert line["latest_evidence"] == ""  # a reason is not evidence

    exported = tmp_path / "gm.toml"
    assert run(capsys, db_path, "export", "--plan", "gm-2023", "-o", str(exported))[0] == 0
    fresh = tmp_path / "fresh.sqlite"
    assert run(capsys, fresh, "import", str(exported))[0] == 0
    shown = run(capsys, fresh, "show", REF)[1]
    assert "revised 2×: first agreed 'September 2023'; reason: second delay" in shown
    assert target_of(fresh)[:2] == ("March 2024", "2024-03-31")


def test_importing_the_older_plan_file_again_keeps_a_typed_revision(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    from store.importing import bundled_plan_files

    older = next(p for p in bundled_plan_files() if p.name.startswith("gm-2023"))
    run(capsys, db_path, "revise", REF, "March 2024", "--reason", "Waiting for the new IT system")
    before = dump(db_path)

    code, out, err = run(capsys, db_path, "import", "--dry-run", str(older))
    assert (code, err) == (0, "")
    assert REF not in out and "target" not in out

    code, _, err = run(capsys, db_path, "import", str(older))
    assert (code, err) == (0, "")
    assert target_of(db_path)[:2] == ("March 2024", "2024-03-31")
    assert dump(db_path) == before
    assert REF not in run(capsys, db_path, "overdue")[1]


def test_a_plan_file_revising_the_target_again_still_applies(
        capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    from store.importing import bundled_plan_files

    older = next(p for p in bundled_plan_files() if p.name.startswith("gm-2023"))
    run(capsys, db_path, "revise", REF, "March 2024", "--reason", "IT")
    newer = tmp_path / "gm-2023.toml"  # the first 'September 2023' of the file is REF's
    newer.write_text(older.read_text(encoding="utf-8").replace(
        'target = "September 2023"\n', 'target = "June 2024"\n', 1), encoding="utf-8")
    assert "June 2024" in newer.read_text(encoding="utf-8")
    code, _, err = run(capsys, db_path, "import", str(newer))
    assert (code, err) == (0, ""), err
    events = rows(db_path, "SELECT from_target, to_target FROM change JOIN action ON action.id = change.action_id "
                           "WHERE reference = ? AND kind = 'target' ORDER BY change.id", REF)
    assert events == [("September 2023", "March 2024"), ("March 2024", "June 2024")]
    assert target_of(db_path)[:2] == ("June 2024", "2024-06-30")
