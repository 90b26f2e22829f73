"""A recurring duty's or a checkpointed action's dated periods: which passed without a tick ("missed"),
and whether one is open this month. The SQL twin of the missed count is in `store.queries`. Free of any
database library."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

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
        ticked = self.ticked
        periods = [(m.period, m) for m in occurrences(self.start_month, self.every_months,
                                                      Month.of(as_of).plus(-1).index)]
        missed = [(period, month.last) for period, month in periods if period not in ticked]
        dated = [(Month.of(day).period, day) for day in self.checkpoints if day < as_of]
        return sorted(missed + [(period, day) for period, day in dated if period not in ticked])

    def open_now(self, as_of: date) -> bool:
        """Whether an occurrence or a checkpoint falls in `as_of`'s month, not yet ticked off."""
        if self.start_month is None and not self.checkpoints:
            return False
        month = Month.of(as_of)
        due_now = occurs(self.start_month, self.every_months, month.index) or any(
            day >= as_of and Month.of(day) == month for day in self.checkpoints)
        return due_now and month.period not in self.ticked


ONE_OFF = Duty(None, None)  # an action with a deadline alone: nothing recurs, nothing to tick


def duty(start: int | None, every: int | None, action_id: int, ticked: Mapping[int, set[str]],
         checkpoints: Mapping[int, list[date]]) -> Duty:
    """The Duty of one action from its recurrence, and the ticked-off periods and checkpoints (in date order) of
    the actions read with it."""
    if start is None and action_id not in checkpoints:
        return ONE_OFF
    return Duty(start, every, tuple(checkpoints.get(action_id, ())), frozenset(ticked.get(action_id, ())))
