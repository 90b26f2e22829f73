"""What the main screen shows, as one value: whose actions, the filters, and the due panel's month.

The screen holds one `ViewState` in a reactive; its watcher compares old and new and reloads only
what changed (see `changes`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from dateutil.relativedelta import relativedelta

from store.rows import Order, OwnerCount, View, When
from store.targets import Status

# What the status and date filter keys step through, from no filter back to none.
STATUS_CYCLE: tuple[Status | None, ...] = (None, Status.NOT_STARTED, Status.ONGOING, Status.COMPLETE)
WHEN_CYCLE: tuple[When | None, ...] = (None, "overdue", "due", "missed")


@dataclass(frozen=True, slots=True)
class ViewState:
    """The chosen owner (kept while everyone's actions are shown), the filters and the month."""

    owner: OwnerCount | None
    month: date
    everyone: bool = False
    hide_complete: bool = False
    search: str = ""
    status: Status | None = None
    when: When | None = None
    order: Order = "plan"
    include_closed: bool = False

    @property
    def view(self) -> View:
        """The store's view of the tree and the due panel."""
        owner_id = None if self.everyone or self.owner is None else self.owner.id
        return View(owner_id=owner_id, hide_complete=self.hide_complete, search=self.search, status=self.status,
                    when=self.when, order=self.order, include_closed=self.include_closed)

    def next_status(self) -> ViewState:
        """The status filter one step on (none → not started → ongoing → complete → none)."""
        return replace(self, status=STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)])

    def next_when(self) -> ViewState:
        """The date filter one step on (none → overdue → due this month → missed → none)."""
        return replace(self, when=WHEN_CYCLE[(WHEN_CYCLE.index(self.when) + 1) % len(WHEN_CYCLE)])

    @property
    def filtered(self) -> bool:
        """Whether a status or date filter is on."""
        return self.status is not None or self.when is not None

    @property
    def who(self) -> str:
        """Whose actions are shown, for the context bar."""
        return "Everyone" if self.view.owner_id is None or self.owner is None else self.owner.label

    def with_owner(self, owner: OwnerCount | None) -> ViewState:
        """Show this owner's actions (None: everyone's, keeping the owner chosen before)."""
        if owner is None:
            return replace(self, everyone=True)
        return replace(self, owner=owner, everyone=False)

    def month_on(self, step: int) -> ViewState:
        """The due panel `step` months later (or earlier)."""
        return replace(self, month=self.month + relativedelta(months=step))


@dataclass(frozen=True, slots=True)
class Changes:
    """Which parts of the screen a change of state touches."""

    owner: bool
    tree: bool
    due: bool
    # the status or date filter changed, or completed actions are shown again: branches new to the view open
    # as a fresh view's
    filters: bool = False
    reorder: bool = False  # only the order of the actions changed: the branches and their counts stay
    hiding: bool = False  # only "hide completed" came on: the rows shown less the complete ones
    month_only: bool = False  # of what the due panel shows, only the month moved: its overdue list stays


def changes(old: ViewState | None, new: ViewState) -> Changes:
    """What to reload going from `old` to `new` (everything when there was no old state)."""
    if old is None:
        return Changes(owner=True, tree=True, due=True)
    owner = old.view.owner_id != new.view.owner_id
    closed = old.include_closed != new.include_closed
    month = old.month != new.month
    return Changes(owner=owner, tree=owner or old.view != new.view, due=owner or closed or month,
                   month_only=month and not (owner or closed),
                   filters=(old.status, old.when) != (new.status, new.when) or old.hide_complete > new.hide_complete,
                   reorder=old.order != new.order and replace(old.view, order=new.order) == new.view,
                   hiding=new.hide_complete and replace(old.view, hide_complete=True) == new.view)
