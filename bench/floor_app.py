"""The floors the app is measured against: a bare Textual app that paints one label, and a screen of the
same widgets as the app's, fed without a database.

    python bench/floor_app.py            # paints "floor painted" (run it in a pty; the benchmark does)
    python bench/floor_app.py --sqlmodel # the same, after importing sqlmodel as the real app must
    python bench/floor_app.py --pilot N  # headless: N timings of a key press -> label changed -> repainted (JSON)

`ScreenFloor` (driven by bench/app_session.py, which reads its data from the benchmark database before it
starts) holds the app's own widgets at the app's sizes (its stylesheet): the context bar, the tree with the
owner's nodes, the detail pane, the due panel and the footer. Its keys make the same repaints as the app's
keys with the data in hand: no database, no worker, no query. What the app takes beyond it is the store's
share and the screen's own work.
"""

from __future__ import annotations

import sys

if "--sqlmodel" in sys.argv:
    import sqlmodel  # noqa: F401  (the unavoidable import the real app pays)

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "floor painted"


class FloorApp(App[None]):
    """One label; `k` changes it."""

    BINDINGS = [("k", "bump", "Bump")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Label(MARKER, id="label")

    def action_bump(self) -> None:
        self.count += 1
        self.query_one(Label).update(f"{MARKER} {self.count}")


async def _pilot(runs: int) -> list[float]:
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pilot_timing import send_key, settle, timed

    app = FloorApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        timings = [await timed(app, pilot, lambda: send_key(app, "k")) for _ in range(runs + 1)]
        assert app.count == runs + 1
    return timings[1:]  # the first press warms up the key machinery


if __name__ == "__main__":
    if "--pilot" in sys.argv:
        import asyncio
        import json

        print(json.dumps(asyncio.run(_pilot(int(sys.argv[sys.argv.index("--pilot") + 1])))))
    else:
        FloorApp().run()


# --- the same widgets as the app's screen, without a database -------------------------------------------


def screen_floor_app(data: Any) -> App[None]:
    """The floor app of the app's screen, for `data` (a ScreenFloorData, read before it starts)."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from textual.binding import Binding
    from textual.containers import Horizontal, Vertical
    from textual.screen import Screen
    from textual.widgets import Input

    from store.rows import HistoryRow
    from store.targets import Status
    from tui.app import steady_collector
    from tui.labels import action_detail_text
    from tui.screens.owner_picker import OwnerPicker
    from tui.themes import DEFAULT_THEME, VARIABLE_DEFAULTS, bundled_themes
    from tui.widgets.context_bar import Context, ContextBar
    from tui.widgets.detail import DetailPane
    from tui.widgets.due_panel import DuePanel
    from tui.widgets.plan_tree import PlanTree
    from tui.widgets.repaint import SteadyFooter

    class MainScreen(Screen[None]):  # named as the app's screen: the stylesheet's rules name it
        """The app's widgets at the app's sizes; each key repaints as the app's does, with the data in hand."""

        HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
        # the app's footer keys, each its own action as in the app (a footer shows one key per action)
        BINDINGS = [Binding("c", "status('complete')", "Complete"), Binding("o", "status('ongoing')", "Ongoing"),
                    Binding("n", "none('note')", "Note"), Binding("u", "none('undo')", "Undo"),
                    Binding("p", "picker", "Owner"), Binding("slash", "none('search')", "Search"),
                    Binding("question_mark", "none('help')", "Help"),
                    Binding("left_square_bracket", "month(-1)", "Previous month", show=False),
                    Binding("right_square_bracket", "month(1)", "Next month", show=False),
                    *(Binding(key, f"view('{key}')", key, show=False) for key in "dfsh")]

        def __init__(self) -> None:
            super().__init__()
            self.row = data.row
            self.detail = data.detail
            self.month = 0
            self.mine = True
            self.who = "owner"  # whose views the filter keys step through (bench/follow_up.py sets it)
            self.steps: dict[str, int] = {}

        def compose(self) -> ComposeResult:
            yield ContextBar(id="context")
            with Horizontal(id="body"):
                with Vertical(id="left"):
                    yield Input(id="search")
                    yield PlanTree(id="tree")
                with Vertical(id="right"):
                    yield DetailPane(id="detail")
                    yield DuePanel(id="due")
            yield SteadyFooter(compact=True)  # as the app's screen

        def on_mount(self) -> None:
            self.query_one("#search", Input).display = False
            tree = self.query_one(PlanTree)
            tree.rebuild(data.children, data.expanded, None)
            tree.focus()
            self.show_lists(data.due[0])
            self.call_after_refresh(steady_collector)  # as the app does after its first paint

        def show_lists(self, lists: Any) -> None:
            self.query_one(DuePanel).show(lists)
            self.query_one(ContextBar).context = Context(who=data.who, today=data.today, month=lists.month,
                                                         due=lists.due_total, overdue=lists.overdue_total)

        def action_none(self, _key: str) -> None:
            """A key the floor shows in its footer and does not time."""

        def action_status(self, _to: str) -> None:
            """A status change between not started and ongoing, repainted as the app repaints it: the action's line,
            its due-panel entry, and the detail with one more line of history (the change the app writes)."""
            status = Status.ONGOING if self.row.status == Status.NOT_STARTED else Status.NOT_STARTED
            change = HistoryRow(id=0, at=datetime.now(UTC), by="bench", kind="status", from_status=self.row.status,
                                to_status=status, period=None, note="", undoes_id=None, undone=False)
            self.row = self.row._replace(status=status, version=self.row.version + 1)
            self.query_one(PlanTree).update_item(self.row)
            lists = data.due[self.month % 2]
            if self.row.id in lists.ids:
                self.show_lists(lists.with_row(self.row))
            self.detail = replace(self.detail, action=self.row, history=[*self.detail.history, change])
            self.query_one(DetailPane).show(action_detail_text(self.detail, data.today, self.app.theme_variables),
                                            same_subject=True)

        def action_month(self, step: int) -> None:
            self.month += step
            self.show_lists((data.everyone_due if self.who == "everyone" else data.due)[self.month % 2])

        def action_view(self, key: str) -> None:
            """The next view of a filter or sort key: the tree rebuilt as the app rebuilds it (the cursor kept),
            and the context bar saying the filters."""
            views = data.views.get(f"{key} ({self.who})")
            if not views:
                return
            step = self.steps[key] = (self.steps.get(key, -1) + 1) % len(views)
            children, expanded, view = views[step]
            tree = self.query_one(PlanTree)
            tree.rebuild(children, expanded, tree.cursor_key)
            lists = data.due[self.month % 2]
            self.query_one(ContextBar).context = Context(
                who=data.who, today=data.today, month=lists.month, due=lists.due_total, overdue=lists.overdue_total,
                hide_complete=view.hide_complete, filters=tuple(view.filter_words), by_due_date=view.order == "due")

        def action_picker(self) -> None:
            self.app.push_screen(OwnerPicker.kept(self.app, data.owners))  # as the app keeps its picker

        def switch_owner(self) -> None:
            """The other owner's tree and due panel, then back (as choosing an owner repaints)."""
            self.mine = not self.mine
            children, expanded, lists = ((data.children, data.expanded, data.due[0]) if self.mine
                                         else (data.other_children, data.other_expanded, data.other_due))
            self.query_one(PlanTree).rebuild(children, expanded, None)
            self.show_lists(lists)

        def on_plan_tree_branch_expanded(self, message: PlanTree.BranchExpanded) -> None:
            items = data.branches.get(message.key)
            if items is not None:
                self.query_one(PlanTree).fill(message.key, items)

    class ScreenFloor(App[None]):
        """The floor of the app's screen."""

        CSS_PATH = str(Path(__file__).resolve().parent.parent / "tui" / "app.tcss")

        def __init__(self) -> None:
            super().__init__()
            for bundled in bundled_themes():  # the app's colours, as its labels name them
                self.register_theme(bundled)
            self.theme = DEFAULT_THEME

        def get_theme_variable_defaults(self) -> dict[str, str]:
            return dict(VARIABLE_DEFAULTS)

        def on_mount(self) -> None:
            self.push_screen(MainScreen())

    return ScreenFloor()
