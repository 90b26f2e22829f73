"""The benchmark: national-scale data sets, every figure of issue 6 beside its floor, medians of N runs.

    python bench/run.py                 # 10k and 100k actions, 5 runs each (under 10 minutes on 2 cores)
    python bench/run.py --sizes 1000 --runs 3    # a quick look

It generates the data sets with `actiontrack generate` (seed 1), imports them with `actiontrack import`,
then measures the app in a pseudo-terminal (160x48) and with Textual's Pilot, the CLI, the store's
queries, and the floors: a bare Textual app painting one label (with and without sqlmodel), a bare
key press repainted, a bare sqlite3 query, `python -c "import sqlmodel"`, and parsing the plan files.
The table is printed and written to bench/out/results.md (and .json).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import platform
import re
import select
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

TODAY = date(2023, 9, 15)
OWNER = "Head of Tameside PDU (Greater Manchester)"
OTHER = "Head of Performance and Quality (Greater Manchester)"
PTY_SIZE = (160, 48)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\|\x1b[@-Z\\-_]")


# --- running things ------------------------------------------------------------------------------

REPORT_FORMATS = ("csv", "md", "html", "xlsx")  # csv first: the xlsx floor writes its cells


def _env(tmp: Path) -> dict[str, str]:
    """The environment of every child: the repo on the path, config and data kept out of the user's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color", COLORTERM="truecolor", LANG="C.UTF-8",
               XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"), PYTHONDONTWRITEBYTECODE="")
    return env


def _actiontrack() -> list[str]:
    """The installed `actiontrack` command beside this Python, else `python -m tui` (the same entry point)."""
    script = Path(sys.executable).parent / "actiontrack"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def run_timed(argv: Sequence[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak memory (KiB) and stdout of one command; it must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv[:6])} ... failed:\n{err.decode(errors='replace')[-2000:]}")
    return took, usage.ru_maxrss, out.decode(errors="replace")


REPORT_FLOORS = {"csv": "sqlite3 + csv module: the action rows to a file",
                 "xlsx": "rustpy-xlsxwriter writing the csv report's cells, read beforehand"}


def report_floor(fmt: str, db_path: Path, out: Path, size: int, env: dict[str, str]) -> float:
    """Seconds of a report's floor: for xlsx, the xlsx library's own time for the cells of the csv report written just
    before (`bench/xlsx_floor.py`); for the others, the action rows read with sqlite3 and written with the csv
    module (`bench/report_floor.py`)."""
    if fmt == "xlsx":
        printed = run_timed([sys.executable, str(BENCH / "xlsx_floor.py"), str(out / f"report-{size}.csv"),
                             str(out / f"report-floor-{size}.xlsx")], env)[2]
        return float(printed.split()[-1])
    return run_timed([sys.executable, str(BENCH / "report_floor.py"), str(db_path),
                      str(out / f"report-floor-{size}.csv")], env)[0]


def time_to_paint(argv: Sequence[str], markers: Sequence[str], env: dict[str, str],
                  timeout: float = 120.0) -> tuple[float, int]:
    """Seconds from start until the screen shows every marker (regexes), and peak memory (KiB), in a pty."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", PTY_SIZE[1], PTY_SIZE[0], 0, 0))
    patterns = [re.compile(m) for m in markers]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            start_new_session=True)
    os.close(slave)
    raw = bytearray()
    took: float | None = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break  # the app exited
            if not chunk:
                break
            raw += chunk
            screen = _ANSI.sub("", raw.decode("utf-8", "replace"))
            if all(p.search(screen) for p in patterns):
                took = time.perf_counter() - start
                break
    finally:
        proc.kill()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        os.close(master)
    if took is None:
        tail = _ANSI.sub("", raw.decode("utf-8", "replace"))[-1500:]
        raise SystemExit(f"bench: {' '.join(argv)} never showed {markers}; the screen ended with:\n{tail}")
    return took, usage.ru_maxrss


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --- the data sets -------------------------------------------------------------------------------

def _generator_hash() -> str:
    digest = hashlib.sha256()
    for name in ("store/generate.py", "store/targets.py"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def build_plans(out: Path, size: int, seed: int, env: dict[str, str]) -> tuple[list[Path], float | None]:
    """The data set's plan files (reused when the generator, size and seed are unchanged)."""
    folder = out / f"plans-{size}-seed{seed}"
    stamp = folder / ".generated"
    if stamp.exists() and stamp.read_text() == _generator_hash():
        return sorted(folder.glob("*.toml")), None
    shutil.rmtree(folder, ignore_errors=True)
    took, _, _ = run_timed([*_actiontrack(), "generate", "--actions", str(size), "--seed", str(seed),
                            "-o", str(folder)], env)
    stamp.write_text(_generator_hash())
    return sorted(folder.glob("*.toml")), took


# --- the table -----------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the table: a figure per size, its floor per size, and the target."""

    name: str
    unit: str  # "s", "ms" or "MB"
    target: str = ""
    limit: Callable[[float, float | None], bool] | None = None  # (figure, floor) -> met
    values: dict[int, list[float] | str] = field(default_factory=dict)
    floors: dict[int, list[float]] = field(default_factory=dict)
    floor_name: str = ""

    def figure(self, size: int) -> float | None:
        found = self.values.get(size)
        return median(found) if isinstance(found, list) and found else None

    def floor(self, size: int) -> float | None:
        found = self.floors.get(size)
        return median(found) if found else None


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        if value < 0.001:
            return f"{value * 1e6:.0f} µs"
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} s"


def render(rows: list[Row], sizes: list[int], runs: int, notes: list[str]) -> str:
    head = ["measure (median of %d)" % runs]
    for size in sizes:
        head += [f"{size // 1000}k" if size >= 1000 else str(size), "floor", "ratio"]
    head += ["target", "met at %s" % (f"{max(sizes) // 1000}k" if max(sizes) >= 1000 else max(sizes))]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [f"{row.name}" + (f" (floor: {row.floor_name})" if row.floor_name else "")]
        for size in sizes:
            value = row.values.get(size)
            if isinstance(value, str):
                cells += [value, "", ""]
                continue
            fig, flo = row.figure(size), row.floor(size)
            cells += [_fmt(fig, row.unit), _fmt(flo, row.unit),
                      f"{fig / flo:.2f}×" if fig is not None and flo else ""]
        big = max(sizes)
        fig, flo = row.figure(big), row.floor(big)
        met = "" if row.limit is None or fig is None else ("yes" if row.limit(fig, flo) else "NO")
        cells += [row.target, met]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + ("\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "")


# --- measurements --------------------------------------------------------------------------------

def measure_queries(db_path: Path, runs: int, label: str, other_label: str) -> dict[str, list[float]]:
    """The store queries the screen and the CLI make, in process, for the chosen owner and for everyone,
    and the store's share of the in-app operations."""
    from store.db import open_database
    from store import reads
    from store.queries import (View, addressees, actions, due_in_month, find_owner, overdue, owners,
                               recommendations, regions, runner, view_tree)

    db = open_database(db_path, read_only=True)
    found: dict[str, list[float]] = {}

    def clock(name: str, fn: Callable[[], Any]) -> Any:
        result = None
        times = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        found[name] = times[1:]  # the first run warms SQLite's page cache and SQLAlchemy's statement cache
        return result

    with db.read() as s:
        owner = find_owner(s, label)
        mine, everyone = View(owner_id=owner.id), View()
        own_regions = clock("regions (owner)", lambda: regions(s, mine, TODAY))
        region = max(own_regions, key=lambda r: r.progress.total).region
        adds = clock("addressees (owner)", lambda: addressees(s, mine, region, TODAY))
        addressee = max(adds, key=lambda a: a.progress.total).id
        recs = clock("recommendations (owner)", lambda: recommendations(s, mine, addressee, TODAY))
        rec = max(recs, key=lambda r: r.progress.total).id
        clock("actions (owner)", lambda: actions(s, mine, rec, TODAY))
        clock("due_in_month (owner)", lambda: due_in_month(s, TODAY.year, TODAY.month, TODAY, owner.id))
        clock("overdue (owner)", lambda: overdue(s, TODAY, owner.id))
        all_regions = clock("regions (everyone)", lambda: regions(s, everyone, TODAY))
        clock("regions (everyone, only overdue)", lambda: regions(s, View(when="overdue"), TODAY))
        clock("region classes (everyone: every status and date filter's regions, one read)",
              lambda: reads.region_classes(runner(s), TODAY))
        biggest = max(all_regions, key=lambda r: r.progress.total).region
        clock("addressees (everyone, largest region)", lambda: addressees(s, everyone, biggest, TODAY))
        clock("due_in_month (everyone)", lambda: due_in_month(s, TODAY.year, TODAY.month, TODAY, None))
        clock("overdue (everyone)", lambda: overdue(s, TODAY, None))
        clock("owners", lambda: owners(s))
        clock("find_owner", lambda: find_owner(s, label))
        clock("view_tree (owner, whole tree in 4 queries)", lambda: view_tree(s, mine, TODAY))
        other = find_owner(s, other_label)
        theirs = View(owner_id=other.id)
        # As the screen loads a view: whole when small (view_tree), else its regions; and the due panel.
        clock("store side of an owner switch (tree + due + overdue)", lambda: (
            view_tree(s, theirs, TODAY) if other.total <= 400 else regions(s, theirs, TODAY),
            due_in_month(s, TODAY.year, TODAY.month, TODAY, other.id), overdue(s, TODAY, other.id)))
        action_id = next((r.id for r in [*due_in_month(s, TODAY.year, TODAY.month, TODAY, owner.id),
                                          *overdue(s, TODAY, owner.id)] if r.status == "not_started"), None)
    db.dispose()
    if action_id is None:
        return found

    # A status key, store side, as the screen's write runs it (`_queue` in tui/screens/main.py): the write, then
    # what the screen shows again read in the same transaction, then the commit with its fsync. Between not
    # started and ongoing (the in-app key's) no count and no due-panel listing moves: the action alone is read
    # again; to or from complete, its branches' counts and the due lists too.
    from store.commands import set_status
    from store.targets import Status
    from tui.loading import load_after_change

    db = open_database(db_path)
    month = TODAY.replace(day=1)

    def status_key(steps: list[Status], counts: bool) -> Callable[[], None]:
        flips = iter(steps * (runs + 2))

        def change() -> None:
            with db.write() as s:
                set_status(s, action_id, next(flips), by="bench")
                load_after_change(s, mine, TODAY, month, action_id, counts=counts)

        clock(f"store side of a status key {'to or from complete' if counts else 'between not started and ongoing'} "
              "(write, read again in its transaction, commit)", change)
        return change

    for steps, counts in (([Status.ONGOING, Status.NOT_STARTED], False), ([Status.COMPLETE, Status.NOT_STARTED], True)):
        change = status_key(steps, counts)
        if (runs + 1) % 2:
            change()  # leave the action as it was
    db.dispose()
    return found


# --- in-app keys: the app and the floor of the same widgets, p50 and p95, at two screen sizes ------------

APP_SIZES = ("160x48", "80x24")  # the wide layout (tree, detail and due panel side by side) and a laptop's
SAME_WIDGETS = "same widgets, no database"
KEYS = {  # key: what it is, target (seconds) at 100k
    "status": ("status key → committed → repainted", 0.030),
    "owner": ("switch owner (chosen → tree + due repainted)", 0.100),
    "month": ("due panel one month on", 0.050),
    "expand_own": ("expand the owner's region", 0.050),
    "expand_all": ("expand the largest region (everyone)", 0.050),
    "picker": ("open the owner picker (lists every owner)", 0.100),
    "picker_many": ("open the owner picker over 3,000+ owners", 0.100),
    "filter_many": ("a letter typed in its filter (3,000+ owners)", 0.100),
    "status_unfrozen": ("status key, gc.freeze() undone (its effect)", None),
}


def run_app_session(db_path: Path, owner: str, other: str, runs: int, screen: str,
                    env: dict[str, str]) -> dict[str, Any]:
    """bench/app_session.py on a copy of the database (its status keys write history): the app's keys and
    the same keys on the floor of the same widgets, at one screen size."""
    copy = db_path.with_name(f"{db_path.stem}-keys.sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db_path, copy)
    took, kb, printed = run_timed([sys.executable, str(BENCH / "app_session.py"), str(copy), "--owner", owner,
                                   "--other", other, "--today", TODAY.isoformat(), "--runs", str(runs),
                                   "--size", screen], env)
    copy.unlink(missing_ok=True)
    found: dict[str, Any] = json.loads(printed.strip().splitlines()[-1])
    found["maxrss_kb"] = kb
    return found


def note_app_session(session: dict[str, Any], size: int, owner: str, other: str, rows: dict[str, Row],
                     notes: list[str]) -> None:
    """Put the wide screen's in-app medians in the main table, beside the same-widgets floor."""
    if "unavailable" in session:
        for key in ("owner", "status", "month", "expand_own", "expand_all", "picker", "mem_session"):
            rows[key].values[size] = "n/a (app not yet available)"
        notes.append(f"{size}: in-app timings unavailable: {session['unavailable']}")
        return
    for key in ("owner", "status", "month", "expand_own", "expand_all", "picker"):
        rows[key].values[size] = session[key]
        rows[key].floors[size] = session["floor"][key]
    rows["mem_session"].values[size] = [session["maxrss_kb"] / 1024]
    notes.append(f"{size}: owner {owner!r}, switching to {other!r}; largest region {session['regions']['biggest']} "
                 f"({session['regions']['biggest_total']} actions)")


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def render_keys(sessions: dict[tuple[int, str], dict[str, Any]], bare: list[float] | None) -> str:
    """The keys at each data set and screen size: p50 and p95 of the app and of the same-widgets floor,
    their ratio, and the bare-Textual key floor."""
    head = ["key (data set, screen)", "presses", "p50", "p95", "floor p50", "floor p95", "ratio p50",
            "ratio p95", "bare key p50", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    bare_p50 = _fmt(median(bare), "ms") if bare else "—"
    for (size, screen), session in sorted(sessions.items(), key=lambda kv: (kv[0][0], APP_SIZES.index(kv[0][1]))):
        if "unavailable" in session:
            lines.append(f"| {size // 1000}k, {screen}: unavailable ({session['unavailable']}) |" + " |" * 10)
            continue
        for key, (title, target) in KEYS.items():
            app, floor = session.get(key), session["floor"].get(key)
            if not app or not floor:
                continue
            cells = [f"{title} ({size // 1000}k, {screen})", str(len(app)),
                     _fmt(median(app), "ms"), _fmt(p95(app), "ms"), _fmt(median(floor), "ms"),
                     _fmt(p95(floor), "ms"), f"{median(app) / median(floor):.2f}×", f"{p95(app) / p95(floor):.2f}×",
                     bare_p50, f"≤ {target * 1000:.0f} ms" if target else "",
                     ("yes" if median(app) <= target else "NO") if target else ""]
            lines.append("| " + " | ".join(cells) + " |")
    return ("In-app keys, each from the key to the settled repaint (bench/app_session.py): the app, and the same "
            f"keys on a floor of the same widgets at the same sizes fed without a database ({SAME_WIDGETS}); "
            "the bare key floor is one label repainted. The status keys are pressed in the app and on its floor in turn, "
            "press by press, both running.\n\n" + "\n".join(lines))


def pick_owners(db_path: Path) -> tuple[str, str]:
    """The owner the benchmark follows (OWNER when the data set has it, else Greater Manchester's busiest
    Head of PDU) and the one it switches to (OTHER, else the busiest owner)."""
    from store.db import open_database
    from store.queries import owners

    db = open_database(db_path, read_only=True)
    with db.read() as s:
        everyone = owners(s)
    db.dispose()
    labels = [o.label for o in everyone]
    heads = [o.label for o in everyone if re.fullmatch(r"Head of .+ PDU \(Greater Manchester\)", o.label)]
    owner = OWNER if OWNER in labels else (heads or labels)[0]
    other = OTHER if OTHER in labels else next(label for label in labels if label != owner)
    return owner, other


def bare_sqlite_query(db_path: Path, runs: int, owner: str) -> list[float]:
    """The floor of a store query: plain sqlite3, one indexed lookup returning a few rows."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    name, region = owner.rsplit(" (", 1)
    owner_id = conn.execute("SELECT id FROM owner WHERE name = ? AND region = ?",
                            (name, region.rstrip(")"))).fetchone()[0]
    sql = ("SELECT a.id, a.reference, a.text, a.status, a.target FROM action AS a "
           "JOIN actionowner AS o ON o.action_id = a.id WHERE o.owner_id = ? AND a.deadline BETWEEN ? AND ?")
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        conn.execute(sql, (owner_id, "2023-09-01", "2023-09-30")).fetchall()
        times.append(time.perf_counter() - start)
    conn.close()
    return times[1:]


def parse_floor(paths: list[Path], runs: int, *, reference: bool = False) -> list[float]:
    """The floor of an import: reading and parsing the TOML files with the import's parser, no validation,
    no database (`reference`: with tomli, the parser that words a failing file's error)."""
    from store import planfile

    loads = planfile.tomllib.loads if reference else planfile.parse_toml
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for path in paths:
            loads(path.read_text(encoding="utf-8"))
        times.append(time.perf_counter() - start)
    return times


# --- the CLI against taskwarrior --------------------------------------------------------------------

TASKWARRIOR_SIZE = 10_000


def cli_rows() -> dict[str, Row]:
    """The CLI's rows: `due --owner` against taskwarrior's nearest list in the same run, and the import
    the CLI's read path no longer pays."""
    under_task = lambda fig, flo: fig <= 0.1 and flo is not None and fig < flo  # noqa: E731
    return {
        "cli_due": Row("CLI due --owner", "s", "≤ 0.1 s and faster than taskwarrior", under_task,
                       floor_name=f"taskwarrior 2.6: task due.before:eom list, {TASKWARRIOR_SIZE // 1000}k tasks"),
        "cli_import": Row('python -c "import sqlmodel" (what the CLI\'s read path no longer imports)', "s"),
    }


def _tag(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")


def taskwarrior_tasks(db_path: Path) -> list[dict[str, Any]]:
    """Every action in force of a data set as a taskwarrior task: its text, its plan as the project, its
    owners as tags, its deadline as the due date, complete as completed (with an end date)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        owners: dict[int, list[str]] = {}
        for action_id, name, region in conn.execute(
                "SELECT l.action_id, o.name, o.region FROM actionowner l JOIN owner o ON o.id = l.owner_id"):
            owners.setdefault(action_id, []).append(_tag(f"{name} {region}"))
        rows = conn.execute("SELECT id, plan_id, text, status, deadline FROM action WHERE withdrawn = 0").fetchall()
    finally:
        conn.close()
    tasks = []
    for action_id, plan_id, text, status, deadline in rows:
        task: dict[str, Any] = {"description": " ".join(text.split())[:200], "project": plan_id,
                                "tags": owners.get(action_id, []), "entry": "20230101T000000Z",
                                "status": "completed" if status == "complete" else "pending"}
        if deadline:
            task["due"] = deadline.replace("-", "") + "T000000Z"
        if status == "complete":
            task["end"] = "20230601T000000Z"
        tasks.append(task)
    return tasks


def taskwarrior(out: Path, tmp: Path, seed: int, env: dict[str, str]) -> tuple[list[str] | None, str]:
    """taskwarrior's `due.before:eom list` over the 10k data set's actions as tasks (its data in a temporary
    folder), and a note saying what was compared; no command where taskwarrior is not installed."""
    task = shutil.which("task")
    if task is None:
        return None, "taskwarrior is not installed here (Debian: apt-get install taskwarrior): its row is empty"
    paths, _ = build_plans(out, TASKWARRIOR_SIZE, seed, env)
    source = out / f"bench-{TASKWARRIOR_SIZE}.sqlite"
    if not source.exists():
        run_timed([*_actiontrack(), "--db", str(source), "import", *map(str, paths)], env)
    home = tmp / "taskwarrior"
    (home / "data").mkdir(parents=True, exist_ok=True)
    (home / "taskrc").write_text("", encoding="utf-8")
    tasks = taskwarrior_tasks(source)
    (home / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    argv = [task, f"rc:{home / 'taskrc'}", f"rc.data.location={home / 'data'}", "rc.confirmation=off",
            "rc.verbose=nothing", "rc.hooks=off", "rc.gc=off"]
    run_timed([*argv, "import", str(home / "tasks.json")], env)
    _, _, listed = run_timed([*argv, "due.before:eom", "list"], env)
    version = run_timed([task, "--version"], env)[2].strip()
    said = (f"taskwarrior {version}: `task due.before:eom list` over {len(tasks)} tasks made from the "
            f"{TASKWARRIOR_SIZE} data set's actions (plan as project, owners as tags, deadlines as due dates), "
            f"data in a temporary folder; it lists {len(listed.splitlines())} lines")
    return [*argv, "due.before:eom", "list"], said


def measure_cli(rows: dict[str, Row], size: int, base: list[str], owner: str, task_argv: list[str] | None,
                env: dict[str, str], runs: int) -> None:
    """`actiontrack due --owner OWNER`, taskwarrior's list and `import sqlmodel`, each in turn in every run,
    so that all three meet the same machine."""
    figures, task_times, imports = [], [], []
    for _ in range(runs):
        figures.append(run_timed([*base, "due", "--owner", owner], env)[0])
        if task_argv is not None:
            task_times.append(run_timed(task_argv, env)[0])
        imports.append(run_timed([sys.executable, "-c", "import sqlmodel"], env)[0])
    rows["cli_due"].values[size] = figures
    if task_times:
        rows["cli_due"].floors[size] = task_times
    rows["cli_import"].values[size] = imports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="data set sizes in actions (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5; medians are printed)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="where data sets and results go")
    parser.add_argument("--skip", default="", help="comma-separated: import,merge,paint,cli,report,queries,app,floors")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = args.runs
    skip = set(filter(None, args.skip.split(",")))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="actiontrack-bench-"))
    env = _env(tmp)
    began = time.perf_counter()
    cmd = _actiontrack()
    notes: list[str] = []

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f}s] {text}", file=sys.stderr, flush=True)

    ceiling = lambda k: (lambda fig, flo: flo is not None and fig <= k * flo)  # noqa: E731
    under = lambda limit: (lambda fig, flo: fig <= limit)  # noqa: E731
    rows = {
        "import": Row("import (actiontrack import, new db)", "s", "≤ 10 s", under(10.0),
                      floor_name="parse the TOML only, rtoml"),
        "parse_tomli": Row("for comparison: parse the plan files with tomli", "s"),
        "paint": Row("start → first paint: owner's tree + due panel", "s", "≤ 1.0× floor", ceiling(1.0),
                     floor_name="bare Textual + sqlmodel, one label"),
        "paint_bare": Row("bare Textual app, one label (floor of floors)", "s"),
        "owner": Row("switch owner (chosen → tree + due repainted)", "ms", "≤ 100 ms", under(0.100),
                     floor_name=SAME_WIDGETS),
        "status": Row("status key → committed → repainted", "ms", "≤ 30 ms", under(0.030),
                      floor_name=SAME_WIDGETS),
        "month": Row("due panel one month on", "ms", "≤ 50 ms", under(0.050), floor_name=SAME_WIDGETS),
        "expand_own": Row("expand the owner's region", "ms", "≤ 50 ms", under(0.050),
                          floor_name=SAME_WIDGETS),
        "expand_all": Row("expand the largest region (everyone)", "ms", "≤ 50 ms", under(0.050),
                          floor_name=SAME_WIDGETS),
        "picker": Row("open the owner picker (lists every owner)", "ms", "≤ 100 ms", under(0.100),
                      floor_name=SAME_WIDGETS),
        **cli_rows(),
        "mem_app": Row("peak memory: app at first paint", "MB", "≤ 200 MB", under(200),
                       floor_name="bare Textual + sqlmodel"),
        "mem_session": Row("peak memory: app session (Pilot, all of the above)", "MB", "≤ 200 MB", under(200)),
        "mem_import": Row("peak memory: import", "MB", "≤ 200 MB", under(200)),
        "merge": Row("merge an export of every plan into the database holding them", "s", "≤ 15 s", under(15.0),
                     floor_name="parse the export's TOML only, rtoml"),
        "mem_merge": Row("peak memory: merge", "MB", "≤ 200 MB", under(200)),
        **{f"report_{fmt}": Row(f"report of everyone, {fmt} (actiontrack report -o FILE)", "s", "≤ 10 s", under(10.0),
                                floor_name=REPORT_FLOORS.get(fmt, REPORT_FLOORS["csv"]))
           for fmt in REPORT_FORMATS},
        **{f"mem_report_{fmt}": Row(f"peak memory: report of everyone, {fmt}", "MB", "≤ 300 MB", under(300))
           for fmt in REPORT_FORMATS},
    }
    query_rows: dict[str, Row] = {}
    task_argv: list[str] | None = None
    sessions: dict[tuple[int, str], dict[str, Any]] = {}  # the in-app timings by data set and screen size

    # Floors that do not depend on the data.
    floors: dict[str, list[float]] = {}
    if "floors" not in skip:
        say("floors: bare Textual app in a pty; bare key press (sqlmodel floors run beside each figure)")
        floors["paint_bare"] = [time_to_paint([sys.executable, str(BENCH / "floor_app.py")], ["floor painted"],
                                              env)[0] for _ in range(runs)]
        _, _, keyed = run_timed([sys.executable, str(BENCH / "floor_app.py"), "--pilot", str(runs)], env)
        floors["key"] = json.loads(keyed)

    for size in sizes:
        paths, generated = build_plans(out, size, args.seed, env)
        say(f"{size} actions: {len(paths)} plan files" + (f", generated in {generated:.1f} s" if generated else
                                                           " (reused: generator unchanged)"))
        db_path = out / f"bench-{size}.sqlite"
        if "import" not in skip or not db_path.exists():
            times, mems = [], []
            for i in range(runs if "import" not in skip else 1):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db_path}{suffix}").unlink(missing_ok=True)
                took, kb, printed = run_timed([*cmd, "--db", str(db_path), "import", *map(str, paths)], env)
                times.append(took)
                mems.append(kb / 1024)
                say(f"  import {i + 1}: {took:.2f} s, {kb / 1024:.0f} MB")
            if "import" not in skip:
                rows["import"].values[size] = times
                rows["mem_import"].values[size] = mems
                rows["import"].floors[size] = parse_floor(paths, runs)
                rows["parse_tomli"].values[size] = parse_floor(paths, runs, reference=True)
        if "merge" not in skip:
            exported = out / f"export-{size}"
            shutil.rmtree(exported, ignore_errors=True)
            run_timed([*cmd, "--db", str(db_path), "export", "-o", str(exported)], env)
            export_paths = sorted(exported.glob("*.toml"))
            merged = out / f"bench-{size}-merge.sqlite"
            times, mems = [], []
            for i in range(runs):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{merged}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(db_path, merged)  # the database holding the same plans
                took, kb, printed = run_timed([*cmd, "--db", str(merged), "import", *map(str, export_paths)], env)
                times.append(took)
                mems.append(kb / 1024)
                say(f"  merge {i + 1}: {took:.2f} s, {kb / 1024:.0f} MB")
            rows["merge"].values[size] = times
            rows["mem_merge"].values[size] = mems
            rows["merge"].floors[size] = parse_floor(export_paths, runs)
        owner, other = pick_owners(db_path)
        if "floors" not in skip:
            rows["paint_bare"].values[size] = floors["paint_bare"]

        if "paint" not in skip:
            say("  app start to first paint, in a pty")
            region = owner.rsplit("(", 1)[1].rstrip(")")
            markers = [rf"Due in {TODAY:%B %Y} · \d+", rf"{re.escape(region)}\s+\d+/\d+"]
            found, floor_found = [], []
            for _ in range(runs):  # figure and floor in turn, so that both meet the same machine
                found.append(time_to_paint([*cmd, "--db", str(db_path), "--today", TODAY.isoformat(),
                                            "--owner", owner], markers, env))
                floor_found.append(time_to_paint([sys.executable, str(BENCH / "floor_app.py"), "--sqlmodel"],
                                                 ["floor painted"], env))
            rows["paint"].values[size] = [t for t, _ in found]
            rows["mem_app"].values[size] = [kb / 1024 for _, kb in found]
            rows["paint"].floors[size] = [t for t, _ in floor_found]
            rows["mem_app"].floors[size] = [kb / 1024 for _, kb in floor_found]

        if "cli" not in skip:
            if size == sizes[0] and task_argv is None:
                say(f"  taskwarrior: {TASKWARRIOR_SIZE} tasks of the {TASKWARRIOR_SIZE} data set's shape")
                task_argv, said = taskwarrior(out, tmp, args.seed, env)
                notes.append(said)
            say("  CLI due --owner (in turn with taskwarrior and python -c 'import sqlmodel')")
            measure_cli(rows, size, [*cmd, "--db", str(db_path), "--today", TODAY.isoformat()], owner, task_argv,
                        env, runs)

        if "report" not in skip:
            for fmt in REPORT_FORMATS:
                say(f"  report of everyone as {fmt}")
                target = out / f"report-{size}.{fmt}"
                measured, floor_times = [], []
                for _ in range(runs):  # in turn with the floor, so both meet the same machine
                    measured.append(run_timed([*cmd, "--db", str(db_path), "--today", TODAY.isoformat(), "report",
                                               "--owner", "everyone", "-o", str(target)], env))
                    floor_times.append(report_floor(fmt, db_path, out, size, env))
                rows[f"report_{fmt}"].values[size] = [took for took, _, _ in measured]
                rows[f"report_{fmt}"].floors[size] = floor_times
                rows[f"mem_report_{fmt}"].values[size] = [kb / 1024 for _, kb, _ in measured]

        if "queries" not in skip:
            say("  store queries")
            floor = bare_sqlite_query(db_path, runs, owner)
            for name, times in measure_queries(db_path, runs, owner, other).items():
                row = query_rows.setdefault(name, Row(f"query: {name}", "ms", floor_name="bare sqlite3 query"))
                row.values[size] = times
                row.floors[size] = floor

        if "app" not in skip:
            for screen_size in APP_SIZES:
                say(f"  in-app timings (Pilot, {screen_size}), then the same keys on the floor of the same widgets")
                sessions[(size, screen_size)] = run_app_session(db_path, owner, other, runs, screen_size, env)
            note_app_session(sessions[(size, APP_SIZES[0])], size, owner, other, rows, notes)

    total = time.perf_counter() - began
    from store import planfile

    notes.append(f"machine: {platform.node() or 'unknown'}, {os.cpu_count()} cores, "
                 f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
                 f"TOML parser {'rtoml' if planfile.rtoml else planfile.tomllib.__name__}; today {TODAY}; "
                 f"benchmark took {total:.0f} s")
    table = render([*rows.values(), *query_rows.values()], sizes, runs, notes)
    if sessions:
        table += "\n\n" + render_keys(sessions, floors.get("key"))
    print(table)
    (out / "results.md").write_text(table + "\n", encoding="utf-8")
    (out / "results.json").write_text(json.dumps(
        {**{r.name: {"values": r.values, "floors": r.floors} for r in [*rows.values(), *query_rows.values()]},
         "keys": {f"{size} {screen}": found for (size, screen), found in sessions.items()}},
        indent=1), encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
