"""Revising an action's target with a reason: the original stays in the history, the action follows
the revision, and undo puts the target back.

A typed revision is stored as an imported one is: the target read by the same reader into the same
columns (`Reading.columns`), its checkpoints replaced, and one `target` history row with the target
before and after and the reason as its note.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlmodel import Session, col

from store.changing import bump, checked_note, load_action, record
from store.errors import StaleError, StoreError
from store.interpreting import Reading
from store.models import Action, Change, ChangeKind, Checkpoint, Plan
from store.reads import revisions_of
from store.rows import Revision
from store.text import one_line

MAX_TARGET = 200


def written_on(session: Session, action_id: int) -> date | None:
    """When the action's plan was written (submitted, else published): undated recurring targets start there."""
    found = session.execute(select(col(Plan.plan_submitted), col(Plan.report_published))
                            .join(Action, col(Action.plan_id) == col(Plan.id))
                            .where(col(Action.id) == action_id)).first()
    return (found[0] or found[1]) if found else None


def read_new_target(written: str, plan_written_on: date | None) -> Reading:
    """A new target as the reader reads it, or StoreError saying why it cannot be used."""
    written = " ".join(written.split())
    if not written:
        raise StoreError("the new target is empty; write it as a plan would (e.g. 'March 2025')")
    if len(written) > MAX_TARGET:
        raise StoreError(f"a target holds at most {MAX_TARGET} characters")
    reading = Reading.of(written, plan_written_on)
    if reading.target.flagged:
        raise StoreError(f"the target {written!r} cannot be read as a date; write it as a plan would "
                         "(e.g. 'March 2025', 'monthly from July 2023')")
    return reading


def _set_target(session: Session, action: Action, written: str, reading: Reading,
                expected_version: int | None) -> None:
    action_id = action.id or 0
    bump(session, action_id, expected_version, **reading.columns(written))
    session.execute(delete(Checkpoint).where(col(Checkpoint.action_id) == action_id))
    if reading.target.checkpoints:
        session.execute(insert(Checkpoint), [{"action_id": action_id, "due": due}
                                             for due in reading.target.checkpoints])
    session.refresh(action)


def revise_target(session: Session, action_id: int, written: str, *, reason: str, by: str,
                  expected_version: int | None = None) -> Change:
    """Revise the action's target, with the reason required, and its `target` history row."""
    action = load_action(session, action_id)
    reason = checked_note(reason)
    if not reason:
        raise StoreError("a revised target needs a reason (--reason): why the date moved")
    written = " ".join(written.split())
    reading = read_new_target(written, written_on(session, action.id or 0))
    before = action.target
    if before == written:
        raise StoreError(f"{action.reference}'s target is already {one_line(written, 60)!r}")
    _set_target(session, action, written, reading, expected_version)
    return record(session, action, ChangeKind.TARGET, by, from_target=before, to_target=written, note=reason)


def undo_revision(session: Session, action: Action, change: Change, by: str) -> Change:
    """Put back the target a revision replaced, with an undo row."""
    if change.from_target is None or change.to_target is None:
        raise StoreError(f"{action.reference}: that revision does not record the target before it; revise it instead")
    if action.target != change.to_target:
        raise StaleError(f"{action.reference}'s target was changed again since; nothing was undone")
    reading = Reading.of(change.from_target, written_on(session, action.id or 0))
    _set_target(session, action, change.from_target, reading, None)
    return record(session, action, ChangeKind.UNDO, by, from_target=change.to_target, to_target=change.from_target,
                   undoes_id=change.id)


def revision_of(session: Session, action: Action) -> Revision:
    """The action's original target and its standing revisions (undone ones left out)."""
    return revisions(session, [action.id or 0]).get(action.id or 0, Revision(action.target))


def revisions_query(action_ids: Any) -> Select[int, str | None, str | None, str]:
    """The standing target changes (not undone) of the actions among `action_ids` (a list, a select of ids
    or a parameter), in order of action and change."""
    # an undo is a change of the same action: looking among those actions' changes only keeps this
    # query to the actions asked for (over every change it took 100 ms at 100k actions, on every key)
    undone = select(col(Change.undoes_id)).where(col(Change.undoes_id).is_not(None),
                                                 col(Change.action_id).in_(action_ids))
    return (select(col(Change.action_id), col(Change.from_target), col(Change.to_target), col(Change.note))
            .where(col(Change.kind) == ChangeKind.TARGET, col(Change.id).not_in(undone),
                   col(Change.action_id).in_(action_ids))
            .order_by(col(Change.action_id), col(Change.id)))


def revisions(session: Session, action_ids: Select[Any] | list[int]) -> dict[int, Revision]:
    """The Revision of each revised action among `action_ids` (a list, or a select of ids)."""
    return revisions_of(session.execute(revisions_query(action_ids)))
