"""A recurring duty's or a checkpointed action's dated periods: which passed without a tick ("missed"),
and whether one is open this month. The SQL twin of the missed count is in `store.queries`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from store.models import Action, Checkpoint, Occurrence
from store.months import Month, occurrences, occurs


@dataclass(frozen=True, slots=True)
class Duty:
    """What is needed to know of an action's dated occurrences: its recurrence, checkpoints and ticks."""

    start_month: int | None
    every_months: int | None
    checkpoints: tuple[date, ...] = ()
    ticked: frozenset[str] = frozenset()

    def missed(self, as_of: date) -> list[tuple[str, date]]:
        """The periods passed without a tick before `as_of`, each with the day it fell due (oldest first):
        a recurring duty's months before `as_of`'s month, and checkpoints dated before `as_of`."""
        months = [(m.period, m.last) for m in occurrences(self.start_month, self.every_months,
                                                            Month.of(as_of).plus(-1).index)]
        months += [(Month.of(day).period, day) for day in self.checkpoints if day < as_of]
        return sorted((period, day) for period, day in months if period not in self.ticked)

    def open_now(self, as_of: date) -> bool:
        """Whether an occurrence or a checkpoint falls in `as_of`'s month, not yet ticked off."""
        month = Month.of(as_of)
        due_now = occurs(self.start_month, self.every_months, month.index) or any(
            day >= as_of and Month.of(day) == month for day in self.checkpoints)
        return due_now and month.period not in self.ticked


def duties(session: Session, in_scope: Any,
           recurrence: Mapping[int, tuple[int | None, int | None]] | None = None) -> dict[int, Duty]:
    """The Duty of each action in `in_scope` (a select of ids, or a list); `recurrence` (start month and
    interval by id) where the caller has read them already."""
    if recurrence is None:
        recurrence = {row.id: (row.start_month, row.every_months) for row in session.execute(
            select(col(Action.id), col(Action.start_month), col(Action.every_months))
            .where(col(Action.id).in_(in_scope)))}
    ticked: dict[int, set[str]] = defaultdict(set)
    for action_id, period in session.execute(select(col(Occurrence.action_id), col(Occurrence.period)).where(
            col(Occurrence.done).is_(True), col(Occurrence.action_id).in_(in_scope))):
        ticked[action_id].add(period)
    checkpoints: dict[int, list[date]] = defaultdict(list)
    for action_id, day in session.execute(select(col(Checkpoint.action_id), col(Checkpoint.due)).where(
            col(Checkpoint.action_id).in_(in_scope)).order_by(col(Checkpoint.due))):
        checkpoints[action_id].append(day)
    return {action_id: Duty(start, every, tuple(checkpoints.get(action_id, ())), frozenset(ticked.get(action_id, ())))
            for action_id, (start, every) in recurrence.items()}
