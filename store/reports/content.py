"""What a progress report holds: plan → addressee → recommendation → action, a summary and the changes since
a date. Built from the database in a handful of queries; the writers (xlsx, csv, md, html) only lay it out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlmodel import Session, col

from store.duties import Duty as Duty  # where a report's missed periods come from
from store.duties import duty as duty_of
from store.errors import NotFoundError
from store.lists import as_of_params
from store.models import (
    Action,
    ActionOwner,
    Change,
    Checkpoint,
    Occurrence,
    Owner,
    Plan,
    Recommendation,
)
from store.owners import owner_label
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
        words += self.view.filter_words
        if self.view.include_closed and not self.plan_ids:
            words.append("closed plans included")
        if self.view.search.strip():
            words.append(f"matching “{self.view.search.strip()}”")
        return ", ".join(words)

    @property
    def title(self) -> str:
        """E.g. 'Progress report · Head of Tameside PDU (Greater Manchester) · as of 15 September 2023'."""
        filters = f" ({self.filters})" if self.filters else ""
        return f"Progress report · {self.owner_label}{filters} · as of {self.as_of.day} {self.as_of:%B %Y}"


@dataclass(slots=True)  # not frozen: a national report makes 100,000, and a frozen one costs twice to make
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
        self.count(action.status, action.rag)

    def add_all(self, other: Tally) -> None:
        """Count another tally's actions too."""
        self.not_started += other.not_started
        self.ongoing += other.ongoing
        self.complete += other.complete
        self.red += other.red
        self.amber += other.amber
        self.green += other.green

    def count(self, status: Status, rag: Rag, n: int = 1) -> None:
        """Count `n` actions of this status and rating."""
        if status is Status.COMPLETE:
            self.complete += n
        elif status is Status.ONGOING:
            self.ongoing += n
        else:
            self.not_started += n
        if rag is Rag.RED:
            self.red += n
        elif rag is Rag.AMBER:
            self.amber += n
        elif rag is Rag.GREEN:
            self.green += n


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


@dataclass(frozen=True, slots=True)
class AddresseeCount:
    """One line of the summary: an addressee of a plan, its actions counted and its rating."""

    plan_id: str
    name: str
    tally: Tally
    rag: Rag


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
        """The report's title (see `ReportScope.title`)."""
        return self.scope.title

    @property
    def addressees(self) -> list[AddresseeCount]:
        """The summary's line per addressee of each plan."""
        return [AddresseeCount(plan.id, a.name, tally(a.actions), a.rag)
                for plan in self.plans for a in plan.addressees]

    def sections(self) -> Iterator[PlanSection]:
        """Every plan of the report in order, with its addressees (as `ReportReader.sections`)."""
        return iter(self.plans)


def tally(actions: Iterable[ReportAction]) -> Tally:
    """Counts by status and RAG of some actions."""
    counts = Tally()
    for action in actions:
        counts.add(action)
    return counts


# A batch of plans read at once holds about this many actions: large enough that the queries per batch cost
# little, small enough that a national report holds a fifth of its actions in memory at most.
BATCH_ACTIONS = 20000


class ReportSource(Protocol):
    """What the writers lay out: a `Report` held whole, or a `ReportReader` reading plan by plan."""

    @property
    def scope(self) -> ReportScope: ...

    @property
    def title(self) -> str: ...

    @property
    def plans(self) -> Sequence[PlanSection]:
        """Every plan in the report (its addressees may not be read yet)."""

    def sections(self) -> Iterator[PlanSection]:
        """Every plan with its addressees, in order; the summary below is complete once this has run out."""

    @property
    def addressees(self) -> Sequence[AddresseeCount]: ...

    @property
    def by_owner(self) -> dict[str, Tally]: ...

    @property
    def changes(self) -> Sequence[ChangeLine]: ...


class ReportReader:
    """A report read from the database plan by plan, for writers that never hold it whole.

    `plans` lists every plan in the report (title, region, agreement counts) without its actions;
    `sections()` reads them again, a batch of plans at a time, each with its addressees and actions, and
    counts the summary (`addressees`, `by_owner`) as it goes: both are complete once it has run out.
    """

    def __init__(self, session: Session, scope: ReportScope, *, batch: int = BATCH_ACTIONS) -> None:
        self.scope = scope
        self._session = session
        headers = _plans(session, scope.plan_ids)
        conditions: list[Any] = [*in_view(scope.view, scope.as_of), col(Action.plan_id).in_(list(headers))]
        sizes: dict[str, int] = {plan_id: count for plan_id, count in session.execute(
            select(col(Action.plan_id), func.count()).where(*conditions).group_by(col(Action.plan_id)))}
        # A plan holding none of the owner's actions is left out, unless it was asked for by name.
        self.plans = [plan for plan in headers.values() if sizes.get(plan.id) or plan.id in scope.plan_ids]
        self._by_id = {plan.id: plan for plan in self.plans}
        self._batches = _batches([(plan.id, sizes.get(plan.id, 0)) for plan in self.plans], batch)
        self._labels: dict[int, str] | None = None
        self._owners: dict[str, Tally] = defaultdict(Tally)
        self.addressees: list[AddresseeCount] = []
        self.action_count = 0

    @property
    def title(self) -> str:
        """The report's title (see `ReportScope.title`)."""
        return self.scope.title

    @property
    def by_owner(self) -> dict[str, Tally]:
        """Counts per owner, by label (complete once `sections()` has run out)."""
        return dict(sorted(self._owners.items()))

    @property
    def batches(self) -> list[list[str]]:
        """The plan ids in the batches they are read in, in order."""
        return self._batches

    @property
    def database_file(self) -> Path | None:
        """The SQLite file read (for a reader in another process), or None for a server."""
        url = self._session.get_bind().engine.url
        return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None

    def sections(self, batches: Sequence[Sequence[str]] | None = None) -> Iterator[PlanSection]:
        """Every plan of the report in order (or of the `batches` given, a run of `batches`), with its addressees,
        recommendations and actions in scope."""
        for plan_ids in self._batches if batches is None else batches:
            filled = _read_plans(self._session, self.scope, [self._header(plan_id) for plan_id in plan_ids],
                                 self._owner_counts)
            for plan in filled:
                for addressee in plan.addressees:
                    self.addressees.append(AddresseeCount(plan.id, addressee.name, tally(addressee.actions),
                                                          addressee.rag))
                    self.action_count += sum(len(rec.actions) for rec in addressee.recommendations)
                yield plan

    def count_in(self, addressees: Sequence[AddresseeCount], by_owner: dict[str, Tally], actions: int) -> None:
        """Add to the summary the counts of plans read elsewhere (by a reader in another process), as if they had
        been read here: after the plans before them, so that the addressees stay in plan order."""
        self.addressees.extend(addressees)
        for owner, counts in by_owner.items():
            self._owners[owner].add_all(counts)
        self.action_count += actions

    @property
    def changes(self) -> list[ChangeLine]:
        """The changes since `scope.since` to the actions in scope (none without a `since`), read when asked."""
        if self.scope.since is None:
            return []
        in_scope = select(col(Action.id)).where(*in_view(self.scope.view, self.scope.as_of),
                                                col(Action.plan_id).in_([plan.id for plan in self.plans]))
        return _changes(self._session, in_scope, self.scope.since)

    def _header(self, plan_id: str) -> PlanSection:
        plan = self._by_id[plan_id]
        return PlanSection(id=plan.id, title=plan.title, region=plan.region, agreement_counts=plan.agreement_counts)

    def _owner_counts(self, session: Session, in_scope: Any, actions: dict[int, ReportAction]) -> None:
        if self._labels is None:
            self._labels = {owner_id: owner_label(name, region, organisation) for owner_id, name, region, organisation
                            in session.execute(select(col(Owner.id), col(Owner.name), col(Owner.region),
                                                      col(Owner.organisation)))}
        links = (select(col(ActionOwner.action_id), col(ActionOwner.owner_id))
                 .where(col(ActionOwner.action_id).in_(in_scope)))
        kinds = {action_id: (action.status, action.rag) for action_id, action in actions.items()}
        counted = Counter((owner_id, kinds[action_id]) for action_id, owner_id in session.connection().execute(links))
        for (owner_id, (status, rag)), n in counted.items():
            self._owners[self._labels[owner_id]].count(status, rag, n)


def build_report(session: Session, scope: ReportScope) -> Report:
    """The whole report of the actions in scope, held in memory (a `ReportReader` read to its end)."""
    reader = ReportReader(session, scope)
    plans = list(reader.sections())
    return Report(scope=scope, plans=plans, by_owner=reader.by_owner, changes=reader.changes)


def _batches(sizes: Sequence[tuple[str, int]], most: int) -> list[list[str]]:
    """The plan ids in order, cut into runs of about `most` actions (a larger plan is a batch of its own)."""
    batches: list[list[str]] = []
    held = 0
    for plan_id, size in sizes:
        if not batches or (held and held + size > most):
            batches.append([])
            held = 0
        batches[-1].append(plan_id)
        held += size
    return batches


def _read_plans(session: Session, scope: ReportScope, plans: list[PlanSection],
                count_owners: Callable[[Session, Any, dict[int, ReportAction]], None]) -> list[PlanSection]:
    """`plans` filled with their actions in scope, read in a few statements; `count_owners` is given the actions."""
    from store.reports.statements import report_actions

    conditions: list[Any] = [*in_view(scope.view, scope.as_of), col(Action.plan_id).in_([plan.id for plan in plans])]
    as_of = scope.as_of
    # Core rows (plain tuples), not the ORM's: a national report reads 100,000 of them.
    rows: Sequence[Any] = session.connection().execute(report_actions(conditions), as_of_params(as_of)).all()
    in_scope = select(col(Action.id)).where(*conditions)
    revised = revisions(session, in_scope)
    # the missed periods named (and their number) only where the statement counted some
    duties = _duties(session, [row[0] for row in rows if row.missed])

    by_id = {plan.id: plan for plan in plans}
    addressees: dict[int, AddresseeSection] = {}
    recs: dict[int, tuple[RecommendationSection, str]] = {}  # and its number as people read it
    words: dict[tuple[str, bool], str] = {}
    reports: dict[int, ReportAction] = {}
    for (action_id, plan_id, reference, text, owners, target, reading, deadline, status, every, rec_id,
         number, rec_text, agreement, reason, inferred, addressee_id, addressee_name, counted, open_now, last_at,
         last_by, evidence) in rows:
        agreed = words.get((agreement, inferred))
        if agreed is None:
            agreed = words[(agreement, inferred)] = agreement_words(agreement, inferred)
        addressee = addressees.get(addressee_id)
        if addressee is None:
            addressee = addressees[addressee_id] = AddresseeSection(name=addressee_name)
            by_id[plan_id].addressees.append(addressee)
        found = recs.get(rec_id)
        if found is None:
            found = recs[rec_id] = (RecommendationSection(number=number, text=rec_text, agreement=agreed,
                                                          reason=reason), recommendation_number(number))
            addressee.recommendations.append(found[0])
        rec, numbered = found

        status = _STATUSES[status]
        complete = status is Status.COMPLETE
        missed = duties[action_id].missed(as_of) if counted else []
        overdue = not complete and every is None and deadline is not None and deadline < as_of
        soon = not complete and (bool(open_now) or due_soon(deadline, as_of))
        days = (as_of - deadline).days if overdue else (as_of - missed[0][1]).days if missed else None
        revision = revised.get(action_id)
        action = reports[action_id] = ReportAction(
            plan_id=plan_id, addressee=addressee_name, recommendation=numbered,
            reference=reference,
            text=text, owners=owners, agreement=agreed,
            agreement_reason=reason, target=revision.original if revision else target,
            target_reading=reading, revised_target=revision.revised if revision else "",
            revision_reason=revision.reason if revision else "", deadline=deadline, status=status,
            rag=action_rag(complete=complete, overdue=overdue, missed=len(missed), due_soon=soon,
                           revisions=revision.count if revision else 0),
            days_overdue=days, missed=tuple(period for period, _ in missed),
            last_changed_at=last_at if last_at is None or last_at.tzinfo is UTC else _utc(last_at),
            last_changed_by=last_by or "", evidence=evidence or "",
        )
        rec.actions.append(action)
    count_owners(session, in_scope, reports)
    return plans


_STATUSES = {status.value: status for status in Status}


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


_CHUNK = 10_000  # ids bound in one statement (SQLite binds at most 32,766 values)


def _duties(session: Session, action_ids: list[int]) -> dict[int, Duty]:
    """The Duty (recurrence, checkpoints, ticked-off periods) of each action among `action_ids`."""
    found: dict[int, Duty] = {}
    rows = session.connection()
    for first in range(0, len(action_ids), _CHUNK):
        ids = action_ids[first:first + _CHUNK]
        ticked: dict[int, set[str]] = defaultdict(set)
        for action_id, period in rows.execute(select(col(Occurrence.action_id), col(Occurrence.period)).where(
                col(Occurrence.done).is_(True), col(Occurrence.action_id).in_(ids))):
            ticked[action_id].add(period)
        checkpoints: dict[int, list[date]] = defaultdict(list)
        for action_id, day in rows.execute(select(col(Checkpoint.action_id), col(Checkpoint.due)).where(
                col(Checkpoint.action_id).in_(ids)).order_by(col(Checkpoint.due))):
            checkpoints[action_id].append(day)
        for row in rows.execute(select(col(Action.id), col(Action.start_month), col(Action.every_months))
                                .where(col(Action.id).in_(ids))):
            found[row.id] = duty_of(row.start_month, row.every_months, row.id, ticked, checkpoints)
    return found


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
