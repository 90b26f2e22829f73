"""Saving a validated plan file into the database: new plans, revised plans, exported state.

A revised plan updates texts, owners and targets, and keeps each surviving action's status and
history; what the revision drops is marked withdrawn, never deleted. Importing the same file
twice writes nothing the second time.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

from store.db import Database, open_database
from store.models import (
    Action, ActionOwner, Addressee, Change, Checkpoint, Occurrence, Owner, Plan, Recommendation,
)
from store.owners import ResolvedOwner, pdus_named, section_pdus
from store.reading import plan_date, plan_resolver
from store.planfile import (
    ActionSpec, HistorySpec, PlanFile, PlanFileError, load_plan_toml, read_plan_file, validate_plan,
)
from store.targets import Status, read_target


@dataclass(slots=True)
class ImportResult:
    """What one import changed."""

    plan_id: str
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    history_added: int = 0
    flagged_targets: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.added or self.updated or self.withdrawn or self.history_added)

    def summary(self) -> str:
        """One line for the CLI."""
        if not self.changed:
            return f"{self.plan_id}: already up to date ({self.unchanged} actions)"
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.withdrawn:
            parts.append(f"{self.withdrawn} withdrawn")
        if self.history_added:
            parts.append(f"{self.history_added} history rows")
        return f"{self.plan_id}: " + ", ".join(parts)


class _Ids:
    """Hands out primary keys inside the write transaction (we hold the write lock)."""

    @classmethod
    def of(cls, session: Session, table: Any) -> _Ids:
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
        self.next = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def save_plan(session: Session, plan_file: PlanFile) -> ImportResult:
    """Write a validated plan into the open write session; the caller commits."""
    header = plan_file.plan
    result = ImportResult(plan_id=header.id)
    new_plan = _save_header(session, plan_file)
    resolver = plan_resolver(plan_file)
    covered = resolver.pdus
    written_on = plan_date(plan_file)
    owners = _OwnerTable.of(session)

    addressee_ids = _save_addressees(session, plan_file, new_plan=new_plan)
    rec_ids, rec_numbers_kept = _save_recommendations(session, plan_file, addressee_ids, new_plan=new_plan)

    # A new plan has nothing stored to match, relink or withdraw: skip those reads (a national import
    # brings hundreds of plans).
    stored = [] if new_plan else list(session.execute(
        select(
            Action.id, Action.recommendation_id, Action.ref, Action.withdrawn,
            *(getattr(Action, name) for name in _SAVED),
        ).where(Action.plan_id == header.id).order_by(Action.recommendation_id, Action.position, Action.id)
    ))
    stored_by_rec: dict[int, list[Any]] = {}
    for row in stored:
        stored_by_rec.setdefault(row.recommendation_id, []).append(row)
    links: dict[int, list[int]] = {}
    for action_id, owner_id in [] if new_plan else session.execute(
        select(ActionOwner.action_id, ActionOwner.owner_id).join(Action, Action.id == ActionOwner.action_id)
        .where(Action.plan_id == header.id).order_by(ActionOwner.action_id, ActionOwner.position)
    ):
        links.setdefault(action_id, []).append(owner_id)
    has_history = set() if new_plan else set(
        session.execute(
            select(Change.action_id).join(Action, Action.id == Change.action_id)
            .where(Action.plan_id == header.id).distinct()
        ).scalars()
    )
    checkpoints: dict[int, set[date]] = {}
    for action_id, due in [] if new_plan else session.execute(
        select(Checkpoint.action_id, Checkpoint.due).join(Action, Action.id == Checkpoint.action_id)
        .where(Action.plan_id == header.id)
    ):
        checkpoints.setdefault(action_id, set()).add(due)
    new_checkpoints: list[dict[str, Any]] = []
    action_ids = _Ids.of(session, Action.__table__)
    # Many actions of a plan share a target ("September 2023") or an owner cell: read each once.
    readings: dict[str, tuple[Any, str, int | None]] = {}
    owner_cells: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[list[int], str, str]] = {}
    new_rows: list[dict[str, Any]] = []
    new_links: list[dict[str, Any]] = []
    seen: set[int] = set()
    histories: list[tuple[int, ActionSpec, bool]] = []

    for addressee in plan_file.addressees:
        for rec in addressee.recommendations:
            rec_id = rec_ids[rec.number]
            rec_pdus = section_pdus(addressee.name, addressee.kind, rec.text, covered)
            stored_here = stored_by_rec.get(rec_id)
            if stored_here or any(spec.ref for spec in rec.actions):
                matches = _match_actions(rec.actions, stored_here or [])
            else:  # nothing stored, no refs written: each action is new, its ref its position
                matches = [(str(i), None) for i in range(1, len(rec.actions) + 1)]
            for position, (spec, (ref, old)) in enumerate(zip(rec.actions, matches, strict=True), start=1):
                reading = readings.get(spec.target)
                if reading is None:
                    read = read_target(spec.target, plan_date=written_on)
                    reading = readings[spec.target] = (read, read.describe(), read.start_month)
                target, target_reading, start_month = reading
                if target.flagged:
                    result.flagged_targets.append(f"{header.id}/{rec.number}/{ref}: {spec.target!r}")
                pdus = rec_pdus or pdus_named(spec.text, covered)
                written = spec.owners_stored()
                cell = (tuple(o if isinstance(o, str) else json.dumps(o) for o in written), tuple(pdus))
                found = owner_cells.get(cell)
                if found is None:
                    resolved = [r for o in written for r in resolver.resolve_entry(o, pdus=pdus)]
                    found = owner_cells[cell] = (
                        list(dict.fromkeys(owners.id_for(r) for r in resolved)),
                        "; ".join(dict.fromkeys(r.name for r in resolved)),
                        json.dumps(written),  # as SQLAlchemy's JSON type writes it
                    )
                owner_ids, owners_display, owners_json = found
                values: dict[str, Any] = {
                    "position": position,
                    "text": spec.text,
                    "owners_written": written,
                    "owners_display": owners_display,
                    "target": spec.target,
                    "target_kind": target.kind,
                    "deadline": target.deadline,
                    "start": target.start,
                    "start_month": start_month,
                    "every_months": target.every_months,
                    "recurrence": target.recurrence,
                    "caveat": target.caveat,
                    "target_reading": target_reading,
                    "note": spec.note,
                    "progress": spec.progress,
                    "completed": spec.completed,
                    "review": spec.review,
                    "withdrawn": False,
                }
                if old is None:
                    action_id = action_ids.take()
                    status = spec.status or (Status.COMPLETE if spec.completed.strip() else target.first_status)
                    new_rows.append({
                        "id": action_id, "plan_id": header.id, "recommendation_id": rec_id, "ref": ref,
                        "reference": f"{header.id}/{rec.number}/{ref}", "status": Status(status),
                        "version": 1 if spec.history else 0, **values, "owners_written": owners_json,
                    })
                    new_links.extend(
                        {"action_id": action_id, "owner_id": oid, "position": i} for i, oid in enumerate(owner_ids)
                    )
                    new_checkpoints.extend({"action_id": action_id, "due": due} for due in target.checkpoints)
                    result.added += 1
                    histories.append((action_id, spec, False))
                else:
                    action_id = old.id
                    seen.add(action_id)
                    differs = _differs(old, values) or links.get(action_id, []) != owner_ids
                    if checkpoints.get(action_id, set()) != set(target.checkpoints):
                        session.execute(delete(Checkpoint).where(Checkpoint.action_id == action_id))
                        new_checkpoints.extend({"action_id": action_id, "due": due} for due in target.checkpoints)
                        differs = True
                    if differs:
                        session.execute(update(Action).where(Action.id == action_id).values(**values))
                        session.execute(delete(ActionOwner).where(ActionOwner.action_id == action_id))
                        session.execute(insert(ActionOwner), [
                            {"action_id": action_id, "owner_id": oid, "position": i}
                            for i, oid in enumerate(owner_ids)
                        ])
                        result.updated += 1
                    else:
                        result.unchanged += 1
                    if action_id not in has_history and spec.status is not None:
                        changed = session.execute(
                            update(Action).where(Action.id == action_id, Action.status != spec.status)
                            .values(status=spec.status, version=Action.version + 1)
                        ).rowcount
                        result.updated += bool(changed) and not differs
                    histories.append((action_id, spec, True))

    if new_rows:
        _bulk_insert(session, Action.__table__, new_rows, ready=frozenset({"owners_written"}))
    if new_links:
        _bulk_insert(session, ActionOwner.__table__, new_links)
    if new_checkpoints:
        session.execute(insert(Checkpoint), new_checkpoints)
    gone = [row.id for row in stored if row.id not in seen and not row.withdrawn]
    if gone:
        session.execute(update(Action).where(Action.id.in_(gone)).values(withdrawn=True))
        result.withdrawn += len(gone)
    if not new_plan:
        session.execute(
            update(Recommendation)
            .where(Recommendation.plan_id == header.id, Recommendation.number.not_in(rec_numbers_kept))
            .values(withdrawn=True)
        )
    result.history_added += _save_new_histories(session, [(i, spec) for i, spec, existed in histories if not existed])
    for action_id, spec, existed in histories:
        if existed:
            result.history_added += _save_history(session, action_id, spec, merge=True)
    return result


def _match_actions(specs: Sequence[ActionSpec], rows: Sequence[Any]) -> list[tuple[str, Any | None]]:
    """Pair each action of a recommendation in the file with the stored action it revises.

    Returns, per action in file order, its ref and the stored row (None for a new action).
    An explicit ref always names its action. An action without one is matched, in this order:
    the stored action at its position with the same text; else a stored action with the same
    text elsewhere (a revision dropped or inserted actions above it, so its position moved:
    it keeps its reference, status and history); else the stored action at its position
    (its text was edited). A new action takes its position as ref, or the next free number
    when a stored action holds that one.
    """
    by_ref = {row.ref: row for row in rows}
    file_refs = {spec.ref for spec in specs if spec.ref}
    claimed: set[str] = set()
    found: list[tuple[str, Any | None] | None] = [None] * len(specs)

    def claim(i: int, ref: str) -> None:
        row = by_ref.get(ref)
        found[i] = (ref, row)
        if row is not None:
            claimed.add(ref)

    for i, spec in enumerate(specs):
        if spec.ref:
            claim(i, spec.ref)
    positional = [i for i, spec in enumerate(specs) if not spec.ref]
    for i in positional:
        row = by_ref.get(str(i + 1))
        if row is not None and row.ref not in claimed and row.text == specs[i].text:
            claim(i, row.ref)
    for i in positional:
        if found[i] is None:
            same = next((row for row in rows if row.ref not in claimed and row.ref not in file_refs
                         and row.text == specs[i].text), None)
            if same is not None:
                claim(i, same.ref)
    taken = set(by_ref) | file_refs
    numbers = [int(ref) for ref in taken if ref.isdigit()]
    fresh = max([len(specs), *numbers]) + 1
    for i in positional:
        if found[i] is not None:
            continue
        ref = str(i + 1)
        row = by_ref.get(ref)
        if row is not None and ref not in claimed and ref not in file_refs and not row.withdrawn:
            claim(i, ref)
        elif row is None and ref not in file_refs and ref not in claimed:
            claimed.add(ref)
            found[i] = (ref, None)
        else:
            while str(fresh) in taken or str(fresh) in claimed:
                fresh += 1
            claimed.add(str(fresh))
            found[i] = (str(fresh), None)
    return [pair for pair in found if pair is not None]


# What an import writes on an action, beside its status and history: all of it is compared, so that a
# revised alias table, region or target reading reaches actions whose words did not change.
_SAVED = (
    "position", "text", "owners_written", "owners_display", "target", "target_kind", "deadline", "start",
    "start_month", "every_months", "recurrence", "caveat", "target_reading", "note", "progress", "completed", "review",
)


def _differs(old: Any, values: dict[str, Any]) -> bool:
    if old.withdrawn:
        return True
    for name in _SAVED:
        stored, wanted = getattr(old, name), values[name]
        if isinstance(stored, list | tuple):
            stored = list(stored)
        if stored != wanted:
            return True
    return False


def _save_header(session: Session, plan_file: PlanFile) -> bool:
    """Write the [plan] table; True when the plan is new to the database."""
    header = plan_file.plan
    fields = header.model_dump()
    fields["aliases"] = dict(plan_file.aliases)
    if session.execute(select(Plan.id).where(Plan.id == header.id)).first() is None:
        _bulk_insert(session, Plan.__table__, [fields])  # no ORM object: a new plan is written once
        return True
    plan = session.get(Plan, header.id)
    if plan is None:
        session.add(Plan(**fields))
    else:
        for name, value in fields.items():
            if getattr(plan, name) != value:
                setattr(plan, name, value)
    session.flush()
    return plan is None


def _save_addressees(session: Session, plan_file: PlanFile, *, new_plan: bool = False) -> dict[str, int]:
    plan_id = plan_file.plan.id
    existing = {} if new_plan else {a.name.casefold(): a for a in session.execute(
        select(Addressee).where(Addressee.plan_id == plan_id)).scalars()}
    ids: dict[str, int] = {}
    fresh = _Ids.of(session, Addressee.__table__)
    new_rows: list[dict[str, Any]] = []
    for position, spec in enumerate(plan_file.addressees, start=1):
        row = existing.get(spec.name.casefold())
        if row is None:
            ids[spec.name] = fresh.take()
            new_rows.append({"id": ids[spec.name], "plan_id": plan_id, "position": position, "name": spec.name,
                             "kind": spec.kind, "rating": spec.rating})
        else:
            for name, value in (("position", position), ("name", spec.name), ("kind", spec.kind),
                                ("rating", spec.rating)):
                if getattr(row, name) != value:
                    setattr(row, name, value)
            assert row.id is not None
            ids[spec.name] = row.id
    session.flush()
    if new_rows:  # one statement, not a flush per row: a national import adds thousands
        _bulk_insert(session, Addressee.__table__, new_rows)
    return ids


def _save_recommendations(
    session: Session, plan_file: PlanFile, addressee_ids: dict[str, int], *, new_plan: bool = False
) -> tuple[dict[str, int], list[str]]:
    plan_id = plan_file.plan.id
    existing = {} if new_plan else {r.number: r for r in session.execute(
        select(Recommendation).where(Recommendation.plan_id == plan_id)).scalars()}
    ids: dict[str, int] = {}
    fresh = _Ids.of(session, Recommendation.__table__)
    new_rows: list[dict[str, Any]] = []
    position = 0
    for addressee in plan_file.addressees:
        for spec in addressee.recommendations:
            position += 1
            values = {
                "addressee_id": addressee_ids[addressee.name], "position": position, "text": spec.text,
                "agreement": spec.agreement, "reason": spec.reason, "inferred": spec.inferred,
                "note": spec.note, "withdrawn": False,
            }
            row = existing.get(spec.number)
            if row is None:
                ids[spec.number] = fresh.take()
                new_rows.append({"id": ids[spec.number], "plan_id": plan_id, "number": spec.number, **values})
            else:
                for name, value in values.items():
                    if getattr(row, name) != value:
                        setattr(row, name, value)
                assert row.id is not None
                ids[spec.number] = row.id
    session.flush()
    if new_rows:  # one statement, not a flush per row
        _bulk_insert(session, Recommendation.__table__, new_rows)
    return ids, list(ids)


class _OwnerTable:
    """Finds or creates owner rows by (key, region), caching ids for one import."""

    @classmethod
    def of(cls, session: Session) -> _OwnerTable:
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
        self.next = _Ids(session, Owner.__table__)

    def id_for(self, owner: ResolvedOwner) -> int:
        found = self.ids.get((owner.key, owner.region))
        if found is None:
            found = self.next.take()
            self.session.execute(insert(Owner).values(id=found, name=owner.name, key=owner.key, region=owner.region,
                                                      organisation=owner.organisation))
            self.ids[(owner.key, owner.region)] = found
        return found


def _history_identity(at: datetime, kind: str, by: str, period: str | None, note: str) -> tuple[Any, ...]:
    return (_as_utc(at).replace(microsecond=0), kind, by, period or None, note)


def _save_history(session: Session, action_id: int, spec: ActionSpec, *, merge: bool) -> int:
    """Add the exported history rows and ticks of one action that the database lacks."""
    if not spec.history and not spec.ticked:
        return 0
    known: dict[tuple[Any, ...], int] = {}
    if merge:
        for row in session.execute(select(Change).where(Change.action_id == action_id).order_by(Change.id)).scalars():
            assert row.id is not None
            known.setdefault(_history_identity(row.at, row.kind, row.by, row.period, row.note), row.id)
    added = 0
    ids_by_position: dict[int, int] = {}
    for position, entry in enumerate(spec.history, start=1):
        identity = _history_identity(entry.at, entry.change, entry.by, entry.period, entry.note)
        if identity in known:
            ids_by_position[position] = known[identity]  # an undo in the file may point at it
            continue
        change = _change_from_spec(action_id, entry, ids_by_position)
        change.id = _Ids.of(session, Change.__table__).take()  # the import's one allocator of change ids
        session.add(change)
        session.flush()
        assert change.id is not None
        ids_by_position[position] = change.id
        added += 1
    # The file's state wins only where it brings news: history this database lacks, or a new action.
    # A file older than the database (its history all known) changes nothing.
    if added or not merge:
        if added:
            moved: dict[str, Any] = {"version": Action.version + 1}
            if spec.status is not None:
                moved["status"] = spec.status
            session.execute(update(Action).where(Action.id == action_id).values(**moved))
        _save_ticks(session, action_id, spec.ticked)
    return added


def _save_new_histories(session: Session, items: Sequence[tuple[int, ActionSpec]]) -> int:
    """The history rows and ticks of actions this import adds, in two statements.

    What `_save_history` does for one action, for many: nothing to merge with, so every row is new
    (an undo points at an earlier row of its own action; the action's version and status were
    written with it). Ids are handed out here: the write transaction holds the lock.
    """
    ids = _Ids.of(session, Change.__table__)
    changes: list[tuple[Any, ...]] = []
    ticks: list[tuple[Any, ...]] = []
    for action_id, spec in items:
        by_position: dict[int, int] = {}
        for position, entry in enumerate(spec.history, start=1):
            change_id = ids.take()
            changes.append((change_id, action_id, _utc_text(entry.at), entry.by, entry.change, entry.from_, entry.to,
                            entry.period, entry.note, by_position.get(entry.undoes) if entry.undoes else None))
            by_position[position] = change_id
        ticks.extend((action_id, period, True) for period in dict.fromkeys(spec.ticked))
    if changes:  # kind, from and to are values pydantic checked against the same names as the enums
        _bulk_insert(session, Change.__table__, changes, ready=frozenset({"at", "kind", "from_status", "to_status"}),
                     names=("id", "action_id", "at", "by", "kind", "from_status", "to_status", "period", "note",
                            "undoes_id"))
    if ticks:
        _bulk_insert(session, Occurrence.__table__, ticks, names=("action_id", "period", "done"))
    return len(changes)


def _utc_text(moment: datetime) -> str:
    """A datetime as the database stores it (UTC, as sqlmodel's UTCDateTime and SQLite's DATETIME write it)."""
    if moment.utcoffset() == _ZERO:  # already UTC, as exported files write it: one C call
        return moment.isoformat(" ", "microseconds")[:26]
    return _as_utc(moment).replace(tzinfo=None).isoformat(" ", "microseconds")


_ZERO = timedelta(0)


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
    columns = [table.c[name] for name in names]
    for i, column in enumerate(columns):
        if column.name in ready:  # already as stored
            continue
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            values[i] = [process(v) for v in values[i]]
    quote = dialect.identifier_preparer
    sql = (f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.format_column(c) for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, list(zip(*values, strict=True)))
    finally:
        cursor.close()


def _change_from_spec(action_id: int, entry: HistorySpec, ids_by_position: dict[int, int]) -> Change:
    return Change(
        action_id=action_id, at=_as_utc(entry.at), by=entry.by, kind=entry.change,
        from_status=entry.from_, to_status=entry.to, period=entry.period, note=entry.note,
        undoes_id=ids_by_position.get(entry.undoes) if entry.undoes else None,
    )


def _save_ticks(session: Session, action_id: int, ticked: Iterable[str]) -> None:
    """Make the ticked-off occurrences exactly those the file lists (an undone tick is not listed)."""
    ticked = list(ticked)
    have = {o.period: o for o in session.execute(
        select(Occurrence).where(Occurrence.action_id == action_id)).scalars()}
    for period, row in have.items():
        if row.done and period not in ticked:
            row.done = False
    for period in ticked:
        row = have.get(period)
        if row is None:
            session.add(Occurrence(action_id=action_id, period=period, done=True))
        elif not row.done:
            row.done = True


def read_plan_files(paths: Sequence[Path | str]) -> list[PlanFile]:
    """Read and validate every file, refusing two files that hold one plan; nothing is written."""
    with _collector_paused():
        plans = [read_plan_file(path) for path in paths]
    ids = [p.plan.id for p in plans]
    twice = {i for i in ids if ids.count(i) > 1}
    if twice:
        raise PlanFileError(f"plan id {sorted(twice)[0]!r} is in more than one of the files given")
    return plans


def import_plans(db: Database, plans: Sequence[PlanFile]) -> list[ImportResult]:
    """Write validated plans in one transaction: all or nothing."""
    with db.write() as session, _collector_paused():
        results = [save_plan(session, plan) for plan in plans]
        _refresh_statistics(session, results)
        return results


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector still while plans are read or saved in bulk.

    Reading builds hundreds of thousands of long-lived objects and makes no cyclic garbage; the
    collector would rescan them all again and again (measured: 40% of a 100,000-action import).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_plan_files(db: Database, paths: Sequence[Path | str]) -> list[ImportResult]:
    """Read, validate and write the files in order, in one transaction: all or nothing.

    A file that is not valid, or a second file holding a plan already given, rolls back every plan
    written before it, so nothing is written. Plans are read one at a time (a few are in memory at
    once, not all), and with two cores or more a reading process parses ahead while this one writes.
    """
    seen: set[str] = set()
    results: list[ImportResult] = []
    with db.write() as session, _collector_paused():
        for plan in _read_in_order([Path(p) for p in paths]):
            if plan.plan.id in seen:
                raise PlanFileError(f"plan id {plan.plan.id!r} is in more than one of the files given")
            seen.add(plan.plan.id)
            results.append(save_plan(session, plan))
        _refresh_statistics(session, results)
    return results


def _refresh_statistics(session: Session, results: Sequence[ImportResult]) -> None:
    """After an import that added actions, let SQLite measure the tables again (ANALYZE, ~0.1 s at
    100,000 actions), so its query planner keeps choosing the indexes the screen's questions need."""
    if any(r.added or r.withdrawn for r in results):
        session.connection().exec_driver_sql("ANALYZE")


# A reading process pays off from about this much TOML (a plan file holds ~75 KB per 100 actions).
READ_AHEAD_BYTES = 4 * 1024 * 1024


def _read_in_order(paths: list[Path]) -> Iterator[PlanFile]:
    """Each file validated, in order; parsed by a reading process running ahead when that pays."""
    if not _worth_reading_ahead(paths):
        for path in paths:
            yield read_plan_file(path)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(target=_read_ahead, args=(paths, sender), daemon=True, name="actiontrack-reader")
    reader.start()
    sender.close()
    try:
        for path in paths:
            try:
                kind, payload = receiver.recv()
            except EOFError:  # the reader is gone: read the rest here
                kind, payload = "retry", None
            if kind == "error":
                raise payload
            raw = payload if kind == "ok" else load_plan_toml(path)
            yield validate_plan(raw, str(path))
    finally:
        receiver.close()
        if reader.is_alive():
            reader.terminate()
        reader.join()


def _worth_reading_ahead(paths: list[Path]) -> bool:
    import multiprocessing
    import os
    import threading

    # fork only from a single-threaded process (the CLI), never from inside the app's workers
    if len(paths) < 2 or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            return False  # read_plan_file says what is wrong with it
    return total >= READ_AHEAD_BYTES


def _read_ahead(paths: list[Path], sender: Any) -> None:
    """In the reading process: each file's TOML to the writer, in order, or the error that stops it."""
    gc.disable()
    try:
        for path in paths:
            try:
                message: tuple[str, Any] = ("ok", load_plan_toml(path))
            except PlanFileError as exc:
                sender.send(("error", exc))
                return
            except Exception:  # noqa: BLE001  (the writer reads this file itself and meets it there)
                message = ("retry", None)
            sender.send(message)
    except OSError:
        pass  # the writer stopped listening: it failed, or is done
    finally:
        sender.close()


def bundled_plan_files() -> list[Path]:
    """The sample plans shipped with actiontrack."""
    folder = resources.files("sample_plans")
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


def open_or_create(path: Path | str, *, read_only: bool = False, check: bool = True) -> Database:
    """Open the database; one that holds no plan yet (new, or a first run cut short) gets the sample plans.

    `check` is open_database's: False skips the whole-file quick_check (run `Database.quick_check()` later).
    """
    path = Path(path).expanduser()
    existed = path.exists()
    db = open_database(path, read_only=read_only, check=check)
    if db.read_only:
        return db
    try:
        with db.read() as session:
            empty = session.execute(select(func.count()).select_from(Plan)).scalar_one() == 0
        if empty:
            if existed and not check:
                db.quick_check()  # about to write: a file that existed is checked first (it holds no plan: cheap)
            import_plan_files(db, bundled_plan_files())
    except BaseException:
        db.dispose()
        if not existed:  # leave no half-made file behind: the next run tries again
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise
    return db
