"""Everyone's regions under each filter, kept while the database stays as it was.

Everyone's region counts are counted over every action (100,000 at national scale): one query of tens
of milliseconds per filter. The screen keeps each such answer with the database's `data_version` read
before the query (any commit, this process's or another's, moves it: the answer is then read again), and
reads in the background, once the view is shown, every view of at most one filter (`single_filters`),
so that a filter key finds its counts read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import get_args

from store import reads
from store.kinds import Status
from store.reads import Run
from store.rows import RegionNode, View, When


def kept(view: View) -> bool:
    """Whether a view's regions are kept: everyone's, with no search (a search reads far fewer actions)."""
    return view.owner_id is None and not view.search.strip()


def single_filters(view: View) -> list[View]:
    """The views the filter keys show from `view` with at most one filter: no filter, each date filter, each
    status, and hiding the complete ones or not (the views those keys step through, one filter at a time)."""
    base = replace(view, status=None, when=None)
    whens: tuple[When, ...] = get_args(When)
    return [base, *(replace(base, when=when) for when in whens), *(replace(base, status=status) for status in Status),
            replace(base, hide_complete=not base.hide_complete)]


class KeptRegions:
    """Everyone's regions by view and day, valid while `version()` (the database's data_version) stays put."""

    def __init__(self, version: Callable[[], int]) -> None:
        self._version = version
        self._lock = threading.Lock()
        self._at: int | None = None
        self._kept: dict[tuple[View, date], list[RegionNode]] = {}

    def has(self, view: View, today: date) -> bool:
        """Whether the regions of this view are kept and still valid."""
        version = self._version()
        with self._lock:
            return version == self._at and (self._key(view), today) in self._kept

    def covers(self, view: View, today: date) -> bool:
        """Whether every view of at most one filter (`single_filters`) was kept at the last version seen, without
        asking the database: True means no read-ahead is needed (a commit since is noticed by the next read)."""
        with self._lock:
            return self._at is not None and all((self._key(other), today) in self._kept
                                                for other in single_filters(view))

    def regions(self, run: Run, view: View, today: date) -> list[RegionNode]:
        """The regions in view (`store.reads.regions`), kept ones if the database has not changed since."""
        if not kept(view):
            return reads.regions(run, view, today)
        key = (self._key(view), today)
        version = self._version()  # before reading: a commit meanwhile makes what is read look older, never newer
        with self._lock:
            if version != self._at:
                self._kept.clear()
                self._at = version
            found = self._kept.get(key)
        if found is None:
            found = reads.regions(run, view, today)
            with self._lock:
                if self._at == version:
                    self._kept[key] = found
        return list(found)

    @staticmethod
    def _key(view: View) -> View:
        return replace(view, order="plan")  # the order of a recommendation's actions moves no count
