"""Writes from the screen, one at a time in the order the keys were pressed.

A key acts on the action as the screen showed it (its version). When an earlier key of this screen
changed that action and its write is still queued or running, the later key applies to the result of
the earlier one: `OwnVersions` maps each version this screen moved on to the version it made. A change
made by anyone else still makes the later key stale, and it is refused.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from store.errors import StaleError, StoreError
from store.rows import ActionRow
from tui.labels import change_words

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")


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


class WriteThread:
    """The screen's writes, run one at a time in the order they were submitted, on one thread of their own.

    Each write's result (or the error that stopped it) is handed to the screen's event loop without the
    thread waiting for it, so the next write starts at once. `close()` lets every queued write commit before
    it returns: a key pressed just before quitting is not lost.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending = 0  # submitted and not yet handed back (read and written on the loop's thread only)
        self._quiet = asyncio.Event()  # set while nothing is pending
        self._quiet.set()
        self._closed = False
        self._failed: list[_Job[Any]] = []  # writes that failed, until their failure is handed back

    def submit(self, job: Callable[[], T], done: Callable[[T], None], failed: Callable[[BaseException], None]) -> None:
        """Queue `job` (called on the write thread); then `done(result)` or `failed(error)` on the loop's thread,
        in the context of this call (Textual's active app and message pump)."""
        if self._closed:
            raise RuntimeError("the screen's writes are closed")
        if self._thread is None:
            self._loop = asyncio.get_running_loop()
            # a daemon: a screen that never closed it (the app crashed) must not keep the process from exiting
            self._thread = threading.Thread(target=self._run, name="actiontrack-writes", daemon=True)
            self._thread.start()
        self._pending += 1
        self._quiet.clear()
        self._jobs.put(_Job(job, done, failed, contextvars.copy_context()))

    @property
    def busy(self) -> bool:
        """Whether a write is queued, running, or its result not yet handed back."""
        return self._pending > 0

    async def wait(self) -> None:
        """Return once every write submitted so far has been handed back."""
        await self._quiet.wait()

    def close(self) -> list[BaseException]:
        """Let every queued write finish, then stop the thread. The errors of the writes that failed and were
        not handed back (the screen is going, so it will not say them: the caller must)."""
        self._closed = True
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
        return [item.error for item in self._failed if item.error is not None]

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            try:
                result = item.job()
            except BaseException as exc:  # handed to the screen, which says what went wrong
                item.error = exc
                self._failed.append(item)
                self._hand_back(item, item.failed, exc)
            else:
                self._hand_back(item, item.done, result)

    def _hand_back(self, item: _Job[Any], callback: Callable[[Any], None], value: Any) -> None:
        def back() -> None:
            self._pending -= 1
            if not self._pending:
                self._quiet.set()
            if self._closed:
                return  # the screen has gone (close() returns a failure not said)
            if item.error is not None:
                self._failed.remove(item)
            try:
                callback(value)
            except Exception as exc:  # showing the result failed: said as a failed write is
                item.failed(exc)

        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(back, context=item.context)
        except RuntimeError:
            pass  # the event loop has closed (the app quit): the write itself is committed


@dataclass(slots=True)
class _Job(Generic[T]):
    """One queued write: what to run, what to call with its result or error, and in which context."""

    job: Callable[[], T]
    done: Callable[[T], None]
    failed: Callable[[BaseException], None]
    context: contextvars.Context
    error: BaseException | None = None  # set on the write thread when the job raised


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
