"""Work done ahead of a writer by worker processes: each item's result handed back in the items' order.

A large import reads, validates and interprets its plan files in worker processes (forked, so they
start at once with everything imported) while the importing process writes: the two halves then use
two cores. A few items run ahead of the writer, never all of them, so memory stays that of a few plans.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Results waiting to be written, per worker: enough to keep every worker busy while the writer catches up.
AHEAD_PER_WORKER = 2


class Failed:
    """A worker's answer that the item failed with an error meant for the user (raised in order)."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _run(work: Callable[[Any], Any], expected: tuple[type[Exception], ...], item: Any) -> Any:
    """In a worker: the item's result, or Failed with an expected error; None where something else went
    wrong (the writer then does that item itself, and meets the error as it would have)."""
    try:
        return work(item)
    except expected as exc:
        return Failed(exc)
    except Exception:
        return None


def _exit_with_parent() -> None:
    """End this worker when the process that started it ends, however it ended (a `kill -9` too): an
    orphaned worker would wait for work forever."""
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])  # ready once the parent has gone
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


_in_worker = False


def in_worker() -> bool:
    """Whether this process is one of in_order's workers."""
    return _in_worker


def _start_worker() -> None:
    global _in_worker
    _in_worker = True
    _exit_with_parent()
    gc.disable()  # workers make no cyclic garbage worth the collector's rescans of what they inherited
    # Ctrl-C reaches the whole process group: the writer stops the import and its workers; a worker
    # interrupted on its own would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # forked while the writer held it back


def in_order(work: Callable[[Item], Result], items: Sequence[Item], *, workers: int,
             expected: tuple[type[Exception], ...]) -> Iterator[Result]:
    """`work(item)` for each item, in order, computed by `workers` forked processes running ahead; an
    `expected` error is raised when its item's turn comes. `work` and its results must pickle."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
    pending: deque[tuple[Item, Future[Any] | None]] = deque()  # None: the writer does the item itself
    upcoming = iter(items)
    broken = False

    def submit() -> None:
        nonlocal broken
        for item in upcoming:
            future = None
            if not broken:
                try:
                    future = pool.submit(_run, work, expected, item)
                except BrokenProcessPool:  # a worker was killed: the writer does the rest itself
                    broken = True
            pending.append((item, future))
            return

    try:
        # Ctrl-C while the workers are forked would be lost in the fork handlers: it waits until they run
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(workers * AHEAD_PER_WORKER):
                submit()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        while pending:
            item, future = pending.popleft()
            answer: Any = None
            if future is not None:
                try:
                    answer = future.result()
                except BrokenProcessPool:
                    broken = True
            submit()
            if answer is None:
                answer = work(item)
            elif isinstance(answer, Failed):
                raise answer.error
            yield answer
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
