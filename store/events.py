"""An action's state from its history: history is a set of events keyed by uid, and the current
status and ticked-off periods follow from the whole set, the newest event winning.

Events are ordered by their time (UTC text, to the microsecond), then by uid: every machine that
holds the same events puts them in the same order, so two databases that exchange exports end in
the same state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Protocol


class EventLike(Protocol):
    """What derive_state reads of an event (an Event, or a change set's EventWrite)."""

    @property
    def uid(self) -> str: ...
    @property
    def at(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def to_status(self) -> str | None: ...
    @property
    def period(self) -> str | None: ...
    @property
    def undoes(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Event:
    """What of a history event decides state: when, what, and for an undo, which event it undoes."""

    uid: str
    at: str  # UTC, 'YYYY-MM-DD HH:MM:SS.ffffff' (store.identity.utc_text)
    kind: str
    to_status: str | None
    period: str | None
    undoes: str | None = None  # the uid of the event undone


_ORDER = attrgetter("at", "uid")  # time, then uid: the same order on every machine


def derive_state(events: Iterable[EventLike], status: str, ticked: Iterable[str]) -> tuple[str, set[str]]:
    """The status and ticked periods after the events, starting from `status` and `ticked` (the state
    the plan gave the action; periods no event mentions keep it)."""
    ordered = sorted(events, key=_ORDER)
    kinds: Mapping[str, str] | None = None  # by uid: made only for the undo of a tick or an untick
    done = set(ticked)
    for event in ordered:
        kind = event.kind
        if event.to_status is not None and kind in ("status", "undo"):
            status = event.to_status
        if event.period is None:
            continue
        if kind == "undo":  # undoing a tick unticks; undoing an untick ticks off again
            if kinds is None:
                kinds = {e.uid: e.kind for e in ordered}
            undone = kinds.get(event.undoes or "")
            kind = {"tick": "untick", "untick": "tick"}.get(undone or "", "")
        if kind == "tick":
            done.add(event.period)
        elif kind == "untick":
            done.discard(event.period)
    return status, done
