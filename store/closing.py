"""Closing a plan once it is signed off, and reopening it: a closed plan leaves the due and overdue lists,
the tree and reports (unless asked for), and keeps every record.

A plan is closed by a `close` history row on each of its actions, with who, when and the note; reopened by
a `reopen` row on each. Being history events, they export, import and sync as every event does, and a plan
is closed when its newest such row is a close (`closed_plans_sql`, the one rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, insert, literal_column, or_, select
from sqlmodel import Session, col

from store.changing import checked_note, event_origin
from store.errors import NotFoundError, StoreError
from store.identity import new_uid
from store.models import Action, Change, ChangeKind, Plan


@cache  # one statement for every query that leaves closed plans out
def closed_plans_sql() -> Any:
    """The ids of the closed plans, as a select: those whose actions' newest close or reopen row is a close.
    (Both are written on every action of the plan at once, so its actions agree; an action added to a closed
    plan later has neither.) Read from the history's kind index, never by visiting every action."""
    last_close, last_reopen = func.max(_at_if(ChangeKind.CLOSE)), func.max(_at_if(ChangeKind.REOPEN))
    # grouped by `action_id + 0`, which no index holds: by the plain column, SQLite's planner, once ANALYZE has
    # measured the history's indexes (an import into a database holding plans), walks every history row in
    # action order instead of the few close and reopen rows the kind index finds
    action = (col(Change.action_id) + literal_column("0")).label("action_id")
    closed_actions = (select(action)
                      .where(or_(col(Change.kind) == ChangeKind.CLOSE.value,  # an IN to SQLite: plain values,
                                 col(Change.kind) == ChangeKind.REOPEN.value))  # not a list, for the stored SQL
                      .group_by(action)
                      .having(or_(and_(last_close.is_not(None), last_reopen.is_(None)), last_reopen < last_close)))
    return select(col(Action.plan_id)).where(col(Action.id).in_(closed_actions)).distinct()


def _at_if(kind: ChangeKind) -> ColumnElement[Any]:
    """A history row's time if it is of `kind`, else NULL."""
    return case((col(Change.kind) == kind.value, col(Change.at)), else_=None)


@dataclass(frozen=True, slots=True)
class PlanState:
    """A plan's id, title, whether it is closed, and its latest close or reopen (when, by whom, the note)."""

    id: str
    title: str
    region: str
    closed: bool
    actions: int
    at: datetime | None = None
    by: str = ""
    note: str = ""


def plan_states(session: Session) -> list[PlanState]:
    """Every plan with whether it is closed and its latest close or reopen."""
    closed = set(session.execute(closed_plans_sql()).scalars())
    latest: dict[str, tuple[datetime, str, str]] = {}
    for plan_id, at, by, note in session.execute(
            select(col(Action.plan_id), col(Change.at), col(Change.by), col(Change.note))
            .join(Change, col(Change.action_id) == col(Action.id))
            .where(col(Change.kind).in_([ChangeKind.CLOSE.value, ChangeKind.REOPEN.value]))
            .order_by(col(Change.at), col(Change.id))):
        latest[plan_id] = (at, by, note)
    counts = dict(session.execute(select(col(Action.plan_id), func.count()).where(col(Action.withdrawn).is_(False))
                                  .group_by(col(Action.plan_id))).all())
    return [PlanState(row.id, row.title, row.region, row.id in closed, counts.get(row.id, 0),
                      *latest.get(row.id, (None, "", "")))
            for row in session.execute(select(col(Plan.id), col(Plan.title), col(Plan.region)).order_by(col(Plan.id)))]


def is_closed(session: Session, plan_id: str) -> bool:
    """Whether the plan is closed."""
    return session.execute(closed_plans_sql().where(col(Action.plan_id) == plan_id)).first() is not None


def close_plan(session: Session, plan_id: str, *, note: str, by: str) -> int:
    """Close the plan, with the note (required: why it is signed off); returns how many actions it holds."""
    note = checked_note(note)
    if not note:
        raise StoreError("closing a plan needs a note (--note): what signed it off")
    return _record_all(session, plan_id, ChangeKind.CLOSE, note, by)


def reopen_plan(session: Session, plan_id: str, *, note: str = "", by: str) -> int:
    """Open a closed plan again; returns how many actions it holds."""
    return _record_all(session, plan_id, ChangeKind.REOPEN, checked_note(note), by)


def _record_all(session: Session, plan_id: str, kind: ChangeKind, note: str, by: str) -> int:
    """One `kind` row on each of the plan's actions, at one moment."""
    if session.get(Plan, plan_id) is None:
        known = ", ".join(session.execute(select(col(Plan.id)).order_by(col(Plan.id))).scalars())
        raise NotFoundError(f"no plan has the id {plan_id!r}" + (f"; the plans are {known}" if known else ""))
    closed = is_closed(session, plan_id)
    if kind is ChangeKind.CLOSE and closed:
        raise StoreError(f"{plan_id} is closed already")
    if kind is ChangeKind.REOPEN and not closed:
        raise StoreError(f"{plan_id} is not closed")
    ids = list(session.execute(select(col(Action.id)).where(col(Action.plan_id) == plan_id)
                               .order_by(col(Action.id)).with_for_update()).scalars())
    if not ids:
        raise StoreError(f"{plan_id} holds no action to record its closing on")
    at, origin = datetime.now(UTC), event_origin(session)
    session.execute(insert(Change), [{"uid": new_uid(), "action_id": action_id, "at": at, "by": by, "kind": kind,
                                      "note": note, "origin": origin} for action_id in ids])
    return len(ids)
