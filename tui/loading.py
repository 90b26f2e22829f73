"""What the screen asks the store for, gathered into one call per worker (runs in a thread), and the
database the screen starts on.

A database file at the current schema starts as a `DeferredDatabase`: the first view (tree, due
panel, detail) is read with the SQL stored in `store.compiled_sql` through sqlite3, so nothing
imports SQLAlchemy, sqlmodel or pydantic before the first paint; the app then opens the full
database (`DeferredDatabase.open`) in a worker, and every other use of it (writes, the check, sync)
waits for that.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from dateutil.relativedelta import relativedelta

from store import fastread, lists, reads
from store.rows import ActionDetail, ActionPath, ActionRow, Progress, RegionNode, View, ViewTree
from store.run import Run
from tui import kept_regions
from tui.kept_regions import KeptRegions
from tui.nodes import ROOT, Item, NodeKey

if TYPE_CHECKING:
    from sqlmodel import Session

    from store.db import Database

T = TypeVar("T")

# A view with at most this many actions opens fully expanded; a larger one opens at its regions.
AUTO_EXPAND_LIMIT = 400
# The due panel lists at most this many entries of each list: enough for any one owner; everyone's lists at
# national scale run to thousands.
MAX_LISTED = 200


class OpenDatabase(Protocol):
    """What the screen uses of a database: a `store.db.Database`, or a `DeferredDatabase`."""

    @property
    def path(self) -> Path: ...
    @property
    def where(self) -> str: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def read_only_reason(self) -> str: ...
    def read(self) -> AbstractContextManager[Session]: ...
    def write(self, *, exclusive: bool = False) -> AbstractContextManager[Session]: ...
    def quick_check(self) -> None: ...
    def data_version(self) -> int: ...
    def dispose(self) -> None: ...


class DeferredDatabase:
    """A database file this process may write, at the current schema: read through `store.fastread` until
    `open()` has opened it as a `store.db.Database` (sqlmodel), which every session then comes from."""

    read_only = False
    read_only_reason = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._opened = threading.Event()
        self._lock = threading.Lock()
        self._db: Database | None = None
        self._failed: BaseException | None = None
        self._version: sqlite3.Connection | None = None
        self._version_lock = threading.Lock()

    @property
    def where(self) -> str:
        """The database as messages name it."""
        return str(self.path)

    @property
    def is_open(self) -> bool:
        """Whether the full database is open (reads go through sqlmodel from then on)."""
        return self._opened.is_set() and self._db is not None

    def open(self) -> None:
        """Open the full database (importing sqlmodel); a failure is raised here and to every later use."""
        with self._lock:
            if self._opened.is_set():
                return
            try:
                from store.db import open_database

                # checked by the screen after its first paint (quick_check), as a file opened for the screen is
                self._db = open_database(self.path, check=False, init=False)
            except BaseException as exc:
                self._failed = exc
                raise
            finally:
                self._opened.set()

    def full(self) -> Database:
        """The full database, once `open()` has run (waits for it)."""
        self._opened.wait()
        if self._db is None:
            assert self._failed is not None
            raise self._failed
        return self._db

    def read(self) -> AbstractContextManager[Session]:
        """A session for one unit of reading (see `store.db.Database.read`)."""
        return self.full().read()

    def write(self, *, exclusive: bool = False) -> AbstractContextManager[Session]:
        """A session for one unit of writing (see `store.db.Database.write`). A key pressed before the screen
        opened the full database opens it here: the app may quit before the screen would have."""
        self.open()
        return self.full().write(exclusive=exclusive)

    def quick_check(self) -> None:
        """SQLite's whole-file check (see `store.db.Database.quick_check`)."""
        self.full().quick_check()

    def data_version(self) -> int:
        """A number that moves whenever another connection commits, from one connection of its own (as
        `store.db.Database.data_version`); compare values from this method only."""
        with self._version_lock:
            try:
                if self._version is None:
                    self._version = fastread.connect(self.path)
                return int(self._version.execute("PRAGMA data_version").fetchone()[0])
            except (sqlite3.Error, fastread.Unavailable) as exc:
                from store.db import problem

                raise problem(self.path, exc) from exc

    def dispose(self) -> None:
        """Close every connection."""
        with self._version_lock:
            if self._version is not None:
                self._version.close()
                self._version = None
        if self._db is not None:
            self._db.dispose()


def full_database(db: OpenDatabase) -> Database:
    """The `store.db.Database` behind the screen's database (waiting for a deferred one to open)."""
    if isinstance(db, DeferredDatabase):
        return db.full()
    from store.db import Database

    assert isinstance(db, Database)
    return db


def read_with(db: OpenDatabase, fn: Callable[[Run], T]) -> T:
    """Run `fn` on the database's reads in one unit of reading: through `store.fastread` while a
    `DeferredDatabase` is not yet open (or if the fast path cannot read the file, through sqlmodel), else in a
    sqlmodel session, its statements run as `fastread.in_transaction` runs them (on SQLite, through sqlite3:
    none of SQLAlchemy's work per statement and per row)."""
    if isinstance(db, DeferredDatabase) and not db.is_open:
        try:
            with fastread.reading(db.path) as run:
                return fn(run)
        except fastread.Unavailable:
            db.open()
    with db.read() as session:
        return fn(fastread.in_transaction(session))


def read_at_once(db: OpenDatabase, fn: Callable[[Run], T]) -> T | None:
    """`fn` run now, on the caller's thread, through `store.fastread`, if `db` is a `DeferredDatabase` not yet open;
    None if it is open, or if the fast path cannot read it or `fn` fails (then read it in a worker, which reports a
    failure as every read's is reported).

    For the first view: read in a worker thread, the same reads (a few milliseconds each) wait on the screen's
    thread for Python's lock, held by the first layout, each time SQLite hands back a row: 150-200 ms at 100k, against
    15 ms read here before that layout."""
    if not isinstance(db, DeferredDatabase) or db.is_open:
        return None
    try:
        with fastread.reading(db.path) as run:
            return fn(run)
    except Exception:  # the worker reads it again and reports what failed
        return None


def _held(kept: KeptRegions | None, key: Hashable, read: Callable[[], T]) -> T:
    """What `read()` returns: held in `kept` under `key` until the next commit, or read afresh where nothing is kept."""
    return read() if kept is None else kept.held(key, read)


def children_of(run: Run, view: View, today: date, key: NodeKey, kept: KeptRegions | None = None) -> list[Item]:
    """The children of one branch in view (`kept`: a region's addressees kept until the next commit)."""
    if key.kind == "root":
        return list(reads.regions(run, view, today))
    if key.kind == "region":
        return list(_held(kept, _addressees_key(view, str(key.id), today),
                          lambda: reads.addressees(run, view, str(key.id), today)))
    if key.kind == "addressee":
        return list(reads.recommendations(run, view, int(key.id), today))
    if key.kind == "recommendation":
        return list(reads.actions(run, view, int(key.id), today))
    return []


def _addressees_key(view: View, region: str, today: date) -> tuple[str, View, str, date]:
    """What a region's addressees in view are held under (`children_of`)."""
    return ("addressees", replace(view, order="plan"), region, today)


def unmoved_by(move: ClassMove) -> Callable[[Hashable], bool]:
    """Which held reads a change of one action (`move`) leaves as they were: everyone's addressees in the regions
    other than the action's (an action counts in its own region alone)."""
    moved = {place.region for place in (move.before, move.after) if place is not None}

    def unmoved(key: Hashable) -> bool:
        return (isinstance(key, tuple) and len(key) == 4 and key[0] == "addressees" and isinstance(key[1], View)
                and kept_regions.kept(key[1]) and key[2] not in moved)

    return unmoved


def read_view(run: Run, view: View, today: date, kept: KeptRegions | None = None) -> tuple[list[RegionNode],
                                                                                           ViewTree | None]:
    """A view's regions and, if it is small enough to open whole (`AUTO_EXPAND_LIMIT` actions), its whole tree
    (`kept`: everyone's regions read already; the tree's actions are kept there for the sort key)."""
    regions = kept.regions(run, view, today) if kept is not None else list(reads.regions(run, view, today))
    if sum(node.progress.total for node in regions) > AUTO_EXPAND_LIMIT:
        return regions, None
    whole = reads.view_tree(run, view, today, known=regions)
    if kept is not None:  # the same actions for the sort key (`load_actions`)
        kept.held(("actions", view, today), lambda: whole.actions)
    return regions, whole


def load_tree(
    run: Run, view: View, today: date, expanded: set[NodeKey] | None, *, reopen: bool = False,
    kept: KeptRegions | None = None,
) -> tuple[dict[NodeKey, list[Item]], set[NodeKey] | None]:
    """The branches to show: the regions, and the children of every open branch.

    With `expanded` None (a fresh view) a small view opens fully, read in four queries; a large one
    opens at its regions. `reopen`: a small view opens fully whatever was open (a filter brought in
    branches that were not). `kept`: what was read already (everyone's regions, a view read ahead), where the
    view is kept until the next commit. Returns the children by parent key and the set to expand (None: all
    loaded).
    """
    regions, whole = _held(kept, ("tree", view, today), lambda: read_view(run, view, today, kept))
    if whole is not None:
        children: dict[NodeKey, list[Item]] = {ROOT: list(regions)}
        for region, items in whole.addressees.items():
            children[NodeKey("region", region)] = list(items)
        for addressee_id, recs in whole.recommendations.items():
            children[NodeKey("addressee", addressee_id)] = list(recs)
        for rec_id, rows in whole.actions.items():
            children[NodeKey("recommendation", rec_id)] = list(rows)
        return children, None if reopen else expanded
    children = {ROOT: list(regions)}
    if expanded is None:
        return children, set()
    pending: list[Item] = list(regions)
    while pending:
        item = pending.pop()
        key = NodeKey.of(item)
        if key.kind == "action" or key not in expanded:
            continue
        children[key] = children_of(run, view, today, key, kept)
        pending.extend(children[key])
    return children, expanded


def load_actions(run: Run, view: View, today: date, recommendations: list[int] | None,
                 kept: KeptRegions | None = None) -> dict[NodeKey, list[Item]]:
    """The actions of these recommendations in view, in the view's order (None: of every recommendation in
    view, in one query, kept in `kept` until the next commit)."""
    if recommendations is None:
        found = _held(kept, ("actions", view, today), lambda: reads.actions_in_view(run, view, today))
        return {NodeKey("recommendation", rec): list(rows) for rec, rows in found.items()}
    return {NodeKey("recommendation", rec): children_of(run, view, today, NodeKey("recommendation", rec))
            for rec in recommendations}


def read_ahead(run: Run, view: View, today: date, kept: KeptRegions, stop: Callable[[], bool]) -> None:
    """Read in the background, into `kept` (valid until the next commit), what the keys of `view` would read: the
    view under each filter of one step (`single_filters`; everyone's from one statement), then, for the view as
    shown and with no filter, its actions in the other order where it opens whole (the sort key), else each region's
    addressees (an expand). A search is not read ahead. `stop()` True: a key came, whose own read comes first."""
    if view.search.strip():
        return
    version = kept.version()
    if kept_regions.kept(view):
        kept.read_ahead(run, view, today)  # every filter's regions, from one statement
    for other in [view, *(other for other in kept_regions.single_filters(view) if other != view)]:
        if stop():
            return
        kept.held(("tree", other, today), partial(read_view, run, other, today, kept))
    for shown in dict.fromkeys([view, replace(view, status=None, when=None)]):  # as shown, and with no filter
        regions, whole = kept.held(("tree", shown, today), partial(read_view, run, shown, today, kept))
        if whole is not None:
            load_actions(run, replace(shown, order="plan" if shown.order == "due" else "due"), today, None, kept)
        else:
            for region in regions:
                if stop():
                    return
                children_of(run, shown, today, NodeKey("region", region.region), kept)
    kept.ahead_read(view, today, version)


@dataclass(frozen=True, slots=True)
class DueLists:
    """The due panel's contents for one month: the first MAX_LISTED actions of each list, and each list's length."""

    month: date
    due: list[ActionRow]
    overdue: list[ActionRow]
    due_total: int
    overdue_total: int
    whose: tuple[int | None, bool]  # the owner in view and whether closed plans count: what both lists read

    @property
    def ids(self) -> set[int]:
        """The actions listed."""
        return {row.id for row in (*self.due, *self.overdue)}

    def with_row(self, row: ActionRow) -> DueLists:
        """The same lists with `row` shown anew where it is listed (its missed periods are the list's)."""
        def anew(rows: list[ActionRow]) -> list[ActionRow]:
            return [row._replace(missed=old.missed, overdue=row.overdue or old.missed > 0) if old.id == row.id
                    else old for old in rows]

        return replace(self, due=anew(self.due), overdue=anew(self.overdue))


def load_due(run: Run, view: View, today: date, month: date, *, shown: DueLists | None = None,
             kept: KeptRegions | None = None) -> DueLists:
    """Due in the month and overdue, for the owner in view; the overdue ones the panel lists with the periods
    they missed. `shown`: the lists shown now, whose overdue list is kept if it is the same owner's (only the
    month moved: the overdue list does not depend on it). `kept`: lists read already (`read_due_ahead`), kept
    until the next commit."""
    whose = (view.owner_id, view.include_closed)
    due = _month_listed(run, view, today, month, kept)
    if shown is not None and shown.whose == whose:
        late, late_total = shown.overdue, shown.overdue_total
    else:
        late, late_total = _overdue_listed(run, view, today, kept)
    return DueLists(month=month, due=due.rows, overdue=late, due_total=due.total, overdue_total=late_total,
                    whose=whose)


def _month_listed(run: Run, view: View, today: date, month: date, kept: KeptRegions | None) -> lists.Listed:
    """The first MAX_LISTED actions due in `month` for the owner in view, and their number (`kept`: held until the
    next commit)."""
    def read() -> lists.Listed:
        return lists.due_listed(run, month.year, month.month, today, view.owner_id, MAX_LISTED,
                                include_closed=view.include_closed)

    return _held(kept, ("due", view.owner_id, view.include_closed, month, today), read)


def _overdue_listed(run: Run, view: View, today: date, kept: KeptRegions | None) -> tuple[list[ActionRow], int]:
    """The first MAX_LISTED overdue actions for the owner in view, with the periods they missed, and their number
    (`kept`: held until the next commit)."""
    def read() -> tuple[list[ActionRow], int]:
        listed = lists.overdue_listed(run, today, view.owner_id, MAX_LISTED, include_closed=view.include_closed)
        return reads.with_missed_periods(run, listed.rows, today), listed.total

    return _held(kept, ("overdue", view.owner_id, view.include_closed, today), read)


def read_due_ahead(run: Run, view: View, today: date, month: date, kept: KeptRegions, stop: Callable[[], bool]) -> None:
    """Read in the background, into `kept` (valid until the next commit), the due lists of the months before and
    after `month`: what the due panel's month keys show next. `stop()` True: a key came, whose own read comes
    first."""
    for step in (1, -1):
        if stop():
            return
        _month_listed(run, view, today, month + relativedelta(months=step), kept)


def read_switch_ahead(run: Run, view: View, today: date, month: date, kept: KeptRegions,
                      stop: Callable[[], bool]) -> None:
    """Read in the background, into `kept` (valid until the next commit), what a switch to `view` (everyone's, from an
    owner's) reads and what its keys read next: its views (`read_ahead`), then its due panel for `month` and the
    months either side (`read_due_ahead`), so that the switch reads nothing and starts no read beside its first keys.
    `stop()` True: a key came, whose own read comes first."""
    read_ahead(run, view, today, kept, stop)
    if stop():
        return
    load_due(run, view, today, month, kept=kept)
    read_due_ahead(run, view, today, month, kept, stop)


@dataclass(frozen=True, slots=True)
class AfterChange:
    """What the screen repaints after one action changed."""

    row: ActionRow
    counts: BranchCounts | None  # None: unchanged
    due: DueLists | None  # None: the same actions as before
    detail: ActionDetail


@dataclass(frozen=True, slots=True)
class BranchCounts:
    """Where a changed action sits, and the progress of its region, addressee and recommendation."""

    path: ActionPath
    progress: tuple[Progress, Progress, Progress]


def load_after_change(session: Session, view: View, today: date, month: date, action_id: int, *,
                      counts: bool = True) -> AfterChange:
    """The changed action with its detail and, if `counts` may have moved, its branch counts and the due
    panel, in one read (in the write's own transaction: its statements through sqlite3 on SQLite)."""
    from store import queries

    run = fastread.in_transaction(session)
    detail = reads.action_detail(run, action_id, today)
    branch = None
    if counts:
        path = queries.action_path(session, action_id)
        branch = BranchCounts(path, reads.path_progress(run, view, today, path.region, path.addressee_id,
                                                        path.recommendation_id))
    return AfterChange(row=detail.action, counts=branch, due=load_due(run, view, today, month) if counts else None,
                       detail=detail)


@dataclass(frozen=True, slots=True)
class ClassMove:
    """Where one action is counted in everyone's classes (`reads.action_class`) before and after this screen's change
    of it, both read in the change's transaction, and the database's version just before the change."""

    at: int
    before: reads.ClassedAction | None
    after: reads.ClassedAction | None = None


def class_before(db: OpenDatabase, session: Session, action_id: int, today: date) -> ClassMove:
    """The action's class as a change's transaction starts, and the database's version then (read once the
    transaction holds the write lock: on SQLite nothing else commits until it ends)."""
    before = reads.action_class(fastread.in_transaction(session), action_id, today)  # the lock is taken first
    return ClassMove(db.data_version(), before)


def class_after(move: ClassMove, session: Session, action_id: int, today: date) -> ClassMove:
    """`move` with the action's class after the change, read in its transaction."""
    return replace(move, after=reads.action_class(fastread.in_transaction(session), action_id, today))


def action_version(session: Session, action_id: int) -> int:
    """The action's version as stored now (it moves on with every change)."""
    from sqlmodel import col, select

    from store.models import Action

    return int(session.execute(select(col(Action.version)).where(col(Action.id) == action_id)).scalar_one())

