"""The store's reads, written once for both ways of running them.

Each read names the statement it needs (its SQL is defined in `store.queries`) and passes its
parameters to a `Run`: `store.queries` runs the statement through sqlmodel (SQLite and PostgreSQL);
`store.fastread` runs the same statement's SQL, compiled for SQLite and stored, with the standard
library's sqlite3. What the rows mean (progress, overdue, due this month, missed periods, which
branches show) is decided here, whichever ran them (the due, overdue and owner lists in `store.lists`).
Nothing here imports a database library.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from store.duties import Duty, duty
from store.errors import NotFoundError
from store.kinds import Status
from store.lists import action_row_of, as_of_params
from store.owners import written_owner
from store.rag import Rag
from store.rows import (
    ActionDetail,
    ActionRow,
    AddresseeNode,
    HistoryRow,
    Progress,
    RecommendationNode,
    RegionNode,
    Revision,
    View,
    ViewTree,
    When,
)
from store.run import Run

# The parameters a statement takes when it is run (every other bound value is part of its definition).
PARAMETERS = frozenset({
    "owner_id", "pattern", "today", "region", "addressee_id", "recommendation_id", "action_id", "reference",
    "owner_ids", "action_ids", "first", "last", "month", "period", "before_month", "before_period",
    "this_month", "this_period", "this_first", "month_last", "soon_last", "include_closed", "any_status", "status",
    "any_when", "when_overdue", "when_due", "when_missed", "by_due",
})
# The date filter's parameters: one flag per filter (`any_when` when there is none).
WHEN_FLAGS: tuple[tuple[When, str], ...] = (("overdue", "when_overdue"), ("due", "when_due"),
                                            ("missed", "when_missed"))
AMBER = 1 << 32  # a branch's ratings sum: a red action adds 1, an amber one this (more actions than any branch holds)
# How the statement "region_classes" (`store.queries`) writes an action's class as one number: its rating's code,
# plus MISSED if it missed a period, plus DUE if it is due this month.
RATING_CODES: dict[Rag, int] = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.COMPLETE: 3}
MISSED, DUE = 4, 8


# -- statement names -------------------------------------------------------------------------------

VIEW_STATEMENTS = ("regions", "addressees", "recommendations", "actions", "tree_addressees",
                   "tree_recommendations", "tree_actions", "region_progress", "addressee_progress",
                   "recommendation_progress")


def view_shape(owner: bool, search: bool, hide_complete: bool) -> str:
    """The part of a statement's name that says which filters of a view it holds, e.g. ':owner,hide'."""
    parts = [name for name, on in (("owner", owner), ("search", search), ("hide", hide_complete)) if on]
    return ":" + ",".join(parts) if parts else ""


def view_shapes() -> list[tuple[str, tuple[bool, bool, bool]]]:
    """Every shape of a view: (name part, (owner, search, hide_complete))."""
    shapes = [(o, s, h) for o in (False, True) for s in (False, True) for h in (False, True)]
    return [(view_shape(*shape), shape) for shape in shapes]


def _for_view(base: str, view: View) -> str:
    return base + view_shape(view.owner_id is not None, bool(view.search.strip()), view.hide_complete)


def escape_like(text: str) -> str:
    """Text for a LIKE pattern with `\\` as the escape: its %, _ and \\ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_params(view: View) -> dict[str, Any]:
    """The parameters of a view's status, date and closed-plan filters (every shape of view takes them)."""
    return {"include_closed": view.include_closed, "any_status": view.status is None,
            "status": view.status.value if view.status is not None else "", "any_when": view.when is None,
            **{name: view.when == when for when, name in WHEN_FLAGS}}


def view_params(view: View, today: date) -> dict[str, Any]:
    """The parameters of a view's statements."""
    params: dict[str, Any] = {**as_of_params(today), **filter_params(view), "by_due": view.order == "due"}
    if view.owner_id is not None:
        params["owner_id"] = view.owner_id
    if view.search.strip():
        params["pattern"] = f"%{escape_like(view.search.strip())}%"
    return params


# -- the tree ----------------------------------------------------------------------------------------

def progress_of(row: Any) -> Progress:
    """The progress in a row of the counts `done`, `total` and `ratings` (red ones plus AMBER per amber one)."""
    ratings = int(row.ratings or 0)
    return Progress(done=int(row.done or 0), total=int(row.total or 0), overdue=ratings % AMBER,
                    amber=ratings // AMBER)


def _visible(progress: Progress, view: View) -> bool:
    return progress.total > 0 and not (view.hide_complete and progress.done == progress.total)


def path_progress(run: Run, view: View, today: date, region: str, addressee_id: int,
                  recommendation_id: int) -> tuple[Progress, Progress, Progress]:
    """The progress of the region, addressee and recommendation above one action (after it changed)."""
    params = view_params(view, today)
    return (progress_of(next(iter(run(_for_view("region_progress", view), {**params, "region": region})))),
            progress_of(next(iter(run(_for_view("addressee_progress", view),
                                      {**params, "addressee_id": addressee_id})))),
            progress_of(next(iter(run(_for_view("recommendation_progress", view),
                                      {**params, "recommendation_id": recommendation_id})))))


def _addressee_node(row: Any) -> AddresseeNode:
    when = row.plan_submitted or row.report_published
    return AddresseeNode(
        id=row.id, name=row.name, kind=row.kind, rating=row.rating, plan_id=row.plan_id,
        plan_year=str(when.year) if when else row.plan_id, progress=progress_of(row), closed=bool(row.closed),
    )


def _recommendation_node(row: Any) -> RecommendationNode:
    return RecommendationNode(id=row.id, number=row.number, text=row.text, agreement=row.agreement,
                              inferred=row.inferred, progress=progress_of(row))


_CHUNK = 10_000  # SQLite binds at most so many parameters


def with_missed_periods(run: Run, listed: list[ActionRow], today: date) -> list[ActionRow]:
    """The rows, those with missed periods given them (`missed_periods`) and their days overdue counted from the
    end of the oldest, in a few more queries. The due and overdue lists leave this to what shows them."""
    missing = [row.id for row in listed if row.missed]
    if not missing:
        return listed
    found: dict[int, Duty] = {}
    for start in range(0, len(missing), _CHUNK):
        ids = {"action_ids": missing[start:start + _CHUNK]}
        ticked: dict[int, set[str]] = {}
        for row in run("duty_ticks", ids):
            ticked.setdefault(row.action_id, set()).add(row.period)
        checkpoints: dict[int, list[date]] = {}
        for row in run("duty_checkpoints", ids):
            checkpoints.setdefault(row.action_id, []).append(row.due)
        found.update({row.id: duty(row.start_month, row.every_months, row.id, ticked, checkpoints)
                      for row in run("duty_actions", ids)})
    return [_with_missed(row, found[row.id], today) if row.id in found else row for row in listed]


def _with_missed(row: ActionRow, duty: Duty, today: date) -> ActionRow:
    missed = duty.missed(today)
    if not missed:
        return row
    oldest = (today - missed[0][1]).days
    days = max(oldest, row.days_overdue) if row.days_overdue is not None else oldest
    return row._replace(missed_periods=tuple(period for period, _ in missed), days_overdue=days)


def regions(run: Run, view: View, today: date) -> list[RegionNode]:
    """The regions holding actions in view, with their progress."""
    nodes = [RegionNode(region=row.region, progress=progress_of(row))
             for row in run(_for_view("regions", view), view_params(view, today))]
    return [n for n in nodes if _visible(n.progress, view)]


def addressees(run: Run, view: View, region: str, today: date) -> list[AddresseeNode]:
    """The addressees of a region's plans holding actions in view; newest plan first."""
    rows = run(_for_view("addressees", view), {**view_params(view, today), "region": region})
    return [n for n in map(_addressee_node, rows) if _visible(n.progress, view)]


def recommendations(run: Run, view: View, addressee_id: int, today: date) -> list[RecommendationNode]:
    """The recommendations to one addressee holding actions in view."""
    rows = run(_for_view("recommendations", view), {**view_params(view, today), "addressee_id": addressee_id})
    return [n for n in map(_recommendation_node, rows) if _visible(n.progress, view)]


def actions(run: Run, view: View, recommendation_id: int, today: date) -> list[ActionRow]:
    """The actions of one recommendation in view, in plan order."""
    rows = run(_for_view("actions", view), {**view_params(view, today), "recommendation_id": recommendation_id})
    return with_missed_periods(run, [action_row_of(row, today) for row in rows], today)


def view_tree(run: Run, view: View, today: date, *, known: list[RegionNode] | None = None) -> ViewTree:
    """The whole tree in view in four queries, one per level, for a view small enough to show open
    (an owner's few hundred actions): the nodes `regions`, `addressees`, `recommendations` and
    `actions` give branch by branch, without a query per branch. `known`: its regions, read already."""
    params = view_params(view, today)
    by_region: dict[str, list[AddresseeNode]] = {}
    for row in run(_for_view("tree_addressees", view), params):
        node = _addressee_node(row)
        if _visible(node.progress, view):
            by_region.setdefault(row.region, []).append(node)
    by_addressee: dict[int, list[RecommendationNode]] = {}
    for row in run(_for_view("tree_recommendations", view), params):
        rec = _recommendation_node(row)
        if _visible(rec.progress, view):
            by_addressee.setdefault(row.addressee_id, []).append(rec)
    return ViewTree(regions=known if known is not None else regions(run, view, today), addressees=by_region,
                    recommendations=by_addressee, actions=actions_in_view(run, view, today))


def actions_in_view(run: Run, view: View, today: date) -> dict[int, list[ActionRow]]:
    """Every action in view by recommendation id, each list in the view's order, in one query."""
    by_recommendation: dict[int, list[ActionRow]] = {}
    rows = list(run(_for_view("tree_actions", view), view_params(view, today)))
    parents = {row.id: row.recommendation_id for row in rows}
    for action in with_missed_periods(run, [action_row_of(row, today) for row in rows], today):
        by_recommendation.setdefault(parents[action.id], []).append(action)
    return by_recommendation


def kept_when_hiding(item: RegionNode | AddresseeNode | RecommendationNode | ActionRow) -> bool:
    """Whether a row shown stays when "hide completed" comes on: the counts do not change, a branch goes when
    every action in it is complete (`_visible`), and an action when it is complete (the `hide` statements)."""
    if isinstance(item, ActionRow):
        return item.status != Status.COMPLETE
    return _visible(item.progress, View(hide_complete=True))


# -- everyone's regions under every filter, from one read -----------------------------------------

class ActionClass(NamedTuple):
    """What the status and date filters and the counts tell apart in an action."""

    status: Status
    rag: Rag
    missed: bool  # a period passed without a tick (the date filter "missed")
    due: bool  # due this month (the date filter "due")

    def in_view(self, view: View) -> bool:
        """Whether actions of this class pass the view's status and date filters. "Overdue" is the red rating:
        both are store.rag's rule (past the deadline and not complete, or a period missed)."""
        if view.status is not None and self.status != view.status:
            return False
        return (view.when is None or (view.when == "overdue" and self.rag == Rag.RED)
                or (view.when == "due" and self.due) or (view.when == "missed" and self.missed))


RegionClasses = dict[str, dict[ActionClass, int]]  # by region: how many actions of each class
_RATINGS_BY_CODE = {code: rag for rag, code in RATING_CODES.items()}


def _class_of(status: str, code: int) -> ActionClass:
    """The class an action's status and class number (the statements' `code`) stand for."""
    return ActionClass(Status(status), _RATINGS_BY_CODE[code % MISSED], bool(code & MISSED), bool(code & DUE))


def region_classes(run: Run, today: date, *, include_closed: bool = False) -> RegionClasses:
    """Everyone's actions in force counted by region and class, in one statement: what `regions` reads for
    everyone's view (no search) under any status and date filter, counted once (`regions_of`)."""
    found: RegionClasses = {}
    for row in run("region_classes", {**as_of_params(today), "include_closed": include_closed}):
        kind = _class_of(row.status, int(row.code))
        by_class = found.setdefault(row.region, {})
        by_class[kind] = by_class.get(kind, 0) + int(row.actions)
    return found


class ClassedAction(NamedTuple):
    """Where one action is counted in `region_classes`: its region and class, and whether its plan is closed."""

    region: str
    kind: ActionClass
    closed: bool


def action_class(run: Run, action_id: int, today: date) -> ClassedAction | None:
    """Where one action is counted in `region_classes` (by the same rule); None if it is withdrawn (not counted)."""
    row = next(iter(run("action_class", {**as_of_params(today), "action_id": action_id})), None)
    return None if row is None else ClassedAction(row.region, _class_of(row.status, int(row.code)), bool(row.closed))


def moved_class(classes: RegionClasses, before: ClassedAction | None, after: ClassedAction | None, *,
                include_closed: bool) -> RegionClasses:
    """`classes` with one action counted where it is `after` a change instead of where it was `before` it (a
    class no action is left in goes, as `region_classes` would not list it)."""
    found = {region: dict(by_class) for region, by_class in classes.items()}
    for place, step in ((before, -1), (after, 1)):
        if place is None or (place.closed and not include_closed):
            continue
        by_class = found.setdefault(place.region, {})
        count = by_class.get(place.kind, 0) + step
        if count:
            by_class[place.kind] = count
        else:
            del by_class[place.kind]
    return {region: by_class for region, by_class in found.items() if by_class}


def regions_of(classes: RegionClasses, view: View) -> list[RegionNode]:
    """The regions in everyone's `view` (no search) as `regions` reads them, counted from `region_classes`."""
    nodes = []
    for region in sorted(classes):
        done = total = red = amber = 0
        for kind, count in classes[region].items():
            if kind.in_view(view):
                total += count
                done += count if kind.status == Status.COMPLETE else 0
                red += count if kind.rag == Rag.RED else 0
                amber += count if kind.rag == Rag.AMBER else 0
        nodes.append(RegionNode(region=region, progress=Progress(done=done, total=total, overdue=red, amber=amber)))
    return [n for n in nodes if _visible(n.progress, view)]


# -- due and overdue -----------------------------------------------------------------------------

# -- one action ------------------------------------------------------------------------------------

def no_such_reference(reference: str) -> NotFoundError:
    """The error for a reference no action has."""
    return NotFoundError(f"no action has the reference {reference!r} (references look like gm-2023/6/2)")


def action_id(run: Run, reference: str) -> int:
    """The id of the action with this reference (e.g. gm-2023/6/2), or NotFoundError."""
    found = next(iter(run("action_id", {"reference": reference.strip()})), None)
    if found is None:
        raise no_such_reference(reference)
    return int(found.id)


def action_row(run: Run, action_id: int, today: date) -> ActionRow:
    """One action as lists show it."""
    row = next(iter(run("action_row", {**as_of_params(today), "action_id": action_id})), None)
    if row is None:
        raise NotFoundError(f"no action with id {action_id}")
    return with_missed_periods(run, [action_row_of(row, today)], today)[0]


def revisions_of(rows: Iterable[Any]) -> dict[int, Revision]:
    """The Revision of each action from its standing target changes (action_id, from_target, to_target,
    note), in order of action and change."""
    found: dict[int, Revision] = {}
    for action_id, before, after, reason in rows:
        first = found.get(action_id)
        original = first.original if first else (before or "")
        found[action_id] = Revision(original, after or "", reason, (first.count if first else 0) + 1)
    return found


def ticked_periods(run: Run, action_id: int) -> list[str]:
    """The periods whose occurrence is ticked off, oldest first."""
    return [row.period for row in run("ticked", {"action_id": action_id})]


def history(run: Run, action_id: int) -> list[HistoryRow]:
    """Every change of an action, oldest first, each marked if a later change undid it."""
    rows = list(run("history", {"action_id": action_id}))
    undone = {r.undoes_id for r in rows if r.undoes_id is not None}
    here = next(iter(run("machine", {})), None)  # events made on this machine name no origin
    mine = here.value if here is not None else ""
    return [
        HistoryRow(id=r.id or 0, at=r.at, by=r.by, kind=r.kind, from_status=r.from_status, to_status=r.to_status,
                   period=r.period, note=r.note, undoes_id=r.undoes_id, undone=r.id in undone,
                   from_target=r.from_target, to_target=r.to_target, origin=r.origin if r.origin != mine else "")
        for r in rows
    ]


def action_detail(run: Run, action_id: int, today: date) -> ActionDetail:
    """The action with its plan, recommendation, ticks and full history."""
    row = next(iter(run("action_detail", {"action_id": action_id})), None)
    if row is None:
        raise NotFoundError(f"no action with id {action_id}")
    revision = revisions_of(run("revisions", {"action_ids": [action_id]})).get(action_id)
    return ActionDetail(
        action=action_row(run, action_id, today), plan_id=row.plan_id, plan_title=row.plan_title,
        region=row.region, addressee=row.addressee, recommendation_number=row.recommendation_number,
        recommendation_text=row.recommendation_text, agreement=row.agreement,
        owners_written=[written_owner(o) for o in row.owners_written],
        caveat=row.caveat, start=row.start, recurrence=row.recurrence, note=row.note,
        withdrawn=row.withdrawn, ticked=ticked_periods(run, action_id),
        history=history(run, action_id), inferred=row.inferred, progress=row.progress,
        completed=row.completed, review=row.review,
        checkpoints=[r.due for r in run("checkpoints", {"action_id": action_id})],
        revision=revision,
    )
