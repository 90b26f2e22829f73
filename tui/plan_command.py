"""The `plan` command: list the plans, close one once it is signed off, reopen it."""

from __future__ import annotations

from store.db import Database
from store.errors import StoreError
from store.text import one_line, visible


def run_plan(db: Database, what: str, plan_id: str | None, note: str, *, by: str) -> int:
    """List the plans, or close or reopen one (a history row on each of its actions); success is said after
    the commit."""
    from store import closing

    try:
        if what == "list":
            with db.read() as session:
                states = closing.plan_states(session)
            for state in states:
                line = (f"{state.id:<14} {'closed' if state.closed else 'open':<7} {state.actions:>6} actions  "
                        f"{one_line(state.title, 70)}")
                if state.closed and state.at is not None:
                    line += f"  (closed {state.at:%Y-%m-%d} by {state.by}: {one_line(state.note, 60)})"
                print(visible(line))
            return 0
        if not plan_id:
            raise StoreError(f"name the plan to {what}: actiontrack plan {what} ID "
                             "(`actiontrack plan list` lists them)")
        with db.write() as session:
            if what == "close":
                count = closing.close_plan(session, plan_id, note=note, by=by)
            else:
                count = closing.reopen_plan(session, plan_id, note=note, by=by)
        if what == "close":
            print(visible(f"{plan_id} closed: its {count} actions leave the due and overdue lists, the tree and "
                          "reports (--include-closed, or P in the screen, shows them); every record is kept"))
        else:
            print(visible(f"{plan_id} reopened: its {count} actions are back in the lists"))
        return 0
    finally:
        db.dispose()
