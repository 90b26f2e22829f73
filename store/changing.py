"""The steps every change of an action takes, in the caller's write session: lock and load the action,
move its version on (a change made on a stale view, an `expected_version` that no longer holds, is refused,
never written over a newer one), check its note, and write its history row with where it was made."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from store.db import rows_affected
from store.errors import REFUSED, NotFoundError, RefusedError, StaleError, StoreError
from store.models import Action, Change, ChangeKind

MAX_NOTE = 10_000
STALE = "this action was changed elsewhere since it was shown; nothing was written, look again"


def bump(session: Session, action_id: int, expected_version: int | None, **values: object) -> None:
    """Move the action's version on (and set values), refusing a stale expected version."""
    query = update(Action).where(col(Action.id) == action_id)
    if expected_version is not None:
        query = query.where(col(Action.version) == expected_version)
    changed = rows_affected(session, query.values(version=col(Action.version) + 1, **values))
    if not changed:
        # The row is there (it was just read): either its version moved on, or a shared server's
        # row-level security hid it from this login's update.
        now = session.execute(select(col(Action.version)).where(col(Action.id) == action_id)).scalar()
        if expected_version is None or now == expected_version:
            raise RefusedError(REFUSED)
        raise StaleError(STALE)


def load_action(session: Session, action_id: int, expected_version: int | None = None) -> Action:
    """The action, its row locked, refusing a stale expected version or a withdrawn action."""
    # Lock the row before reading what the change starts from (a server runs writers side by side;
    # SQLite, one writer at a time, ignores FOR UPDATE).
    action = session.get(Action, action_id, with_for_update=True, populate_existing=True)
    if action is None:
        if session.execute(select(col(Action.id)).where(col(Action.id) == action_id)).first() is not None:
            raise RefusedError(REFUSED)  # a server's row-level security keeps this login from locking it
        raise NotFoundError(f"no action with id {action_id}")
    if expected_version is not None and action.version != expected_version:  # what was shown is out of date
        raise StaleError(STALE)
    if action.withdrawn:
        raise StoreError(f"{action.reference} was withdrawn from its plan and cannot be changed")
    return action


def record(session: Session, action: Action, kind: ChangeKind, by: str, **values: Any) -> Change:
    """Write the change's history row, now, by `by`, with where it was made."""
    change = Change(action_id=action.id, at=datetime.now(UTC), by=by, kind=kind,  # type: ignore[arg-type]
                    origin=event_origin(session), **values)
    session.add(change)
    session.flush()
    return change


def event_origin(session: Session) -> str:
    """Where events written in this write session are made (store.db.Database.origin)."""
    return str(session.connection().get_execution_options().get("origin", ""))


def checked_note(note: str) -> str:
    """The note as stored (trimmed), refusing one too long."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise StoreError(f"a note holds at most {MAX_NOTE:,} characters")
    return note
