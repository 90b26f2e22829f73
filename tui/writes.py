"""Writes from the screen, one at a time in the order the keys were pressed.

A key acts on the action as the screen showed it (its version). When an earlier key of this screen
changed that action and its write is still queued or running, the later key applies to the result of
the earlier one: `OwnVersions` maps each version this screen moved on to the version it made. A change
made by anyone else still makes the later key stale, and it is refused.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.errors import StaleError, StoreError
from store.rows import ActionRow
from tui.labels import change_words

if TYPE_CHECKING:
    from sqlmodel import Session


class OwnVersions:
    """The versions of actions this screen's own writes produced (thread-safe)."""

    def __init__(self) -> None:
        self._next: dict[tuple[int, int], int] = {}
        self._lock = threading.Lock()

    def expected(self, action_id: int, seen: int) -> int:
        """The version to expect for an action shown at `seen`, after this screen's own later writes."""
        with self._lock:
            version = seen
            while (action_id, version) in self._next:
                version = self._next[(action_id, version)]
            return version

    def moved(self, action_id: int, before: int, after: int) -> None:
        """Record that this screen moved the action from `before` to `after`."""
        if after != before:
            with self._lock:
                self._next[(action_id, before)] = after


class WriteQueue:
    """Starts queued writes one after another: each is a callable that starts a worker, and the screen
    calls `finished()` when that worker has ended."""

    def __init__(self) -> None:
        self._pending: deque[Callable[[], None]] = deque()
        self._busy = False

    def submit(self, write: Callable[[], None]) -> None:
        """Queue one write (a job that runs in a worker); it starts when every earlier one has ended."""
        self._pending.append(write)
        if not self._busy:
            self._next()

    def finished(self) -> None:
        """The running write ended (written, refused or failed): start the next."""
        self._busy = False
        self._next()

    @property
    def busy(self) -> bool:
        """Whether a write is running or waiting."""
        return self._busy or bool(self._pending)

    def _next(self) -> None:
        if self._pending:
            self._busy = True
            self._pending.popleft()()


@dataclass(frozen=True, slots=True)
class Written:
    """What one write from the screen changed: its action, and whether counts may have moved."""

    action_id: int
    # False when no count and no due-panel listing can have changed (a status between not started and
    # ongoing, a note): the screen then reads the action again, not its branches' counts or the due panel
    counts: bool = True
    # the version this screen's write moved the action on from (`OwnVersions`); None: not one to follow
    moved_from: int | None = None


@dataclass(frozen=True, slots=True)
class Undone:
    """What an undo changed: the action, and the change it took back in words."""

    action_id: int
    what: str


def undo_change(session: Session, *, by: str, row: ActionRow | None) -> Undone:
    """Undo `by`'s last change of the action `row` (None: of any action), in the caller's write session."""
    from store import commands
    from store.models import Change

    try:
        undo = commands.undo_last(session, by=by, action_id=row.id if row else None)
    except StaleError:
        raise
    except StoreError:
        where = f"{row.reference} has" if row else "there is"
        raise StoreError(f"{where} no change of yours to undo") from None
    target = session.get(Change, undo.undoes_id)
    what = (change_words(target.kind, target.from_status, target.to_status, target.period, target.note,
                         target.from_target, target.to_target)
            if target is not None else "the last change")
    return Undone(action_id=undo.action_id, what=what)
