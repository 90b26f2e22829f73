"""The questions the screen and the CLI ask: the tree for an owner, due this month, overdue, owners.

Every query reads stored derived columns (deadline, start_month, every_months) through indexes;
none parses a target at read time. The tree is asked for one level at a time, so a branch costs
what it holds, not what the database holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import UnaryExpression
from sqlmodel import Session

from store import reads
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
from store.months import occurrences_through_sql, occurs_sql, period_sql
from store.reads import Run, escape_like, view_shapes
from store.rows import (
    ActionDetail,
    ActionPath,
    ActionRow,
    AddresseeNode,
    HistoryRow,
    OwnerCount,
    Progress,
    RecommendationDetail,
    RecommendationNode,
    RegionNode,
    View,
    ViewTree,
)
from store.targets import Status

__all__ = [  # the row types live in store.rows; they are named here too, where the queries are
    "ActionDetail", "ActionPath", "ActionRow", "AddresseeNode", "HistoryRow", "OwnerCount", "Progress",
    "RecommendationDetail", "RecommendationNode", "RegionNode", "View", "ViewTree",
]


def _overdue(today: date | ColumnElement[Any]) -> ColumnElement[bool]:
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


def _param(name: str, type_: Any, value: Any = None, *, bound: bool = False) -> Any:
    """A named parameter: given its value now (`bound`), or when the statement is run."""
    return bindparam(name, value, type_=type_) if bound else bindparam(name, type_=type_)


def _owned_by(owner_id: Any) -> ColumnElement[bool]:
    """The owner's actions, as `action.id IN (...)`: SQLite starts from the owner's links
    (ix_action_owner_owner) and fetches those actions by id, rather than testing every action."""
    return Action.id.in_(select(ActionOwner.action_id).where(ActionOwner.owner_id == owner_id))


def _filters(owner: bool, search: bool, hide_complete: bool, *, listing: bool = False,
             values: View | None = None) -> list[ColumnElement[bool]]:
    """The conditions of a view: its owner (parameter `owner_id`) and search (`pattern`), and, for lists
    of actions, hiding the complete ones. With `values`, the parameters are bound to that view's."""
    bound = values is not None
    conditions: list[ColumnElement[bool]] = [_live()]
    if owner:
        conditions.append(_owned_by(_param("owner_id", Integer(), values and values.owner_id, bound=bound)))
    if search:
        given = f"%{escape_like(values.search.strip())}%" if values else None
        pattern = _param("pattern", String(), given, bound=bound)
        conditions.append(or_(Action.text.ilike(pattern, escape="\\"),
                              Action.reference.ilike(pattern, escape="\\"),
                              Action.owners_display.ilike(pattern, escape="\\")))
    if listing and hide_complete:
        conditions.append(Action.status != Status.COMPLETE)
    return conditions


def _view_filters(view: View, *, listing: bool = False) -> list[ColumnElement[bool]]:
    return _filters(view.owner_id is not None, bool(view.search.strip()), view.hide_complete, listing=listing,
                    values=view)


def in_view(view: View) -> list[ColumnElement[bool]]:
    """The conditions on `Action` that keep the actions a view lists (owner, search, hide complete)."""
    return _view_filters(view, listing=True)


def _progress_columns(today: date | ColumnElement[Any]) -> list[Any]:
    return [
        func.sum(case((Action.status == Status.COMPLETE, 1), else_=0)).label("done"),
        func.count(Action.id).label("total"),
        func.sum(case((_overdue(today), 1), else_=0)).label("overdue"),
    ]


_TODAY = bindparam("today", type_=Date())


def _addressee_query(conditions: list[ColumnElement[bool]]) -> Any:
    return (
        select(Plan.region, Addressee.id, Addressee.name, Addressee.kind, Addressee.rating,
               Plan.id.label("plan_id"), Plan.plan_submitted, Plan.report_published, *_progress_columns(_TODAY))
        .join(Plan, Plan.id == Addressee.plan_id)
        .join(Recommendation, Recommendation.addressee_id == Addressee.id)
        .join(Action, Action.recommendation_id == Recommendation.id)
        .where(*conditions)
        .group_by(Addressee.id)
    )


_ADDRESSEE_ORDER = (func.coalesce(Plan.plan_submitted, Plan.report_published).desc(), Plan.id, Addressee.position)


def _recommendation_query(conditions: list[ColumnElement[bool]]) -> Any:
    return (
        select(Recommendation.addressee_id, Recommendation.id, Recommendation.number, Recommendation.text,
               Recommendation.agreement, Recommendation.inferred, *_progress_columns(_TODAY))
        .join(Action, Action.recommendation_id == Recommendation.id)
        .where(*conditions)
        .group_by(Recommendation.id)
    )


_ROW_COLUMNS = (
    Action.id, Action.reference, Action.text, Action.status, Action.target, Action.target_reading,
    Action.target_kind, Action.deadline, Action.every_months, Action.owners_display, Action.version,
)


def _view_statements(owner: bool, search: bool, hide: bool) -> dict[str, Any]:
    """The statements of one shape of view (see `reads.view_shape`), by their name without the shape."""
    where = _filters(owner, search, hide)
    listing = _filters(owner, search, hide, listing=True)
    return {
        "regions": (select(Plan.region, *_progress_columns(_TODAY)).join(Action, Action.plan_id == Plan.id)
                    .where(*where).group_by(Plan.region).order_by(Plan.region)),
        "addressees": (_addressee_query(where).where(Plan.region == bindparam("region", type_=String()))
                       .order_by(*_ADDRESSEE_ORDER)),
        "recommendations": (_recommendation_query(where)
                            .where(Recommendation.addressee_id == bindparam("addressee_id", type_=Integer()))
                            .order_by(Recommendation.position)),
        "actions": (select(*_ROW_COLUMNS)
                    .where(Action.recommendation_id == bindparam("recommendation_id", type_=Integer()), *listing)
                    .order_by(Action.position)),
        "tree_addressees": _addressee_query(where).order_by(Plan.region, *_ADDRESSEE_ORDER),
        "tree_recommendations": (_recommendation_query(where)
                                 .order_by(Recommendation.addressee_id, Recommendation.position)),
        "tree_actions": (select(*_ROW_COLUMNS, Action.recommendation_id).where(*listing)
                         .order_by(Action.recommendation_id, Action.position)),
    }


def _owned_by_param() -> ColumnElement[bool]:
    """`_owned_by` with the owner as the parameter `owner_id`."""
    return _owned_by(bindparam("owner_id", type_=Integer()))


def _due_statement(by_owner: bool) -> Any:
    """The due-in-a-month query: the month and owner are parameters."""
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


def _overdue_statement(by_owner: bool) -> Any:
    """The overdue query: its dates and owner are parameters (`reads.overdue`), so a call pays for running
    it, not for building a statement of a dozen subqueries again."""
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


def _owners_statement(some: bool) -> Any:
    """Every owner (or those of the parameter `owner_ids`) with their numbers of open and all actions (not
    withdrawn, counted along the owner's links in one pass), most open first."""
    counts = (
        select(ActionOwner.owner_id.label("owner_id"),
               func.sum(case((Action.status != Status.COMPLETE, 1), else_=0)).label("open"),
               func.count().label("total"))
        .join(Action, Action.id == ActionOwner.action_id)
        .where(_live())
        .group_by(ActionOwner.owner_id)
    )
    if some:
        counts = counts.where(ActionOwner.owner_id.in_(bindparam("owner_ids", expanding=True)))
    sub = counts.subquery()
    return (select(Owner.id, Owner.name, Owner.region, Owner.organisation, sub.c.open, sub.c.total)
            .join(sub, sub.c.owner_id == Owner.id)
            .order_by(sub.c.open.desc(), Owner.name, Owner.region, Owner.organisation))


@cache
def _action_statements() -> dict[str, Any]:
    """The statements that read one action: by reference, as listed, in detail, its ticks and history."""
    from store.revising import revisions_query

    action_id = bindparam("action_id", type_=Integer())
    return {
        "action_id": select(Action.id).where(Action.reference == bindparam("reference", type_=String())),
        "action_row": select(*_ROW_COLUMNS).where(Action.id == action_id),
        "action_detail": (
            select(Plan.id.label("plan_id"), Plan.title.label("plan_title"), Plan.region,
                   Addressee.name.label("addressee"), Recommendation.number.label("recommendation_number"),
                   Recommendation.text.label("recommendation_text"), Recommendation.agreement,
                   Recommendation.inferred, Action.owners_written, Action.caveat, Action.start,
                   Action.recurrence, Action.note, Action.withdrawn, Action.progress, Action.completed,
                   Action.review)
            .join(Recommendation, Recommendation.id == Action.recommendation_id)
            .join(Addressee, Addressee.id == Recommendation.addressee_id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(Action.id == action_id)),
        "ticked": (select(Occurrence.period).where(Occurrence.action_id == action_id, Occurrence.done.is_(True))
                   .order_by(Occurrence.period)),
        "history": (select(Change.id, Change.at, Change.by, Change.kind, Change.from_status, Change.to_status,
                           Change.period, Change.note, Change.undoes_id, Change.from_target, Change.to_target,
                           Change.origin)
                    .where(Change.action_id == action_id).order_by(Change.id)),
        "checkpoints": select(Checkpoint.due).where(Checkpoint.action_id == action_id).order_by(Checkpoint.due),
        "revisions": revisions_query(bindparam("action_ids", expanding=True)),
    }


_OTHER_STATEMENTS: dict[str, Callable[[], Any]] = {
    "due": lambda: _due_statement(False), "due:owner": lambda: _due_statement(True),
    "overdue": lambda: _overdue_statement(False), "overdue:owner": lambda: _overdue_statement(True),
    "owners": lambda: _owners_statement(False), "owners:some": lambda: _owners_statement(True),
    "owner_names": lambda: select(Owner.id, Owner.name, Owner.region, Owner.organisation),
    "machine": lambda: select(Meta.value).where(Meta.key == MACHINE_KEY),  # this file's machine id (none on a server)
}


def statements() -> dict[str, Any]:
    """Every statement the reads of `store.reads` run, by name: the one definition of their SQL (compiled
    for SQLite into `store.compiled_sql` for `store.fastread`)."""
    found: dict[str, Any] = {}
    for shape, flags in view_shapes():
        found.update({name + shape: stmt for name, stmt in _shape_statements(*flags).items()})
    found.update({name: build() for name, build in _OTHER_STATEMENTS.items()})
    found.update(_action_statements())
    return found


@cache
def _shape_statements(owner: bool, search: bool, hide: bool) -> dict[str, Any]:
    return _view_statements(owner, search, hide)


_BUILT: dict[str, Any] = {}


def _statement(name: str) -> Any:
    """One statement, built once (only those a process runs): its parameters are bound when it runs."""
    found = _BUILT.get(name)
    if found is None:
        base, _, shape = name.partition(":")
        if base in reads.VIEW_STATEMENTS:
            parts = set(shape.split(","))
            found = _shape_statements("owner" in parts, "search" in parts, "hide" in parts)[base]
        elif name in _OTHER_STATEMENTS:
            found = _OTHER_STATEMENTS[name]()
        else:
            found = _action_statements()[name]
        _BUILT[name] = found
    return found


def runner(session: Session) -> Run:
    """Run `store.reads`' statements in this session (SQLite or PostgreSQL)."""
    def run(name: str, params: Mapping[str, Any], /) -> Iterable[Any]:
        # Core, not the ORM's execute: plain rows either way, without its result setup.
        return session.connection().execute(_statement(name), dict(params))

    return run


def regions(session: Session, view: View, today: date) -> list[RegionNode]:
    """The regions holding actions in view, with their progress."""
    return reads.regions(runner(session), view, today)


def addressees(session: Session, view: View, region: str, today: date) -> list[AddresseeNode]:
    """The addressees of a region's plans holding actions in view; newest plan first."""
    return reads.addressees(runner(session), view, region, today)


def recommendations(session: Session, view: View, addressee_id: int, today: date) -> list[RecommendationNode]:
    """The recommendations to one addressee holding actions in view."""
    return reads.recommendations(runner(session), view, addressee_id, today)


def actions(session: Session, view: View, recommendation_id: int, today: date) -> list[ActionRow]:
    """The actions of one recommendation in view, in plan order."""
    return reads.actions(runner(session), view, recommendation_id, today)


def view_tree(session: Session, view: View, today: date) -> ViewTree:
    """The whole tree in view in four queries, one per level (see `reads.view_tree`)."""
    return reads.view_tree(runner(session), view, today)


def action_row(session: Session, action_id: int, today: date) -> ActionRow:
    """One action as lists show it."""
    return reads.action_row(runner(session), action_id, today)


def due_in_month(session: Session, year: int, month: int, today: date, owner_id: int | None = None) -> list[ActionRow]:
    """One-off deadlines in the month not complete, and recurring occurrences and checkpoints in it not
    ticked off."""
    return reads.due_in_month(runner(session), year, month, today, owner_id)


def overdue(session: Session, today: date, owner_id: int | None = None) -> list[ActionRow]:
    """Actions not complete that are past their deadline, or have missed occurrences or checkpoints
    (periods passed without being ticked off); oldest deadline first, then recurring duties."""
    return reads.overdue(runner(session), today, owner_id)


def owners(session: Session, *, owner_ids: Sequence[int] | None = None) -> list[OwnerCount]:
    """Every owner (or those of `owner_ids`) with their numbers of open and all actions, most open first.
    An owner with no action in force is not listed."""
    return reads.owners(runner(session), owner_ids=owner_ids)


def find_owner(session: Session, text: str) -> OwnerCount:
    """The owner named `text` ("Head of Tameside PDU" or "Name (Region)"); NotFoundError if none or several."""
    return reads.find_owner(runner(session), text)


def action_detail(session: Session, action_id: int, today: date) -> ActionDetail:
    """The action with its plan, recommendation, ticks and full history."""
    return reads.action_detail(runner(session), action_id, today)


def ticked_periods(session: Session, action_id: int) -> list[str]:
    """The periods whose occurrence is ticked off, oldest first."""
    return reads.ticked_periods(runner(session), action_id)


def history(session: Session, action_id: int) -> list[HistoryRow]:
    """Every change of an action, oldest first, each marked if a later change undid it."""
    return reads.history(runner(session), action_id)


def plan_ids(session: Session) -> Sequence[str]:
    """Every plan's id, in order."""
    return list(session.execute(select(Plan.id).order_by(Plan.id)).scalars())


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
                 .where(*_view_filters(view), *conditions))
        return reads.progress_of(session.execute(query).one())

    return (
        one(Plan.region == path.region),
        one(Recommendation.addressee_id == path.addressee_id),
        one(Action.recommendation_id == path.recommendation_id),
    )
