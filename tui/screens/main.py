"""The main screen: the owner's tree, the detail pane and the due panel, and the keys that change actions.

What the screen shows is one `ViewState` (whose actions, filters, month); its watcher reloads what a
change touches. Widgets post messages up; this screen calls the store off its own thread, with a fresh
session each: reads in thread workers, writes on the screen's write thread, one at a time in the order of
the keys (`tui.writes`); every failure is said in one place (`report`).

Below `NARROW` columns the tree takes the whole width: enter shows an action in full in its place,
and tab swaps it for the due panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import Worker, WorkerState, get_current_worker

from store import fastread, lists, reads
from store.errors import StaleError, StoreError
from store.rows import (
    ActionDetail,
    ActionPath,
    ActionRow,
    AddresseeNode,
    OwnerCount,
    RecommendationDetail,
    RegionNode,
    View,
    When,
)
from store.targets import Status
from store.text import agreement_words, counted, status_word, visible
from tui.commands import what_it_does
from tui.kept_regions import KeptRegions, kept
from tui.labels import action_detail_text, branch_detail_text, change_words, recommendation_detail_text
from tui.loading import (
    AfterChange,
    ClassMove,
    DueLists,
    OpenDatabase,
    action_version,
    children_of,
    class_after,
    class_before,
    load_actions,
    load_after_change,
    load_due,
    load_tree,
    read_ahead,
    read_at_once,
    read_due_ahead,
    read_switch_ahead,
    read_with,
    unmoved_by,
)
from tui.nodes import ROOT, Item, NodeKey
from tui.view_state import ViewState, changes
from tui.widgets.context_bar import Context, ContextBar
from tui.widgets.detail import DetailPane
from tui.widgets.due_panel import DuePanel
from tui.widgets.plan_tree import PlanTree
from tui.widgets.repaint import SteadyFooter
from tui.widgets.sync_bar import SyncBar
from tui.writes import OwnVersions, WriteThread, Written, undo_change

if TYPE_CHECKING:
    from sqlmodel import Session

    from store.run import Run
    from tui.app import ActionTrackApp

T = TypeVar("T")
POLL_SECONDS = 2.0
NARROW = 120  # below this many columns the tree takes the whole width
Pane = Literal["tree", "detail", "due"]
ACTION_KEYS = {"complete": "c", "ongoing": "o", "not_started": "x", "tick": "t", "note": "n", "revise": "r"}
BRANCH_WORDS = {"region": "a region", "addressee": "a PDU or addressee", "recommendation": "a recommendation"}


class MainScreen(Screen[None]):
    """Tree, detail and due panel for one owner (or everyone)."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]
    BINDINGS = [
        Binding("tab", "show_due", "Due", id="show-due"),
        Binding("tab", "show_tree", "Tree", id="show-tree", show=False),
        Binding("tab", "app.focus_next", "Next pane", id="focus-next", show=False),  # wide: tree ↔ due panel
        Binding("escape,left", "back", "Back", id="back", key_display="esc"),
        Binding("escape", "clear_search", "Clear search", id="clear-search", show=False),
        Binding("c", "complete", "Complete", id="complete"),
        Binding("o", "ongoing", "Ongoing", id="ongoing"),
        Binding("x", "not_started", "Not started", id="not-started", show=False),
        Binding("t", "tick", "Tick", id="tick", show=False),
        Binding("n", "note", "Note", id="note"),
        Binding("r", "revise", "Revise target", id="revise", show=False),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("p", "pick_owner", "Owner", id="pick-owner"),
        Binding("a", "toggle_all", "All/mine", id="show-all", show=False),
        Binding("h", "toggle_hide_complete", "Hide done", id="hide-complete", show=False),
        Binding("f", "next_status_filter", "Status filter", id="status-filter", show=False),
        Binding("d", "next_date_filter", "Date filter", id="date-filter", show=False),
        Binding("F", "clear_filters", "Clear filters", id="clear-filters", show=False),
        Binding("s", "toggle_sort", "Sort", id="sort", show=False),
        Binding("P", "toggle_closed", "Closed plans", id="closed-plans", show=False),
        Binding("slash", "search", "Search", id="search"),
        Binding("left_square_bracket", "month(-1)", "Previous month", id="prev-month", show=False),
        Binding("right_square_bracket", "month(1)", "Next month", id="next-month", show=False),
        Binding("R", "report('xlsx')", "Report", id="report", show=False),
        Binding("S", "sync", "Sync", id="sync"),
    ]
    # keys that only move between the panes of a narrow screen: not in the palette
    PANE_ACTIONS = {"show_due", "show_tree", "app.focus_next", "back", "clear_search"}

    # What is shown; its watcher reloads what a change touches. No key in the footer depends on it, so it
    # does not refresh the bindings (a refresh rebuilds the footer: measurable on every month key).
    state: reactive[ViewState] = reactive(ViewState(owner=None, month=date.min), init=False, repaint=False)
    # Which pane has the tree's place on a narrow screen; the footer's tab and esc keys depend on it.
    pane: reactive[Pane] = reactive[Pane]("tree", bindings=True, init=False)

    def __init__(self, db: OpenDatabase, *, today: date, owner: OwnerCount | None, ask_owner: bool) -> None:
        super().__init__()
        self.db = db
        self.today = today
        self.ask_owner = ask_owner
        self.set_reactive(MainScreen.state, ViewState(owner=owner, month=today.replace(day=1),
                                                      everyone=owner is None))
        self.seen_version: int | None = None
        self.damaged = ""  # why the database failed its check, if it did
        self.due_lists: DueLists | None = None
        self.writes = WriteThread()
        self.own_versions = OwnVersions()
        self.kept_regions = KeptRegions(db.data_version)  # everyone's regions under each filter
        # every owner with their counts, as the picker lists them: read once after start, then again (in
        # the background, the picker open) after a change that moved a count
        self.owners: list[OwnerCount] | None = None
        self.owners_stale = False
        self.due_with_tree = False  # a tree load under way reads the due panel too
        self.due_ahead_waiting = False  # the due panel's months either side wait for everyone's counts' read-ahead
        # the branches open before a filter opened a small view whole: a filter that leads to a large view opens
        # these again, not every branch of the small one (each read on its own, thousands of rows)
        self.open_before_whole: set[NodeKey] | None = None

    @property
    def app_(self) -> ActionTrackApp:
        """The app, which holds the one config."""
        return self.app  # type: ignore[return-value]

    @property
    def by(self) -> str:
        """Who changes are recorded as (the config's user, else the login name)."""
        return self.app_.config.by

    @property
    def narrow(self) -> bool:
        """Whether the tree has the whole width (the detail and due panel take its place in turn)."""
        return self.has_class("-narrow")

    @property
    def current(self) -> ActionRow | None:
        """The action the keys act on: the one under the cursor of the focused list, read at key time."""
        due = self.query_one(DuePanel)
        if due.has_focus:
            return due.highlighted_row
        tree = self.query_one(PlanTree)
        key = tree.cursor_key
        item = tree.items.get(key) if key is not None else None
        return item if isinstance(item, ActionRow) else None

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ContextBar(id="context")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Input(placeholder="search actions: enter applies, escape clears", id="search")
                yield PlanTree(id="tree")
            with Vertical(id="right"):
                yield DetailPane(id="detail")
                yield DuePanel(id="due")
        yield SyncBar(self.db, by=self.by, id="sync-bar")
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one(PlanTree).focus()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.watch_state(None, self.state)
        if not self.db.read_only:
            self._watch_later()
        self.call_after_refresh(self._check_database)
        if self.ask_owner:
            self.action_pick_owner(first_run=True)

    def _theme_changed(self, _theme: Theme) -> None:
        self.query_one(PlanTree).relabel()
        self.query_one(DuePanel).restyle()
        self.query_one(ContextBar).refresh()
        # the detail's text carries the theme's colours: what it shows is shown again in the new ones
        due = self.query_one(DuePanel)
        self._show_detail_of(due if due.has_focus else self.query_one(PlanTree))

    def watch_state(self, old: ViewState | None, new: ViewState) -> None:
        """Reload what the change of state touches, and say it in the context bar."""
        touched = changes(old, new)
        if touched.tree and touched.hiding and self._tree_settled():
            self._hide_complete_shown()  # nothing to read: the rows shown less the complete ones
        elif touched.tree and touched.reorder and self._tree_settled():
            self._reorder_actions()  # the actions read again in the new order; the branches stay
        elif touched.tree:
            # both in one read, one repaint
            self.reload_tree(fresh=touched.owner, reopen=touched.filters, with_due=touched.due)
        elif touched.due:
            self.reload_due(month_only=touched.month_only)
        if not touched.due:  # else the new due lists say it, with their counts
            self._show_context()

    def watch_pane(self, pane: Pane) -> None:
        """In a narrow screen, show the pane chosen in the tree's place."""
        self.set_class(pane == "detail", "-show-detail")
        self.set_class(pane == "due", "-show-due")
        detail = self.query_one(DetailPane)
        detail.can_focus = pane == "detail"
        target = {"tree": self.query_one(PlanTree), "detail": detail, "due": self.query_one(DuePanel)}[pane]
        target.focus()

    def _watch_later(self) -> None:
        """Poll SQLite's data_version so changes made by other programs show up here."""
        self._work(self.db.data_version, self._watching, group="watch")

    def _watching(self, version: int) -> None:
        self.seen_version = version
        self.set_interval(POLL_SECONDS, self._poll)

    # -- workers and errors, in one place ------------------------------------------------------
    def _work(self, job: Callable[[], T], done: Callable[[T], None], *, group: str,
              exclusive: bool = True) -> Worker[None]:
        """Run `job` in a thread; hand its result to `done` on the screen unless superseded."""

        def run() -> None:
            result = job()
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(done, result)

        return self.run_worker(run, thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    def _group_busy(self, group: str) -> bool:
        """Whether a worker of `group` has not finished yet."""
        return any(w.group == group and not w.is_finished for w in self.workers)

    def on_unmount(self) -> None:
        """Every write queued from this screen is written before it goes (the app quitting); what failed
        then is said once the app has ended."""
        for error in self.writes.close():
            self.app_.unsaved.append(self.failure_words(error)[0])

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            if event.worker.group == "check":
                self.damaged = str(event.worker.error)
                self._show_context()
            self.report(event.worker.error)
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.app_.loaded(event.worker.group)
        if event.worker.group in ("tree", "ahead") and event.worker.is_finished and self.due_ahead_waiting:
            self._read_due_ahead_if_needed()  # the months either side waited for this read

    def report(self, error: BaseException) -> None:
        """Tell the user what went wrong in one sentence; stale views are refreshed."""
        if isinstance(error, StaleError):
            self.notify(visible(str(error)), severity="warning", title="Changed elsewhere", markup=False)
            self.refresh_all()
            return
        words, title = self.failure_words(error)
        self.notify(words, severity="error", title=title, markup=False)

    def failure_words(self, error: BaseException) -> tuple[str, str]:
        """What went wrong, in one sentence, and the title it is shown under ("" for none)."""
        from sqlalchemy.exc import SQLAlchemyError

        from store.db import describe_sqlite_error

        if isinstance(error, StoreError):
            return visible(str(error)), ""
        if isinstance(error, SQLAlchemyError | OSError):
            return describe_sqlite_error(self.db.path, error) + "; nothing was saved", "Database error"
        return visible(f"Unexpected error: {type(error).__name__}: {error}"), ""

    def say(self, message: str) -> None:
        """Answer a key that cannot act where the cursor is, in one line."""
        self.notify(message, severity="warning", timeout=4, markup=False)

    # -- loading -----------------------------------------------------------------------------
    def reload_tree(self, *, fresh: bool = False, reopen: bool = False, with_due: bool = False) -> None:
        """Load the tree for the current view, keeping the cursor's action (and, unless `fresh`, open branches;
        `reopen`: a view small enough opens fully, as a fresh one does); `with_due`: the due panel too, in the
        same read."""
        tree = self.query_one(PlanTree)
        expanded = None if fresh or not tree.loaded else tree.expanded_keys()
        if reopen and not fresh and self.open_before_whole is not None:
            expanded = self.open_before_whole
        cursor = tree.cursor_key
        view, today, month = self.state.view, self.today, self.state.month
        with_due = self.due_with_tree = with_due or self.due_with_tree  # a load this one supersedes read it
        self.workers.cancel_group(self, "ahead")
        if self._group_busy("due-ahead"):  # this read comes first; the months are read once its view shows
            self.workers.cancel_group(self, "due-ahead")
            self.due_ahead_waiting = True
        if with_due:
            self.workers.cancel_group(self, "due")  # a due panel read before this change must not show after it

        def read(run: Run) -> tuple[tuple[dict[NodeKey, list[Item]], set[NodeKey] | None], DueLists | None]:
            return (load_tree(run, view, today, expanded, reopen=reopen, kept=self.kept_regions),
                    load_due(run, view, today, month, kept=self.kept_regions) if with_due else None)

        def job() -> tuple[tuple[dict[NodeKey, list[Item]], set[NodeKey] | None], DueLists | None]:
            return read_with(self.db, read)

        def done(result: tuple[tuple[dict[NodeKey, list[Item]], set[NodeKey] | None], DueLists | None]) -> None:
            (children, open_keys), due = result
            tree.rebuild(children, open_keys, cursor)
            if fresh or reopen:  # a small view opened whole (None) keeps what was open before it
                self.open_before_whole = (expanded or set()) if open_keys is None else None
            if kept(view) or reopen:  # everyone's view, or an owner's filter key: the next keys' reads, read ahead
                self._read_ahead_if_needed(view)
            if due is not None:
                self.due_with_tree = False
                if self.state.view == view and self.state.month == month:
                    self._show_due(due)
                    self._read_due_ahead_if_needed()
                    self.app_.loaded("due")  # read with the tree: the first view may be complete
                else:  # the month or the view moved on meanwhile
                    self.reload_due()
            if self.owners is None and not self.ask_owner:
                # ready for the picker before it is asked for: read once this view is on the screen, not beside
                # its first paint
                self.call_after_refresh(self._read_owners_ahead)
            if not children.get(ROOT):
                self.query_one(DetailPane).show(Text(self._empty_message()))
            elif (branch := self._branch_at_cursor(tree)) is not None:  # its counts are the new view's
                self.query_one(DetailPane).show(branch_detail_text(branch, self.app.theme_variables), same_subject=True)
            elif (cursor is not None and cursor.kind == "action" and cursor not in tree.nodes_by_key
                  and not tree.fully_loaded):
                self.select_action(int(cursor.id), quiet=True)  # in a branch not loaded: open down to it

        # the first view, with the owner named at start, is read before the first layout (`read_at_once`)
        first = read_at_once(self.db, read) if not tree.loaded and not self.ask_owner else None
        if first is None:
            self._work(job, done, group="tree")
        else:
            done(first)
            self.app_.loaded("tree")

    @staticmethod
    def _branch_at_cursor(tree: PlanTree) -> RegionNode | AddresseeNode | None:
        """The region or addressee the tree's cursor is on while the tree has the keys (its detail is shown)."""
        item = tree.items.get(tree.cursor_key) if tree.has_focus and tree.cursor_key is not None else None
        return item if isinstance(item, RegionNode | AddresseeNode) else None

    def _read_ahead_if_needed(self, view: View) -> None:
        """Read ahead what the keys of `view`'s owner (or everyone's) read, unless read ahead since the last commit."""
        if self._ahead_to_read(view):
            self.call_after_refresh(self._read_regions_ahead, view)

    def _ahead_to_read(self, view: View) -> bool:
        """Whether the views the keys of `view` show are to be read ahead: not read since the last commit."""
        return not view.search.strip() and not self.kept_regions.read_ahead_for(view, self.today)

    def _read_regions_ahead(self, view: View) -> None:
        """Read in the background the views the keys of `view` show (`tui.loading.read_ahead`): for everyone, the
        regions under every status and date filter and each region's addressees."""
        today, regions = self.today, self.kept_regions
        self._read_in_background(partial(read_ahead, view=view, today=today, kept=regions), group="ahead")

    def _read_in_background(self, read: Callable[..., None], *, group: str) -> None:
        """Run `read(run, stop=...)` in a worker of `group`, its `stop()` true once the group is cancelled (a view is
        being read: it comes first)."""

        def job() -> None:
            worker = get_current_worker()
            if not worker.is_cancelled:
                read_with(self.db, partial(read, stop=lambda: worker.is_cancelled))

        self._work(job, lambda _none: None, group=group)

    def _tree_settled(self) -> bool:
        """Whether the tree shows a view read in full, with no read for it under way (whose result would land on
        a change made meanwhile): then a change of view can start from the rows shown."""
        busy = any(not worker.is_finished and (worker.group in ("tree", "reveal") or worker.group.startswith("expand-"))
                   for worker in self.workers)
        return bool(self.query_one(PlanTree).loaded) and not busy

    def _hide_complete_shown(self) -> None:
        """Hide the complete actions, and the branches all complete, from the rows shown: the counts stay."""
        tree = self.query_one(PlanTree)
        kept = {key: [item for item in items if reads.kept_when_hiding(item)] for key, items in tree.shown().items()}
        tree.rebuild(kept, tree.expanded_keys(), tree.cursor_key)
        if not kept.get(ROOT):
            self.query_one(DetailPane).show(Text(self._empty_message()))

    def _reorder_actions(self) -> None:
        """Read the actions of the branches loaded again in the view's order; the branches stay as they are."""
        tree = self.query_one(PlanTree)
        view, today = self.state.view, self.today
        recommendations = None if tree.fully_loaded else [int(key.id) for key in tree.loaded
                                                          if key.kind == "recommendation"]

        def job() -> dict[NodeKey, list[Item]]:
            if recommendations == []:
                return {}
            return read_with(self.db, lambda run: load_actions(run, view, today, recommendations, self.kept_regions))

        def done(actions: dict[NodeKey, list[Item]]) -> None:
            shown = tree.shown()
            shown.update({key: rows for key, rows in actions.items() if key in shown})
            tree.rebuild(shown, tree.expanded_keys(), tree.cursor_key)
            self._read_ahead_if_needed(view)

        self._work(job, done, group="tree")

    def _empty_message(self) -> str:
        if self.state.filtered:
            return f"No action in view is {' and '.join(self.state.view.filter_words)}. Press F to clear the filters."
        if self.state.search:
            return f"No action matches “{visible(self.state.search)}”. Escape clears the search."
        if self.state.hide_complete:
            return "Every action in view is complete. Press h to show completed actions."
        return "No actions in view. Press p to choose another owner, or a to show everyone's."

    def reload_due(self, *, month_only: bool = False) -> None:
        """Load the due panel for the month shown; `month_only`: nothing but the month moved since the lists shown
        were read (their overdue list stays)."""
        view, today, month = self.state.view, self.today, self.state.month
        pending = self.due_with_tree or self._group_busy("due")
        shown = self.due_lists if month_only and not pending else None  # else what is shown may be out of date
        self.workers.cancel_group(self, "due-ahead")  # this read comes first

        def job() -> DueLists:
            return read_with(self.db, lambda run: load_due(run, view, today, month, shown=shown,
                                                           kept=self.kept_regions))

        def done(lists: DueLists) -> None:
            self._show_due(lists)
            self._read_due_ahead_if_needed()

        self._work(job, done, group="due")

    def _read_due_ahead_if_needed(self) -> None:
        """For everyone's view, read ahead the due lists of the months before and after the one shown
        (`tui.loading.read_due_ahead`), so that a month key reads nothing; an owner's lists are quick to read."""
        if self.state.view.owner_id is None and self.due_lists is not None:
            self.call_after_refresh(self._read_due_ahead, self.state.view, self.due_lists.month)

    def _read_due_ahead(self, view: View, month: date) -> None:
        if self._group_busy("tree") or self._group_busy("ahead") or self._ahead_to_read(view):
            self.due_ahead_waiting = True  # one background read at a time beside a key: everyone's counts first
            return
        self.due_ahead_waiting = False
        self._read_in_background(partial(read_due_ahead, view=view, today=self.today, month=month,
                                         kept=self.kept_regions), group="due-ahead")

    def _show_due(self, lists: DueLists) -> None:
        self.due_lists = lists
        self.query_one(DuePanel).show(lists)
        self._show_context()

    def refresh_all(self) -> None:
        """Reload everything shown (after another process changed the database)."""
        self.owners_stale = True
        self.reload_tree()
        self.reload_due()
        if self.current is not None:
            self._load_action_detail(self.current.id)

    def _poll(self) -> None:
        def done(version: int) -> None:
            if self.seen_version is not None and version != self.seen_version and not self.writes.busy:
                self.seen_version = version
                self.refresh_all()

        self._work(self.db.data_version, done, group="poll")

    def _show_context(self) -> None:
        lists, state = self.due_lists, self.state
        self.query_one(ContextBar).context = Context(
            who=state.who, today=self.today,
            month=lists.month if lists else None,
            due=lists.due_total if lists else 0,
            overdue=lists.overdue_total if lists else 0,
            hide_complete=state.hide_complete, search=state.search,
            filters=tuple(state.view.filter_words), by_due_date=state.order == "due",
            closed_shown=state.include_closed,
            damaged=bool(self.damaged),
            read_only=(self.db.read_only_reason or "no write permission") if self.db.read_only else "",
        )

    # -- what the widgets report -----------------------------------------------------------------
    @on(PlanTree.BranchExpanded)
    def _branch_expanded(self, message: PlanTree.BranchExpanded) -> None:
        view, today, key = self.state.view, self.today, message.key

        def job() -> list[Item]:
            return read_with(self.db, lambda run: children_of(run, view, today, key, self.kept_regions))

        self._work(job, lambda items: self.query_one(PlanTree).fill(key, items), group=f"expand-{key}")

    @on(PlanTree.NodeChosen)
    def _node_chosen(self, message: PlanTree.NodeChosen) -> None:
        if not self.query_one(PlanTree).has_focus:
            return
        self._choose(message.key, message.item)

    @on(PlanTree.ActionOpened)
    def _action_opened(self, message: PlanTree.ActionOpened) -> None:
        if self.narrow:  # a wide screen shows the detail beside the tree already
            self.pane = "detail"

    @on(DuePanel.ActionHighlighted)
    def _due_highlighted(self, message: DuePanel.ActionHighlighted) -> None:
        if self.query_one(DuePanel).has_focus:
            self._choose(NodeKey("action", message.action_id), message.row)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._show_detail_of(event.widget)

    def _show_detail_of(self, widget: Widget | None) -> None:
        """Show in the detail pane what is under the cursor of `widget` (the tree or the due panel)."""
        if isinstance(widget, PlanTree):
            key = widget.cursor_key
            if key is not None:
                self._choose(key, widget.items.get(key))
        elif isinstance(widget, DuePanel):
            row = widget.highlighted_row
            if row is not None:
                self._choose(NodeKey("action", row.id), row)

    def _choose(self, key: NodeKey, item: Item | None) -> None:
        detail = self.query_one(DetailPane)
        if key.kind == "action":
            self._load_action_detail(int(key.id))
        elif key.kind == "recommendation":
            self._load_recommendation_detail(int(key.id))
        elif isinstance(item, RegionNode | AddresseeNode):
            detail.show(branch_detail_text(item, self.app.theme_variables))

    def _load_action_detail(self, action_id: int) -> None:
        today = self.today

        def job() -> ActionDetail:
            return read_with(self.db, lambda run: reads.action_detail(run, action_id, today))

        def done(detail: ActionDetail) -> None:
            self.query_one(DetailPane).show(action_detail_text(detail, today, self.app.theme_variables))

        self._work(job, done, group="detail")

    def _load_recommendation_detail(self, rec_id: int) -> None:
        def job() -> RecommendationDetail:
            from store import queries

            with self.db.read() as session:
                return queries.recommendation_detail(session, rec_id)

        def done(d: RecommendationDetail) -> None:
            agreement = agreement_words(d.agreement, d.inferred)
            self.query_one(DetailPane).show(recommendation_detail_text(
                d.number, d.text, agreement, d.reason, d.note, d.addressee, f"{d.plan_title} [{d.plan_id}]",
                self.app.theme_variables))

        self._work(job, done, group="detail")

    @on(DuePanel.ActionChosen)
    def _due_chosen(self, message: DuePanel.ActionChosen) -> None:
        self.select_action(message.action_id)

    def select_action(self, action_id: int, *, quiet: bool = False) -> None:
        """Open the tree down to an action and put the cursor on it (`quiet`: say nothing if it is hidden)."""
        view, today = self.state.view, self.today
        tree = self.query_one(PlanTree)
        known = set(tree.loaded)

        def job() -> tuple[ActionPath, dict[NodeKey, list[Item]]]:
            from store import queries

            with self.db.read() as session:
                path = queries.action_path(session, action_id)
                run = fastread.in_transaction(session)  # as `read_with` reads
                return path, {k: children_of(run, view, today, k) for k in NodeKey.above(path) if k not in known}

        def done(result: tuple[ActionPath, dict[NodeKey, list[Item]]]) -> None:
            path, missing = result
            keys = NodeKey.above(path)
            for key in keys:
                if key in missing:
                    tree.fill(key, missing[key])
            if tree.reveal([*keys, NodeKey("action", action_id)]):
                self.pane = "tree"
                tree.focus()
            elif not quiet:
                self.say("That action is hidden by the search or filter in force.")

        self._work(job, done, group="reveal")

    # -- keys ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Every key in the footer always answers; only the pane keys depend on the layout and the search."""
        if action == "back":
            return self.pane != "tree"
        if action == "clear_search":
            return self.pane == "tree" and (bool(self.state.search) or self.query_one("#search", Input).display)
        if action == "show_due":
            return self.narrow and self.pane == "tree"
        if action == "show_tree":
            return self.narrow and self.pane == "due"
        if action == "sync":
            return self.query_one(SyncBar).available
        return True

    def action_back(self) -> None:
        """Back to the tree from an action read in full or the due panel."""
        self.pane = "tree"

    def action_show_due(self) -> None:
        """Under 120 columns, show the due panel in the tree's place (tab again: the tree); wider, go to it."""
        self.pane = "due"

    def action_show_tree(self) -> None:
        """In a narrow screen, show the tree again."""
        self.pane = "tree"

    def on_resize(self) -> None:
        if not self.narrow and self.pane != "tree":
            self.pane = "tree"
        self.refresh_bindings()

    def _check_database(self) -> None:
        """Run SQLite's quick_check off the start path; a damaged file is reported (and never written)."""
        self._work(self.db.quick_check, lambda _: None, group="check")

    def _refuse_if_read_only(self) -> bool:
        if self.damaged:
            self.notify(f"Nothing can be saved: {visible(self.damaged)}", severity="error", markup=False)
            return True
        if self.db.read_only:
            why = self.db.read_only_reason or "it is read-only"
            self.notify(f"Changes cannot be saved to {visible(self.db.where)}: {why}.",
                        severity="warning", title="Read-only", markup=False)
            return True
        return False

    def _action_for(self, action: str) -> ActionRow | None:
        """The action a key acts on, or None after saying why there is none."""
        row = self.current
        if row is None:
            letter = ACTION_KEYS.get(action, "u")
            if self.query_one(DuePanel).has_focus:
                self.say(f"{letter} acts on one action and the due panel lists none.")
                return None
            key = self.query_one(PlanTree).cursor_key
            where = BRANCH_WORDS.get(key.kind, "no action") if key is not None else "no action"
            self.say(f"{letter} acts on one action and the cursor is on {where}: move down to an action.")
            return None
        if self._refuse_if_read_only():
            return None
        return row

    def _queue(self, write: Callable[[Session], Written], done: Callable[[AfterChange], None] | None = None, *,
               action_id: int | None = None) -> None:
        """Run `write` (it says which action it changed) after every earlier write, then repaint what it
        touched and call `done`. The repaint itself is the confirmation. `action_id`: the action it will change,
        if known, whose place in everyone's counts is then read before and after (`_carry_classes`)."""
        state, today = self.state, self.today
        classes = action_id is not None and kept(state.view)

        def job() -> tuple[AfterChange, int, ClassMove | None]:
            with self.db.write() as session:
                move = class_before(self.db, session, action_id, today) if action_id is not None and classes else None
                written = write(session)
                # read in the same transaction, as it is committed (the screen shows it only once it is)
                after = load_after_change(session, state.view, today, state.month, written.action_id,
                                          counts=written.counts)
                if move is not None:
                    move = class_after(move, session, written.action_id, today) \
                        if written.action_id == action_id else None
            if written.moved_from is not None:
                self.own_versions.moved(written.action_id, written.moved_from, after.row.version)
            return after, self.db.data_version(), move  # our own commit: nothing to refresh for it

        def shown(result: tuple[AfterChange, int, ClassMove | None]) -> None:
            after, self.seen_version, move = result
            carried = move is not None and self._carry_classes(move, self.seen_version)
            self._show_change(after, fresh_due=self.state.view == state.view and self.state.month == state.month)
            if after.counts is not None and kept(self.state.view) and not carried:
                # everyone's counts moved and were not carried over the change: read them anew
                self.call_after_refresh(self._read_regions_ahead, self.state.view)
            if done is not None:
                done(after)

        self.writes.submit(job, shown, self.report)

    def _carry_classes(self, move: ClassMove, now: int) -> bool:
        """Keep everyone's counts read before this screen's own change valid after it, the changed action counted
        anew, if the change was the one commit since (the version moved by one: on a server a counter each commit
        moves once; on SQLite any commits between two looks move it by one, and the write lock held from `move.at`
        leaves only the moment between the commit and the look at `now`, when the screen takes no other commit
        for its own either). Whether they were kept and carried."""
        return now == move.at + 1 and self.kept_regions.carry(move.at, now, self.today, move.before, move.after,
                                                              unmoved_by(move))

    def _change(self, row: ActionRow, change: Callable[[Session, int], Written | None],
                done: Callable[[AfterChange], None] | None = None) -> None:
        """Queue `change(session, expected_version)` of `row`, expecting the version the key saw moved on by
        this screen's own earlier writes; `change` says what it wrote (None: nothing)."""

        def write(session: Session) -> Written:
            expected = self.own_versions.expected(row.id, row.version)
            written = change(session, expected)
            return Written(row.id, counts=False) if written is None else replace(written, moved_from=expected)

        self._queue(write, done, action_id=row.id)

    def _show_change(self, after: AfterChange, *, fresh_due: bool = True) -> None:
        """Repaint what one change touched; `fresh_due` False: the due panel moved on meanwhile, reload it."""
        tree = self.query_one(PlanTree)
        if after.counts is not None:  # counts moved: the picker's too
            self.owners_stale = True
        if self._view_may_have_moved(after):
            self.reload_tree()
        else:
            tree.update_item(after.row)
            if after.counts is not None:
                for key, progress in zip(NodeKey.above(after.counts.path), after.counts.progress, strict=True):
                    tree.update_progress(key, progress)
        if after.due is None:  # the same actions are listed: show the changed one anew, if it is there
            if self.due_lists is not None and after.row.id in self.due_lists.ids:
                self._show_due(self.due_lists.with_row(after.row))
        elif fresh_due:
            self._show_due(after.due)
        else:
            self.reload_due()
        current = self.current
        if current is not None and current.id == after.row.id:
            self.query_one(DetailPane).show(action_detail_text(after.detail, self.today, self.app.theme_variables),
                                            same_subject=True)

    def _view_may_have_moved(self, after: AfterChange) -> bool:
        """Whether the tree is read again after a change: under a filter (completed actions hidden, one status, a
        date filter) a change that moves counts may take its action out of the view, or (an undo) bring it back."""
        view = self.state.view
        return after.counts is not None and (view.hide_complete or view.status is not None or view.when is not None)

    def _set_status(self, action: str, status: Status) -> None:
        row = self._action_for(action)
        if row is None:
            return
        by, filtered = self.by, self.state.view.status is not None

        def change(session: Session, expected: int) -> Written:
            from store import commands

            moved = commands.set_status(session, row.id, status, by=by, expected_version=expected)
            # between not started and ongoing no count moves and the due panel lists the same actions, unless
            # the view counts one status only
            return Written(row.id, counts=filtered or Status.COMPLETE in (moved.from_status, moved.to_status))

        self._change(row, change)

    def action_complete(self) -> None:
        """Mark the action complete."""
        self._set_status("complete", Status.COMPLETE)

    def action_ongoing(self) -> None:
        """Mark the action ongoing."""
        self._set_status("ongoing", Status.ONGOING)

    def action_not_started(self) -> None:
        """Mark the action not started."""
        self._set_status("not_started", Status.NOT_STARTED)

    def action_tick(self) -> None:
        """Tick off the recurring action's occurrence in the month shown in the due panel."""
        row = self.current
        if row is not None and row.every_months is None:
            self.say(f"{visible(row.reference)} is a one-off action: t ticks off a month of a recurring one; "
                     "c marks this one complete.")
            return
        row = self._action_for("tick")
        if row is None:
            return
        by, period = self.by, f"{self.state.month:%Y-%m}"

        def change(session: Session, expected: int) -> Written:
            from store import commands

            commands.tick_occurrence(session, row.id, period, by=by, expected_version=expected)
            return Written(row.id)

        self._change(row, change)

    def action_note(self) -> None:
        """Add a note (e.g. the evidence) to the action."""
        row = self._action_for("note")
        if row is not None:
            self._ask_note(row)

    def _ask_note(self, row: ActionRow, kept: str = "", warning: str = "") -> None:
        """Ask for a note on `row`; if the action changed meanwhile, keep the note and ask again on the new state."""
        by = self.by

        def written(text: str | None) -> None:
            if not text or not text.strip():
                return
            refused = False

            def change(session: Session, expected: int) -> Written | None:
                from store import commands

                nonlocal refused
                try:
                    commands.add_note(session, row.id, text, by=by, expected_version=expected)
                except StaleError:
                    refused = True  # nothing was written: the note goes back to the user
                    return None
                return Written(row.id, counts=False)  # a note moves no count

            def done(after: AfterChange) -> None:
                if refused:
                    self._note_refused(row, text, after.detail)

            self._change(row, change, done)

        from tui.screens.note import NoteScreen  # not on the first screen: loaded when first asked for

        self.app.push_screen(NoteScreen(row.reference, row.text, value=kept, warning=warning), written)

    def action_revise(self) -> None:
        """Revise the action's target, with a reason; the new target is shown as read before it is saved."""
        row = self._action_for("revise")
        if row is None:
            return
        by = self.by

        def job() -> date | None:
            from store import revising

            with self.db.read() as session:
                return revising.written_on(session, row.id)

        def ask(plan_written_on: date | None) -> None:
            from store import revising

            def read(written: str) -> str:
                return revising.read_new_target(written, plan_written_on).described

            def revised(answer: tuple[str, str] | None) -> None:
                if answer is None:
                    return
                target, reason = answer

                def change(session: Session, expected: int) -> Written:
                    revising.revise_target(session, row.id, target, reason=reason, by=by, expected_version=expected)
                    return Written(row.id)

                self._change(row, change)

            from tui.screens.revise import ReviseScreen  # not on the first screen

            self.app.push_screen(ReviseScreen(row.reference, row.target, read), revised)

        self._work(job, ask, group="revise")

    def _note_refused(self, row: ActionRow, note: str, detail: ActionDetail) -> None:
        """Say what changed under a note being written, and offer the note again on the new state."""
        last = detail.history[-1] if detail.history else None
        what = (f"{change_words(last.kind, last.from_status, last.to_status, last.period, last.note)} "
                f"by {visible(last.by)}" if last else f"now {status_word(detail.action.status)}")
        self.refresh_all()
        self._ask_note(detail.action, kept=note, warning=(
            f"{visible(row.reference)} changed while you wrote: {what}. Your note is kept: "
            "ctrl+s saves it on the new state, escape drops it."))

    def action_sync(self) -> None:
        """Sync with the region's server now: send your changes, receive everyone else's."""
        self.query_one(SyncBar).start()

    @on(SyncBar.Synced)
    def _synced(self, message: SyncBar.Synced) -> None:
        if message.error:
            self.notify(visible(message.error), severity="error", title="Sync", markup=False)
        else:
            self.notify(visible(message.summary), title="Sync", markup=False)
            self.refresh_all()

    def action_undo(self) -> None:
        """Undo your last change of the action under the cursor (a new change back; history keeps both)."""
        if self._refuse_if_read_only():
            return
        row, by = self.current, self.by
        what: list[str] = []

        def write(session: Session) -> Written:
            before = action_version(session, row.id) if row else None
            undone = undo_change(session, by=by, row=row)
            what.append(undone.what)
            if row is not None and before == self.own_versions.expected(row.id, row.version):
                self.own_versions.moved(row.id, before, action_version(session, row.id))
            return Written(undone.action_id)

        def done(after: AfterChange) -> None:
            self.notify(f"{visible(after.row.reference)}: undid {what[0]}; "
                        f"now {status_word(after.row.status)}", timeout=4, markup=False)

        self._queue(write, done, action_id=row.id if row is not None else None)

    def action_pick_owner(self, first_run: bool = False) -> None:
        """Choose whose actions to see."""
        from tui.screens.owner_picker import OwnerPicker  # not on the first screen (unless asked at first run)

        def chosen(choice: OwnerCount | str | None) -> None:
            if choice is not None:
                self.choose_owner(choice if isinstance(choice, OwnerCount) else None)

        def ask(owners: list[OwnerCount]) -> None:
            self.app.push_screen(OwnerPicker.kept(self.app, owners, first_run=first_run), chosen)

        if self.owners is None:
            self._read_owners(ask)
            return
        picker = OwnerPicker.kept(self.app, self.owners, first_run=first_run)  # at once, with the owners as last read
        self.app.push_screen(picker, chosen)
        if self.owners_stale:  # counts moved since: show fresh ones when they are read
            self._read_owners(lambda owners: picker.update_owners(owners) if picker.is_current else None)

    def _read_owners_ahead(self) -> None:
        """Read every owner for the picker, unless they are read or being read (for the picker, asked for meanwhile)."""
        if self.owners is None and not self._group_busy("owners"):
            self._read_owners(lambda _owners: self._read_everyone_ahead())

    def _read_everyone_ahead(self) -> None:
        """Once the first view is shown and the owners read: read ahead everyone's views and due panel
        (`tui.loading.read_switch_ahead`), so that a switch to everyone reads nothing, and neither do a filter key or
        a month key there, nor a read-ahead beside them."""
        if not kept(self.state.view) and not self._group_busy("ahead"):
            everyone = View(include_closed=self.state.view.include_closed)
            self._read_in_background(partial(read_switch_ahead, view=everyone, today=self.today,
                                             month=self.state.month, kept=self.kept_regions), group="ahead")

    def _read_owners(self, then: Callable[[list[OwnerCount]], None]) -> None:
        """Read every owner with their counts, keep them for the picker, and hand them to `then`."""

        def job() -> list[OwnerCount]:
            return read_with(self.db, lambda run: lists.owners(run))

        def done(owners: list[OwnerCount]) -> None:
            self.owners, self.owners_stale = owners, False
            then(owners)

        self.owners_stale = False  # a change from now on makes them stale again
        self._work(job, done, group="owners")

    def choose_owner(self, owner: OwnerCount | None) -> None:
        """Show this owner's actions (None: everyone's) and remember the choice."""
        from tui.screens.owner_picker import EVERYONE

        self.app_.remember(owner=owner.label if owner else EVERYONE)
        self.state = self.state.with_owner(owner)

    def action_toggle_all(self) -> None:
        """Switch between everyone's actions and your own."""
        if self.state.owner is None:
            self.action_pick_owner()
            return
        self.state = replace(self.state, everyone=not self.state.everyone)

    def action_toggle_hide_complete(self) -> None:
        """Hide or show completed actions."""
        self.state = replace(self.state, hide_complete=not self.state.hide_complete)

    def action_next_status_filter(self) -> None:
        """Show only not started actions, then ongoing, then complete, then all again (shown in the top line)."""
        self.state = self.state.next_status()

    def action_next_date_filter(self) -> None:
        """Show only overdue actions, then those due this month, then those that missed a period, then all."""
        self.state = self.state.next_when()

    def action_filter(self, status: str = "", when: str = "") -> None:
        """Show only actions of one status and/or one date filter (from the palette)."""
        self.state = replace(self.state, status=Status(status) if status else self.state.status,
                             when=cast(When, when) if when else self.state.when)

    def action_clear_filters(self) -> None:
        """Clear the status and date filters."""
        if not self.state.filtered:
            self.say("No status or date filter is on (f and d set them).")
            return
        self.state = replace(self.state, status=None, when=None)

    def action_toggle_sort(self) -> None:
        """Sort each recommendation's actions by due date (none last), or again by reference (plan order)."""
        self.state = replace(self.state, order="plan" if self.state.order == "due" else "due")

    def action_toggle_closed(self) -> None:
        """Show closed plans too (signed off: out of the lists), or hide them again."""
        self.state = replace(self.state, include_closed=not self.state.include_closed)

    def _plan_under_cursor(self) -> str | None:
        """The plan of the action or addressee under the cursor, or None after saying why there is none."""
        key = self.query_one(PlanTree).cursor_key
        item = self.query_one(PlanTree).items.get(key) if key is not None else None
        if isinstance(item, ActionRow):
            return item.reference.split("/", 1)[0]
        if isinstance(item, AddresseeNode):
            return item.plan_id
        self.say("Closing and reopening act on one plan: move to one of its actions or addressees.")
        return None

    def action_close_plan(self) -> None:
        """Close the plan under the cursor once it is signed off, with a note (it leaves the lists; P shows it)."""
        plan_id = self._plan_under_cursor()
        if plan_id is None or self._refuse_if_read_only():
            return

        def noted(note: str | None) -> None:
            if note and note.strip():
                self._plan_change(plan_id, "close", note)

        from tui.screens.note import NoteScreen

        self.app.push_screen(NoteScreen(f"closing {plan_id}", "What signed the plan off? (required)"), noted)

    def action_reopen_plan(self) -> None:
        """Reopen the closed plan under the cursor (P shows closed plans)."""
        plan_id = self._plan_under_cursor()
        if plan_id is not None and not self._refuse_if_read_only():
            self._plan_change(plan_id, "reopen", "")

    def _plan_change(self, plan_id: str, what: str, note: str) -> None:
        """Close or reopen a plan, then reload what is shown and say what happened."""
        from store import closing

        by = self.by

        def job() -> tuple[int, int]:
            with self.db.write() as session:
                if what == "close":
                    count = closing.close_plan(session, plan_id, note=note, by=by)
                else:
                    count = closing.reopen_plan(session, plan_id, by=by)
            return count, self.db.data_version()  # our own commit: read again below, not again by the poll

        def done(result: tuple[int, int]) -> None:
            count, self.seen_version = result
            self.notify(f"{plan_id} {'closed' if what == 'close' else 'reopened'} ({count} actions)"
                        + (": P shows closed plans" if what == "close" else ""), timeout=6, markup=False)
            self.refresh_all()

        self._work(job, done, group="plan-change", exclusive=False)

    def action_search(self) -> None:
        """Search action text, references and owners."""
        self.pane = "tree"
        box = self.query_one("#search", Input)
        box.display = True
        box.value = self.state.search
        box.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.query_one(PlanTree).focus()
        self.state = replace(self.state, search=event.value.strip())

    def action_clear_search(self) -> None:
        """Clear the search (the cursor stays on its action)."""
        box = self.query_one("#search", Input)
        box.value = ""
        box.display = False
        self.query_one(PlanTree).focus()
        self.state = replace(self.state, search="")

    def action_month(self, step: int) -> None:
        """Move the due panel a month back or forward."""
        self.state = self.state.month_on(step)

    def action_report(self, fmt: str = "xlsx") -> None:
        """Write a progress report of what is shown (owner, filters) to a file in the current folder."""
        state, today = self.state, self.today
        stem = f"actiontrack-report-{today.isoformat()}"

        def job() -> tuple[Path, int]:
            from store.files import atomic_file
            from store.reports import ReportScope, write_report
            from store.reports.output import report_path

            scope = ReportScope(as_of=today, view=state.view, owner_label=state.who)
            path = report_path(Path.cwd(), stem, fmt)
            with self.db.read() as session, atomic_file(path) as fh:
                written = write_report(session, scope, fmt, fh)
            return path, written.action_count

        def done(result: tuple[Path, int]) -> None:
            path, count = result
            self.notify(f"Report of {counted(count, 'action')} written to {visible(str(path))}",
                        title="Report", timeout=8, markup=False)

        self._work(job, done, group="report")

    def help_keys(self) -> list[tuple[str, str]]:
        """Every key of this screen with what it does (its action's docstring), for the help screen."""
        names = {"left_square_bracket": "[", "right_square_bracket": "]", "slash": "/", "escape,left": "esc ←"}
        keys = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("show_tree", "app.focus_next"):  # the same key, said once
                continue
            said = (f"{binding.description} in the due panel" if binding.action.startswith("month(")
                    else what_it_does(self, binding))
            keys.append((names.get(binding.key, binding.key), said))
        return keys
