"""Reading plan files ahead of the writer in worker processes: same results, in order, whatever befalls a worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from helpers.plans import ONE_ACTION as _PLAN
from store import readahead
from store.db import open_database
from store.importing import import_plan_files
from store.matching import read_mapping
from store.planfile import PlanFileError, parse_toml, read_plan_file

_PARENT = os.getpid()


def _square_or_fail(n: int) -> int:
    if n == 3:
        raise ValueError("three is refused")
    return n * n


def _die_in_a_worker(n: int) -> int:
    if n == 2 and os.getpid() != _PARENT:
        os._exit(1)  # a worker killed (out of memory, say): the pool breaks
    return n * n


def _pid(n: int) -> int:
    return os.getpid()


pytestmark = pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                                reason="worker processes are forked")


def test_results_come_back_in_the_items_order_and_an_expected_error_in_its_turn() -> None:
    got = []
    with pytest.raises(ValueError, match="three is refused"):
        for value in readahead.in_order(_square_or_fail, list(range(8)), workers=2, expected=(ValueError,)):
            got.append(value)
    assert got == [0, 1, 4]


def test_the_work_runs_in_other_processes() -> None:
    pids = list(readahead.in_order(_pid, list(range(6)), workers=2, expected=()))
    assert _PARENT not in pids


def test_a_killed_worker_leaves_the_writer_to_do_the_rest_itself() -> None:
    assert list(readahead.in_order(_die_in_a_worker, list(range(10)), workers=2, expected=())) == [
        n * n for n in range(10)]




def _three_plans(folder: Path, plan: str) -> list[Path]:
    """Three plan files t-0 to t-2 of the same content in `folder`."""
    folder.mkdir(exist_ok=True)
    paths = []
    for n in range(3):
        path = folder / f"t-{n}.toml"
        path.write_text(plan.replace('id = "t-1"', f'id = "t-{n}"'), encoding="utf-8")
        paths.append(path)
    return paths


def test_a_history_time_with_an_offset_is_stored_in_utc_through_the_reading_processes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import store.importing

    monkeypatch.setattr(store.importing, "READ_AHEAD_BYTES", 0)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest may run helper threads
    paths = _three_plans(tmp_path, _PLAN)
    db = open_database(tmp_path / "db.sqlite")
    try:
        assert [r.added for r in import_plan_files(db, paths)] == [1, 1, 1]
        again = import_plan_files(db, paths)  # stored plans: validated and interpreted ahead, matched here
        assert [r.changed for r in again] == [False, False, False]
        with db.read() as session:
            stored = session.execute(text("SELECT DISTINCT at FROM change")).scalars().all()
        assert stored == ["2023-07-12 09:31:00.000000"]
    finally:
        db.dispose()


def test_the_fast_parser_reads_a_plan_as_the_reference_parser_does() -> None:
    import tomli

    assert parse_toml(_PLAN) == tomli.loads(_PLAN)


def test_a_file_the_fast_parser_refuses_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(_PLAN.replace('by = "hop"', 'by = hop'), encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"broken\.toml, line 24, column 6: TOML syntax error: invalid value"):
        read_plan_file(broken)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the reading processes through /proc")
def test_ctrl_c_during_a_large_import_stops_it_quietly_and_writes_nothing(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from store.generate import write_plan_files

    paths = write_plan_files(tmp_path / "plans", 12_000, seed=2)  # over the size that starts reading processes
    db = tmp_path / "new.sqlite"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = subprocess.Popen([sys.executable, "-m", "tui", "--db", str(db), "import", *map(str, paths)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                               start_new_session=True,  # its own process group, as a terminal gives it
                               # Ctrl-C as a terminal delivers it, even where this runs with SIGINT ignored
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        children = Path(f"/proc/{command.pid}/task/{command.pid}/children")
        deadline = time.monotonic() + 60
        while command.poll() is None and not children.read_text().split() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert command.poll() is None, "the import ended before its reading processes started"
        os.killpg(command.pid, signal.SIGINT)  # Ctrl-C: the whole group, the reading processes included
        _, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
    assert command.returncode == 130
    assert err == ""  # no traceback from any process
    assert not db.exists() and not list(tmp_path.glob(".new.sqlite*"))


_REVISED = _PLAN.replace('kind = "pdu"', 'kind = "pdu"\nrating = "Good"') + """
[[addressees.recommendations.actions.history]]
at = 2023-08-01T09:00:00Z
by = "hop"
change = "status"
from = "complete"
to = "ongoing"
note = "Reopened: the register was incomplete"

[[addressees.recommendations.actions]]
text = "Audit the training register."
owners = ["Head of Wigan PDU", "Business Manager"]
target = "December 2023"
"""


def _rows(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("plan", "addressee", "recommendation", "action", "change", "actionowner", "owner",
                              "occurrence", "checkpoint")}
    finally:
        conn.close()


def test_a_revision_merged_through_the_reading_processes_writes_what_the_writer_alone_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import store.importing

    monkeypatch.setattr("threading.active_count", lambda: 1)  # pytest may run helper threads
    originals, revised = _three_plans(tmp_path / "first", _PLAN), _three_plans(tmp_path / "revised", _REVISED)
    results = {}
    for run, read_ahead in (("alone", False), ("ahead", True)):
        monkeypatch.setattr(store.importing, "READ_AHEAD_BYTES", 0 if read_ahead else 1 << 40)
        db = open_database(tmp_path / f"{run}.sqlite")
        try:
            import_plan_files(db, originals)
            results[run] = [r.summary() for r in import_plan_files(db, revised)]
        finally:
            db.dispose()
    assert results["ahead"] == results["alone"] == [
        f"t-{n}: 1 added, 0 updated, 1 unchanged, 1 history events added, 1 statuses or ticks moved by history"
        for n in range(3)]
    assert _rows(tmp_path / "ahead.sqlite") == _rows(tmp_path / "alone.sqlite")


def test_a_reworded_action_met_by_a_reading_process_stops_the_import_until_its_mapping_is_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import store.importing
    from store.importing import UncertainImport

    monkeypatch.setattr("threading.active_count", lambda: 1)
    monkeypatch.setattr(store.importing, "READ_AHEAD_BYTES", 0)
    paths = _three_plans(tmp_path, _PLAN)
    db = open_database(tmp_path / "db.sqlite")
    try:
        import_plan_files(db, paths)
        before = _rows(tmp_path / "db.sqlite")
        paths[1].write_text(paths[1].read_text(encoding="utf-8").replace("Deliver training.", "Deliver the training."),
                            encoding="utf-8")
        uncertain = r"t-1\.toml: 1 stored action cannot be matched with certainty"
        with pytest.raises(UncertainImport, match=uncertain) as caught:
            import_plan_files(db, paths)
        assert _rows(tmp_path / "db.sqlite") == before
        proposal = tmp_path / "t-1.mapping.toml"  # the user confirms the proposal: the reworded action is 1/1
        proposal.write_text(caught.value.mapping(caught.value.changes[0]), encoding="utf-8")
        results = import_plan_files(db, paths, mappings=[read_mapping(proposal)])
        assert [r.summary() for r in results][1] == "t-1: 0 added, 1 updated, 0 unchanged"
    finally:
        db.dispose()


def test_a_validated_plan_file_pickles_for_the_writer_with_its_history_times(tmp_path: Path) -> None:
    import pickle
    from datetime import UTC, datetime

    path = tmp_path / "t-1.toml"
    path.write_text(_PLAN, encoding="utf-8")
    plan = read_plan_file(path)  # rtoml's own offset type cannot be pickled as it is
    again = pickle.loads(pickle.dumps(plan))
    assert again == plan
    [entry] = again.addressees[0].recommendations[0].actions[0].history
    assert entry.at == datetime(2023, 7, 12, 9, 31, tzinfo=UTC) and entry.at.utcoffset() is not None
    assert entry.at.isoformat() == "2023-07-12T10:31:00+01:00"
