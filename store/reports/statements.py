"""The SQL a report reads: every action of a batch of plans in report order, each with its place in the plan and
the facts its rating, missed periods, last change and latest evidence come from, in one statement.

The facts are the tree's own SQL (`store.queries`: missed periods counted, an occurrence open this month), asked
only of actions not complete; `store.rag` rates each action from them, and `store.duties` names the periods.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from store.models import Action, Addressee, Change, ChangeKind, Recommendation
from store.queries import missed_periods_sql, open_now_sql
from store.targets import Status


def _newest_change() -> Any:
    """The id of the action's newest change (any kind)."""
    return select(func.max(col(Change.id))).where(col(Change.action_id) == col(Action.id)).scalar_subquery()


def _newest_evidence() -> Any:
    """The id of the action's newest change given with a note that is evidence: not a revision's reason, and not
    undone (an undo is a change of its own action)."""
    undo = aliased(Change)
    undone = select(col(undo.undoes_id)).where(col(undo.action_id) == col(Change.action_id),
                                               col(undo.undoes_id).is_not(None))
    return (select(func.max(col(Change.id)))
            .where(col(Change.action_id) == col(Action.id), col(Change.note) != "",
                   col(Change.kind) != ChangeKind.TARGET, col(Change.id).not_in(undone))
            .scalar_subquery())


def report_actions(conditions: list[ColumnElement[bool]]) -> Any:
    """The actions meeting `conditions`, in plan order (addressee, recommendation, action), with their
    recommendation and addressee, and for those not complete `missed` (periods passed without a tick) and
    `open_now` (an occurrence or checkpoint this month not ticked off); for every one the time and author of its
    last change and its latest evidence note. The as-of parameters (`reads.as_of_params`) are given when run."""
    last = aliased(Change)
    evidence = aliased(Change)
    open_ = col(Action.status) != Status.COMPLETE
    return (
        select(*(col(c) for c in (Action.id, Action.plan_id, Action.reference, Action.text, Action.owners_display,
                                  Action.target, Action.target_reading, Action.deadline, Action.status,
                                  Action.every_months, Recommendation.id, Recommendation.number,
                                  Recommendation.text, Recommendation.agreement, Recommendation.reason,
                                  Recommendation.inferred, Addressee.id, Addressee.name)),
               case((open_, missed_periods_sql()), else_=0).label("missed"),
               and_(open_, open_now_sql()).label("open_now"),
               col(last.at).label("last_at"), col(last.by).label("last_by"),
               col(evidence.note).label("evidence"))
        .join(Recommendation, col(Recommendation.id) == col(Action.recommendation_id))
        .join(Addressee, col(Addressee.id) == col(Recommendation.addressee_id))
        .outerjoin(last, col(last.id) == _newest_change())
        .outerjoin(evidence, col(evidence.id) == _newest_evidence())
        .where(*conditions)
        .order_by(col(Action.plan_id), col(Addressee.position), col(Recommendation.position), col(Action.position))
    )
