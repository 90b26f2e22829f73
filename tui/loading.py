"""What the screen asks the store for, gathered into one call per worker (runs in a thread)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session, col, select

from store import queries
from store.models import Action
from store.queries import ActionPath, ActionRow, Progress, View
from tui.nodes import ROOT, Item, NodeKey

# A view with at most this many actions opens fully expanded; a larger one opens at its regions.
AUTO_EXPAND_LIMIT = 400


def children_of(session: Session, view: View, today: date, key: NodeKey) -> list[Item]:
    """The children of one branch in view."""
    if key.kind == "root":
        return list(queries.regions(session, view, today))
    if key.kind == "region":
        return list(queries.addressees(session, view, str(key.id), today))
    if key.kind == "addressee":
        return list(queries.recommendations(session, view, int(key.id), today))
    if key.kind == "recommendation":
        return list(queries.actions(session, view, int(key.id), today))
    return []


def load_tree(
    session: Session, view: View, today: date, expanded: set[NodeKey] | None
) -> tuple[dict[NodeKey, list[Item]], set[NodeKey] | None]:
    """The branches to show: the regions, and the children of every open branch.

    With `expanded` None (a fresh view) a small view opens fully, read in four queries; a large one
    opens at its regions. Returns the children by parent key and the set to expand (None: all loaded).
    """
    regions = list(queries.regions(session, view, today))
    small = sum(node.progress.total for node in regions) <= AUTO_EXPAND_LIMIT
    if small:
        whole = queries.view_tree(session, view, today)
        children: dict[NodeKey, list[Item]] = {ROOT: list(regions)}
        for region, items in whole.addressees.items():
            children[NodeKey("region", region)] = list(items)
        for addressee_id, recs in whole.recommendations.items():
            children[NodeKey("addressee", addressee_id)] = list(recs)
        for rec_id, rows in whole.actions.items():
            children[NodeKey("recommendation", rec_id)] = list(rows)
        return children, expanded
    children = {ROOT: list(regions)}
    if expanded is None:
        return children, set()
    pending: list[Item] = list(regions)
    while pending:
        item = pending.pop()
        key = NodeKey.of(item)
        if key.kind == "action" or key not in expanded:
            continue
        children[key] = children_of(session, view, today, key)
        pending.extend(children[key])
    return children, expanded


@dataclass(frozen=True, slots=True)
class DueLists:
    """The due panel's contents for one month."""

    month: date
    due: list[ActionRow]
    overdue: list[ActionRow]

    @property
    def ids(self) -> set[int]:
        """The actions listed."""
        return {row.id for row in (*self.due, *self.overdue)}

    def with_row(self, row: ActionRow) -> DueLists:
        """The same lists with `row` shown anew where it is listed (its missed periods are the list's)."""
        def anew(rows: list[ActionRow]) -> list[ActionRow]:
            return [replace(row, missed=old.missed, overdue=row.overdue or old.missed > 0) if old.id == row.id
                    else old for old in rows]

        return DueLists(self.month, anew(self.due), anew(self.overdue))


def load_due(session: Session, view: View, today: date, month: date) -> DueLists:
    """Due in the month and overdue, for the owner in view."""
    return DueLists(
        month=month,
        due=queries.due_in_month(session, month.year, month.month, today, view.owner_id),
        overdue=queries.overdue(session, today, view.owner_id),
    )


@dataclass(frozen=True, slots=True)
class AfterChange:
    """What the screen repaints after one action changed."""

    row: ActionRow
    path: ActionPath
    progress: tuple[Progress, Progress, Progress] | None  # None: unchanged
    due: DueLists | None  # None: the same actions as before
    detail: queries.ActionDetail


def load_after_change(session: Session, view: View, today: date, month: date, action_id: int, *,
                      counts: bool = True) -> AfterChange:
    """The changed action with its detail and, if `counts` may have moved, its branch counts and the due
    panel, in one read."""
    path = queries.action_path(session, action_id)
    detail = queries.action_detail(session, action_id, today)
    return AfterChange(
        row=detail.action,
        path=path,
        progress=queries.path_progress(session, view, today, path) if counts else None,
        due=load_due(session, view, today, month) if counts else None,
        detail=detail,
    )


def action_version(session: Session, action_id: int) -> int:
    """The action's version as stored now (it moves on with every change)."""
    return int(session.execute(select(col(Action.version)).where(col(Action.id) == action_id)).scalar_one())
