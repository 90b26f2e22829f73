"""The steps every change of an action takes, in the caller's write session: lock and load the action,
move its version on (a change made on a stale view, an `expected_version` that no longer holds, is refused,
never written over a newer one), check its note, and write its history row with where it was made."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Insert, Select, Update, bindparam, insert, select, update
from sqlmodel import Session, col

from store.errors import REFUSED, NotFoundError, RefusedError, StaleError, StoreError
from store.kinds import Status
from store.models import Action, Change, ChangeKind

MAX_NOTE = 10_000
STALE = "this action was changed elsewhere since it was shown; nothing was written, look again"


def bump(session: Session, action_id: int, expected_version: int | None, **values: object) -> None:
    """Move the action's version on (and set values), refusing a stale expected version."""
    query = _bump_query(tuple(values), expected_version is not None)
    params = {"action_id": action_id, "expected_version": expected_version,
              **{f"new_{name}": value for name, value in values.items()}}
    # Core, not the ORM's update: an Action the session holds is expired instead (read again when next used)
    changed = session.connection().execute(query, params).rowcount
    held = session.identity_map.get(session.identity_key(Action, action_id))
    if held is not None:
        session.expire(held)
    if not changed:
        # The row is there (it was just read): either its version moved on, or a shared server's
        # row-level security hid it from this login's update.
        now = session.execute(select(col(Action.version)).where(col(Action.id) == action_id)).scalar()
        if expected_version is None or now == expected_version:
            raise RefusedError(REFUSED)
        raise StaleError(STALE)


@cache
def _bump_query(columns: tuple[str, ...], expected: bool) -> Update:
    """The statement `bump` runs to set these columns (`expected`: only at the expected version), built once."""
    query = update(Action).where(col(Action.id) == bindparam("action_id"))
    if expected:
        query = query.where(col(Action.version) == bindparam("expected_version"))
    return query.values(version=col(Action.version) + 1, **{name: bindparam(f"new_{name}") for name in columns})


class Locked(NamedTuple):
    """What a change of status starts from: the action's row as locked (see `lock_action`)."""

    id: int
    reference: str
    status: Status
    version: int
    withdrawn: bool


def load_action(session: Session, action_id: int, expected_version: int | None = None) -> Action:
    """The action, its row locked, refusing a stale expected version or a withdrawn action."""
    # Lock the row before reading what the change starts from (a server runs writers side by side;
    # SQLite, one writer at a time, ignores FOR UPDATE).
    action = session.get(Action, action_id, with_for_update=True, populate_existing=True)
    if action is None:
        raise _missing(session, action_id)
    _refuse_stale_or_withdrawn(action, expected_version)
    return action


def lock_action(session: Session, action_id: int, expected_version: int | None = None) -> Locked:
    """As `load_action`, for a change that writes the action's row with `bump` alone: its reference, status,
    version and withdrawal, read as plain columns (no ORM object to load, and none to refresh after)."""
    row = session.connection().execute(_lock_query(), {"action_id": action_id}).first()
    if row is None:
        raise _missing(session, action_id)
    locked = Locked(row.id or 0, row.reference, row.status, row.version, row.withdrawn)
    _refuse_stale_or_withdrawn(locked, expected_version)
    return locked


@cache
def _lock_query() -> Select[int | None, str, Status, int, bool]:
    """The statement `lock_action` runs, built once."""
    return (select(col(Action.id), col(Action.reference), col(Action.status), col(Action.version),
                   col(Action.withdrawn))
            .where(col(Action.id) == bindparam("action_id")).with_for_update())


def _missing(session: Session, action_id: int) -> StoreError:
    """Why the action's row could not be locked: a server's row-level security, or no such action."""
    if session.execute(select(col(Action.id)).where(col(Action.id) == action_id)).first() is not None:
        return RefusedError(REFUSED)  # a server's row-level security keeps this login from locking it
    return NotFoundError(f"no action with id {action_id}")


def _refuse_stale_or_withdrawn(action: Action | Locked, expected_version: int | None) -> None:
    if expected_version is not None and action.version != expected_version:  # what was shown is out of date
        raise StaleError(STALE)
    if action.withdrawn:
        raise StoreError(f"{action.reference} was withdrawn from its plan and cannot be changed")


def record(session: Session, action: Action | Locked, kind: ChangeKind, by: str, **values: Any) -> Change:
    """Write the change's history row, now, by `by`, with where it was made; the row as written, with its id.

    The row's defaults (its uid among them) are the model's; it is written with one INSERT, after what the
    session holds pending (e.g. an occurrence ticked off), without the ORM's unit of work."""
    change = Change(action_id=action.id, at=datetime.now(UTC), by=by, kind=kind,  # type: ignore[arg-type]
                    origin=event_origin(session), **values)
    session.flush()
    written = {key: getattr(change, key) for key in _change_columns()}
    inserted = session.connection().execute(_insert_change(), written).inserted_primary_key
    assert inserted is not None  # an INSERT of one row
    change.id = inserted[0]
    return change


@cache
def _change_columns() -> tuple[str, ...]:
    """The columns `record` writes: all but the id, which the database gives."""
    return tuple(column.key for column in Change.__table__.columns if column.key != "id")  # type: ignore[attr-defined]


@cache
def _insert_change() -> Insert:
    """The statement `record` runs, built once (building it and its cache key cost more than SQLite's insert)."""
    return insert(Change.__table__)  # type: ignore[attr-defined]


def event_origin(session: Session) -> str:
    """Where events written in this write session are made (store.db.Database.origin)."""
    return str(session.connection().get_execution_options().get("origin", ""))


def checked_note(note: str) -> str:
    """The note as stored (trimmed), refusing one too long."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise StoreError(f"a note holds at most {MAX_NOTE:,} characters")
    return note
