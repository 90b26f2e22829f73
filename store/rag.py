"""Red / amber / green: the one rule the regional performance meeting reads progress by.

For an action, in this order:
- **complete** (C): its status is complete;
- **red** (R): past its deadline and not complete, or a period of a recurring duty passed without being
  ticked off (missed);
- **amber** (A): due this month or next (a one-off deadline, or this month's occurrence of a recurring duty
  not yet ticked off), or its target was revised more than once;
- **green** (G): on track.

A branch (recommendation, addressee, plan) takes the worst of its actions: red over amber over green, and
complete only when every action is complete. Each has a letter too, so the rating reads without colour.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from store.months import Month


class Rag(StrEnum):
    """An action's or a branch's rating."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    COMPLETE = "complete"

    @property
    def letter(self) -> str:
        """The rating as one letter (R, A, G, C), for screens and papers without colour."""
        return self.value[0].upper()


_WORST_FIRST = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE)


def action_rag(*, complete: bool, overdue: bool, missed: int, due_soon: bool, revisions: int = 0) -> Rag:
    """The rating of one action from the facts the rule names."""
    if complete:
        return Rag.COMPLETE
    if overdue or missed:
        return Rag.RED
    if due_soon or revisions > 1:
        return Rag.AMBER
    return Rag.GREEN


def branch_rag(ratings: Iterable[Rag]) -> Rag:
    """The worst rating among a branch's actions (complete when there are none left open)."""
    present = set(ratings)
    return next((rag for rag in _WORST_FIRST if rag in present), Rag.COMPLETE)


def due_soon(deadline: date | None, as_of: date) -> bool:
    """Whether a deadline falls in the month of `as_of` or the month after (and not before `as_of`)."""
    return deadline is not None and as_of <= deadline <= Month.of(as_of).plus(1).last
