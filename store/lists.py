"""The lists a reading command prints (due in a month, overdue, the owners): their rows and their reads.

`store.rows` takes `ActionRow` from here (and `OwnerCount` from `store.owner_count`); they are apart so that
the CLI's `due`, `overdue` and `owners` import nothing of the tree's or the detail pane's. The rows are typed
named tuples and `due`/`overdue` name their owner from the statement's row: making a dataclass means importing
`dataclasses`, a sixth of a command that takes a tenth of a second. Nothing here imports a database library.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from store.errors import NotFoundError
from store.kinds import Status
from store.months import Month
from store.owners import closest_names, owner_key, owner_label
from store.rag import Rag

if TYPE_CHECKING:
    from store.owner_count import OwnerCount
    from store.run import Run


class ActionRow(NamedTuple):
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
    missed: int = 0  # occurrences and checkpoints passed without being ticked off
    rag: Rag = Rag.GREEN  # store.rag's rule, worked out by the query (`store.queries._rag`)
    missed_periods: tuple[str, ...] = ()  # the months missed ('2023-08'), oldest first, where `missed`
    days_overdue: int | None = None  # from the deadline, or the end of the oldest missed period
    evidence: bool = False  # a note was given with a change of it (a note, a status, a tick)


def as_of_params(today: date) -> dict[str, Any]:
    """The values of the as-of parameters for `today`: the month before (the last that can be missed),
    this month, and the end of next month (the end of store.rag's 'due soon')."""
    now = Month.of(today)
    before = now.plus(-1)
    return {"today": today, "before_month": before.index, "before_period": before.period, "this_month": now.index,
            "this_period": now.period, "this_first": now.first, "month_last": now.last, "soon_last": now.plus(1).last}


_RAGS = {rag.value: rag for rag in Rag}


def action_row_of(row: Any, today: date) -> ActionRow:
    """An action row from a statement's row of the action's list columns (with `missed`, `rag`, `evidence`)."""
    complete = row.status == Status.COMPLETE
    missed = 0 if complete else int(row.missed)
    open_one_off = row.every_months is None and row.deadline is not None and not complete
    late = open_one_off and row.deadline < today
    overdue = late or missed > 0
    due_soon = open_one_off and not overdue and (row.deadline.year, row.deadline.month) == (today.year, today.month)
    return ActionRow(
        id=row.id, reference=row.reference, text=row.text, status=Status(row.status), target=row.target,
        target_reading=row.target_reading, target_kind=row.target_kind, deadline=row.deadline,
        every_months=row.every_months, owners=row.owners_display, version=row.version, overdue=overdue,
        due_soon=due_soon, missed=missed, rag=_RAGS[row.rag], evidence=bool(row.evidence),
        days_overdue=(today - row.deadline).days if late else None,
    )


# -- the due and overdue lists ---------------------------------------------------------------

def due_in_month(run: Run, year: int, month: int, today: date, owner_id: int | None = None, *,
                 include_closed: bool = False) -> list[ActionRow]:
    """One-off deadlines in the month not complete, and recurring occurrences and checkpoints in it not
    ticked off (of open plans, unless `include_closed`)."""
    params = _list_params(today, owner_id, include_closed, Month(year, month))
    return [action_row_of(row, today) for row in run(_named("due", owner_id), params)]


def overdue(run: Run, today: date, owner_id: int | None = None, *, include_closed: bool = False) -> list[ActionRow]:
    """Actions of open plans (unless `include_closed`) not complete that are past their deadline, or have missed
    occurrences or checkpoints (periods passed without being ticked off); oldest deadline first, then recurring
    duties. Each with its count of missed periods; `with_missed_periods` names them."""
    params = _list_params(today, owner_id, include_closed)
    return [action_row_of(row, today) for row in run(_named("overdue", owner_id), params)]


def _list_params(today: date, owner_id: int | None, include_closed: bool, month: Month | None = None) -> dict[str, Any]:
    """The parameters of the overdue list's statements, or with `month` the due list's."""
    params: dict[str, Any] = {**as_of_params(today), "include_closed": include_closed}
    if month is not None:
        params.update(first=month.first, last=month.last, month=month.index, period=month.period)
    if owner_id is not None:
        params["owner_id"] = owner_id
    return params


def _named(name: str, owner_id: int | None, *, ids: bool = False) -> str:
    """The name of a list's statement: one owner's or everyone's, its rows or its ids alone."""
    shape = ",".join(part for part, wanted in (("owner", owner_id is not None), ("ids", ids)) if wanted)
    return f"{name}:{shape}" if shape else name


class Listed(NamedTuple):
    """A list's first rows, and how many actions the whole list holds."""

    rows: list[ActionRow]
    total: int


def due_listed(run: Run, year: int, month: int, today: date, owner_id: int | None, first: int, *,
               include_closed: bool = False) -> Listed:
    """The first `first` rows of `due_in_month`'s list, and its length: for a list too long to show whole."""
    return _listed(run, "due", _list_params(today, owner_id, include_closed, Month(year, month)), today, owner_id,
                   first)


def overdue_listed(run: Run, today: date, owner_id: int | None, first: int, *,
                   include_closed: bool = False) -> Listed:
    """The first `first` rows of `overdue`'s list, and its length."""
    return _listed(run, "overdue", _list_params(today, owner_id, include_closed), today, owner_id, first)


def _listed(run: Run, name: str, params: dict[str, Any], today: date, owner_id: int | None, first: int) -> Listed:
    """The list's ids in its order (its rule run for them alone), then the rows of the first `first`: a national
    list of thousands pays for its rows' ratings and evidence only where they are shown."""
    ids = [row.id for row in run(_named(name, owner_id, ids=True), params)]
    shown = ids[:first]
    found = {row.id: row for row in run("listed", {**as_of_params(today), "action_ids": shown})} if shown else {}
    return Listed([action_row_of(found[i], today) for i in shown if i in found], len(ids))


# -- owners --------------------------------------------------------------------------------------

def owner_rows(run: Run, *, owner_ids: Sequence[int] | None = None) -> list[Any]:
    """Every owner (or those of `owner_ids`) with their numbers of open and all actions, most open first, as
    the statement reads them (`id`, `name`, `region`, `organisation`, `open`, `total`). An owner with no action
    in force is not listed."""
    return list(run("owners", {}) if owner_ids is None else run("owners:some", {"owner_ids": list(owner_ids)}))


def owners(run: Run, *, owner_ids: Sequence[int] | None = None) -> list[OwnerCount]:
    """Every owner (or those of `owner_ids`) with their numbers of open and all actions, most open first.
    An owner with no action in force is not listed."""
    return [_owner_count(r) for r in owner_rows(run, owner_ids=owner_ids)]


def _owner_count(row: Any) -> OwnerCount:
    from store.owner_count import OwnerCount

    return OwnerCount(id=row.id, name=row.name, region=row.region, open=int(row.open or 0), total=row.total,
                      organisation=row.organisation)


def row_label(row: Any) -> str:
    """An owner row's name with its organisation or region, as `OwnerCount.label` says it."""
    return owner_label(row.name, row.region, row.organisation)


def find_owner(run: Run, text: str) -> OwnerCount:
    """The owner named `text` ("Head of Tameside PDU" or "Name (Region)"); NotFoundError if none or several."""
    return _owner_count(find_owner_row(run, text))


def find_owner_row(run: Run, text: str) -> Any:
    """`find_owner`'s owner as `owner_rows` reads it (the CLI names the owner without making an OwnerCount)."""
    wanted = text.strip()
    key = owner_key(wanted)
    # Match names on the owner table alone (a few thousand rows); count actions only for the matches.
    named = list(run("owner_names", {}))
    # A label is the name with its scope in brackets: text without a bracket can only be a name.
    matched = [row.id for row in named if owner_key(row_label(row)) == key] if "(" in key else []
    exact = owner_rows(run, owner_ids=matched) if matched else []
    if not exact:
        matched = [row.id for row in named if owner_key(row.name) == key]
        exact = owner_rows(run, owner_ids=matched) if matched else []
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        choices = "; ".join(row_label(o) for o in exact)
        raise NotFoundError(f"{wanted!r} is a role in several regions or organisations: name one of {choices}")
    near = closest_names(wanted, [row_label(o) for o in owner_rows(run)])
    hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else "; `actiontrack owners` lists them"
    raise NotFoundError(f"no owner is called {wanted!r}{hint}")
