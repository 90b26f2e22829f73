"""The status key's write as the screen makes it, N times in one process, for counting instructions under valgrind.

    valgrind --tool=cachegrind --cache-sim=no python bench/write_instructions.py DB N [--code CHECKOUT]

Each write is one transaction: `set_status` between not started and ongoing, the action read back in the write's
own transaction (`tui.loading.load_after_change`), the commit. Run it with N writes and with none, on fresh
copies of the database: the difference over N is one write's instructions. With `--code`, another checkout's
store (e.g. `git archive main`) is counted.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

OWNER = "Head of Tameside PDU (Greater Manchester)"
TODAY = date(2023, 9, 15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("writes", type=int)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    from sqlalchemy import select

    from store import commands
    from store.db import open_database
    from store.models import Action, ActionOwner
    from store.queries import View, find_owner
    from store.targets import Status
    from tui.loading import load_after_change

    db = open_database(args.db)
    with db.read() as session:
        owner = find_owner(session, OWNER)
        action_id = session.execute(
            select(Action.id).join(ActionOwner, ActionOwner.action_id == Action.id)
            .where(ActionOwner.owner_id == owner.id, Action.status == "not_started")
            .order_by(Action.id).limit(1)).scalar_one()
    view, month = View(owner_id=owner.id), TODAY.replace(day=1)
    for i in range(args.writes):
        with db.write() as session:
            commands.set_status(session, action_id, (Status.ONGOING, Status.NOT_STARTED)[i % 2], by="bench")
            load_after_change(session, view, TODAY, month, action_id, counts=False)
        db.data_version()
    db.dispose()


if __name__ == "__main__":
    main()
