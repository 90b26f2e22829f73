"""The `actiontrack` command, run in-process (tui.cli.main) and once as a real `python -m tui`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, TODAY, dump, sample_file

from store.config import Config, save_config
from store.db import open_database
from store.queries import owners, plan_ids
from tui.cli import main

TAMESIDE_JULY = {"gm-2023/6/1", "gm-2023/7/1", "gm-2023/7/3", "gm-2023/10/1",
                 "gm-2023/7/4", "gm-2023/7/5", "gm-2023/9/1", "gm-2023/9/2"}
LISTED = re.compile(r"^  (\S+/\S+/\S+)  ", re.MULTILINE)


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str, today: str = "2023-07-10") -> tuple[int, str, str]:
    code = main(["--db", str(db), "--today", today, *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, *words: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("actiontrack: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, err)


# --- reading ------------------------------------------------------------------------------------


def test_due_for_the_head_of_tameside_in_july_2023(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    sample_file("gm-2023")
    code, out, err = run(capsys, db_path, "due", "--owner", "Head of Tameside PDU", "--month", "2023-07")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Due in July 2023 · Head of Tameside PDU (Greater Manchester) · 8 actions"
    listed = set(LISTED.findall(out))
    assert listed == TAMESIDE_JULY
    # others' July actions, and Tameside's later ones, are not listed
    for other in ("gm-2023/1/4", "gm-2023/24/3", "gm-2023/14/1", "gm-2023/6/2", "gm-2023/8/3"):
        assert other not in out


def test_due_takes_the_global_owner_and_the_month_of_today(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    sample_file("gm-2023")
    code = main(["--db", str(db_path), "--today", "2023-07-10", "--owner", "Head of Tameside PDU", "due"])
    out = capsys.readouterr().out
    assert code == 0
    assert set(LISTED.findall(out)) == TAMESIDE_JULY


def test_due_for_everyone_in_may_2019(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, _ = run(capsys, db_path, "due", "--month", "2019-05")
    assert code == 0
    listed = set(LISTED.findall(out))
    assert {"cgm-2019/1/1.1", "cgm-2019/1/1.1.2", "cgm-2019/4/4.5"} <= listed
    assert "cgm-2019/1/1.1.3" not in listed  # May19 – Aug 19: due in August
    assert out.startswith("Due in May 2019 · everyone · ")


def test_overdue_lists_tameside_deadlines_passed_and_periods_missed(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    sample_file("gm-2023")
    code, out, _ = run(capsys, db_path, "overdue", "--owner", "Head of Tameside PDU", today="2023-09-15")
    assert code == 0
    assert out.splitlines()[0] == (
        "Overdue on 15 September 2023 · Head of Tameside PDU (Greater Manchester) · 10 actions")
    assert LISTED.findall(out) == ["gm-2023/6/1", "gm-2023/7/1", "gm-2023/7/3", "gm-2023/10/1", "gm-2023/6/2",
                                   "gm-2023/7/4", "gm-2023/7/5", "gm-2023/9/1", "gm-2023/9/2", "gm-2023/10/3"]
    # a recurring duty says how many of its periods were missed
    assert re.search(r"gm-2023/7/4 .*Monthly · 3 missed", out)
    assert re.search(r"gm-2023/10/3 .*August 2023 and quarterly th… · 1 missed", out)


def test_owners_lists_each_owner_with_open_and_all_counts(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    code, out, _ = run(capsys, db_path, "owners")
    assert code == 0
    lines = out.splitlines()
    assert re.match(r"OWNER\s+OPEN\s+ALL$", lines[0])
    db = open_database(db_path)
    try:
        with db.read() as session:
            expected = owners(session)
    finally:
        db.dispose()
    assert len(lines) == len(expected) + 1
    for row in expected:
        assert re.search(rf"^{re.escape(row.label)}\s+{row.open}\s+{row.total}$", out, re.MULTILINE), row.label
    assert "Deputy Director, Probation Workforce Programme (national)" in out
    assert "Head of Performance and Quality (North West)" in out
    assert "Head of Performance and Quality (Greater Manchester)" in out


# --- changing -------------------------------------------------------------------------------------


def test_status_then_show_with_its_history(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    save_config(Config(user="jsmith"))
    code, out, err = run(capsys, db_path, "status", "gm-2023/7/1", "complete", "--note", "Evidence: QIP minutes")
    assert (code, out, err) == (0, "gm-2023/7/1: complete\n", "")
    code, out, _ = run(capsys, db_path, "show", "gm-2023/7/1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "gm-2023/7/1  [complete]"
    assert "Owners:         Head of Tameside PDU" in out
    assert "Target:         'July 2023' → due by 31 Jul 2023" in out
    history = lines[lines.index("History:") + 1:]
    assert len(history) == 1
    assert re.fullmatch(r"  \d{4}-\d\d-\d\d \d\d:\d\d jsmith: not started → complete — Evidence: QIP minutes",
                        history[0])


def test_status_words(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert run(capsys, db_path, "status", "gm-2023/7/1", "ongoing")[:2] == (0, "gm-2023/7/1: ongoing\n")
    assert run(capsys, db_path, "status", "gm-2023/7/1", "not-started")[:2] == (0, "gm-2023/7/1: not started\n")
    code, _, err = run(capsys, db_path, "status", "gm-2023/7/1", "not-started")
    assert code == 1
    one_error_line(err, "already not started")


def test_tick_note_and_undo(capsys: pytest.CaptureFixture[str], db_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "loginname")
    monkeypatch.setenv("USER", "loginname")
    assert run(capsys, db_path, "tick", "gm-2023/9/1")[:2] == (0, "gm-2023/9/1: 2023-07 ticked off\n")
    code, _, err = run(capsys, db_path, "tick", "gm-2023/9/1", "--month", "2023-06")
    assert code == 1
    one_error_line(err, "no occurrence in 2023-06")
    code, _, err = run(capsys, db_path, "tick", "gm-2023/7/1")
    assert code == 1
    one_error_line(err, "not a recurring action")
    assert run(capsys, db_path, "note", "gm-2023/9/1", "Attendance list filed")[:2] == (0, "gm-2023/9/1: note added\n")
    assert run(capsys, db_path, "status", "gm-2023/9/1", "ongoing")[0] == 0
    code, out, _ = run(capsys, db_path, "undo")
    assert (code, out) == (0, "gm-2023/9/1: undone; it is not started\n")

    code, out, _ = run(capsys, db_path, "show", "gm-2023/9/1")
    assert "Ticked off: 2023-07" in out
    history = out.splitlines()[out.splitlines().index("History:") + 1:]
    assert [re.sub(r"^  \S+ \S+ ", "", h) for h in history] == [
        "loginname: ticked off 2023-07",
        "loginname: note — Attendance list filed",
        "loginname: not started → ongoing (undone)",
        "loginname: undo: ongoing → not started",
    ]
    # undo of one action's last change, by reference: the note
    code, out, _ = run(capsys, db_path, "undo", "gm-2023/9/1")
    assert code == 0
    code, out, _ = run(capsys, db_path, "show", "gm-2023/9/1")
    assert "note (undone) — Attendance list filed" in out


# --- plan files -----------------------------------------------------------------------------------


def test_check_prints_how_each_target_was_read(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    path = sample_file("cgm-2019")
    code, out, err = run(capsys, db_path, "check", str(path))
    assert (code, err) == (0, "")
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    count = sum(len(r.get("actions", [])) for a in document["addressees"] for r in a["recommendations"])
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: plan cgm-2019, 8 recommendations, {count} actions, ")
    assert len(lines) == count + 1
    assert re.search(r"^    cgm-2019/1/1\.1 +'May 19' → due by 31 May 2019$", out, re.MULTILINE)
    assert re.search(r"^    cgm-2019/1/1\.1\.3 +'May19 – Aug 19' → May 2019 – Aug 2019, due by 31 Aug 2019$",
                     out, re.MULTILINE)
    assert re.search(r"^    cgm-2019/1/1\.1\.1 +'Completed' → complete$", out, re.MULTILINE)


def test_check_json_is_valid_json(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    files = [str(p) for p in sorted(SAMPLES.glob("*.toml"))]
    code, out, _ = run(capsys, db_path, "check", "--json", *files)
    assert code == 0
    report = json.loads(out)
    assert [entry["file"] for entry in report] == files
    assert all(entry["ok"] for entry in report)
    cgm = next(e for e in report if e["plan"] == "cgm-2019")
    first = next(a for a in cgm["actions"] if a["reference"] == "cgm-2019/1/1.1")
    assert (first["target"], first["kind"], first["deadline"], first["flagged"]) == ("May 19", "one-off",
                                                                                     "2019-05-31", False)
    assert cgm["flagged"] == sum(a["flagged"] for a in cgm["actions"])


def test_check_json_reports_a_bad_file(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[plan]\nid = 'x'\n", encoding="utf-8")
    code, out, err = run(capsys, db_path, "check", "--json", str(bad))
    assert code == 1 and err == ""
    [entry] = json.loads(out)
    assert entry["ok"] is False and entry["error"].startswith(str(bad))


def test_export_then_import_into_a_fresh_database(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    save_config(Config(user="jsmith"))
    assert run(capsys, db_path, "status", "nw-2023/1/1", "complete", "--note", "signed off")[0] == 0
    assert run(capsys, db_path, "note", "nw-2023/2/1", "chased")[0] == 0
    exported = tmp_path / "nw.toml"
    assert run(capsys, db_path, "export", "--plan", "nw-2023", "-o", str(exported)) == (0, "", "")
    fresh = tmp_path / "fresh.sqlite"
    code, out, err = run(capsys, fresh, "import", str(exported))
    assert (code, err) == (0, "")
    assert out.startswith("nw-2023: ")
    db = open_database(fresh)
    try:
        with db.read() as session:
            assert list(plan_ids(session)) == ["nw-2023"]  # an import into a new file holds just that plan
    finally:
        db.dispose()
    code, out, _ = run(capsys, fresh, "show", "nw-2023/1/1")
    assert out.startswith("nw-2023/1/1  [complete]")
    assert "jsmith: not started → complete — signed off" in out
    again = tmp_path / "again.toml"
    assert run(capsys, fresh, "export", "--plan", "nw-2023", "-o", str(again))[0] == 0
    assert again.read_text(encoding="utf-8").split("\n", 1)[1] == exported.read_text(encoding="utf-8").split("\n", 1)[1]


def test_export_of_every_plan_into_a_folder(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, out, _ = run(capsys, db_path, "export", "-o", str(folder))
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{p.stem}.toml" for p in SAMPLES.glob("*.toml"))
    assert out.count("wrote ") == len(list(folder.iterdir()))


def test_first_run_fills_the_default_database(capsys: pytest.CaptureFixture[str], private_home: Path) -> None:
    code = main(["--today", TODAY.isoformat(), "owners"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "Head of Cumbria PDU (North West)" in out
    assert (private_home / "data" / "actiontrack" / "actiontrack.sqlite").exists()


# --- failures: one line, exit 1, nothing written --------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (["show", "gm-2023/99/1"], ["no action has the reference 'gm-2023/99/1'"]),
    (["status", "nope/1/1", "complete"], ["no action has the reference 'nope/1/1'"]),
    (["note", "gm-2023/99/1", "x"], ["no action has the reference"]),
    (["due", "--owner", "Head of Nowhere PDU"], ["no owner is called 'Head of Nowhere PDU'"]),
    (["overdue", "--owner", "Head of Performance and Quality"], ["several regions", "(North West)"]),
    (["export", "--plan", "nope"], ["no plan has the id 'nope'"]),
    (["undo"], ["no change of yours to undo"]),
])
def test_errors_are_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], db_path: Path, args: list[str], words: list[str]
) -> None:
    before = dump(db_path)
    code, out, err = run(capsys, db_path, *args)
    assert code == 1
    assert out == ""
    one_error_line(err, *words)
    assert dump(db_path) == before


def test_a_bad_file_is_refused_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.toml"
    good.write_text(sample_file("nps-ne-2019").read_text(encoding="utf-8").replace(
        'id = "nps-ne-2019"', 'id = "nps-ne-2019-copy"'), encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text(encoding="utf-8").replace('kind = "region"', 'kind = "county"', 1),
                   encoding="utf-8")
    before = dump(db_path)
    code, out, err = run(capsys, db_path, "import", str(good), str(bad))
    assert (code, out) == (1, "")
    one_error_line(err, str(bad), "addressee 1", "kind", "must be one of")
    assert dump(db_path) == before
    code, _, err = run(capsys, db_path, "check", str(bad))
    assert code == 1
    one_error_line(err, str(bad))


def test_export_to_an_unusable_place_blames_that_place(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    code, _, err = run(capsys, db_path, "export", "-o", str(afile))
    assert code == 1
    one_error_line(err, str(afile))
    assert str(db_path) not in err
    code, _, err = run(capsys, db_path, "export", "-o", str(afile / "inside"))
    assert code == 1
    one_error_line(err, str(afile / "inside"))
    assert str(db_path) not in err
    code, _, err = run(capsys, db_path, "export", "--plan", "gm-2023", "-o", str(afile / "x.toml"))
    assert code == 1
    one_error_line(err, "x.toml")


def test_a_bad_date_or_month_is_a_usage_error(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(db_path), "--today", "15/09/2023", "due"])
    assert caught.value.code == 2
    assert "is not a date like 2023-09-15" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(db_path), "due", "--month", "2023-13"])
    assert caught.value.code == 2


def test_no_subcommand_with_the_screen_missing_says_so(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if tui/app.py were not installed: one line, not a traceback."""
    monkeypatch.setitem(sys.modules, "tui.app", None)
    code = main(["--db", str(db_path)])
    _, err = capsys.readouterr()
    assert code == 1
    one_error_line(err, "tui.app", "subcommands")


# --- the real entry point -------------------------------------------------------------------------


def subprocess_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               COLUMNS="160")
    return env


def test_python_m_tui_runs_the_command(db_path: Path, private_home: Path) -> None:
    sample_file("gm-2023")
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db_path), "--today", "2023-07-10",
         "due", "--owner", "Head of Tameside PDU", "--month", "2023-07"],
        capture_output=True, text=True, env=subprocess_env(private_home), cwd=private_home, timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert set(LISTED.findall(done.stdout)) == TAMESIDE_JULY
    failed = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(db_path), "show", "gm-2023/99/1"],
        capture_output=True, text=True, env=subprocess_env(private_home), cwd=private_home, timeout=60,
    )
    assert failed.returncode == 1 and failed.stdout == ""
    one_error_line(failed.stderr, "gm-2023/99/1")


def test_a_failed_import_into_a_new_file_makes_no_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fresh = tmp_path / "new.sqlite"
    code, _, err = run(capsys, fresh, "import", str(tmp_path / "missing.toml"))
    assert code == 1
    one_error_line(err, "missing.toml", "no such file")
    assert list(tmp_path.iterdir()) == []


def test_an_import_leaves_the_collector_as_it_found_it_unless_the_process_ends(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`import` runs with the garbage collector off; called in-process (not exiting) it hands it back on and
    freezes nothing, and a failed import does too."""
    import gc

    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    code, out, _ = run(capsys, tmp_path / "new.sqlite", "import", str(sample_file("gm-2023")))
    assert code == 0 and out.startswith("gm-2023: 109 added")
    code, _, _ = run(capsys, tmp_path / "other.sqlite", "import", str(tmp_path / "missing.toml"))
    assert code == 1
    # a freeze would add every live object; objects frozen by earlier tests may have died meanwhile
    assert gc.isenabled() and gc.get_freeze_count() <= frozen


@pytest.mark.parametrize("command", [["show", "gm-2023/8/3"], ["report", "--owner", "everyone", "-o", "{out}"]])
def test_a_database_holding_a_date_that_is_none_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, command: list[str]
) -> None:
    import sqlite3

    report = tmp_path / "progress.csv"
    command = [part.format(out=report) for part in command]

    conn = sqlite3.connect(db_path)
    try:  # a hand-edited file: a target's date that no version writes
        conn.execute("UPDATE action SET deadline = 'soon' WHERE reference = 'gm-2023/8/3'")
        conn.commit()
    finally:
        conn.close()
    before = db_path.read_bytes()
    code, out, err = run(capsys, db_path, *command)
    assert code == 1 and out == ""
    one_error_line(err, str(db_path))
    assert "does not know (Invalid isoformat string: 'soon')" in err
    assert db_path.read_bytes() == before and not report.exists()


def test_a_database_holding_unknown_values_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:  # values no version writes (enum names instead of values): a hand-edited or damaged file
        conn.execute("UPDATE action SET status = upper(status), target_kind = upper(replace(target_kind, '-', '_'))")
        conn.commit()
    finally:
        conn.close()
    code, out, err = run(capsys, db_path, "show", "gm-2023/7/1")
    assert code == 1 and out == ""
    one_error_line(err, str(db_path))
    assert "does not know" in err
