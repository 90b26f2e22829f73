"""The questions the screen and the CLI ask: the tree for an owner, due this month, overdue, owners.

Every query reads stored derived columns (deadline, start_month, every_months) through indexes;
none parses a target at read time. The tree is asked for one level at a time, so a branch costs
what it holds, not what the database holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ColumnElement, Date, Integer, String, and_, bindparam, case, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import UnaryExpression
from sqlmodel import Session

from store.edits import MACHINE_KEY
from store.errors import NotFoundError
from store.models import (
    Action,
    ActionOwner,
    Addressee,
    Change,
    Checkpoint,
    Meta,
    Occurrence,
    Owner,
    Plan,
    Recommendation,
)
from store.months import Month, occurrences_through_sql, occurs_sql, period_sql
from store.owners import closest_names, owner_key, owner_label, written_owner
from store.targets import Status

if TYPE_CHECKING:
    from store.revising import Revision


@dataclass(frozen=True, slots=True)
class View:
    """What the user is looking at: one owner's actions or everyone's, and filters."""

    owner_id: int | None = None
    hide_complete: bool = False
    search: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts under one node of the tree."""

    done: int
    total: int
    overdue: int

    @property
    def label(self) -> str:
        """E.g. '3/5'."""
        return f"{self.done}/{self.total}"


@dataclass(frozen=True, slots=True)
class RegionNode:
    """A region and the progress of the actions in view under it."""

    region: str
    progress: Progress


@dataclass(frozen=True, slots=True)
class AddresseeNode:
    """An addressee of one plan (plans never mix)."""

    id: int
    name: str
    kind: str
    rating: str
    plan_id: str
    plan_year: str
    progress: Progress


@dataclass(frozen=True, slots=True)
class RecommendationNode:
    """A recommendation with its agreement."""

    id: int
    number: str
    text: str
    agreement: str
    inferred: bool
    progress: Progress


@dataclass(frozen=True, slots=True)
class ActionRow:
    """One action as lists show it."""

    id: int
    reference: str
    text: str
    status: Status
    target: str
    target_reading: str
    target_kind: str
    deadline: date | None
    every_months: int | None
    owners: str
    version: int
    overdue: bool
    due_soon: bool = False  # a one-off deadline in today's month, not complete
    missed: int = 0  # occurrences and checkpoints passed without being ticked off (in the overdue list)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One change of an action, for the detail pane and export."""

    id: int
    at: Any
    by: str
    kind: str
    from_status: str | None
    to_status: str | None
    period: str | None
    note: str
    undoes_id: int | None
    undone: bool
    from_target: str | None = None  # for a target revised by a new version of the plan
    to_target: str | None = None
    origin: str = ""  # where it was made, if not on this machine: another laptop's id, or LOGIN@HOST of a server


@dataclass(frozen=True, slots=True)
class ActionDetail:
    """Everything the detail pane shows of one action."""

    action: ActionRow
    plan_id: str
    plan_title: str
    region: str
    addressee: str
    recommendation_number: str
    recommendation_text: str
    agreement: str
    owners_written: list[str]
    caveat: str | None
    start: date | None
    recurrence: str | None
    note: str
    withdrawn: bool
    ticked: list[str] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    inferred: bool = False  # the recommendation's agreement is worked out, not printed
    progress: str = ""  # as printed by plans that have a progress column
    completed: str = ""
    review: str = ""
    checkpoints: list[date] = field(default_factory=list)
    revision: Revision | None = None  # the target first agreed and its revisions, if it was revised


@dataclass(frozen=True, slots=True)
class OwnerCount:
    """An owner and how many open (not complete) actions they hold."""

    id: int
    name: str
    region: str
    open: int
    total: int
    organisation: str = ""

    @property
    def label(self) -> str:
        """The name with its organisation or region, as people pick it."""
        return owner_label(self.name, self.region, self.organisation)


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(
        Action.every_months.is_(None), Action.deadline.is_not(None), Action.deadline < today,
        Action.status != Status.COMPLETE,
    )


class _Unindexed(UnaryExpression[bool]):
    """A boolean column that SQLite must not read through an index: `(+ column)` there, the plain
    column elsewhere (PostgreSQL has no unary plus on booleans, and plans such queries well)."""

    inherit_cache = True


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.element, **kw))


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return f"(+ {compiler.process(element.element, **kw)})"


def _live() -> ColumnElement[bool]:
    """Not withdrawn, written `(+ action.withdrawn) IS 0` so that SQLite never reads it through an index:
    nearly every action matches, and an index led by `withdrawn` (ix_action_due) would have it visit all
    100,000 actions instead of the owner's few hundred or the branch's few thousand."""
    return _Unindexed(Action.withdrawn, type_=Boolean()).is_(False)


def _owned_by(owner_id: int) -> ColumnElement[bool]:
    """The owner's actions, as `action.id IN (...)`: SQLite starts from the owner's links
    (ix_action_owner_owner) and fetches those actions by id, rather than testing every action."""
    return Action.id.in_(select(ActionOwner.action_id).where(ActionOwner.owner_id == owner_id))


def _filters(view: View, *, listing: bool = False) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_live()]
    if view.owner_id is not None:
        conditions.append(_owned_by(view.owner_id))
    if view.search.strip():
        pattern = f"%{_escape_like(view.search.strip())}%"
        conditions.append(or_(Action.text.ilike(pattern, escape="\\"),
                              Action.reference.ilike(pattern, escape="\\"),
                              Action.owners_display.ilike(pattern, escape="\\")))
    if listing and view.hide_complete:
        conditions.append(Action.status != Status.COMPLETE)
    return conditions


def in_view(view: View) -> list[ColumnElement[bool]]:
    """The conditions on `Action` that keep the actions a view lists (owner, search, hide complete)."""
    return _filters(view, listing=True)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _progress_columns(today: date) -> list[Any]:
    return [
        func.sum(case((Action.status == Status.COMPLETE, 1), else_=0)).label("done"),
        func.count(Action.id).label("total"),
        func.sum(case((_overdue(today), 1), else_=0)).label("overdue"),
    ]


def _progress(row: Any) -> Progress:
    return Progress(done=int(row.done or 0), total=int(row.total or 0), overdue=int(row.overdue or 0))


def _visible(progress: Progress, view: View) -> bool:
    return progress.total > 0 and not (view.hide_complete and progress.done == progress.total)


def regions(session: Session, view: View, today: date) -> list[RegionNode]:
    """The regions holding actions in view, with their progress."""
    query = (
        select(Plan.region, *_progress_columns(today))
        .join(Action, Action.plan_id == Plan.id)
        .where(*_filters(view))
        .group_by(Plan.region)
        .order_by(Plan.region)
    )
    nodes = [RegionNode(region=row.region, progress=_progress(row)) for row in session.execute(query)]
    return [n for n in nodes if _visible(n.progress, view)]


def _addressee_query(view: View, today: date) -> Any:
    return (
        select(Plan.region, Addressee.id, Addressee.name, Addressee.kind, Addressee.rating,
               Plan.id.label("plan_id"), Plan.plan_submitted, Plan.report_published, *_progress_columns(today))
        .join(Plan, Plan.id == Addressee.plan_id)
        .join(Recommendation, Recommendation.addressee_id == Addressee.id)
        .join(Action, Action.recommendation_id == Recommendation.id)
        .where(*_filters(view))
        .group_by(Addressee.id)
    )


_ADDRESSEE_ORDER = (func.coalesce(Plan.plan_submitted, Plan.report_published).desc(), Plan.id, Addressee.position)


def _addressee_node(row: Any) -> AddresseeNode:
    when = row.plan_submitted or row.report_published
    return AddresseeNode(
        id=row.id, name=row.name, kind=row.kind, rating=row.rating, plan_id=row.plan_id,
        plan_year=str(when.year) if when else row.plan_id, progress=_progress(row),
    )


def addressees(session: Session, view: View, region: str, today: date) -> list[AddresseeNode]:
    """The addressees of a region's plans holding actions in view; newest plan first."""
    query = _addressee_query(view, today).where(Plan.region == region).order_by(*_ADDRESSEE_ORDER)
    nodes = [_addressee_node(row) for row in session.execute(query)]
    return [n for n in nodes if _visible(n.progress, view)]


def _recommendation_query(view: View, today: date) -> Any:
    return (
        select(Recommendation.addressee_id, Recommendation.id, Recommendation.number, Recommendation.text,
               Recommendation.agreement, Recommendation.inferred, *_progress_columns(today))
        .join(Action, Action.recommendation_id == Recommendation.id)
        .where(*_filters(view))
        .group_by(Recommendation.id)
    )


def _recommendation_node(row: Any) -> RecommendationNode:
    return RecommendationNode(id=row.id, number=row.number, text=row.text, agreement=row.agreement,
                              inferred=row.inferred, progress=_progress(row))


def recommendations(session: Session, view: View, addressee_id: int, today: date) -> list[RecommendationNode]:
    """The recommendations to one addressee holding actions in view."""
    query = (_recommendation_query(view, today).where(Recommendation.addressee_id == addressee_id)
             .order_by(Recommendation.position))
    nodes = [_recommendation_node(row) for row in session.execute(query)]
    return [n for n in nodes if _visible(n.progress, view)]


_ROW_COLUMNS = (
    Action.id, Action.reference, Action.text, Action.status, Action.target, Action.target_reading,
    Action.target_kind, Action.deadline, Action.every_months, Action.owners_display, Action.version,
)


def _row(row: Any, today: date, *, missed: int = 0) -> ActionRow:
    open_one_off = row.every_months is None and row.deadline is not None and row.status != Status.COMPLETE
    overdue = (open_one_off and row.deadline < today) or missed > 0
    due_soon = open_one_off and not overdue and (row.deadline.year, row.deadline.month) == (today.year, today.month)
    return ActionRow(
        id=row.id, reference=row.reference, text=row.text, status=Status(row.status), target=row.target,
        target_reading=row.target_reading, target_kind=row.target_kind, deadline=row.deadline,
        every_months=row.every_months, owners=row.owners_display, version=row.version, overdue=overdue,
        due_soon=due_soon, missed=missed,
    )


def actions(session: Session, view: View, recommendation_id: int, today: date) -> list[ActionRow]:
    """The actions of one recommendation in view, in plan order."""
    query = (
        select(*_ROW_COLUMNS)
        .where(Action.recommendation_id == recommendation_id, *_filters(view, listing=True))
        .order_by(Action.position)
    )
    return [_row(row, today) for row in session.execute(query)]


@dataclass(frozen=True, slots=True)
class ViewTree:
    """Every level of a view at once: regions, then each level's nodes by their parent."""

    regions: list[RegionNode]
    addressees: dict[str, list[AddresseeNode]]  # by region
    recommendations: dict[int, list[RecommendationNode]]  # by addressee id
    actions: dict[int, list[ActionRow]]  # by recommendation id


def view_tree(session: Session, view: View, today: date) -> ViewTree:
    """The whole tree in view in four queries, one per level, for a view small enough to show open
    (an owner's few hundred actions): the nodes `regions`, `addressees`, `recommendations` and
    `actions` give branch by branch, without a query per branch."""
    by_region: dict[str, list[AddresseeNode]] = {}
    for row in session.execute(_addressee_query(view, today).order_by(Plan.region, *_ADDRESSEE_ORDER)):
        node = _addressee_node(row)
        if _visible(node.progress, view):
            by_region.setdefault(row.region, []).append(node)
    by_addressee: dict[int, list[RecommendationNode]] = {}
    query = _recommendation_query(view, today).order_by(Recommendation.addressee_id, Recommendation.position)
    for row in session.execute(query):
        rec = _recommendation_node(row)
        if _visible(rec.progress, view):
            by_addressee.setdefault(row.addressee_id, []).append(rec)
    by_recommendation: dict[int, list[ActionRow]] = {}
    query = (select(*_ROW_COLUMNS, Action.recommendation_id).where(*_filters(view, listing=True))
             .order_by(Action.recommendation_id, Action.position))
    for row in session.execute(query):
        by_recommendation.setdefault(row.recommendation_id, []).append(_row(row, today))
    return ViewTree(regions=regions(session, view, today), addressees=by_region, recommendations=by_addressee,
                    actions=by_recommendation)


def action_row(session: Session, action_id: int, today: date) -> ActionRow:
    """One action as lists show it."""
    row = session.execute(select(*_ROW_COLUMNS).where(Action.id == action_id)).first()
    if row is None:
        raise NotFoundError(f"no action with id {action_id}")
    return _row(row, today)


def _owned_by_param() -> ColumnElement[bool]:
    """`_owned_by` with the owner as the bound parameter `owner_id`, for statements built once."""
    owner = bindparam("owner_id", type_=Integer())
    return Action.id.in_(select(ActionOwner.action_id).where(ActionOwner.owner_id == owner))


@lru_cache(maxsize=2)
def _due_statement(by_owner: bool) -> Any:
    """The due-in-a-month query, built once: the month and owner are bound parameters."""
    first, last = bindparam("first", type_=Date()), bindparam("last", type_=Date())
    month, period = bindparam("month", type_=Integer()), bindparam("period", type_=String())
    one_off = and_(Action.every_months.is_(None), Action.deadline >= first, Action.deadline <= last)
    recurring = occurs_sql(Action.start_month, Action.every_months, month)
    checkpoint = Action.id.in_(select(Checkpoint.action_id).where(Checkpoint.due >= first, Checkpoint.due <= last))
    ticked = exists().where(Occurrence.action_id == Action.id, Occurrence.period == period,
                            Occurrence.done.is_(True))
    conditions = [_live(), Action.status != Status.COMPLETE, or_(one_off, and_(or_(recurring, checkpoint), ~ticked))]
    if by_owner:
        conditions.append(_owned_by_param())
    return (select(*_ROW_COLUMNS).where(*conditions)
            .order_by(Action.every_months.is_not(None), Action.deadline.asc().nulls_first(),  # as SQLite sorts
                      Action.plan_id, Action.id))


def due_in_month(session: Session, year: int, month: int, today: date, owner_id: int | None = None) -> list[ActionRow]:
    """One-off deadlines in the month not complete, and recurring occurrences and checkpoints in it not
    ticked off."""
    wanted = Month(year, month)
    params: dict[str, Any] = {"first": wanted.first, "last": wanted.last, "month": wanted.index,
                              "period": wanted.period}
    if owner_id is not None:
        params["owner_id"] = owner_id
    # Core, not the ORM's execute: plain rows either way, without its result setup.
    rows = session.connection().execute(_due_statement(owner_id is not None), params)
    return [_row(row, today) for row in rows]


@lru_cache(maxsize=2)
def _overdue_statement(by_owner: bool) -> Any:
    """The overdue query, built once: its dates and owner are bound parameters (`_overdue_params`), so a
    call pays for running it, not for building a statement of a dozen subqueries again."""
    today = bindparam("today", type_=Date())
    before_month = bindparam("before_month", type_=Integer())
    before_period = bindparam("before_period", type_=String())
    # occurrences of the months before today's, less those ticked off; checkpoints dated before today
    ticks = (select(func.count()).where(Occurrence.action_id == Action.id, Occurrence.done.is_(True),
                                        Occurrence.period <= before_period).scalar_subquery())
    due = occurrences_through_sql(Action.start_month, Action.every_months, before_month)
    passed = (select(func.count()).select_from(Checkpoint)
              .where(Checkpoint.action_id == Action.id, Checkpoint.due < today,
                     ~exists().where(Occurrence.action_id == Checkpoint.action_id, Occurrence.done.is_(True),
                                     Occurrence.period == period_sql(Checkpoint.due)))
              .scalar_subquery())
    missed = case((and_(Action.every_months.is_not(None), due > ticks), due - ticks), else_=0) + passed
    late = and_(Action.every_months.is_(None), Action.deadline.is_not(None), Action.deadline < today)
    conditions = [_live(), Action.status != Status.COMPLETE, or_(late, missed > 0)]
    if by_owner:
        conditions.append(_owned_by_param())
    return (select(*_ROW_COLUMNS, missed.label("missed")).where(*conditions)
            .order_by(Action.deadline.is_(None), Action.deadline, Action.plan_id, Action.id))


def overdue(session: Session, today: date, owner_id: int | None = None) -> list[ActionRow]:
    """Actions not complete that are past their deadline, or have missed occurrences or checkpoints
    (periods passed without being ticked off); oldest deadline first, then recurring duties."""
    before = Month.of(today).plus(-1)
    params: dict[str, Any] = {"today": today, "before_month": before.index, "before_period": before.period}
    if owner_id is not None:
        params["owner_id"] = owner_id
    rows = session.connection().execute(_overdue_statement(owner_id is not None), params)
    return [_row(row, today, missed=int(row.missed)) for row in rows]


def _owner_counts(owner_ids: Sequence[int] | None = None) -> Any:
    """Per owner: open and all actions (not withdrawn), counted along the owner's links in one pass."""
    query = (
        select(ActionOwner.owner_id.label("owner_id"),
               func.sum(case((Action.status != Status.COMPLETE, 1), else_=0)).label("open"),
               func.count().label("total"))
        .join(Action, Action.id == ActionOwner.action_id)
        .where(_live())
        .group_by(ActionOwner.owner_id)
    )
    if owner_ids is not None:
        query = query.where(ActionOwner.owner_id.in_(owner_ids))
    return query.subquery()


def owners(session: Session, *, owner_ids: Sequence[int] | None = None) -> list[OwnerCount]:
    """Every owner (or those of `owner_ids`) with their numbers of open and all actions, most open first.
    An owner with no action in force is not listed."""
    counts = _owner_counts(owner_ids)
    query = (
        select(Owner.id, Owner.name, Owner.region, Owner.organisation, counts.c.open, counts.c.total)
        .join(counts, counts.c.owner_id == Owner.id)
        .order_by(counts.c.open.desc(), Owner.name, Owner.region, Owner.organisation)
    )
    return [OwnerCount(id=r.id, name=r.name, region=r.region, open=int(r.open or 0), total=r.total,
                       organisation=r.organisation)
            for r in session.execute(query)]


def find_owner(session: Session, text: str) -> OwnerCount:
    """The owner named `text` ("Head of Tameside PDU" or "Name (Region)"); NotFoundError if none or several."""
    wanted = text.strip()
    # Match names on the owner table alone (a few thousand rows); count actions only for the matches.
    named = session.execute(select(Owner.id, Owner.name, Owner.region, Owner.organisation)).all()
    label = {row.id: owner_label(row.name, row.region, row.organisation) for row in named}
    matched = [row.id for row in named if owner_key(label[row.id]) == owner_key(wanted)]
    exact = owners(session, owner_ids=matched) if matched else []
    if not exact:
        matched = [row.id for row in named if owner_key(row.name) == owner_key(wanted)]
        exact = owners(session, owner_ids=matched) if matched else []
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        choices = "; ".join(o.label for o in exact)
        raise NotFoundError(f"{wanted!r} is a role in several regions or organisations: name one of {choices}")
    near = closest_names(wanted, [o.label for o in owners(session)])
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else "; `actiontrack owners` lists them"
    raise NotFoundError(f"no owner is called {wanted!r}{hint}")


def action_detail(session: Session, action_id: int, today: date) -> ActionDetail:
    """The action with its plan, recommendation, ticks and full history."""
    row = session.execute(
        select(Action, Recommendation, Addressee, Plan)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .join(Addressee, Addressee.id == Recommendation.addressee_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Action.id == action_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no action with id {action_id}")
    action, rec, addressee, plan = row
    return ActionDetail(
        action=action_row(session, action_id, today), plan_id=plan.id, plan_title=plan.title,
        region=plan.region, addressee=addressee.name, recommendation_number=rec.number,
        recommendation_text=rec.text, agreement=rec.agreement,
        owners_written=[written_owner(o) for o in action.owners_written],
        caveat=action.caveat, start=action.start, recurrence=action.recurrence, note=action.note,
        withdrawn=action.withdrawn, ticked=ticked_periods(session, action_id),
        history=history(session, action_id), inferred=rec.inferred, progress=action.progress,
        completed=action.completed, review=action.review,
        checkpoints=list(session.execute(select(Checkpoint.due).where(Checkpoint.action_id == action_id)
                                         .order_by(Checkpoint.due)).scalars()),
        revision=_revision(session, action),
    )


def _revision(session: Session, action: Action) -> Revision | None:
    """The action's revisions, if its target was revised (read here, so listing commands never load them)."""
    from store.revising import revision_of

    found = revision_of(session, action)
    return found if found.count else None


def ticked_periods(session: Session, action_id: int) -> list[str]:
    """The periods whose occurrence is ticked off, oldest first."""
    query = (select(Occurrence.period).where(Occurrence.action_id == action_id, Occurrence.done.is_(True))
             .order_by(Occurrence.period))
    return list(session.execute(query).scalars())


def history(session: Session, action_id: int) -> list[HistoryRow]:
    """Every change of an action, oldest first, each marked if a later change undid it."""
    rows = list(session.execute(select(Change).where(Change.action_id == action_id).order_by(Change.id)).scalars())
    undone = {r.undoes_id for r in rows if r.undoes_id is not None}
    here = session.execute(select(Meta.value).where(Meta.key == MACHINE_KEY)).scalar() or ""  # '' on a server
    return [
        HistoryRow(id=r.id or 0, at=r.at, by=r.by, kind=r.kind, from_status=r.from_status, to_status=r.to_status,
                   period=r.period, note=r.note, undoes_id=r.undoes_id, undone=r.id in undone,
                   from_target=r.from_target, to_target=r.to_target, origin=r.origin if r.origin != here else "")
        for r in rows
    ]


def plan_ids(session: Session) -> Sequence[str]:
    """Every plan's id, in order."""
    return list(session.execute(select(Plan.id).order_by(Plan.id)).scalars())


@dataclass(frozen=True, slots=True)
class RecommendationDetail:
    """Everything the detail pane shows of one recommendation."""

    id: int
    number: str
    text: str
    agreement: str
    reason: str
    note: str
    inferred: bool
    addressee: str
    plan_id: str
    plan_title: str


def recommendation_detail(session: Session, recommendation_id: int) -> RecommendationDetail:
    """One recommendation with its addressee and plan."""
    row = session.execute(
        select(Recommendation, Addressee.name, Plan.id, Plan.title)
        .join(Addressee, Addressee.id == Recommendation.addressee_id)
        .join(Plan, Plan.id == Recommendation.plan_id)
        .where(Recommendation.id == recommendation_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no recommendation with id {recommendation_id}")
    rec, addressee, plan_id, plan_title = row
    return RecommendationDetail(
        id=rec.id, number=rec.number, text=rec.text, agreement=rec.agreement, reason=rec.reason,
        note=rec.note, inferred=rec.inferred, addressee=addressee, plan_id=plan_id, plan_title=plan_title,
    )


@dataclass(frozen=True, slots=True)
class ActionPath:
    """Where an action sits in the tree."""

    region: str
    addressee_id: int
    recommendation_id: int
    action_id: int


def action_path(session: Session, action_id: int) -> ActionPath:
    """The region, addressee and recommendation above an action."""
    row = session.execute(
        select(Plan.region, Recommendation.addressee_id, Action.recommendation_id)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Action.id == action_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no action with id {action_id}")
    return ActionPath(region=row.region, addressee_id=row.addressee_id, recommendation_id=row.recommendation_id,
                      action_id=action_id)


def path_progress(session: Session, view: View, today: date, path: ActionPath) -> tuple[Progress, Progress, Progress]:
    """The progress of the region, addressee and recommendation above one action, after a change."""
    def one(*conditions: ColumnElement[bool]) -> Progress:
        query = (select(*_progress_columns(today)).select_from(Action)
                 .join(Recommendation, Recommendation.id == Action.recommendation_id)
                 .join(Plan, Plan.id == Action.plan_id)
                 .where(*_filters(view), *conditions))
        return _progress(session.execute(query).one())

    return (
        one(Plan.region == path.region),
        one(Recommendation.addressee_id == path.addressee_id),
        one(Action.recommendation_id == path.recommendation_id),
    )
