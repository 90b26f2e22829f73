"""What the screen asks the store for, gathered into one call per worker (runs in a thread)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from store import queries
from store.models import Action
from store.queries import ActionPath, ActionRow, Progress, View
from tui.nodes import ROOT, Item, NodeKey

# A view with at most this many actions opens fully expanded; a larger one opens at its regions.
AUTO_EXPAND_LIMIT = 400
# The due panel lists at most this many entries of each list: enough for any one owner; everyone's lists at
# national scale run to thousands.
MAX_LISTED = 200


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
    session: Session, view: View, today: date, expanded: set[NodeKey] | None, *, reopen: bool = False
) -> tuple[dict[NodeKey, list[Item]], set[NodeKey] | None]:
    """The branches to show: the regions, and the children of every open branch.

    With `expanded` None (a fresh view) a small view opens fully, read in four queries; a large one
    opens at its regions. `reopen`: a small view opens fully whatever was open (a filter brought in
    branches that were not). Returns the children by parent key and the set to expand (None: all loaded).
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
        children[key] = children_of(session, view, today, key)
        pending.extend(children[key])
    return children, expanded


@dataclass(frozen=True, slots=True)
class DueLists:
    """The due panel's contents for one month."""

    month: date
    due: list[ActionRow]
    overdue: list[ActionRow]


def load_due(session: Session, view: View, today: date, month: date) -> DueLists:
    """Due in the month and overdue, for the owner in view; the overdue ones the panel lists with the periods
    they missed."""
    late = queries.overdue(session, today, view.owner_id, include_closed=view.include_closed)
    return DueLists(
        month=month,
        due=queries.due_in_month(session, month.year, month.month, today, view.owner_id,
                                 include_closed=view.include_closed),
        overdue=queries.with_missed_periods(session, late[:MAX_LISTED], today) + late[MAX_LISTED:],
    )


@dataclass(frozen=True, slots=True)
class AfterChange:
    """What the screen repaints after one action changed."""

    row: ActionRow
    path: ActionPath
    progress: tuple[Progress, Progress, Progress]
    due: DueLists
    detail: queries.ActionDetail


def load_after_change(session: Session, view: View, today: date, month: date, action_id: int) -> AfterChange:
    """The changed action with its detail, its branch counts and the due panel, in one read."""
    path = queries.action_path(session, action_id)
    detail = queries.action_detail(session, action_id, today)
    return AfterChange(
        row=detail.action,
        path=path,
        progress=queries.path_progress(session, view, today, path),
        due=load_due(session, view, today, month),
        detail=detail,
    )


def action_version(session: Session, action_id: int) -> int:
    """The action's version as stored now (it moves on with every change)."""
    return int(session.execute(select(col(Action.version)).where(col(Action.id) == action_id)).scalar_one())
