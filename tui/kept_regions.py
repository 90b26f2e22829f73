"""Everyone's regions under each filter, kept while the database stays as it was.

Everyone's region counts are counted over every action (100,000 at national scale): one query of tens
of milliseconds per filter. The screen keeps each such answer with the database's `data_version` read
before the query (any commit, this process's or another's, moves it: the answer is then read again), and
reads ahead in the background, once the view is shown, everyone's actions counted by region and class
(`store.reads.region_classes`, one statement): every status and date filter's counts follow from them, so
that a filter key finds its counts read.

Beside them it holds, under the same rule, whatever else a key would read again (`held`): a view's tree, a
region's addressees, a view's actions in another order, a month's due list, the overdue list. `tui.loading.read_ahead`
and `read_due_ahead` read those in the background for the keys of the view shown, so that a filter, sort, expand or
month key reads nothing; from an owner's view, `read_switch_ahead` reads everyone's, so that the switch to everyone
reads nothing either.

The one exception to the rule: after the screen's own change of one action, the classes are carried over its
commit (`carry`), that action counted anew, with the addressees of the other regions, where that commit was the
only one since they were read; everyone's views then stay noted as read ahead, so no read-ahead runs beside the
next keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar, cast, get_args

from store import reads
from store.kinds import Status
from store.reads import RegionClasses
from store.rows import RegionNode, View, When
from store.run import Run

T = TypeVar("T")


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
    """Everyone's regions by view and day, and what `held` keeps, valid while the database's data_version (the
    `version` callable) stays put."""

    def __init__(self, version: Callable[[], int]) -> None:
        self._version = version
        self._lock = threading.Lock()
        self._at: int | None = None
        self._kept: dict[tuple[View, date], list[RegionNode]] = {}
        self._classes: dict[tuple[date, bool], RegionClasses] = {}  # by day and whether closed plans count
        self._values: dict[Hashable, Any] = {}  # what `held` kept, by its key
        self._ahead: set[tuple[View, date]] = set()  # whose views were read ahead, and on which day (`ahead_read`)

    def has(self, view: View, today: date) -> bool:
        """Whether the regions of this view are kept and still valid."""
        version = self._version()
        with self._lock:
            return version == self._at and self._held(view, today)

    def regions(self, run: Run, view: View, today: date) -> list[RegionNode]:
        """The regions in view (`store.reads.regions`), kept ones if the database has not changed since: counted
        from the classes read ahead, else read for this view alone and kept."""
        if not kept(view):
            return reads.regions(run, view, today)
        key = (self._key(view), today)
        version = self._version()  # before reading: a commit meanwhile makes what is read look older, never newer
        with self._lock:
            self._move_to(version)
            found = self._kept.get(key)
            classes = self._classes.get((today, view.include_closed))
        if found is None and classes is not None:
            found = reads.regions_of(classes, view)
        if found is None:
            found = reads.regions(run, view, today)
            with self._lock:
                if self._at == version:
                    self._kept[key] = found
        return list(found)

    def read_ahead(self, run: Run, view: View, today: date) -> None:
        """Read everyone's actions by region and class (one statement), unless held at this version: every status and
        date filter of `view`'s closed-plan choice is then counted without another read."""
        if not kept(view):
            return
        version = self._version()
        with self._lock:
            self._move_to(version)
            if (today, view.include_closed) in self._classes:
                return
        classes = reads.region_classes(run, today, include_closed=view.include_closed)
        with self._lock:
            if self._at == version:
                self._classes[(today, view.include_closed)] = classes

    def carry(self, at: int, now: int, today: date, before: reads.ClassedAction | None,
              after: reads.ClassedAction | None, unmoved: Callable[[Hashable], bool]) -> bool:
        """After this screen's own change of one action, which took the database from version `at` to `now` with
        no other commit between (the caller's to know): keep everyone's classes read at `at`, that action counted
        where it is now (`reads.moved_class`), and what `held` kept that the change leaves as it was (`unmoved`,
        by key), valid at `now`, everyone's views staying noted as read ahead (`ahead_read`: what else a key needs
        follows from the classes or is read when asked); whatever else was kept is forgotten. Whether any classes
        were kept at `at` (else nothing is carried)."""
        with self._lock:
            if self._at != at:
                return False
            classes = {key: by_region for key, by_region in self._classes.items() if key[0] == today}
            values = {key: value for key, value in self._values.items() if unmoved(key)}
            ahead = {key for key in self._ahead if key[0].owner_id is None}
            self._move_to(now)
            if classes:
                self._values.update(values)
                self._ahead.update(ahead)
            for (day, include_closed), by_region in classes.items():
                self._classes[(day, include_closed)] = reads.moved_class(by_region, before, after,
                                                                         include_closed=include_closed)
            return bool(classes)

    def held(self, key: Hashable, read: Callable[[], T]) -> T:
        """What `read()` returns, kept under `key` (which names what is read, its view and day) while the database
        stays as it was: read again after any commit."""
        version = self._version()  # before reading: a commit meanwhile makes what is read look older, never newer
        with self._lock:
            self._move_to(version)
            if key in self._values:
                return cast(T, self._values[key])
        found = read()
        with self._lock:
            if self._at == version:
                self._values[key] = found
        return found

    def version(self) -> int:
        """The database's version now; what was kept at another is forgotten."""
        version = self._version()
        with self._lock:
            self._move_to(version)
        return version

    def ahead_read(self, view: View, today: date, version: int) -> None:
        """Note that the views of `view`'s owner (or everyone's) were read ahead at `version` (unless it has moved
        since): the keys of that owner are not read ahead again until the next commit."""
        with self._lock:
            if self._at == version:
                self._ahead.add((self._ahead_key(view), today))

    def read_ahead_for(self, view: View, today: date) -> bool:
        """Whether the views of `view`'s owner (or everyone's) were read ahead at the last version seen, without
        asking the database (a commit since is noticed by the next read)."""
        with self._lock:
            return self._at is not None and (self._ahead_key(view), today) in self._ahead

    def _move_to(self, version: int) -> None:
        """Forget what was kept at another version (the lock held)."""
        if version != self._at:
            self._kept.clear()
            self._classes.clear()
            self._values.clear()
            self._ahead.clear()
            self._at = version

    def _held(self, view: View, today: date) -> bool:
        """Whether the view's regions are kept or follow from classes held (the lock held)."""
        return (self._key(view), today) in self._kept or (today, view.include_closed) in self._classes

    @staticmethod
    def _ahead_key(view: View) -> View:
        return View(owner_id=view.owner_id, include_closed=view.include_closed)

    @staticmethod
    def _key(view: View) -> View:
        return replace(view, order="plan")  # the order of a recommendation's actions moves no count
