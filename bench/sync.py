"""The sync benchmark: a laptop's first sync with an empty regional server, and a sync with nothing to do.

    python bench/sync.py                 # 100,000 actions, medians of 3 first syncs and 5 no-op syncs
    python bench/sync.py --actions 10000 --runs 1

It makes the synthetic data set straight into a laptop database (`actiontrack generate --db`), starts a
PostgreSQL server of its own in a temporary folder on a loopback port (as the tests do: initdb and
pg_ctl, Debian's or on PATH), and times `store.sync.sync` in this process, from a fresh server database
and a fresh copy of the laptop each run. The floor of the first sync is moving the same rows and nothing
else: every row of the laptop's plan tables read with sqlite3 and sent by COPY into bare copies of the
server's tables (no keys, indexes or triggers), in the same run; the floor of a no-op sync is one round
trip to the server. Results go to bench/out/sync.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


TABLES = ("owner", "plan", "addressee", "recommendation", "action", "actionowner", "checkpoint", "occurrence",
          "change")


def copy_floor(laptop: Path, url: str) -> float:
    """Seconds to read every row of the laptop's plan tables and COPY them into bare tables on the server."""
    import sqlite3

    import psycopg

    from store.server import open_server

    open_server(url).dispose()  # the schema, to copy the tables' shape from
    source = sqlite3.connect(laptop)
    try:
        with psycopg.connect(url) as conn:
            cursor = conn.cursor()
            columns = {}
            for table in TABLES:
                cursor.execute(f'CREATE TABLE "bare_{table}" (LIKE "{table}")')
                columns[table] = ", ".join(f'"{row[1]}"' for row in source.execute(f'PRAGMA table_info("{table}")'))
            started = time.perf_counter()
            for table in TABLES:
                with cursor.copy(f'COPY "bare_{table}" ({columns[table]}) FROM STDIN') as copy:
                    for row in source.execute(f'SELECT {columns[table]} FROM "{table}"'):
                        copy.write_row(row)
            conn.commit()
            return time.perf_counter() - started
    finally:
        source.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from helpers import pgserver  # the tests' own throw-away server

    from store.db import open_database
    from store.server import open_server
    from store.sync import sync

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    laptop = out / f"laptop-{args.actions}.sqlite"
    if not laptop.exists():
        subprocess.run([sys.executable, "-m", "tui", "generate", "--actions", str(args.actions), "--seed", "1",
                        "--db", str(laptop)], check=True, cwd=ROOT)
    server = pgserver.start_server()
    if isinstance(server, str):
        print(f"cannot run: {server}")
        return 1
    work = Path(tempfile.mkdtemp(prefix="actiontrack-bench-"))
    firsts: list[float] = []
    noops: list[float] = []
    floors: list[float] = []
    try:
        for run in range(args.runs):
            copy = work / f"laptop-{run}.sqlite"
            shutil.copyfile(laptop, copy)
            local, remote = open_database(copy), open_server(server.url(server.new_database()))
            started = time.perf_counter()
            result = sync(local, remote, by="bench")
            firsts.append(time.perf_counter() - started)
            print(f"first sync {firsts[-1]:.2f} s: {result.summary()}")
            for _ in range(5):
                started = time.perf_counter()
                nothing = sync(local, remote, by="bench")
                noops.append(time.perf_counter() - started)
                assert (nothing.events_sent, nothing.events_received, nothing.plans_sent) == (0, 0, 0)
            with remote.engine.connect() as conn:
                for _ in range(5):
                    started = time.perf_counter()
                    conn.exec_driver_sql("SELECT 1").scalar()
                    floors.append(time.perf_counter() - started)
            local.dispose()
            remote.dispose()
        copies = [copy_floor(laptop, server.url(server.new_database())) for _ in range(args.runs)]
    finally:
        pgserver.remove(server)
        shutil.rmtree(work, ignore_errors=True)
    first, noop = statistics.median(firsts), statistics.median(noops)
    floor_first, floor_noop = statistics.median(copies), statistics.median(floors)
    table = "\n".join([
        f"| measure ({args.actions:,} actions; median of {args.runs} / {len(noops)}) | figure | floor | ratio | target | met |",
        "|---|---|---|---|---|---|",
        f"| first sync of the laptop, empty server (floor: the same rows read and sent by COPY into bare tables) | "
        f"{first:.2f} s | {floor_first:.2f} s | {first / floor_first:.2f}× | ≤ 30 s | {'yes' if first <= 30 else 'NO'} |",
        f"| sync with nothing to do (floor: one round trip to the server) | {noop * 1000:.1f} ms | "
        f"{floor_noop * 1000:.2f} ms | {noop / floor_noop:.0f}× | ≤ 1 s | {'yes' if noop <= 1 else 'NO'} |",
    ])
    (out / "sync.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
