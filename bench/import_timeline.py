"""A timeline of one `actiontrack import`: each process's busy spans, from the command's start to its end.

    python bench/import_timeline.py DB FILE... [--code CHECKOUT] [--json OUT]

DB must not exist (an import into a new database, as the benchmark's). It runs the command line as
`actiontrack --db DB import FILE...` does, in this process, with the store's reading-ahead and writing
functions wrapped to note the time (CLOCK_MONOTONIC, the same in every process) at which each starts and
ends: in each reading process, the preparing of each file; in the importing process, its wait for each
prepared file, the writing of each plan, the tail after the last plan (indexes, ANALYZE) and the commit.
It prints the spans' sums per process, the idle time of each, and the command's start-up (from this
script's start to the reading processes' fork). With `--code`, another checkout's code is timed.
"""

from __future__ import annotations

import time

T0 = time.monotonic()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

_LOG: int | None = None  # the file every process appends its spans to (one line each)


def _note(kind: str, start: float, end: float, what: str = "") -> None:
    assert _LOG is not None
    line = json.dumps({"pid": os.getpid(), "kind": kind, "start": start - T0, "end": end - T0, "what": what,
                       "cpu": time.process_time()})
    os.write(_LOG, (line + "\n").encode())


def _wrap(module: Any, name: str, kind: str, what: Any = None) -> None:
    original = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            return original(*args, **kwargs)
        finally:
            _note(kind, start, time.monotonic(), "" if what is None else str(what(*args)))

    timed.__qualname__, timed.__module__ = original.__qualname__, original.__module__  # pickled by name
    setattr(module, name, timed)


def _instrument() -> None:
    """Wrap the reading-ahead functions now, and the writer's once store.importing is loaded (at the fork:
    wrapping it earlier would load it, and SQLAlchemy, before the command does)."""
    from store import readahead

    _wrap(readahead, "_run", "prepare", lambda work, expected, item: Path(item).name)
    in_order = readahead.in_order

    def timed_in_order(*args: Any, **kwargs: Any) -> Any:
        _note("fork", time.monotonic(), time.monotonic())
        importing = sys.modules["store.importing"]
        _wrap(importing, "_written", "write", lambda path, write: Path(path).name)
        _wrap(importing, "_refresh_statistics", "analyze")
        results = in_order(*args, **kwargs)
        while True:
            start = time.monotonic()
            try:
                result = next(results)
            except StopIteration:
                _note("wait", start, time.monotonic(), "end")
                return
            _note("wait", start, time.monotonic())
            yield result

    readahead.in_order = timed_in_order


def main() -> None:
    global _LOG
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--json", type=Path, help="write every span here")
    args = parser.parse_args()
    if args.db.exists():
        raise SystemExit(f"{args.db} exists: the timeline is of an import into a new database")
    sys.path.insert(0, str(args.code))
    log = tempfile.NamedTemporaryFile(prefix="timeline-", suffix=".jsonl", delete=False)
    _LOG = os.open(log.name, os.O_WRONLY | os.O_APPEND)
    _instrument()
    from tui.entry import main as command

    sys.argv = ["actiontrack", "--db", str(args.db), "import", *map(str, args.files)]
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        code = command()
    end = time.monotonic() - T0
    spans = [json.loads(line) for line in Path(log.name).read_text().splitlines()]
    os.unlink(log.name)
    if args.json:
        args.json.write_text(json.dumps(spans))
    _report(spans, end, code)


def _report(spans: list[dict[str, Any]], end: float, code: int) -> None:
    writer = os.getpid()
    fork = next((s["start"] for s in spans if s["kind"] == "fork"), None)
    print(f"exit {code}; wall {end:.2f} s; start-up (script start to fork) "
          + (f"{fork:.2f} s" if fork is not None else "no reading processes"))
    readers = sorted({s["pid"] for s in spans if s["pid"] != writer})  # the reading processes
    for pid in readers:
        mine = [s for s in spans if s["pid"] == pid]
        busy = sum(s["end"] - s["start"] for s in mine)
        first, last = min(s["start"] for s in mine), max(s["end"] for s in mine)
        print(f"reader {pid}: {len(mine)} files, busy {busy:.2f} s from {first:.2f} to {last:.2f} s "
              f"(idle {last - first - busy:.2f} s between), CPU {max(s['cpu'] for s in mine):.2f} s")
    own = [s for s in spans if s["pid"] == writer]
    for kind in ("wait", "write", "analyze"):
        mine = [s for s in own if s["kind"] == kind]
        if mine:
            print(f"writer {kind}: {sum(s['end'] - s['start'] for s in mine):.2f} s in {len(mine)} spans, "
                  f"{min(s['start'] for s in mine):.2f} to {max(s['end'] for s in mine):.2f} s")
    last_write = max((s["end"] for s in own if s["kind"] == "write"), default=0.0)
    last_read = max((s["end"] for s in spans if s["pid"] != writer), default=0.0)
    analyze = next((s["start"] for s in own if s["kind"] == "analyze"), end)
    print(f"last file prepared at {last_read:.2f} s, last plan written at {last_write:.2f} s; after it: indexes "
          f"{analyze - last_write:.2f} s, the rest (ANALYZE, commit, rename, exit) {end - analyze:.2f} s; "
          f"writer CPU {time.process_time():.2f} s")


if __name__ == "__main__":
    main()
