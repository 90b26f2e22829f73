"""A writer for the two-writers and crash tests: status changes in a loop, one transaction each.

After each commit it reports `REFERENCE CHANGE_ID STATUS` on one line: a change so reported is
"saved" and must be in the database afterwards, whatever happens to this process next.

    python tests/helpers/writer.py DB COUNT SEED [GO_FILE]

With GO_FILE it opens the database, prints `ready`, and starts once GO_FILE exists, so that two
writers really run at the same time.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[2]))  # the project, when run as a script

from sqlalchemy import select  # noqa: E402

from store import commands  # noqa: E402
from store.db import open_database  # noqa: E402
from store.models import Action  # noqa: E402
from store.targets import Status  # noqa: E402

# A few actions shared by every writer, so that they contend for the same rows.
ACTIONS = 12


def target_ids(db_path: Path) -> list[int]:
    """The ids of the actions the writers change: the first ACTIONS ones, not withdrawn."""
    db = open_database(db_path)
    try:
        with db.read() as session:
            query = select(Action.id).where(Action.withdrawn.is_(False)).order_by(Action.id).limit(ACTIONS)
            return [int(i) for i in session.execute(query).scalars()]
    finally:
        db.dispose()


def change_statuses(db_path: Path, count: int, seed: int, by: str, report: Callable[[str], None],
                    go: Path | None = None, pause: float = 0.0) -> int:
    """Make `count` status changes (ongoing ⇄ complete) on random shared actions; report each after commit."""
    rng = random.Random(seed)
    ids = target_ids(db_path)
    db = open_database(db_path)
    done = 0
    try:
        if go is not None:
            report("ready")
            while not go.exists():
                time.sleep(0.005)
        while count < 0 or done < count:
            action_id = rng.choice(ids)
            with db.write() as session:
                action = session.get(Action, action_id)
                assert action is not None
                new = Status.ONGOING if action.status == Status.COMPLETE else Status.COMPLETE
                change = commands.set_status(session, action_id, new, by=by, expected_version=action.version)
                line = f"{action.reference} {change.id} {new.value}"
            report(line)  # only now, after the commit: "reported as saved"
            done += 1
            if pause:
                time.sleep(rng.uniform(0, pause))  # a moment between changes, as a person or screen would
    finally:
        db.dispose()
    return done


def report_to_fd(fd: int) -> Callable[[str], None]:
    """Report lines with one write(2) each, so a kill never leaves half a line."""

    def report(line: str) -> None:
        os.write(fd, (line + "\n").encode())

    return report


def forked_writer(db_path: str, seed: int, pipe: Connection) -> None:
    """The crash test's child: write until killed, reporting each saved change down `pipe`."""

    def report(line: str) -> None:
        pipe.send_bytes(line.encode())  # one write(2) each: a kill never leaves half a message

    change_statuses(Path(db_path), -1, seed, f"crash-{seed}", report)


def main(argv: list[str]) -> int:
    db_path, count, seed = Path(argv[0]), int(argv[1]), int(argv[2])
    go = Path(argv[3]) if len(argv) > 3 else None
    done = change_statuses(db_path, count, seed, f"writer-{seed}", report_to_fd(sys.stdout.fileno()), go,
                           pause=0.002)
    return 0 if done == count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
