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
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import UnaryExpression
from sqlmodel import Session

from store import lists, reads
from store.closing import closed_plans_sql
from store.edits import MACHINE_KEY
from store.errors import NotFoundError
from store.lists import as_of_params
from store.models import (
    Action,
    ActionOwner,
    Addressee,
    Change,
    ChangeKind,
    Checkpoint,
    Meta,
    Occurrence,
    Owner,
    Plan,
    Recommendation,
)
from store.months import occurrences_through_sql, occurs_sql, period_sql
from store.rag import Rag
from store.reads import AMBER, DUE, MISSED, RATING_CODES, WHEN_FLAGS, escape_like, filter_params, view_shapes
from store.rows import (
    WHEN_WORDS,
    ActionDetail,
    ActionPath,
    ActionRow,
    AddresseeNode,
    HistoryRow,
    Order,
    OwnerCount,
    Progress,
    RecommendationDetail,
    RecommendationNode,
    RegionNode,
    View,
    ViewTree,
    When,
)
from store.run import Run
from store.targets import Status

__all__ = [  # the row types live in store.rows; they are named here too, where the queries are
    "WHEN_WORDS", "ActionDetail", "ActionPath", "ActionRow", "AddresseeNode", "HistoryRow", "Order", "OwnerCount",
    "Progress", "RecommendationDetail", "RecommendationNode", "RegionNode", "View", "ViewTree", "When",
    "as_of_params",
]


# The day a query speaks for, as parameters (`reads.as_of_params` gives their values): one statement serves
# every day, and the missed-period and RAG expressions below are written once for every query.
_AS_OF_TYPES = {"today": Date(), "before_month": Integer(), "before_period": String(), "this_month": Integer(),
                "this_period": String(), "this_first": Date(), "month_last": Date(), "soon_last": Date()}


def _as_of(name: str) -> Any:
    return bindparam(name, type_=_AS_OF_TYPES[name])


@cache  # built once: the day comes in as parameters
def _late() -> ColumnElement[bool]:
    """A one-off deadline passed (whatever the status)."""
    return and_(Action.every_months.is_(None), Action.deadline.is_not(None), Action.deadline < _as_of("today"))


@cache
def missed_periods_sql() -> ColumnElement[int]:
    """How many of the action's periods passed without a tick: occurrences of a recurring duty in the months
    before today's, and checkpoints dated before today (`store.duties.Duty.missed` is its Python twin)."""
    ticks = (select(func.count()).where(Occurrence.action_id == Action.id, Occurrence.done.is_(True),
                                        Occurrence.period <= _as_of("before_period")).scalar_subquery())
    due = occurrences_through_sql(Action.start_month, Action.every_months, _as_of("before_month"))
    passed = (select(func.count()).select_from(Checkpoint)
              .where(Checkpoint.action_id == Action.id, Checkpoint.due < _as_of("today"),
                     ~exists().where(Occurrence.action_id == Checkpoint.action_id, Occurrence.done.is_(True),
                                     Occurrence.period == period_sql(Checkpoint.due)))
              .scalar_subquery())
    missed: ColumnElement[int] = case((and_(Action.every_months.is_not(None), due > ticks), due - ticks),
                                      else_=0) + passed
    return missed


def _among(ids: Any) -> ColumnElement[bool]:
    """The action is among the ids a statement of its own selects: worked out once per query, not per action,
    so that a correlated test behind it runs only for the few actions it can hold for."""
    return Action.id.in_(ids)


@cache
def _missed_any() -> ColumnElement[bool]:
    """`missed_periods_sql() > 0`, cheaper: a recurring duty with more periods passed than ticked, or a checkpoint dated
    before today not ticked off (nothing is counted where one is enough)."""
    ticks = (select(func.count()).where(Occurrence.action_id == Action.id, Occurrence.done.is_(True),
                                        Occurrence.period <= _as_of("before_period")).scalar_subquery())
    due = occurrences_through_sql(Action.start_month, Action.every_months, _as_of("before_month"))
    passed = exists().where(Checkpoint.action_id == Action.id, Checkpoint.due < _as_of("today"),
                            ~exists().where(Occurrence.action_id == Checkpoint.action_id, Occurrence.done.is_(True),
                                            Occurrence.period == period_sql(Checkpoint.due)))
    return or_(and_(Action.every_months.is_not(None), due > ticks), and_(_among(select(Checkpoint.action_id)), passed))


@cache
def _revised_twice() -> ColumnElement[bool]:
    """The target was revised more than once (revisions undone left out; `store.revising.revisions`)."""
    undo = aliased(Change)
    targets = Change.kind == ChangeKind.TARGET
    every = select(func.count()).select_from(Change).where(Change.action_id == Action.id, targets).scalar_subquery()
    standing = (select(func.count()).select_from(Change)
                .where(Change.action_id == Action.id, targets,
                       ~exists().where(undo.action_id == Change.action_id, undo.undoes_id == Change.id))
                .scalar_subquery())
    revised = _among(select(Change.action_id).where(targets))  # most actions were never revised
    return and_(revised, every > 1, standing > 1)


@cache
def open_now_sql() -> ColumnElement[bool]:
    """An occurrence or a checkpoint falls in today's month (the checkpoint not before today), not ticked off."""
    checkpoint = exists().where(Checkpoint.action_id == Action.id, Checkpoint.due >= _as_of("today"),
                                Checkpoint.due <= _as_of("month_last"))
    ticked = exists().where(Occurrence.action_id == Action.id, Occurrence.done.is_(True),
                            Occurrence.period == _as_of("this_period"))
    return and_(or_(occurs_sql(Action.start_month, Action.every_months, _as_of("this_month")),
                    and_(_among(select(Checkpoint.action_id)), checkpoint)), ~ticked)


@cache
def _rag() -> ColumnElement[str]:
    """store.rag's rule for an action as SQL, giving the rating's value ('red', 'amber', 'green',
    'complete'); each test is reached only when the ones before it fail."""
    soon = and_(Action.deadline.is_not(None), Action.deadline >= _as_of("today"),
                Action.deadline <= _as_of("soon_last"))
    rag: ColumnElement[str] = case(
        (Action.status == Status.COMPLETE, Rag.COMPLETE.value),
        (or_(_late(), _missed_any()), Rag.RED.value),
        (or_(soon, open_now_sql(), _revised_twice()), Rag.AMBER.value),
        else_=Rag.GREEN.value,
    )
    return rag


@cache
def _evidence() -> ColumnElement[bool]:
    """A note was given with a change of the action (not a revision's reason) and not undone: evidence."""
    undo = aliased(Change)
    return exists().where(Change.action_id == Action.id, Change.note != "", Change.kind != ChangeKind.TARGET,
                          ~exists().where(undo.action_id == Change.action_id, undo.undoes_id == Change.id))


@cache
def _when(when: When) -> ColumnElement[bool]:
    """The date filter (as-of parameters bound when run): overdue (red), due this month (as the due panel has
    it for today's month), or a period missed."""
    open_ = Action.status != Status.COMPLETE
    if when == "overdue":
        return and_(open_, or_(_late(), _missed_any()))
    if when == "missed":
        return and_(open_, _missed_any())
    this_month = and_(Action.every_months.is_(None), Action.deadline >= _as_of("this_first"),
                      Action.deadline <= _as_of("month_last"))
    return and_(open_, or_(this_month, open_now_sql()))


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


def _open_plan(plan_id: Any = Action.plan_id) -> ColumnElement[bool]:
    """The action's plan is not closed. Where a statement joins `Plan`, `plan_id` is `Plan.id`: SQLite then tests
    it once per plan, in the outer loop, rather than once for each of the plan's actions."""
    return plan_id.not_in(closed_plans_sql())


def _filters(owner: bool, search: bool, hide_complete: bool, *, listing: bool = False,
             values: View | None = None, dated: bool = True, plans: bool = False) -> list[ColumnElement[bool]]:
    """The conditions of a view: its owner (parameter `owner_id`) and search (`pattern`); its status, date and
    closed-plan filters, as parameters in every shape (`reads.filter_params`; the date filter only if `dated`);
    and, for lists of actions, hiding the complete ones. With `values`, the parameters are bound to that view's.
    `plans`: the statement joins `Plan` (see `_open_plan`)."""
    bound = values is not None
    given = filter_params(values) if values is not None else {}

    def flag(name: str) -> Any:
        return _param(name, Boolean(), given.get(name), bound=bound)

    conditions: list[ColumnElement[bool]] = [_live(), or_(flag("include_closed"),
                                                          _open_plan(Plan.id if plans else Action.plan_id)),
                                             or_(flag("any_status"),
                                                 Action.status == _param("status", String(), given.get("status"),
                                                                         bound=bound))]
    if dated:
        conditions.append(or_(flag("any_when"), *(and_(flag(name), _when(when)) for when, name in WHEN_FLAGS)))
    if owner:
        conditions.append(_owned_by(_param("owner_id", Integer(), values and values.owner_id, bound=bound)))
    if search:
        written = f"%{escape_like(values.search.strip())}%" if values else None
        pattern = _param("pattern", String(), written, bound=bound)
        conditions.append(or_(Action.text.ilike(pattern, escape="\\"),
                              Action.reference.ilike(pattern, escape="\\"),
                              Action.owners_display.ilike(pattern, escape="\\")))
    if listing and hide_complete:
        conditions.append(Action.status != Status.COMPLETE)
    return conditions


def _view_filters(view: View, *, listing: bool = False, dated: bool = True) -> list[ColumnElement[bool]]:
    return _filters(view.owner_id is not None, bool(view.search.strip()), view.hide_complete, listing=listing,
                    values=view, dated=dated)


def in_view(view: View, as_of: date) -> list[ColumnElement[bool]]:
    """The conditions on `Action` that keep the actions a view lists on a day (owner, search, filters), their
    parameters bound."""
    conditions = _view_filters(view, listing=True, dated=False)
    if view.when is not None:  # a statement of its own, so that it carries its day
        dated = select(Action.id).where(_when(view.when)).params(as_of_params(as_of))
        conditions.append(Action.id.in_(dated))
    return conditions


@cache
def _progress_columns() -> tuple[Any, ...]:
    """Counts of the actions in a group: complete, all, and red and amber as one sum (`reads.progress_of` splits
    it; the as-of parameters are bound when run)."""
    # The rating is worked out once per action: a red one adds 1, an amber one AMBER.
    ratings = case({Rag.RED.value: 1, Rag.AMBER.value: AMBER}, value=_rag(), else_=0)
    return (
        func.sum(case((Action.status == Status.COMPLETE, 1), else_=0)).label("done"),
        func.count(Action.id).label("total"),
        func.sum(ratings).label("ratings"),
    )


def _addressee_query(conditions: list[ColumnElement[bool]]) -> Any:
    return (
        select(Plan.region, Addressee.id, Addressee.name, Addressee.kind, Addressee.rating,
               Plan.id.label("plan_id"), Plan.plan_submitted, Plan.report_published,
               Plan.id.in_(closed_plans_sql()).label("closed"), *_progress_columns())
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
               Recommendation.agreement, Recommendation.inferred, *_progress_columns())
        .join(Action, Action.recommendation_id == Recommendation.id)
        .where(*conditions)
        .group_by(Recommendation.id)
    )


_ROW_COLUMNS = (
    Action.id, Action.reference, Action.text, Action.status, Action.target, Action.target_reading,
    Action.target_kind, Action.deadline, Action.every_months, Action.owners_display, Action.version,
)


@cache
def _row_columns() -> tuple[Any, ...]:
    """An action as lists show it: its columns, its missed periods, RAG and evidence (as-of parameters)."""
    return (*_ROW_COLUMNS, missed_periods_sql().label("missed"), _rag().label("rag"), _evidence().label("evidence"))


@cache
def _action_order() -> tuple[Any, ...]:
    """A recommendation's actions in plan order, or, with the parameter `by_due`, by deadline (none last), then
    plan order."""
    by_due = bindparam("by_due", type_=Boolean())
    return (case((by_due, Action.deadline.is_(None)), else_=False), case((by_due, Action.deadline), else_=None),
            Action.position)


def _view_statements(owner: bool, search: bool, hide: bool) -> dict[str, Any]:
    """The statements of one shape of view (see `reads.view_shape`), by their name without the shape."""
    where = _filters(owner, search, hide)
    joined = _filters(owner, search, hide, plans=True)  # for the statements that join Plan
    listing = _filters(owner, search, hide, listing=True)
    return {
        "regions": _everyones_regions_query(joined) if not owner and not search else _regions_query(joined),
        "addressees": (_addressee_query(joined).where(Plan.region == bindparam("region", type_=String()))
                       .order_by(*_ADDRESSEE_ORDER)),
        "recommendations": (_recommendation_query(where)
                            .where(Recommendation.addressee_id == bindparam("addressee_id", type_=Integer()))
                            .order_by(Recommendation.position)),
        "actions": (select(*_row_columns())
                    .where(Action.recommendation_id == bindparam("recommendation_id", type_=Integer()), *listing)
                    .order_by(*_action_order())),
        "tree_addressees": _addressee_query(joined).order_by(Plan.region, *_ADDRESSEE_ORDER),
        "tree_recommendations": (_recommendation_query(where)
                                 .order_by(Recommendation.addressee_id, Recommendation.position)),
        "tree_actions": (select(*_row_columns(), Action.recommendation_id).where(*listing)
                         .order_by(Action.recommendation_id, *_action_order())),
        # the counts of the three branches above one action, read again after it changed (`reads.path_progress`)
        "region_progress": _progress_query(joined).where(Plan.region == bindparam("region", type_=String())),
        "addressee_progress": _progress_query(joined)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .where(Recommendation.addressee_id == bindparam("addressee_id", type_=Integer())),
        "recommendation_progress": _progress_query(joined).where(
            Action.recommendation_id == bindparam("recommendation_id", type_=Integer())),
    }


def _regions_query(where: list[ColumnElement[bool]]) -> Any:
    """The regions of the actions `where` keeps (the plan joined), each with its progress, in order."""
    return (select(Plan.region, *_progress_columns()).join(Action, Action.plan_id == Plan.id).where(*where)
            .group_by(Plan.region).order_by(Plan.region))


def _everyones_regions_query(joined: list[ColumnElement[bool]]) -> Any:
    """`_regions_query(joined)` for everyone's actions (no owner or search: every action is tested), the same rows in
    two parts that read less: the open actions in view, rated, from the open actions' index (`ix_action_open`), and
    the complete ones counted by region, with nothing to rate. A part is not read at all where the view's filters
    keep none of its actions (these tests are on parameters alone: SQLite makes them once, before any row): a
    status filter keeps one of the two, and no date filter keeps a complete action (each tests for an open one)."""
    status = bindparam("status", type_=String())
    any_status, any_when = bindparam("any_status", type_=Boolean()), bindparam("any_when", type_=Boolean())
    open_ = (select(Plan.region, *_progress_columns()).join(Action, Action.plan_id == Plan.id)
             .where(*joined, Action.status != Status.COMPLETE, or_(any_status, status != Status.COMPLETE.value))
             .group_by(Plan.region))
    complete = (select(Plan.region, func.count().label("done"), func.count().label("total"),
                       literal(0, type_=Integer()).label("ratings"))
                .join(Action, Action.plan_id == Plan.id)
                .where(*joined, Action.status == Status.COMPLETE, any_when,
                       or_(any_status, status == Status.COMPLETE.value))
                .group_by(Plan.region))
    both = union_all(open_, complete).subquery()
    return (select(both.c.region, func.sum(both.c.done).label("done"), func.sum(both.c.total).label("total"),
                   func.sum(both.c.ratings).label("ratings")).group_by(both.c.region).order_by(both.c.region))


def _progress_query(where: list[ColumnElement[bool]]) -> Any:
    """The progress of the actions in view that a further condition keeps (one row). Only the plan is joined (a
    region's counts then read ix_action_counts alone)."""
    return select(*_progress_columns()).select_from(Action).join(Plan, Plan.id == Action.plan_id).where(*where)


def _owned_by_param() -> ColumnElement[bool]:
    """`_owned_by` with the owner as the parameter `owner_id`."""
    return _owned_by(bindparam("owner_id", type_=Integer()))


def _due_statement(by_owner: bool, *, ids: bool = False) -> Any:
    """The due-in-a-month query: the month, owner and whether closed plans count are parameters; `ids`: the
    actions' ids alone, in the same order (a list's first rows are then read by `listed`)."""
    first, last = bindparam("first", type_=Date()), bindparam("last", type_=Date())
    month, period = bindparam("month", type_=Integer()), bindparam("period", type_=String())
    one_off = and_(Action.every_months.is_(None), Action.deadline >= first, Action.deadline <= last)
    recurring = occurs_sql(Action.start_month, Action.every_months, month)
    checkpoint = Action.id.in_(select(Checkpoint.action_id).where(Checkpoint.due >= first, Checkpoint.due <= last))
    ticked = exists().where(Occurrence.action_id == Action.id, Occurrence.period == period,
                            Occurrence.done.is_(True))
    conditions = [_live(), Action.status != Status.COMPLETE, or_(one_off, and_(or_(recurring, checkpoint), ~ticked)),
                  _closed_param()]
    if by_owner:
        conditions.append(_owned_by_param())
    return (select(*((Action.id,) if ids else _row_columns())).where(*conditions)
            .order_by(Action.every_months.is_not(None), Action.deadline.asc().nulls_first(),  # as SQLite sorts
                      Action.plan_id, Action.id))


def _closed_param() -> ColumnElement[bool]:
    """The action's plan is open, or the parameter `include_closed` is true."""
    return or_(bindparam("include_closed", type_=Boolean()), _open_plan())


def _overdue_statement(by_owner: bool, *, ids: bool = False) -> Any:
    """The overdue query: its dates and owner are parameters (`reads.overdue`), so a call pays for running
    it, not for building a statement of a dozen subqueries again; `ids` as in `_due_statement`."""
    conditions = [_live(), Action.status != Status.COMPLETE, or_(_late(), _missed_any()), _closed_param()]
    if by_owner:
        conditions.append(_owned_by_param())
    return (select(*((Action.id,) if ids else _row_columns())).where(*conditions)
            .order_by(Action.deadline.is_(None), Action.deadline, Action.plan_id, Action.id))


def _region_classes_statement() -> Any:
    """Everyone's actions in force (of open plans, unless the parameter `include_closed`) counted by region, status
    and class (`reads.region_classes`): the class is the rating's code plus MISSED and DUE (`reads.RATING_CODES`),
    worked out once per open action from the rules the filters and ratings use. Complete actions are one class
    (no rating or date test reaches them), counted apart so that only open ones are sorted into groups."""
    in_force = [_live(), or_(bindparam("include_closed", type_=Boolean()), _open_plan(Plan.id))]
    open_ = (select(Plan.region, Action.status, _class_code().label("code"), func.count().label("actions"))
             .join(Action, Action.plan_id == Plan.id).where(*in_force, Action.status != Status.COMPLETE)
             .group_by(Plan.region, Action.status, literal_column("code")))
    complete = (select(Plan.region, literal(Status.COMPLETE.value, type_=String()).label("status"),
                       literal(RATING_CODES[Rag.COMPLETE], type_=Integer()).label("code"),
                       func.count().label("actions"))
                .join(Action, Action.plan_id == Plan.id).where(*in_force, Action.status == Status.COMPLETE)
                .group_by(Plan.region))
    return union_all(open_, complete)


@cache
def _class_code() -> ColumnElement[int]:
    """An action's class as one number (`reads.ActionClass`): its rating's code, plus MISSED if it missed a period,
    plus DUE if it is due this month (`reads.RATING_CODES`; a complete action's is the complete rating's alone)."""
    # a missed period makes an action red (store.rag): it is looked for in red ones only
    red = RATING_CODES[Rag.RED]
    codes = {rag.value: case((_missed_any(), red + MISSED), else_=red) if rag == Rag.RED else number
             for rag, number in RATING_CODES.items()}
    code: ColumnElement[int] = case(codes, value=_rag()) + case((_when("due"), DUE), else_=0)
    return code


def _action_class_statement() -> Any:
    """One action's region, status and class (`_class_code`), and whether its plan is closed; no row if it is
    withdrawn (`reads.action_class`): where it is counted in `region_classes`."""
    return (select(Plan.region, Action.status, _class_code().label("code"),
                   Plan.id.in_(closed_plans_sql()).label("closed"))
            .join(Action, Action.plan_id == Plan.id)
            .where(Action.id == bindparam("action_id", type_=Integer()), _live()))


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
        "action_row": select(*_row_columns()).where(Action.id == action_id),
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
        # what the missed periods of listed actions are worked out from (`reads.with_missed_periods`)
        "duty_actions": (select(Action.id, Action.start_month, Action.every_months)
                         .where(Action.id.in_(bindparam("action_ids", expanding=True)))),
        "duty_ticks": (select(Occurrence.action_id, Occurrence.period)
                       .where(Occurrence.done.is_(True), Occurrence.action_id.in_(bindparam("action_ids",
                                                                                             expanding=True)))),
        "duty_checkpoints": (select(Checkpoint.action_id, Checkpoint.due)
                             .where(Checkpoint.action_id.in_(bindparam("action_ids", expanding=True)))
                             .order_by(Checkpoint.due)),
    }


_OTHER_STATEMENTS: dict[str, Callable[[], Any]] = {
    "due": lambda: _due_statement(False), "due:owner": lambda: _due_statement(True),
    "overdue": lambda: _overdue_statement(False), "overdue:owner": lambda: _overdue_statement(True),
    "due:ids": lambda: _due_statement(False, ids=True), "due:owner,ids": lambda: _due_statement(True, ids=True),
    "overdue:ids": lambda: _overdue_statement(False, ids=True),
    "overdue:owner,ids": lambda: _overdue_statement(True, ids=True),
    # the rows of a list's first actions, by id (`lists.listed`): the list's rule ran once, for ids alone
    "listed": lambda: select(*_row_columns()).where(Action.id.in_(bindparam("action_ids", expanding=True))),
    "owners": lambda: _owners_statement(False), "owners:some": lambda: _owners_statement(True),
    "region_classes": _region_classes_statement,
    "action_class": _action_class_statement,
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
    """The actions of one recommendation in view, in the view's order."""
    return reads.actions(runner(session), view, recommendation_id, today)


def view_tree(session: Session, view: View, today: date) -> ViewTree:
    """The whole tree in view in four queries, one per level (see `reads.view_tree`)."""
    return reads.view_tree(runner(session), view, today)


def action_row(session: Session, action_id: int, today: date) -> ActionRow:
    """One action as lists show it."""
    return reads.action_row(runner(session), action_id, today)


def due_in_month(session: Session, year: int, month: int, today: date, owner_id: int | None = None, *,
                 include_closed: bool = False) -> list[ActionRow]:
    """One-off deadlines in the month not complete, and recurring occurrences and checkpoints in it not
    ticked off (of open plans, unless `include_closed`)."""
    return lists.due_in_month(runner(session), year, month, today, owner_id, include_closed=include_closed)


def overdue(session: Session, today: date, owner_id: int | None = None, *,
            include_closed: bool = False) -> list[ActionRow]:
    """Actions of open plans (unless `include_closed`) not complete that are past their deadline, or have missed
    occurrences or checkpoints (periods passed without being ticked off); oldest deadline first, then recurring
    duties. Each with its count of missed periods; `with_missed_periods` names them."""
    return lists.overdue(runner(session), today, owner_id, include_closed=include_closed)


def with_missed_periods(session: Session, listed: list[ActionRow], today: date) -> list[ActionRow]:
    """The rows, those with missed periods given them (see `reads.with_missed_periods`)."""
    return reads.with_missed_periods(runner(session), listed, today)


def owners(session: Session, *, owner_ids: Sequence[int] | None = None) -> list[OwnerCount]:
    """Every owner (or those of `owner_ids`) with their numbers of open and all actions, most open first.
    An owner with no action in force is not listed."""
    return lists.owners(runner(session), owner_ids=owner_ids)


def find_owner(session: Session, text: str) -> OwnerCount:
    """The owner named `text` ("Head of Tameside PDU" or "Name (Region)"); NotFoundError if none or several."""
    return lists.find_owner(runner(session), text)


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
    return reads.path_progress(runner(session), view, today, path.region, path.addressee_id, path.recommendation_id)
