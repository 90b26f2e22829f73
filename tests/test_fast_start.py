"""The screen's start without the import cost: a database file at the current schema shows its first view
read through store.fastread, and sqlmodel is imported only after that view is painted (before any write).
The first screen is the one the full start shows."""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import select
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.strip import Strip

from helpers.screen import TODAY, press, screen_lines, settle
from store import fastread
from store.config import Config
from tui import app as app_module
from tui.app import YOUNG_PASS, prepare_app
from tui.loading import DeferredDatabase
from tui.widgets.due_panel import DuePanel
from tui.widgets.plan_tree import PlanTree

TAMESIDE = "Head of Tameside PDU (Greater Manchester)"
ROOT = Path(__file__).resolve().parent.parent
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\|\x1b[@-Z\\-_]")


def _fast_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the fast path opened for reading, in order (the real reader runs)."""
    opened: list[Path] = []
    real = fastread.reading

    def counted(path: Path):  # type: ignore[no-untyped-def]
        opened.append(path)
        return real(path)

    monkeypatch.setattr(fastread, "reading", counted)
    return opened


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["wide", "laptop"])
@pytest.mark.parametrize("owner", [TAMESIDE, "everyone"])
async def test_the_fast_first_screen_is_the_full_starts(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        size: tuple[int, int], owner: str) -> None:
    opened = _fast_reads(monkeypatch)
    app = prepare_app(db_path=db_path, today=TODAY, owner=owner, theme=None, config=Config())
    assert isinstance(app.db, DeferredDatabase)
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            fast = app.export_screenshot()
            fast_lines = screen_lines(app)
            assert app.db.is_open  # opened once the first view was shown
    finally:
        app.db.dispose()
    assert opened and set(opened) == {db_path}  # find_owner, the tree, the due panel (and the detail, wide)

    monkeypatch.setattr(app_module, "_deferred", lambda path: None)  # the full start, through sqlmodel
    full_app = prepare_app(db_path=db_path, today=TODAY, owner=owner, theme=None, config=Config())
    assert not isinstance(full_app.db, DeferredDatabase)
    try:
        async with full_app.run_test(size=size) as pilot:
            await settle(pilot)
            assert screen_lines(full_app) == fast_lines
            assert full_app.export_screenshot() == fast
    finally:
        full_app.db.dispose()
    if owner == TAMESIDE:
        assert "6 due in Sep 2023" in fast_lines[0] and "· 10 overdue" in fast_lines[0]
        assert any(re.search(r"Greater Manchester\s+\d+/\d+", line) for line in fast_lines)


async def test_a_key_after_a_fast_start_is_written_with_its_history(db_path: Path) -> None:
    app = prepare_app(db_path=db_path, today=TODAY, owner=TAMESIDE, theme=None, config=Config())
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await press(pilot, "down", "down", "down", "c")
            lines = "\n".join(screen_lines(app))
    finally:
        app.db.dispose()
    conn = sqlite3.connect(db_path)
    try:
        action, kind, to = conn.execute(
            "SELECT a.reference, c.kind, c.to_status FROM change c JOIN action a ON a.id = c.action_id "
            "ORDER BY c.id DESC LIMIT 1").fetchone()
        status = conn.execute("SELECT status FROM action WHERE reference = ?", (action,)).fetchone()[0]
    finally:
        conn.close()
    assert (kind, to, status) == ("status", "complete", "complete")
    assert "● complete" in lines


def test_a_file_the_fast_path_cannot_read_starts_the_full_way(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=DELETE")  # the full open puts it in WAL mode
    conn.close()
    app = prepare_app(db_path=db_path, today=TODAY, owner=TAMESIDE, theme=None, config=Config())
    try:
        assert not isinstance(app.db, DeferredDatabase)
    finally:
        app.db.dispose()


# what the first view shows once painted: the owner's due panel and region
FIRST_VIEW = (r"Due in September 2023 · \d+", r"Greater Manchester\s+\d+/\d+")
PROBE = """\\
import re, sys, threading
log = open(sys.argv[1], "a", buffering=1)
lock = threading.Lock()
def say(line):
    with lock:
        log.write(line + "\\n")
def hook(event, args):
    if event == "import" and args[0] in ("sqlalchemy", "sqlmodel", "pydantic"):
        say(args[0])
sys.addaudithook(hook)
# what the screen writes to the terminal passes through here: "painted" is logged, in order with the imports, once
# the first view's markers have been written (not when the test's process next reads them)
ANSI = re.compile(ANSI_PATTERN)
MARKERS = [re.compile(marker) for marker in FIRST_VIEW]
class Terminal:
    def __init__(self, file):
        self._file, self._written, self._painted = file, [], False
    def write(self, text):
        done = self._file.write(text)
        if not self._painted:
            self._written.append(text)
            shown = ANSI.sub("", "".join(self._written))
            if all(m.search(shown) for m in MARKERS):
                self._painted = True
                self._file.flush()
                say("painted")
        return done
    def __getattr__(self, name):
        return getattr(self._file, name)
sys.__stderr__ = Terminal(sys.__stderr__)
from tui.cli import main
sys.exit(main(sys.argv[2:]))
""".replace("ANSI_PATTERN", repr(_ANSI.pattern)).replace("FIRST_VIEW", repr(FIRST_VIEW))


def test_the_real_start_paints_before_it_imports_sqlmodel(db_path: Path, tmp_path: Path) -> None:
    """`actiontrack` in a terminal (a pty, 160x48): the owner's tree and due panel are on the screen before
    SQLAlchemy, sqlmodel or pydantic is imported; sqlmodel follows after the paint."""
    probe, log = tmp_path / "probe.py", tmp_path / "imports.log"
    probe.write_text(PROBE, encoding="utf-8")
    log.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color", LANG="C.UTF-8")
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    proc = subprocess.Popen([sys.executable, str(probe), str(log), "--db", str(db_path), "--today", "2023-09-15",
                             "--owner", TAMESIDE], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            start_new_session=True)
    os.close(slave)
    raw = bytearray()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "sqlmodel" not in log.read_text(encoding="utf-8").split():
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    raw += os.read(master, 1 << 16)
                except OSError:
                    break
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    events = log.read_text(encoding="utf-8").split()
    assert "painted" in events, _ANSI.sub("", raw.decode("utf-8", "replace"))[-1500:]
    imported_at_paint = events[:events.index("painted")]  # in the order the probe saw them happen
    assert imported_at_paint == []
    assert "sqlmodel" in log.read_text(encoding="utf-8").split()  # loaded after the paint, in a worker



FIRST_SCREEN_PROBE = """\
import asyncio, json, sys
from datetime import date
from pathlib import Path
from store.config import Config
from tui.app import prepare_app

async def main() -> None:
    app = prepare_app(db_path=Path(sys.argv[1]), today=date(2023, 9, 15), owner=sys.argv[2], theme=None,
                      config=Config())
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            for _ in range(200):
                await pilot.pause(0.05)
                if app.db.is_open:  # opened once the first view was shown
                    break
            print(json.dumps({"shown": app.db.is_open, "modules": sorted(sys.modules)}))
    finally:
        app.db.dispose()

asyncio.run(main())
"""
# The screens and widgets a key opens, none of them on the first screen: the note's editor (Textual's TextArea)
# alone is more of the start than the rest of our screen's modules.
NOT_ON_THE_FIRST_SCREEN = ("tui.screens.note", "tui.screens.revise", "tui.screens.help", "tui.screens.owner_picker",
                           "textual.widgets._text_area")


def test_the_first_screen_loads_no_screen_a_key_opens(db_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", FIRST_SCREEN_PROBE, str(db_path), TAMESIDE], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["shown"]
    assert [m for m in NOT_ON_THE_FIRST_SCREEN if m in found["modules"]] == []


async def test_the_first_view_is_on_the_tree_when_it_is_first_painted(db_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The owner's first view is read as the screen starts (not in a worker beside its first layout): the tree's
    first paint already shows it, and the due panel's first paint its lists."""
    first: dict[str, int] = {}
    tree_lines, due_lines = PlanTree.render_lines, DuePanel.render_lines

    def tree_painted(tree: PlanTree, crop: Region) -> list[Strip]:
        first.setdefault("tree", len(tree.items))
        return tree_lines(tree, crop)

    def due_painted(due: DuePanel, crop: Region) -> list[Strip]:
        first.setdefault("due", due.option_count)
        return due_lines(due, crop)

    monkeypatch.setattr(PlanTree, "render_lines", tree_painted)
    monkeypatch.setattr(DuePanel, "render_lines", due_painted)
    app = prepare_app(db_path=db_path, today=TODAY, owner=TAMESIDE, theme=None, config=Config())
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            shown = len(app.screen.query_one(PlanTree).items), app.screen.query_one(DuePanel).option_count
    finally:
        app.db.dispose()
    assert shown[0] > 0 and shown[1] > 0
    assert (first["tree"], first["due"]) == shown


@pytest.mark.parametrize("owner", [TAMESIDE, None], ids=["owner named", "owner asked for"])
async def test_the_collector_off_for_the_start_is_on_once_the_first_view_is_shown(db_path: Path,
                                                                                   owner: str | None) -> None:
    """The screen starts with the garbage collector off (`run_app`); once its first view is shown the collector is
    on again, with its steady threshold, also when the start asks whose actions to show."""
    app = prepare_app(db_path=db_path, today=TODAY, owner=owner, theme=None, config=Config())
    gc.disable()  # as run_app starts the screen
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            assert gc.isenabled()
            assert gc.get_threshold()[0] == YOUNG_PASS
    finally:
        gc.enable()
        app.db.dispose()
