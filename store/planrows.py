"""A new plan's rows as SQLite stores them, built from its change set before the writer needs them.

A plan the database does not hold yet is written whole, as rows numbered from 1 within the plan. A
reading process builds them (store.importing) with every value as SQLite stores it (dates as text,
JSON as its text, enums checked), so what crosses to the writer is plain tuples, and the writer only
hands out ids (each table's next free id, added in SQL to the plan's own numbers) and executes one
statement per table. Every new plan an import writes into SQLite is written this way; a change set
of a stored plan (or a server's) goes through store.applying.apply_changes.

The rows cross from the reading process to the writer as marshal's bytes (PlanRows.__reduce__): tuples of
text, numbers and None, which marshal writes and reads about twice as fast as pickle.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, fields
from functools import cache, lru_cache
from typing import Any

from sqlalchemy.engine import Dialect
from sqlmodel import Session

from store.applying import (
    EVENT_COLUMNS,
    READY_ACTION,
    READY_EVENT,
    Ids,
    ImportResult,
    OwnerTable,
    bind_columns,
    insert_into,
)
from store.changeset import ChangeSet
from store.models import Action, ActionOwner, Addressee, Change, Checkpoint, Occurrence, Plan, Recommendation
from store.owners import ResolvedOwner


@cache
def _dialect() -> Dialect:
    """SQLite's dialect, whose bind processors make each value as SQLAlchemy sends it to SQLite."""
    from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

    return SQLiteDialect_pysqlite()


@dataclass(frozen=True, slots=True)
class PlanRows:
    """Every row a new plan adds, each table's ids numbered from 1 within the plan (a foreign key holds
    the number of the row it points at), and what its import reports."""

    plan_id: str
    plan: tuple[tuple[str, ...], tuple[Any, ...]]  # the plan row: its columns and values
    addressees: tuple[tuple[str, ...], list[tuple[Any, ...]]]  # columns (id first), rows
    recommendations: tuple[tuple[str, ...], list[tuple[Any, ...]]]  # id, ..., addressee_id last
    actions: tuple[tuple[str, ...], list[tuple[Any, ...]]]  # id, uid, plan_id, recommendation_id, ...
    owners: tuple[ResolvedOwner, ...]  # each owner the plan names, once, in the order first met
    links: tuple[list[int], list[int], list[int]]  # columns of the owner links: action, index in `owners`, position
    checkpoints: list[tuple[int, Any]]  # action, date as stored
    events: list[tuple[Any, ...]]  # as EVENT_COLUMNS: id, uid, action, ..., undone event or None, ...
    ticks: list[tuple[int, str]]  # action, period ticked off
    result: ImportResult

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as marshal's bytes of its rows, beside its owners and result (objects, pickled as they are)."""
        return _unpacked, (self.plan_id, marshal.dumps(tuple(getattr(self, name) for name in _ROWS)), self.owners,
                           self.result)

    @classmethod
    def of(cls, changes: ChangeSet) -> PlanRows | None:
        """The rows of a new plan's change set; None where an event undoes one outside the plan (found by
        the writer in the database: apply_changes writes it)."""
        assert changes.new_plan and changes.certain, "only a new plan is written as rows"
        undone = [e.undoes for e in changes.events if e.undoes is not None]
        event_ids = {event.uid: n for n, event in enumerate(changes.events, start=1)} if undone else {}
        if any(uid not in event_ids for uid in undone):
            return None
        plan_id = changes.plan_id
        addressee_ids = {row.uid: n for n, row in enumerate(changes.addressees, start=1)}
        rec_ids = {row.uid: n for n, row in enumerate(changes.recommendations, start=1)}
        action_ids = {action.uid: n for n, action in enumerate(changes.actions, start=1)}
        # a row's own number is its place; a reference to a uid given twice (refused by the uid's index at the
        # end of the import) is to the last, as store.applying numbers them
        addressees = [(n, row.uid, plan_id, *row.values.values()) for n, row in enumerate(changes.addressees, start=1)]
        recs = [(n, row.uid, plan_id, *(v for k, v in row.values.items() if k != "addressee_uid"),
                 addressee_ids[row.values["addressee_uid"]]) for n, row in enumerate(changes.recommendations, start=1)]
        owner_index: dict[tuple[str, str], int] = {}
        owners: list[ResolvedOwner] = []
        link_actions: list[int] = []
        link_owners: list[int] = []
        link_positions: list[int] = []
        checkpoints: list[tuple[int, Any]] = []
        actions = []
        # each owner cell's indexes in `owners`, by the cell's roles (one tuple for every action of the same cell)
        cells: dict[int, tuple[tuple[ResolvedOwner, ...], list[int]]] = {}
        for n, action in enumerate(changes.actions, start=1):
            actions.append((n, action.uid, plan_id, rec_ids[action.recommendation_uid], *action.values.values()))
            roles = action.roles
            found = cells.get(id(roles))
            if found is None:  # the roles are kept beside their indexes, so that id() stays theirs
                found = cells[id(roles)] = (roles, _owner_indexes(roles, owner_index, owners))
            indexes = found[1]
            link_actions.extend([n] * len(indexes))
            link_owners.extend(indexes)
            link_positions.extend(range(len(indexes)))
            if action.checkpoints:
                checkpoints.extend((n, due) for due in action.checkpoints)
        events = [(n, uid, action_ids[action], at, by, kind, old, new, period, note,
                   None if undoes is None else event_ids[undoes], from_target, to_target, origin)
                  for n, (uid, action, at, by, kind, old, new, period, note, undoes, from_target, to_target, origin)
                  in enumerate(changes.events, start=1)]  # an event unpacked: one tuple made, not three
        # every row of a table holds the same columns: the first row's say which
        addressee_names = ("id", "uid", "plan_id", *_keys(changes.addressees))
        rec_names = ("id", "uid", "plan_id", *(k for k in _keys(changes.recommendations) if k != "addressee_uid"),
                     "addressee_id")
        action_names = ("id", "uid", "plan_id", "recommendation_id", *_keys(changes.actions))
        plan_names = tuple(changes.header)
        dialect = _dialect()
        return cls(
            plan_id=plan_id,
            plan=(plan_names, _processed(dialect, Plan, plan_names, [tuple(changes.header.values())])[0]),
            addressees=(addressee_names, _processed(dialect, Addressee, addressee_names, addressees)),
            recommendations=(rec_names, _processed(dialect, Recommendation, rec_names, recs)),
            actions=(action_names, _processed(dialect, Action, action_names, actions, READY_ACTION, _ENUMS)),
            owners=tuple(owners),
            links=(link_actions, link_owners, link_positions),
            checkpoints=_processed(dialect, Checkpoint, ("action_id", "due"), checkpoints),
            events=_processed(dialect, Change, EVENT_COLUMNS, events, READY_EVENT),
            ticks=[(action_ids[uid], period) for uid, period in changes.new_ticks],
            result=ImportResult(plan_id=plan_id, added=len(actions), history_added=len(events),
                                flagged_targets=list(changes.flagged_targets)),
        )


# PlanRows' fields that hold rows (all but plan_id, owners and result), as marshal hands them over
_ROWS = ("plan", "addressees", "recommendations", "actions", "links", "checkpoints", "events", "ticks")
assert set(_ROWS) == {f.name for f in fields(PlanRows)} - {"plan_id", "owners", "result"}


def _unpacked(plan_id: str, rows: bytes, owners: tuple[ResolvedOwner, ...], result: ImportResult) -> PlanRows:
    """PlanRows from what its __reduce__ gave."""
    return PlanRows(plan_id=plan_id, owners=owners, result=result, **dict(zip(_ROWS, marshal.loads(rows), strict=True)))


# An action's columns whose change set values are enum members (StrEnum): stored as their text, and sent as plain
# str (marshal takes no subclass)
_ENUMS = frozenset({"status", "target_kind"})


def _owner_indexes(roles: tuple[ResolvedOwner, ...], owner_index: dict[tuple[str, str], int],
                   owners: list[ResolvedOwner]) -> list[int]:
    """An action's owners as their indexes in the plan's `owners`, once each (two spellings of one role are one
    owner); an owner met for the first time is added."""
    cell: dict[int, None] = {}
    for role in roles:
        index = owner_index.get((role.key, role.region))
        if index is None:
            index = owner_index[(role.key, role.region)] = len(owners)
            owners.append(role)
        cell[index] = None
    return list(cell)


def _keys(records: list[Any]) -> tuple[str, ...]:
    """The value names of a list of records to add (all hold the same)."""
    return tuple(records[0].values) if records else ()


def _processed(dialect: Dialect, model: Any, names: tuple[str, ...], rows: list[tuple[Any, ...]],
               ready: frozenset[str] = frozenset(), enums: frozenset[str] = frozenset()) -> list[tuple[Any, ...]]:
    """The rows with each value as SQLite is sent it (each column's bind processor, but in `ready` ones; the
    text of an enum member, a plain str, in `enums`)."""
    if not rows:
        return rows
    _, processors = insert_into(dialect, model.__table__, names, ready)
    if enums:
        processors = [str.__str__ if name in enums else process
                      for name, process in zip(names, processors, strict=True)]
    if all(p is None for p in processors):
        return rows
    columns = [list(column) for column in zip(*rows, strict=True)]
    bind_columns(columns, processors)
    return list(zip(*columns, strict=True))


def write_plan_rows(session: Session, rows: PlanRows) -> ImportResult:
    """Write a new plan's rows in the open write session of a SQLite database; the caller commits."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        names, values = rows.plan
        cursor.execute(_statement(Plan, names, ()), values)
        addressee = _insert(cursor, session, Addressee, rows.addressees, {})
        recommendation = _insert(cursor, session, Recommendation, rows.recommendations, {"addressee_id": addressee})
        owners = OwnerTable.of(session)
        owner_ids = [owners.id_for(owner) for owner in rows.owners]
        owners.write_new()
        action = _insert(cursor, session, Action, rows.actions, {"recommendation_id": recommendation})
        actions, indexes, positions = rows.links
        if actions:  # each owner's index in the plan's list made its id with no Python per link (map, zip)
            cursor.executemany(_statement(ActionOwner, ("action_id", "owner_id", "position"), ("action_id",)).format(
                action_id=action), zip(actions, map(owner_ids.__getitem__, indexes), positions, strict=True))
        if rows.checkpoints:
            cursor.executemany(_statement(Checkpoint, ("action_id", "due"), ("action_id",)).format(action_id=action),
                               rows.checkpoints)
        _insert(cursor, session, Change, (EVENT_COLUMNS, rows.events), {"action_id": action}, also="undoes_id")
        if rows.ticks:
            cursor.executemany(_statement(Occurrence, ("action_id", "period"), ("action_id",), ("done", "1"))
                               .format(action_id=action), rows.ticks)
    finally:
        cursor.close()
    return rows.result


def _insert(cursor: Any, session: Session, model: Any, table: tuple[tuple[str, ...], list[tuple[Any, ...]]],
            offsets: dict[str, int], *, also: str = "") -> int:
    """Insert a table's rows of the plan with the table's next free ids (and `also` another column of the same
    table's numbers) and the `offsets` of the rows they point at; what the plan's numbers were moved by."""
    names, rows = table
    own = Ids.of(session, model.__table__).take_many(len(rows)).start - 1
    if rows:
        shifted = {**offsets, "id": own, **({also: own} if also else {})}
        cursor.executemany(_statement(model, names, tuple(shifted)).format(**shifted), rows)
    return own


@lru_cache(maxsize=64)
def _statement(model: Any, names: tuple[str, ...], shifted: tuple[str, ...], constant: tuple[str, str] | None = None
               ) -> str:
    """The insert of a table's rows, made once: each column in `shifted` given as the plan's number plus a format
    field of its name (the rows' offset, filled in per plan), and a `constant` column (name, SQL value) if any."""
    columns = (*names, constant[0]) if constant else names
    marks = [f"? + {{{name}}}" if name in shifted else "?" for name in names] + ([constant[1]] if constant else [])
    target = insert_into(_dialect(), model.__table__, columns, frozenset())[0]
    return f"INSERT INTO {target} VALUES ({', '.join(marks)})"
