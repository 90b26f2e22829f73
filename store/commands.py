"""Changing an action: status, ticking off an occurrence, notes, undo (revising a target: store.revising).

Each command runs inside the caller's write session (one transaction) and writes the change and
its history row together, by the steps of store.changing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from store.changing import bump, checked_note, load_action, lock_action, record
from store.errors import StaleError, StoreError
from store.models import Action, Change, ChangeKind, Checkpoint, Occurrence
from store.months import Month, occurs
from store.reads import no_such_reference
from store.targets import Status


def find_action(session: Session, reference: str) -> Action:
    """The action with this reference (e.g. gm-2023/6/2), or NotFoundError."""
    action: Action | None = session.execute(
        select(Action).where(col(Action.reference) == reference.strip())).scalar_one_or_none()
    if action is None:
        raise no_such_reference(reference)
    return action


def set_status(
    session: Session, action_id: int, status: Status, *, by: str, note: str = "",
    expected_version: int | None = None,
) -> Change:
    """Set an action not started / ongoing / complete, with its history row."""
    action = lock_action(session, action_id, expected_version)
    status = Status(status)
    if action.status == status:
        raise StoreError(f"{action.reference} is already {status.replace('_', ' ')}")
    note = checked_note(note)
    bump(session, action_id, expected_version, status=status)
    return record(session, action, ChangeKind.STATUS, by, from_status=action.status, to_status=status, note=note)


def _has_checkpoint(session: Session, action_id: int, month: Month) -> bool:
    due = col(Checkpoint.due)
    query = select(due).where(col(Checkpoint.action_id) == action_id, due >= month.first, due <= month.last)
    return session.execute(query.limit(1)).first() is not None


def tick_occurrence(
    session: Session, action_id: int, period: str, *, by: str, note: str = "",
    expected_version: int | None = None,
) -> Change:
    """Tick off one month's occurrence of a recurring action, or a checkpoint of its target that falls
    in that month (the action goes on)."""
    action = load_action(session, action_id, expected_version)
    try:
        month = Month.parse(period)
    except ValueError as exc:
        raise StoreError(str(exc)) from None
    period = month.period
    recurring = occurs(action.start_month, action.every_months, month.index)
    if not recurring and not _has_checkpoint(session, action_id, month):
        checkpoints = [Month.of(d).period for d in session.execute(
            select(col(Checkpoint.due)).where(col(Checkpoint.action_id) == action_id)
            .order_by(col(Checkpoint.due))).scalars()]
        if action.every_months is None and not checkpoints:
            raise StoreError(f"{action.reference} is not a recurring action and has no checkpoint; "
                             "mark it complete instead")
        if action.every_months is None:
            raise StoreError(f"{action.reference} has no checkpoint in {period} (its checkpoints: "
                             f"{', '.join(checkpoints)})")
        raise StoreError(f"{action.reference} has no occurrence in {period}")
    row = session.get(Occurrence, (action_id, period))
    if row is not None and row.done:
        raise StoreError(f"{action.reference}: the {period} occurrence is already ticked off")
    bump(session, action_id, expected_version)
    if row is None:
        session.add(Occurrence(action_id=action_id, period=period, done=True))
    else:
        row.done = True
    return record(session, action, ChangeKind.TICK, by, period=period, note=checked_note(note))


def add_note(
    session: Session, action_id: int, note: str, *, by: str, expected_version: int | None = None
) -> Change:
    """Add a note (e.g. the evidence) to an action's history."""
    action = load_action(session, action_id, expected_version)
    note = checked_note(note)
    if not note:
        raise StoreError("the note is empty")
    bump(session, action_id, expected_version)
    return record(session, action, ChangeKind.NOTE, by, note=note)


def last_undoable(session: Session, *, by: str | None = None, action_id: int | None = None) -> Change | None:
    """The newest change that is not an undo (nor a plan closed or reopened), has not been undone, and is of an
    action still in its plan."""
    undone = select(col(Change.undoes_id)).where(col(Change.undoes_id).is_not(None))
    query = (
        select(Change)
        .join(Action, col(Action.id) == col(Change.action_id))
        .where(col(Change.kind).not_in([ChangeKind.UNDO, ChangeKind.CLOSE, ChangeKind.REOPEN]),  # a plan reopens
               col(Change.id).not_in(undone), col(Action.withdrawn).is_(False))
        .order_by(col(Change.id).desc())
        .limit(1)
    )
    if by is not None:
        query = query.where(col(Change.by) == by)
    if action_id is not None:
        query = query.where(col(Change.action_id) == action_id)
    return session.execute(query).scalar_one_or_none()


def undo_last(session: Session, *, by: str, action_id: int | None = None) -> Change:
    """Undo the newest change (by this user, optionally of one action) with a new change back."""
    target = last_undoable(session, by=by, action_id=action_id)
    if target is None:
        raise StoreError("there is no change of yours to undo")
    action = load_action(session, target.action_id)
    if target.kind == ChangeKind.STATUS:
        if target.from_status is None or target.to_status is None:
            raise StoreError(f"{action.reference}: that change does not record the status before it; set the "
                             "status instead")
        if action.status != target.to_status:
            raise StaleError(f"{action.reference} was changed again since; nothing was undone")
        bump(session, action.id or 0, None, status=target.from_status)
        return record(session, action, ChangeKind.UNDO, by, from_status=target.to_status,
                       to_status=target.from_status, undoes_id=target.id)
    if target.kind in (ChangeKind.TICK, ChangeKind.UNTICK) and target.period:
        ticked = target.kind == ChangeKind.UNTICK  # undoing an untick ticks it off again
        row = session.get(Occurrence, (action.id, target.period))
        if row is None:
            if ticked:
                session.add(Occurrence(action_id=target.action_id, period=target.period, done=True))
        else:
            row.done = ticked
        bump(session, action.id or 0, None)
        return record(session, action, ChangeKind.UNDO, by, period=target.period, undoes_id=target.id)
    if target.kind == ChangeKind.TARGET:
        from store.revising import undo_revision  # (it reads targets: loaded only for a revision)

        return undo_revision(session, action, target, by)
    bump(session, action.id or 0, None)
    return record(session, action, ChangeKind.UNDO, by, undoes_id=target.id)
