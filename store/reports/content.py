"""What a progress report holds: plan → addressee → recommendation → action, a summary and the changes since
a date. Built from the database in a handful of queries; the writers (xlsx, csv, md, html) only lay it out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from store.errors import NotFoundError
from store.models import (
    Action,
    ActionOwner,
    Addressee,
    Change,
    ChangeKind,
    Checkpoint,
    Occurrence,
    Owner,
    Plan,
    Recommendation,
)
from store.months import Month, occurrences, occurs
from store.queries import View, in_view
from store.rag import Rag, action_rag, branch_rag, due_soon
from store.revising import revisions
from store.targets import Status
from store.text import agreement_words, describe_change, recommendation_number, status_word


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which actions a report covers and as of when."""

    as_of: date
    plan_ids: tuple[str, ...] = ()  # empty: every plan
    view: View = field(default_factory=View)  # whose actions (None: everyone's), and the screen's filters
    owner_label: str = "everyone"
    since: date | None = None

    @property
    def filters(self) -> str:
        """The view's filters in words ('' when there are none)."""
        words = ["not complete"] if self.view.hide_complete else []
        if self.view.search.strip():
            words.append(f"matching “{self.view.search.strip()}”")
        return ", ".join(words)


@dataclass(frozen=True, slots=True)
class ReportAction:
    """One action as the meeting reads it."""

    plan_id: str
    addressee: str
    recommendation: str
    reference: str
    text: str
    owners: str
    agreement: str
    agreement_reason: str
    target: str  # as first agreed
    target_reading: str  # the target in force (revised, if it was), as read; and its deadline
    revised_target: str  # the latest standing revision ('' if never revised)
    revision_reason: str
    deadline: date | None
    status: Status
    rag: Rag
    days_overdue: int | None
    missed: tuple[str, ...]
    last_changed_at: datetime | None
    last_changed_by: str
    evidence: str


@dataclass(slots=True)
class Tally:
    """Counts by status and by RAG."""

    not_started: int = 0
    ongoing: int = 0
    complete: int = 0
    red: int = 0
    amber: int = 0
    green: int = 0

    @property
    def total(self) -> int:
        """Every action counted."""
        return self.not_started + self.ongoing + self.complete

    def add(self, action: ReportAction) -> None:
        """Count one action."""
        name = action.status.value
        setattr(self, name, getattr(self, name) + 1)
        if action.rag is not Rag.COMPLETE:
            setattr(self, action.rag.value, getattr(self, action.rag.value) + 1)


@dataclass(slots=True)
class RecommendationSection:
    """A recommendation and its actions in scope."""

    number: str
    text: str
    agreement: str
    reason: str
    actions: list[ReportAction] = field(default_factory=list)

    @property
    def rag(self) -> Rag:
        """The worst rating of its actions."""
        return branch_rag(a.rag for a in self.actions)

    @property
    def tally(self) -> Tally:
        """Its actions counted."""
        return tally(self.actions)


@dataclass(slots=True)
class AddresseeSection:
    """An addressee of one plan and its recommendations in scope."""

    name: str
    recommendations: list[RecommendationSection] = field(default_factory=list)

    @property
    def actions(self) -> list[ReportAction]:
        """Every action under it."""
        return [a for rec in self.recommendations for a in rec.actions]

    @property
    def rag(self) -> Rag:
        """The worst rating of its actions."""
        return branch_rag(a.rag for a in self.actions)


@dataclass(slots=True)
class PlanSection:
    """One plan: its agreement counts (of the whole plan) and its addressees in scope."""

    id: str
    title: str
    region: str
    agreement_counts: dict[str, int]
    addressees: list[AddresseeSection] = field(default_factory=list)

    @property
    def actions(self) -> list[ReportAction]:
        """Every action under it."""
        return [a for addressee in self.addressees for a in addressee.actions]


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One change in the period a report covers."""

    at: datetime
    by: str
    reference: str
    what: str
    note: str


@dataclass(slots=True)
class Report:
    """A whole report: its scope, the plans in it, the summary and the changes since `scope.since`."""

    scope: ReportScope
    plans: list[PlanSection]
    by_owner: dict[str, Tally]
    changes: list[ChangeLine]

    @property
    def actions(self) -> list[ReportAction]:
        """Every action in the report, in plan order."""
        return [a for plan in self.plans for a in plan.actions]

    @property
    def title(self) -> str:
        """E.g. 'Progress report · Head of Tameside PDU (Greater Manchester) · as of 15 September 2023'."""
        scope = self.scope
        filters = f" ({scope.filters})" if scope.filters else ""
        return f"Progress report · {scope.owner_label}{filters} · as of {scope.as_of.day} {scope.as_of:%B %Y}"


def tally(actions: Iterable[ReportAction]) -> Tally:
    """Counts by status and RAG of some actions."""
    counts = Tally()
    for action in actions:
        counts.add(action)
    return counts


@dataclass(frozen=True, slots=True)
class Duty:
    """What a report needs to know of an action's dated occurrences: its recurrence, checkpoints and ticks."""

    start_month: int | None
    every_months: int | None
    checkpoints: tuple[date, ...] = ()
    ticked: frozenset[str] = frozenset()

    def missed(self, as_of: date) -> list[tuple[str, date]]:
        """The periods passed without a tick before `as_of`, each with the day it fell due (oldest first):
        a recurring duty's months before `as_of`'s month, and checkpoints dated before `as_of`."""
        months = [(m.period, m.last) for m in occurrences(self.start_month, self.every_months,
                                                            Month.of(as_of).plus(-1).index)]
        months += [(Month.of(day).period, day) for day in self.checkpoints if day < as_of]
        return sorted((period, day) for period, day in months if period not in self.ticked)

    def open_now(self, as_of: date) -> bool:
        """Whether an occurrence or a checkpoint falls in `as_of`'s month, not yet ticked off."""
        month = Month.of(as_of)
        due_now = occurs(self.start_month, self.every_months, month.index) or any(
            day >= as_of and Month.of(day) == month for day in self.checkpoints)
        return due_now and month.period not in self.ticked


def build_report(session: Session, scope: ReportScope) -> Report:
    """The report of the actions in scope, read in a few queries."""
    plans = _plans(session, scope.plan_ids)
    conditions: list[Any] = [*in_view(scope.view), col(Action.plan_id).in_(list(plans))]
    rows = session.execute(
        select(*(col(c) for c in (Action.id, Action.plan_id, Action.reference, Action.text, Action.owners_display,
                                  Action.target, Action.target_reading, Action.deadline, Action.status,
                                  Action.start_month, Action.every_months, Recommendation.number)),
               col(Recommendation.text).label("rec_text"), col(Recommendation.agreement),
               col(Recommendation.reason), col(Recommendation.inferred), col(Addressee.name).label("addressee"))
        .join(Recommendation, col(Recommendation.id) == col(Action.recommendation_id))
        .join(Addressee, col(Addressee.id) == col(Recommendation.addressee_id))
        .where(*conditions)
        .order_by(col(Action.plan_id), col(Addressee.position), col(Recommendation.position), col(Action.position))
    ).all()
    in_scope = select(col(Action.id)).where(*conditions)
    duties = _duties(session, in_scope, rows)
    last = _last_changes(session, in_scope)
    evidence = _latest_evidence(session, in_scope)
    revised = revisions(session, in_scope)

    reports: dict[int, ReportAction] = {}
    for row in rows:
        status = Status(row.status)
        complete = status is Status.COMPLETE
        duty = duties[row.id]
        missed = [] if complete else duty.missed(scope.as_of)
        overdue = (not complete and row.every_months is None and row.deadline is not None
                   and row.deadline < scope.as_of)
        soon = not complete and (duty.open_now(scope.as_of) or due_soon(row.deadline, scope.as_of))
        days = ((scope.as_of - row.deadline).days if overdue else
                (scope.as_of - missed[0][1]).days if missed else None)
        changed = last.get(row.id)
        revision = revised.get(row.id)
        reports[row.id] = ReportAction(
            plan_id=row.plan_id, addressee=row.addressee, recommendation=recommendation_number(row.number),
            reference=row.reference,
            text=row.text, owners=row.owners_display, agreement=agreement_words(row.agreement, row.inferred),
            agreement_reason=row.reason, target=revision.original if revision else row.target,
            target_reading=row.target_reading, revised_target=revision.revised if revision else "",
            revision_reason=revision.reason if revision else "", deadline=row.deadline, status=status,
            rag=action_rag(complete=complete, overdue=overdue, missed=len(missed), due_soon=soon,
                           revisions=revision.count if revision else 0),
            days_overdue=days, missed=tuple(period for period, _ in missed),
            last_changed_at=changed[0] if changed else None,
            last_changed_by=changed[1] if changed else "", evidence=evidence.get(row.id, ""),
        )

    sections: dict[tuple[str, str], AddresseeSection] = {}
    recs: dict[tuple[str, str], RecommendationSection] = {}
    for row in rows:
        addressee = sections.get((row.plan_id, row.addressee))
        if addressee is None:
            addressee = sections[(row.plan_id, row.addressee)] = AddresseeSection(name=row.addressee)
            plans[row.plan_id].addressees.append(addressee)
        rec = recs.get((row.plan_id, row.number))
        if rec is None:
            rec = recs[(row.plan_id, row.number)] = RecommendationSection(
                number=row.number, text=row.rec_text, agreement=agreement_words(row.agreement, row.inferred),
                reason=row.reason)
            addressee.recommendations.append(rec)
        rec.actions.append(reports[row.id])

    # A plan holding none of the owner's actions is left out, unless it was asked for by name.
    shown = [plan for plan in plans.values() if plan.addressees or plan.id in scope.plan_ids]
    return Report(scope=scope, plans=shown, by_owner=_by_owner(session, in_scope, reports),
                  changes=_changes(session, in_scope, scope.since) if scope.since else [])


def _plans(session: Session, plan_ids: Sequence[str]) -> dict[str, PlanSection]:
    query = select(col(Plan.id), col(Plan.title), col(Plan.region)).order_by(col(Plan.id))
    if plan_ids:
        query = query.where(col(Plan.id).in_(plan_ids))
    plans = {row.id: PlanSection(id=row.id, title=row.title, region=row.region, agreement_counts={})
             for row in session.execute(query)}
    missing = [plan_id for plan_id in plan_ids if plan_id not in plans]
    if missing:
        raise NotFoundError(f"no plan has the id {missing[0]!r}")
    counts = session.execute(
        select(col(Recommendation.plan_id), col(Recommendation.agreement), func.count())
        .where(col(Recommendation.plan_id).in_(list(plans)), col(Recommendation.withdrawn).is_(False))
        .group_by(col(Recommendation.plan_id), col(Recommendation.agreement))
    )
    for plan_id, agreement, count in counts:
        plans[plan_id].agreement_counts[status_word(agreement)] = count
    return plans


def _duties(session: Session, in_scope: Any, rows: Sequence[Any]) -> dict[int, Duty]:
    """Per action in scope, its recurrence, checkpoints and ticked-off periods."""
    ticked: dict[int, set[str]] = defaultdict(set)
    for action_id, period in session.execute(select(col(Occurrence.action_id), col(Occurrence.period)).where(
            col(Occurrence.done).is_(True), col(Occurrence.action_id).in_(in_scope))):
        ticked[action_id].add(period)
    checkpoints: dict[int, list[date]] = defaultdict(list)
    for action_id, day in session.execute(select(col(Checkpoint.action_id), col(Checkpoint.due)).where(
            col(Checkpoint.action_id).in_(in_scope)).order_by(col(Checkpoint.due))):
        checkpoints[action_id].append(day)
    return {row.id: Duty(row.start_month, row.every_months, tuple(checkpoints.get(row.id, ())),
                         frozenset(ticked.get(row.id, ()))) for row in rows}


def _last_changes(session: Session, in_scope: Any) -> dict[int, tuple[datetime, str]]:
    newest = (select(func.max(col(Change.id))).where(col(Change.action_id).in_(in_scope))
              .group_by(col(Change.action_id))
              .scalar_subquery())
    query = select(col(Change.action_id), col(Change.at), col(Change.by)).where(col(Change.id).in_(newest))
    return {action_id: (_utc(at), by) for action_id, at, by in session.execute(query)}


def _latest_evidence(session: Session, in_scope: Any) -> dict[int, str]:
    """Per action, the newest note given with a change (a note, a status, a tick; a revision's reason is not
    evidence) that was not withdrawn."""
    undone = select(col(Change.undoes_id)).where(col(Change.undoes_id).is_not(None))
    newest = (select(func.max(col(Change.id))).where(col(Change.action_id).in_(in_scope), col(Change.note) != "",
                                                col(Change.kind) != ChangeKind.TARGET, col(Change.id).not_in(undone))
              .group_by(col(Change.action_id)).scalar_subquery())
    return {action_id: note for action_id, note in
            session.execute(select(col(Change.action_id), col(Change.note)).where(col(Change.id).in_(newest)))}


def _by_owner(session: Session, in_scope: Any, actions: dict[int, ReportAction]) -> dict[str, Tally]:
    labels = {owner.id: owner.label for owner in session.execute(select(Owner)).scalars()}
    counts: dict[str, Tally] = defaultdict(Tally)
    links = (select(col(ActionOwner.action_id), col(ActionOwner.owner_id))
             .where(col(ActionOwner.action_id).in_(in_scope)))
    for action_id, owner_id in session.execute(links):
        counts[labels[owner_id]].add(actions[action_id])
    return dict(sorted(counts.items()))


def _changes(session: Session, in_scope: Any, since: date) -> list[ChangeLine]:
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    query = (select(Change, col(Action.reference)).join(Action, col(Action.id) == col(Change.action_id))
             .where(col(Change.action_id).in_(in_scope), col(Change.at) >= start)
             .order_by(col(Change.at), col(Change.id)))
    return [ChangeLine(at=_utc(change.at), by=change.by, reference=reference,
                       what=describe_change(change.kind, change.from_status, change.to_status, change.period),
                       note=change.note)
            for change, reference in session.execute(query)]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
