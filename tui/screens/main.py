"""The main screen: the owner's tree, the detail pane and the due panel, and the keys that change actions.

Widgets post messages up; this screen calls the store, always in thread workers with a fresh
session each, and handles every failure in one place (`on_worker_state_changed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from dateutil.relativedelta import relativedelta
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from store import commands, queries
from store.db import Database, describe_sqlite_error
from store.errors import StaleError, StoreError
from store.queries import ActionRow, OwnerCount, View
from store.targets import Status
from store.text import status_word, visible
from tui.labels import AGREEMENT, action_detail_text, recommendation_detail_text
from tui.loading import AfterChange, DueLists, children_of, load_after_change, load_due, load_tree
from tui.screens.note import NoteScreen
from tui.screens.owner_picker import EVERYONE, OwnerPicker
from tui.widgets.detail import DetailPane
from tui.widgets.due_panel import DuePanel
from tui.widgets.plan_tree import ROOT, NodeKey, PlanTree
from tui.widgets.sync_bar import SyncBar

if TYPE_CHECKING:
    from tui.app import ActionTrackApp

T = TypeVar("T")
POLL_SECONDS = 2.0
MONTH_KEYS = Binding.Group("Month ", compact=True)  # trailing space: the footer adds none after a group
STATUS_ACTIONS = {"complete", "ongoing", "not_started", "tick", "note"}


class MainScreen(Screen[None]):
    """Tree, detail and due panel for one owner (or everyone)."""

    BINDINGS = [
        Binding("c", "complete", "Complete", id="complete"),
        Binding("o", "ongoing", "Ongoing", id="ongoing"),
        Binding("x", "not_started", "Not started", id="not-started"),
        Binding("t", "tick", "Tick", id="tick"),
        Binding("n", "note", "Note", id="note"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("p", "pick_owner", "Owner", id="pick-owner"),
        Binding("a", "toggle_all", "All/mine", id="show-all"),
        Binding("h", "toggle_hide_complete", "Hide done", id="hide-complete"),
        Binding("slash", "search", "Search", id="search"),
        Binding("left_square_bracket", "month(-1)", "Previous month", id="prev-month", group=MONTH_KEYS),
        Binding("right_square_bracket", "month(1)", "Next month", id="next-month", group=MONTH_KEYS),
        Binding("escape", "clear_search", "Clear search", show=False, id="clear-search"),
        Binding("S", "sync", "Sync", id="sync"),
    ]

    def __init__(self, db: Database, *, today: date, owner: OwnerCount | None,
                 ask_owner: bool) -> None:
        super().__init__()
        self.db = db
        self.today = today
        self.owner = owner
        self.ask_owner = ask_owner
        self.view = View(owner_id=owner.id if owner else None)
        self.month = today.replace(day=1)
        self.seen_version: int | None = None
        self.key_state: tuple[bool, bool, bool] | None = None
        self.damaged = ""  # why the database failed its check, if it did
        self.remembered_owner: OwnerCount | None = owner

    @property
    def app_(self) -> ActionTrackApp:
        """The app, which holds the one config."""
        return self.app  # type: ignore[return-value]

    @property
    def by(self) -> str:
        """Who changes are recorded as (the config's user, else the login name)."""
        return self.app_.config.by

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
        yield Static(id="context")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Input(placeholder="search actions: enter applies, escape clears", id="search")
                yield PlanTree(id="tree")
            with Vertical(id="right"):
                yield DetailPane(id="detail")
                yield DuePanel(id="due")
        yield SyncBar(self.db, by=self.by, id="sync-bar")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one(PlanTree).focus()
        self._show_context()
        self.reload_tree()
        self.reload_due()
        if not self.db.read_only:
            self._watch_later()
        self.call_after_refresh(self._check_database)
        if self.ask_owner:
            self.action_pick_owner(first_run=True)

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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            if event.worker.group == "check":
                self.damaged = str(event.worker.error)
                self._show_context()
            self.report(event.worker.error)

    def report(self, error: BaseException) -> None:
        """Tell the user what went wrong in one sentence; stale views are refreshed."""
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(error, StaleError):
            self.notify(visible(str(error)), severity="warning", title="Changed elsewhere", markup=False)
            self.refresh_all()
        elif isinstance(error, StoreError):
            self.notify(visible(str(error)), severity="error", markup=False)
        elif isinstance(error, SQLAlchemyError | OSError):
            self.notify(describe_sqlite_error(self.db.path, error) + "; nothing was saved",
                        severity="error", title="Database error", markup=False)
        else:
            self.notify(visible(f"Unexpected error: {type(error).__name__}: {error}"), severity="error", markup=False)

    # -- loading -----------------------------------------------------------------------------
    def reload_tree(self, *, fresh: bool = False) -> None:
        """Load the tree for the current view, keeping open branches and the cursor unless `fresh`."""
        tree = self.query_one(PlanTree)
        expanded = None if fresh or not tree.loaded else tree.expanded_keys()
        cursor = None if fresh else tree.cursor_key
        view, today = self.view, self.today

        def job() -> tuple[dict[NodeKey, list[Any]], set[NodeKey] | None]:
            with self.db.read() as session:
                return load_tree(session, view, today, expanded)

        def done(result: tuple[dict[NodeKey, list[Any]], set[NodeKey] | None]) -> None:
            children, open_keys = result
            tree.rebuild(children, open_keys, cursor)
            if not children.get(ROOT):
                self.query_one(DetailPane).show(Text(self._empty_message()))

        self._work(job, done, group="tree")

    def _empty_message(self) -> str:
        if self.view.search:
            return f"No action matches “{visible(self.view.search)}”. Escape clears the search."
        if self.view.hide_complete:
            return "Every action in view is complete. Press h to show completed actions."
        return "No actions in view. Press p to choose another owner, or a to show everyone's."

    def reload_due(self) -> None:
        """Load the due panel for the month shown."""
        view, today, month = self.view, self.today, self.month

        def job() -> DueLists:
            with self.db.read() as session:
                return load_due(session, view, today, month)

        self._work(job, self._show_due, group="due")

    def _show_due(self, lists: DueLists) -> None:
        self.query_one(DuePanel).show(lists.month, lists.due, lists.overdue)
        self._show_context(lists)

    def refresh_all(self) -> None:
        """Reload everything shown (after another process changed the database)."""
        self.reload_tree()
        self.reload_due()
        if self.current is not None:
            self._load_action_detail(self.current.id)

    def _poll(self) -> None:
        def done(version: int) -> None:
            if self.seen_version is not None and version != self.seen_version:
                self.seen_version = version
                self.refresh_all()

        self._work(self.db.data_version, done, group="poll")

    def _show_context(self, lists: DueLists | None = None) -> None:
        who = visible(self.owner.label) if self.owner and self.view.owner_id is not None else "Everyone"
        text = Text("actiontrack", style="bold")
        text.append(f"  {who}", style="bold")
        text.append(f"  · today {self.today:%-d %b %Y}")
        if lists is not None:
            text.append(f"  · {len(lists.due)} due in {lists.month:%b %Y}")
            if lists.overdue:
                text.append(f"  · {len(lists.overdue)} overdue", style=f"bold {self.app.theme_variables.get('overdue', 'red')}")
        if self.view.hide_complete:
            text.append("  · completed hidden")
        if self.view.search:
            text.append(f"  · search “{visible(self.view.search)}”")
        if self.damaged:
            text.append("   DAMAGED: nothing will be saved", style=f"bold {self.app.theme_variables.get('error', 'red')}")
        elif self.db.read_only:
            text.append(f"   READ-ONLY ({visible(self.db.read_only_reason or 'no write permission')}): changes are off",
                        style=f"bold {self.app.theme_variables.get('warning', 'yellow')}")
        context = self.query_one("#context", Static)
        if context.content != text:
            context.update(text)

    # -- what the widgets report -----------------------------------------------------------------
    @on(PlanTree.BranchExpanded)
    def _branch_expanded(self, message: PlanTree.BranchExpanded) -> None:
        view, today, key = self.view, self.today, message.key

        def job() -> list[Any]:
            with self.db.read() as session:
                return children_of(session, view, today, key)

        self._work(job, lambda items: self.query_one(PlanTree).fill(key, items), group=f"expand-{key}")

    @on(PlanTree.NodeChosen)
    def _node_chosen(self, message: PlanTree.NodeChosen) -> None:
        if not self.query_one(PlanTree).has_focus:
            return
        self._choose(message.key, message.item)

    @on(DuePanel.ActionHighlighted)
    def _due_highlighted(self, message: DuePanel.ActionHighlighted) -> None:
        if self.query_one(DuePanel).has_focus:
            self._choose(NodeKey("action", message.action_id), message.row)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if isinstance(event.widget, PlanTree):
            key = event.widget.cursor_key
            if key is not None:
                self._choose(key, event.widget.items.get(key))
        elif isinstance(event.widget, DuePanel):
            row = event.widget.highlighted_row
            if row is not None:
                self._choose(NodeKey("action", row.id), row)

    def _key_state(self) -> tuple[bool, bool, bool]:
        """What the footer's keys depend on: an action chosen, a recurring one, a search open."""
        row = self.current
        searching = bool(self.view.search) or self.query_one("#search", Input).display
        return row is not None, row is not None and row.every_months is not None, searching

    def _refresh_keys(self) -> None:
        """Refresh the footer only when the set of usable keys changed (a refresh rebuilds it)."""
        state = self._key_state()
        if state != self.key_state:
            self.key_state = state
            self.refresh_bindings()

    def _choose(self, key: NodeKey, item: Any) -> None:
        self._refresh_keys()
        detail = self.query_one(DetailPane)
        if key.kind == "action":
            self._load_action_detail(int(key.id))
        elif key.kind == "recommendation":
            self._load_recommendation_detail(int(key.id))
        elif item is not None:
            detail.show(self._branch_text(key, item))

    def _branch_text(self, key: NodeKey, item: Any) -> Text:
        text = Text()
        if key.kind == "region":
            text.append(f"{visible(item.region)}\n\n", style="bold")
        else:
            text.append(f"{visible(item.name)}\n", style="bold")
            text.append(f"{item.kind} · plan {visible(item.plan_id)} ({item.plan_year})\n\n")
            if item.rating:
                text.append(f"Rated by the inspectorate: {visible(item.rating)}\n\n")
        p = item.progress
        text.append(f"{p.done} of {p.total} actions complete")
        if p.overdue:
            text.append(f", {p.overdue} overdue", style=f"bold {self.app.theme_variables.get('overdue', 'red')}")
        text.append(".\nRight arrow or enter opens a branch.")
        return text

    def _load_action_detail(self, action_id: int) -> None:
        today = self.today

        def job() -> queries.ActionDetail:
            with self.db.read() as session:
                return queries.action_detail(session, action_id, today)

        def done(detail: queries.ActionDetail) -> None:
            self.query_one(DetailPane).show(action_detail_text(detail, today, self.app.theme_variables))

        self._work(job, done, group="detail")

    def _load_recommendation_detail(self, rec_id: int) -> None:
        def job() -> queries.RecommendationDetail:
            with self.db.read() as session:
                return queries.recommendation_detail(session, rec_id)

        def done(d: queries.RecommendationDetail) -> None:
            agreement = AGREEMENT.get(d.agreement, d.agreement) + (" (inferred)" if d.inferred else "")
            self.query_one(DetailPane).show(recommendation_detail_text(
                d.number, d.text, agreement, d.reason, d.note, d.addressee, f"{d.plan_title} [{d.plan_id}]",
                self.app.theme_variables))

        self._work(job, done, group="detail")

    @on(DuePanel.ActionChosen)
    def _due_chosen(self, message: DuePanel.ActionChosen) -> None:
        self.select_action(message.action_id)

    def select_action(self, action_id: int) -> None:
        """Open the tree down to an action and put the cursor on it."""
        view, today = self.view, self.today
        tree = self.query_one(PlanTree)
        known = set(tree.loaded)

        def job() -> tuple[queries.ActionPath, dict[NodeKey, list[Any]]]:
            with self.db.read() as session:
                path = queries.action_path(session, action_id)
                return path, {k: children_of(session, view, today, k) for k in NodeKey.above(path) if k not in known}

        def done(result: tuple[queries.ActionPath, dict[NodeKey, list[Any]]]) -> None:
            path, missing = result
            keys = NodeKey.above(path)
            for key in keys:
                if key in missing:
                    tree.fill(key, missing[key])
            if tree.reveal([*keys, NodeKey("action", action_id)]):
                tree.focus()
            else:
                self.notify("That action is hidden by the search or filter in force.", severity="warning", markup=False)

        self._work(job, done, group="reveal")

    # -- keys ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in STATUS_ACTIONS:
            row = self.current
            if row is None:
                return None
            if action == "tick" and row.every_months is None:
                return None
        if action == "clear_search":
            return bool(self.view.search) or self.query_one("#search", Input).display
        if action == "sync":
            return self.query_one(SyncBar).available
        return True

    def _check_database(self) -> None:
        """Run SQLite's quick_check off the start path; a damaged file is reported (and never written)."""
        self._work(self.db.quick_check, lambda _: None, group="check")

    def _refuse_if_read_only(self) -> bool:
        if self.damaged:
            self.notify(f"Nothing can be saved: {visible(self.damaged)}", severity="error", markup=False)
            return True
        if self.db.read_only:
            self.notify(f"Changes cannot be saved to {visible(self.db.where)}: {self.db.read_only_reason or 'it is read-only'}.",
                        severity="warning", title="Read-only", markup=False)
            return True
        return False

    def _write(self, change: Callable[[Any, ActionRow], object]) -> None:
        """Write one change for the current action, then repaint what it touches."""
        row = self.current
        if row is None or self._refuse_if_read_only():
            return
        self._write_then_show(lambda session: (change(session, row), row.id)[1])

    def _write_then_show(self, change: Callable[[Any], int], said: str | None = None) -> None:
        """Write in a worker, then repaint the action, its branch counts, the due panel and the detail.

        The repaint itself is the confirmation; `said` adds a toast where the change may be out of view.
        """
        view, today, month = self.view, self.today, self.month

        def job() -> tuple[AfterChange, int]:
            with self.db.write() as session:
                action_id = change(session)
            version = self.db.data_version()  # our own commit: nothing to refresh for it
            with self.db.read() as session:
                return load_after_change(session, view, today, month, action_id), version

        def done(result: tuple[AfterChange, int]) -> None:
            after, self.seen_version = result
            self._show_change(after)
            if said:
                self.notify(said.format(ref=visible(after.row.reference), status=status_word(after.row.status)),
                            timeout=3, markup=False)

        self._work(job, done, group="write", exclusive=False)

    def _show_change(self, after: AfterChange) -> None:
        tree = self.query_one(PlanTree)
        if self.view.hide_complete and after.row.status == Status.COMPLETE:
            self.reload_tree()
        else:
            tree.update_item(after.row)
            for key, progress in zip(NodeKey.above(after.path), after.progress, strict=True):
                tree.update_progress(key, progress)
        self._show_due(after.due)
        current = self.current
        if current is not None and current.id == after.row.id:
            self.query_one(DetailPane).show(action_detail_text(after.detail, self.today, self.app.theme_variables),
                                            same_subject=True)
        self._refresh_keys()

    def _set_status(self, status: Status) -> None:
        by = self.by
        self._write(lambda s, row: commands.set_status(s, row.id, status, by=by, expected_version=row.version))

    def action_complete(self) -> None:
        """Mark the action complete."""
        self._set_status(Status.COMPLETE)

    def action_ongoing(self) -> None:
        """Mark the action ongoing."""
        self._set_status(Status.ONGOING)

    def action_not_started(self) -> None:
        """Mark the action not started."""
        self._set_status(Status.NOT_STARTED)

    def action_tick(self) -> None:
        """Tick off the recurring action's occurrence in the month shown in the due panel."""
        by, period = self.by, f"{self.month:%Y-%m}"
        self._write(lambda s, row: commands.tick_occurrence(s, row.id, period, by=by, expected_version=row.version))

    def action_note(self) -> None:
        """Add a note (e.g. the evidence) to the action."""
        row = self.current
        if row is None or self._refuse_if_read_only():
            return
        by = self.by

        def written(note: str | None) -> None:
            if note and note.strip():
                self._write(lambda s, r: commands.add_note(s, r.id, note, by=by, expected_version=r.version))

        self.app.push_screen(NoteScreen(row.reference, row.text), written)

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
        """Undo your last change (a new change back; history keeps both)."""
        if self._refuse_if_read_only():
            return
        by = self.by
        self._write_then_show(lambda s: commands.undo_last(s, by=by).action_id, "{ref}: undone, now {status}")

    def action_pick_owner(self, first_run: bool = False) -> None:
        """Choose whose actions to see."""

        def job() -> list[OwnerCount]:
            with self.db.read() as session:
                return queries.owners(session)

        def chosen(choice: OwnerCount | str | None) -> None:
            if choice is None:
                return
            self._set_owner(None if choice == EVERYONE else choice)  # type: ignore[arg-type]

        self._work(job, lambda owners: self.app.push_screen(OwnerPicker(owners, first_run=first_run), chosen),
                   group="owners")

    def _set_owner(self, owner: OwnerCount | None) -> None:
        if owner is not None:
            self.owner = self.remembered_owner = owner
        self.view = replace(self.view, owner_id=owner.id if owner else None)
        self.app_.remember(owner=owner.label if owner else EVERYONE)
        self._show_context()
        self.reload_tree(fresh=True)
        self.reload_due()

    def action_toggle_all(self) -> None:
        """Switch between everyone's actions and your own."""
        if self.view.owner_id is not None:
            self.view = replace(self.view, owner_id=None)
        elif self.remembered_owner is not None:
            self.view = replace(self.view, owner_id=self.remembered_owner.id)
        else:
            self.action_pick_owner()
            return
        self._show_context()
        self.reload_tree(fresh=True)
        self.reload_due()

    def action_toggle_hide_complete(self) -> None:
        """Hide or show completed actions."""
        self.view = replace(self.view, hide_complete=not self.view.hide_complete)
        self._show_context()
        self.reload_tree()

    def action_search(self) -> None:
        """Search action text, references and owners."""
        box = self.query_one("#search", Input)
        box.display = True
        box.value = self.view.search
        box.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.view = replace(self.view, search=event.value.strip())
        if not self.view.search:
            event.input.display = False
        self.query_one(PlanTree).focus()
        self._show_context()
        self.reload_tree(fresh=True)

    def action_clear_search(self) -> None:
        """Clear the search and show the whole view again."""
        box = self.query_one("#search", Input)
        box.value = ""
        box.display = False
        self.query_one(PlanTree).focus()
        if self.view.search:
            self.view = replace(self.view, search="")
            self._show_context()
            self.reload_tree(fresh=True)

    def action_month(self, step: int) -> None:
        """Move the due panel a month back or forward."""
        self.month = self.month + relativedelta(months=step)
        self.reload_due()

    def help_keys(self) -> list[tuple[str, str]]:
        """Every key of this screen with what it does (its action's docstring), for the help screen."""
        keys = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            key = binding.key.replace("left_square_bracket", "[").replace("right_square_bracket", "]")
            method = getattr(self, f"action_{binding.action.split('(')[0]}", None)
            doc = (method.__doc__ or "").strip().splitlines()[0] if method is not None and method.__doc__ else ""
            if binding.action.startswith("month("):
                doc = f"{binding.description} in the due panel"
            keys.append((key.replace("slash", "/"), doc or binding.description))
        return keys
