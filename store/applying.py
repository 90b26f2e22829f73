"""The apply stage of an import: a change set written in the caller's write transaction.

Nothing here decides anything: store.importing builds the change set (what to add, change,
withdraw, which history events the database lacks and the state they lead to); this writes it,
in bulk where a national import writes many rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlmodel import Session

from store.changeset import ChangeSet
from store.models import Action, ActionOwner, Addressee, Change, Checkpoint, Occurrence, Owner, Plan, Recommendation
from store.owners import ResolvedOwner


@dataclass(slots=True)
class ImportResult:
    """What one import changed."""

    plan_id: str
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    history_added: int = 0
    moved: int = 0  # actions whose status or ticks the merged history moved
    flagged_targets: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.added or self.updated or self.withdrawn or self.history_added or self.moved)

    def summary(self) -> str:
        """One line for the CLI."""
        if not self.changed:
            return f"{self.plan_id}: already up to date ({self.unchanged} actions)"
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.withdrawn:
            parts.append(f"{self.withdrawn} withdrawn")
        if self.history_added:
            parts.append(f"{self.history_added} history events added")
        if self.moved:
            parts.append(f"{self.moved} statuses or ticks moved by history")
        return f"{self.plan_id}: " + ", ".join(parts)


# Columns a bulk insert is given as stored already (the bind processor skipped): an action's JSON text of its
# owners as written, its enums (StrEnum) and booleans as the driver binds them; a history event's time as its UTC
# text, its kind and statuses checked against the enums' names. And a history event's columns, in row order.
READY_ACTION = frozenset({"owners_written", "target_kind", "status", "withdrawn"})
READY_EVENT = frozenset({"at", "kind", "from_status", "to_status"})
EVENT_COLUMNS = ("id", "uid", "action_id", "at", "by", "kind", "from_status", "to_status", "period", "note",
                 "undoes_id", "from_target", "to_target", "origin")


class Ids:
    """Hands out primary keys inside the write transaction (we hold the write lock)."""

    @classmethod
    def of(cls, session: Session, table: Any) -> Ids:
        """The one allocator of this transaction for a table that only the import's bulk inserts write
        (actions, addressees, recommendations): asked for its largest id once, not once per plan."""
        transaction = session.get_transaction()
        key = f"actiontrack.ids.{table.name}"
        cached = session.info.get(key)
        if cached is not None and cached[0] is transaction:
            return cached[1]  # type: ignore[no-any-return]
        ids = cls(session, table)
        session.info[key] = (transaction, ids)
        return ids

    def __init__(self, session: Session, table: Any) -> None:
        self.table = table
        self.next = self.start = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def take_many(self, count: int) -> range:
        """`count` ids at once (a plan's history events)."""
        taken = range(self.next, self.next + count)
        self.next += count
        return taken


class OwnerTable:
    """Finds or creates owner rows by (key, region), caching ids for one import."""

    @classmethod
    def of(cls, session: Session) -> OwnerTable:
        """The table of this write transaction, shared by every plan it saves (not re-read per plan)."""
        transaction = session.get_transaction()
        cached = session.info.get("actiontrack.owner_table")
        if cached is not None and cached[0] is transaction:
            return cached[1]  # type: ignore[no-any-return]
        table = cls(session)
        session.info["actiontrack.owner_table"] = (transaction, table)
        return table

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[tuple[str, str], int] = {
            (row.key, row.region): row.id for row in session.execute(select(Owner.id, Owner.key, Owner.region))
        }
        self.next = Ids.of(session, Owner.__table__)
        self.pending: list[dict[str, Any]] = []

    def id_for(self, owner: ResolvedOwner) -> int:
        """The owner's id; a new owner is written by the next `write_new()`."""
        found = self.ids.get((owner.key, owner.region))
        if found is None:
            found = self.next.take()
            self.pending.append({"id": found, "name": owner.name, "key": owner.key, "region": owner.region,
                                 "organisation": owner.organisation})
            self.ids[(owner.key, owner.region)] = found
        return found

    def write_new(self) -> None:
        """Write the owners met since the last call, in one statement (before links point at them)."""
        if self.pending:
            _bulk_insert(self.session, Owner.__table__, self.pending)
            self.pending = []


class _OwnerLinks:
    """An action's owner link rows; the owners' ids are looked up once per owner cell (actions written
    with the same cell share its roles)."""

    def __init__(self, owners: OwnerTable) -> None:
        self.owners = owners
        self.cells: dict[int, tuple[tuple[ResolvedOwner, ...], list[int]]] = {}  # by id() of the roles

    def of(self, action_id: int, roles: tuple[ResolvedOwner, ...]) -> list[tuple[int, int, int]]:
        """(action id, owner id, position) for each of the action's owners, in order."""
        found = self.cells.get(id(roles))
        if found is None:  # the roles are kept beside their ids, so that id() stays theirs
            found = self.cells[id(roles)] = (roles, list(dict.fromkeys(map(self.owners.id_for, roles))))
        return [(action_id, owner_id, position) for position, owner_id in enumerate(found[1])]


def _write_checkpoints(session: Session, changes: ChangeSet, by_uid: dict[str, int]) -> None:
    """Make each action's stored checkpoints those its target reads as (a revised target, or a better reading)."""
    stored: dict[int, set[date]] = defaultdict(set)
    if not changes.new_plan:
        for action_id, due in session.execute(select(Checkpoint.action_id, Checkpoint.due).join(
                Action, Action.id == Checkpoint.action_id).where(Action.plan_id == changes.plan_id)):
            stored[action_id].add(due)
    rows: list[tuple[int, date]] = []
    for action in changes.actions:
        action_id = by_uid[action.uid]
        if (action.checkpoints or action_id in stored) and stored.get(action_id, set()) != set(action.checkpoints):
            if action_id in stored:
                session.execute(delete(Checkpoint).where(Checkpoint.action_id == action_id))
            rows.extend((action_id, due) for due in action.checkpoints)
    _bulk_insert(session, Checkpoint.__table__, rows, names=("action_id", "due"))


def apply_changes(session: Session, changes: ChangeSet) -> ImportResult:
    """Write a certain change set in the open write session; the caller commits."""
    assert changes.certain, "an uncertain change set is never applied"
    result = ImportResult(plan_id=changes.plan_id, flagged_targets=list(changes.flagged_targets))
    _write_header(session, changes)
    addressee_ids = _write_rows(session, Addressee.__table__, changes.addressees, {"plan_id": changes.plan_id})
    for rec in changes.recommendations:
        rec.values["addressee_id"] = addressee_ids[rec.values.pop("addressee_uid")]
    rec_ids = _write_rows(session, Recommendation.__table__, changes.recommendations, {"plan_id": changes.plan_id})
    if changes.recommendations_withdrawn:
        session.execute(update(Recommendation).where(
            Recommendation.id.in_([i for i, _ in changes.recommendations_withdrawn])).values(withdrawn=True))

    owners = OwnerTable.of(session)
    action_ids = Ids.of(session, Action.__table__)
    by_uid: dict[str, int] = {}
    new_rows: list[tuple[Any, ...]] = []  # in the order of `new_columns`
    new_columns: tuple[str, ...] = ()
    new_values: Callable[[dict[str, Any]], tuple[Any, ...]] = tuple
    new_links: list[tuple[int, int, int]] = []  # action id, owner id, position
    changed_rows: list[dict[str, Any]] = []  # stored actions to update, each with its id as "_id"
    relinked: list[int] = []  # stored actions whose owner links are written again
    links = _OwnerLinks(owners)
    for action in changes.actions:
        if action.stored_id is None:
            action_id = action_ids.take()
            if not new_rows:  # every added action's values hold the same columns
                new_columns = ("id", "uid", "plan_id", "recommendation_id", *action.values)
                new_values = itemgetter(*action.values)
            new_rows.append((action_id, action.uid, changes.plan_id, rec_ids[action.recommendation_uid],
                             *new_values(action.values)))
            new_links.extend(links.of(action_id, action.roles))
            result.added += 1
        else:
            action_id = action.stored_id
            if action.changes or action.relink:  # else its owners are linked already
                changed_rows.append({"_id": action_id, **action.values})
                relinked.append(action_id)
                new_links.extend(links.of(action_id, action.roles))
                result.updated += 1
            else:
                if action.moved:  # a neighbour came or went: the action itself is unchanged
                    changed_rows.append({"_id": action_id, "position": action.values["position"]})
                result.unchanged += 1
        by_uid[action.uid] = action_id
    owners.write_new()
    _update_actions(session, changed_rows)
    for chunk in range(0, len(relinked), 500):
        session.execute(delete(ActionOwner.__table__).where(
            ActionOwner.__table__.c.action_id.in_(relinked[chunk:chunk + 500])))
    if new_rows:
        _bulk_insert(session, Action.__table__, new_rows, names=new_columns, ready=READY_ACTION)
    if new_links:
        _bulk_insert(session, ActionOwner.__table__, new_links, names=("action_id", "owner_id", "position"))
    _write_checkpoints(session, changes, by_uid)
    if changes.withdrawn:
        session.execute(update(Action).where(Action.id.in_([w.stored_id for w in changes.withdrawn]))
                        .values(withdrawn=True))
        result.withdrawn = len(changes.withdrawn)
    result.history_added = _write_events(session, changes, by_uid)
    for state in changes.states:
        action_id = by_uid[state.action_uid]
        session.execute(update(Action).where(Action.id == action_id)
                        .values(status=state.new_status, version=Action.version + 1))
        _write_ticks(session, action_id, state.ticked, done=True)
        _write_ticks(session, action_id, state.unticked, done=False)
    result.moved = len(changes.states)
    if changes.new_ticks:
        _bulk_insert(session, Occurrence.__table__, [(by_uid[uid], period, True) for uid, period in changes.new_ticks],
                     names=("action_id", "period", "done"), ready=frozenset({"done"}))
    _ids_given(session)
    return result


def _update_actions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Update stored actions: one executemany per set of columns written (not a statement per action)."""
    table = Action.__table__
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row)].append(row)
    for columns, group in groups.items():
        session.execute(update(table).where(table.c.id == bindparam("_id"))
                        .values({name: bindparam(name) for name in columns if name != "_id"}), group)


def _write_header(session: Session, changes: ChangeSet) -> None:
    if changes.new_plan:
        _bulk_insert(session, Plan.__table__, [changes.header])  # no ORM object: a new plan is written once
    elif changes.header_changes:
        session.execute(update(Plan).where(Plan.id == changes.plan_id)
                        .values(**{c.name: c.new for c in changes.header_changes}))


def _write_rows(session: Session, table: Any, rows: Sequence[Any], common: dict[str, Any]) -> dict[str, int]:
    """Add or update addressees or recommendations; their ids by uid."""
    ids: dict[str, int] = {}
    fresh = Ids.of(session, table)
    new_rows: list[dict[str, Any]] = []
    for row in rows:
        if row.stored_id is None:
            ids[row.uid] = fresh.take()
            new_rows.append({"id": ids[row.uid], "uid": row.uid, **common, **row.values})
        else:
            ids[row.uid] = row.stored_id
            if row.changes:  # the whole row as the file has it (a moved recommendation: its addressee too)
                session.execute(update(table).where(table.c.id == row.stored_id).values(**row.values))
    if new_rows:  # one statement, not a flush per row: a national import adds thousands
        _bulk_insert(session, table, new_rows)
    return ids


def _write_events(session: Session, changes: ChangeSet, action_ids: dict[str, int]) -> int:
    """Add the history events the database lacks, in one statement; an undo points at its event by uid."""
    if not changes.events:
        return 0
    taken = Ids.of(session, Change.__table__).take_many(len(changes.events))
    event_ids = dict(zip([e.uid for e in changes.events], taken, strict=True))
    elsewhere = [e.undoes for e in changes.events if e.undoes is not None and e.undoes not in event_ids]
    for chunk in range(0, len(elsewhere), 500):
        event_ids.update(session.execute(select(Change.uid, Change.id).where(
            Change.uid.in_(elsewhere[chunk:chunk + 500]))).all())
    rows = [(event_id, uid, action_ids[action_uid], at, by, kind, from_status, to_status, period, note,
             event_ids.get(undoes) if undoes else None, from_target, to_target, origin)
            for event_id, (uid, action_uid, at, by, kind, from_status, to_status, period, note, undoes, from_target,
                           to_target, origin) in zip(taken, changes.events, strict=True)]
    _bulk_insert(session, Change.__table__, rows, ready=READY_EVENT, names=EVENT_COLUMNS)
    return len(rows)


def _write_ticks(session: Session, action_id: int, periods: Sequence[str], *, done: bool) -> None:
    for period in periods:
        row = session.get(Occurrence, (action_id, period))
        if row is None:
            if done:
                session.add(Occurrence(action_id=action_id, period=period, done=True))
        elif row.done != done:
            row.done = done
    session.flush()


def _bulk_insert(session: Session, table: Any, rows: Sequence[Any], *, ready: frozenset[str] = frozenset(),
                 names: Sequence[str] | None = None) -> None:
    """Insert rows (dicts with the same keys) in one executemany on SQLite's own cursor, in the session's
    transaction. Each value goes through its column type's bind processor, as SQLAlchemy would send it
    (dates, UTC datetimes, enums, JSON), except in the `ready` columns, given as stored (rows are tuples
    when `names` gives their columns); what is skipped
    is SQLAlchemy's per-row bookkeeping, most of the cost of a 100,000-action import."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if names is None:  # dicts with the same keys
        names = list(rows[0])
        values = [[row[name] for row in rows] for name in names]
    else:  # tuples in the order of `names`
        values = [list(column) for column in zip(*rows, strict=True)]
    target, processors = insert_into(dialect, table, tuple(names), ready)
    bind_columns(values, processors)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect.name == "postgresql" and not cursor.execute(  # type: ignore[union-attr]
                "SELECT row_security_active(%s)", (table.name,)).fetchone()[0]:
            # COPY: a first sync sends a national data set in one stream (PostgreSQL allows it where no
            # row-level security applies to this login, as for the region's lead who owns the tables)
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in zip(*values, strict=True):
                    copy.write_row(row)
        else:
            marker = "?" if dialect.paramstyle == "qmark" else "%s"
            cursor.executemany(f"INSERT INTO {target} VALUES ({', '.join([marker] * len(processors))})",
                               list(zip(*values, strict=True)))
    finally:
        cursor.close()


def bind_columns(columns: list[list[Any]], processors: Sequence[Callable[[Any], Any] | None]) -> None:
    """Each column's values, in place, as the driver is sent them: through the column's bind processor (`insert_into`)
    where it has one."""
    for i, process in enumerate(processors):
        if process is not None:
            column = columns[i]
            try:  # each distinct value once: a plan's deadlines and enums repeat on most of its rows
                done = {value: process(value) for value in set(column)}
            except TypeError:  # unhashable values (a JSON column's tables)
                columns[i] = [process(v) for v in column]
            else:
                columns[i] = list(map(done.__getitem__, column))


@lru_cache(maxsize=64)
def insert_into(dialect: Any, table: Any, names: tuple[str, ...], ready: frozenset[str]
                 ) -> tuple[str, list[Callable[[Any], Any] | None]]:
    """The quoted `table (columns)` of a bulk insert and each column's bind processor (None: as given),
    worked out once per dialect, table and columns rather than once per plan."""
    columns = [table.c[name] for name in names]
    quote = dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.format_column(c) for c in columns)})"
    return target, [None if column.name in ready else column.type.dialect_impl(dialect).bind_processor(dialect)
                    for column in columns]


def _ids_given(session: Session) -> None:
    """After rows were written with ids of our choosing (Ids): move PostgreSQL's sequences past them, so
    rows it numbers itself (a status change) do not collide. SQLite numbers from each table's max."""
    if session.connection().dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    used = [ids.table.name for key, (owner, ids) in session.info.items()
            if key.startswith("actiontrack.ids.") and owner is transaction and ids.next > ids.start]
    if used:
        session.execute(text("SELECT " + ", ".join(
            f"setval(pg_get_serial_sequence('\"{t}\"', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM \"{t}\"), false)"
            for t in used)))
