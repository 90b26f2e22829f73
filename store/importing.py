"""Importing plan files: a pipeline of plain stages, each its own function.

1. read and validate each file (store.planfile; a reading process parses ahead in a large import);
2. interpret it: owners resolved, targets read (store.interpreting);
3. match it to the stored plan: by uid, explicit ref or same words only (store.matching);
4. build the change set: what would be added, changed, withdrawn, which history events the database
   lacks and the state the merged history leads to (store.changeset) -- what `--dry-run` prints;
5. apply the change set in one transaction (store.applying).

A revised plan keeps each surviving action's status and history; what it drops is withdrawn, never
deleted. A match that is not certain stops the import before anything is written. History merges
as a set of events keyed by uid: the same file twice changes nothing, and an action's status and
ticks follow from its whole history, the newest event winning.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from store import readahead
from store.applying import ImportResult, OwnerTable, apply_changes
from store.changeset import (
    ActionWrite,
    ChangeSet,
    EventWrite,
    FieldChange,
    RowWrite,
    StateWrite,
    Withdrawal,
    event_write,
)
from store.collector import CollectorPaused
from store.db import Database, DatabaseOpenError, create_atomically, open_database
from store.errors import StoreError
from store.events import Event, derive_state
from store.identity import (
    action_uid,
    addressee_uid,
    event_content,
    event_uids,
    is_unnumbered,
    new_uid,
    plan_uid,
    recommendation_uid,
    utc_text,
)
from store.interpreting import Interpretation, Owners, Reading, interpret
from store.kinds import ChangeKind
from store.matching import Mapping, RecMatch, header_doubt, mapping_text, match_recommendation
from store.models import Action, Change, Plan
from store.planfile import (
    HISTORY_FIELDS,
    ActionSpec,
    HistoryEntry,
    PlanFile,
    PlanFileError,
    PlanHeader,
    actions_of,
    history_entries,
    load_plan_toml,
    read_plan_file,
    validate_plan,
    validate_plan_apart,
)
from store.planrows import PlanRows, write_plan_rows
from store.targets import Status
from store.text import counted, one_line

__all__ = ["ImportResult", "UncertainImport", "import_plan_files", "plan_changes", "save_plan"]

_utc_text = utc_text  # the one home of the stored time format is store.identity


class UncertainImport(StoreError):
    """An import that would have to guess which stored records the file's are; nothing was written.
    `changes` holds the proposals, `mapping` the proposal as a mapping file's text."""

    def __init__(self, message: str, changes: list[ChangeSet]) -> None:
        super().__init__(message)
        self.changes = changes

    def mapping(self, changes: ChangeSet) -> str:
        return mapping_text(changes.plan_id, changes.source, changes.doubt, changes.proposals)


# What an import writes on an action beside its status and history: all of it is compared, so that a
# revised alias table, region or target reading reaches actions whose words did not change.
_SAVED = (
    "position", "text", "owners_written", "owners_display", "target", "target_kind", "deadline", "start",
    "start_month", "every_months", "recurrence", "caveat", "target_reading", "note", "progress", "completed", "review",
    "withdrawn",
)
_FIRST_SAVED = 5  # where _SAVED starts in a stored action's row (after id, uid, recommendation_id, ref, status)
_OWNERS, _DEADLINE, _START = (_SAVED.index(name) for name in ("owners_written", "deadline", "start"))
_REC_SAVED = ("number", "position", "text", "agreement", "reason", "inferred", "note", "withdrawn")
_STORED_EVENTS = ("SELECT c.uid, c.action_id, c.at, c.kind, c.to_status, c.period, u.uid FROM change c "
                  "JOIN action a ON a.id = c.action_id LEFT JOIN change u ON u.id = c.undoes_id "
                  "WHERE a.plan_id = :plan")
_STORED_ACTIONS = (f"SELECT id, uid, recommendation_id, ref, status, {', '.join(_SAVED)} FROM action "
                   "WHERE plan_id = :plan ORDER BY recommendation_id, position, id")


def save_plan(session: Session, plan_file: PlanFile, *, source: str = "", mapping: Mapping | None = None,
              by: str = "actiontrack") -> ImportResult:
    """Build the plan's change set and write it into the open write session (the caller commits);
    an uncertain match raises UncertainImport before anything is written."""
    changes = plan_changes(session, plan_file, source=source or plan_file.plan.id, mapping=mapping, by=by)
    if not changes.certain:
        raise UncertainImport(_uncertain_message([changes]), [changes])
    return apply_changes(session, changes)


def _uncertain_message(changes: Sequence[ChangeSet]) -> str:
    first = changes[0]
    what = []
    if first.doubt:
        what.append(f"the stored plan {first.plan_id} has another {first.doubt}")
    reworded = sum(1 for p in first.proposals if p.stored_ref is not None)
    if reworded:
        what.append(f"{counted(reworded, 'stored action')} cannot be matched with certainty "
                    "(reworded, or a neighbour dropped)")
    return f"{first.source}: {'; '.join(what)}; nothing was written"


def plan_changes(session: Session, plan_file: PlanFile, *, source: str, mapping: Mapping | None = None,
                 by: str = "actiontrack", now: datetime | None = None,
                 meaning: Interpretation | None = None) -> ChangeSet:
    """The change set importing the plan file would write (stages 2 to 4); reads, never writes.
    `meaning` is the file's interpretation where it was made already (by a reading process)."""
    header = plan_file.plan
    stored = _stored_plan(session, header, source)
    if stored is None:
        return new_plan_changes(plan_file, source=source, meaning=meaning)
    meaning = meaning or interpret(plan_file)
    fields = _header_fields(plan_file, header.uid or stored.uid)
    changes = ChangeSet(plan_id=header.id, plan_uid=fields["uid"], source=source, new_plan=False, header=fields)
    if mapping is not None and mapping.plan_id != header.id:
        mapping = None  # another plan's answer
    changes.header_changes = [FieldChange(name, getattr(stored, name), value) for name, value in fields.items()
                              if getattr(stored, name) != value]
    if header.uid is None and not (mapping and mapping.same_plan):
        changes.doubt = header_doubt(stored, plan_file)
    _revised_plan(session, changes, plan_file, meaning, mapping, by, now or datetime.now(UTC))
    return changes


def new_plan_changes(plan_file: PlanFile, *, source: str, meaning: Interpretation | None = None,
                     histories: list[list[HistoryEntry]] | None = None) -> ChangeSet:
    """The change set of a plan the database does not hold: everything in the file is added. It needs no
    database, so a reading process builds it while the writer writes the plans before it. `histories`: each
    action's history entries where the file was read with them apart (planfile.validate_plan_apart)."""
    header = plan_file.plan
    fields = _header_fields(plan_file, header.uid or plan_uid(header.id))
    changes = ChangeSet(plan_id=header.id, plan_uid=fields["uid"], source=source, new_plan=True, header=fields)
    _new_plan(changes, plan_file, meaning or interpret(plan_file),
              map(history_entries, actions_of(plan_file)) if histories is None else iter(histories))
    return changes


def _stored_plan(session: Session, header: PlanHeader, source: str) -> Plan | None:
    """The stored plan of the file's id, if any; a uid that names another stored plan is an error."""
    if not _holds(session, header, source):
        return None  # a new plan (most plans of a large import): no ORM object read
    return session.execute(select(Plan).where(Plan.id == header.id)).scalar_one()


def _holds(session: Session, header: PlanHeader, source: str) -> bool:
    """Whether the database holds a plan of the file's id; a uid that names another stored plan is an error."""
    found = session.connection().execute(_PLANS_BY_ID_OR_UID, {"id": header.id, "uid": header.uid}).all()
    if header.uid is not None:
        other = next((plan_id for plan_id, uid in found if uid == header.uid and plan_id != header.id), None)
        if other is not None:
            raise PlanFileError(f"{source}: this plan is stored here under the id {other!r}, not {header.id!r}")
        if any(plan_id == header.id and uid != header.uid for plan_id, uid in found):
            raise PlanFileError(f"{source}: the plan id {header.id!r} is already used here by another plan "
                                "(its uid differs); give one of them another id")
    return any(plan_id == header.id for plan_id, _ in found)


_PLANS_BY_ID_OR_UID = text("SELECT id, uid FROM plan WHERE id = :id OR uid = :uid")


def _header_fields(plan_file: PlanFile, puid: str) -> dict[str, Any]:
    """The plan row's columns as the file gives them."""
    fields = plan_file.plan.model_dump(exclude={"uid"})
    fields["aliases"] = dict(plan_file.aliases)
    fields["uid"] = puid
    return fields


def _action_values(spec: ActionSpec, position: int, reading: Reading, owners: Owners, *, new: bool) -> dict[str, Any]:
    """The action's stored columns as the file gives them (in the order of _SAVED)."""
    return {
        "position": position, "text": spec.text,
        "owners_written": owners.written_json if new else list(owners.written),
        "owners_display": owners.display, **reading.columns(spec.target), "note": spec.note, "progress": spec.progress,
        "completed": spec.completed, "review": spec.review, "withdrawn": spec.withdrawn,
    }


def _file_events(entries: list[HistoryEntry], auid: str, known: set[str] | frozenset[str] = frozenset()
                 ) -> tuple[list[EventWrite], int]:
    """The action's history in the file (its entries, store.planfile.history_entries) as events with uids
    (derived from content where the file has none), leaving out those already `known`; and how many were left out."""
    events: list[EventWrite] = []
    uids: list[str] = []
    seen: dict[str, int] = {}
    kept = 0
    # event_uid of this action, its part of the hash taken once; made only where an event has no uid (not an export's)
    derive: Callable[[str, int], str] | None = None
    for uid, moment, by, change, old, new, period, note, undoes, from_target, to_target, origin in entries:
        at = None
        if uid is None:
            at = utc_text(moment)
            content = event_content(at, by, change, old, new, period, note, from_target, to_target)
            nth = seen[content] = seen.get(content, 0) + 1
            if derive is None:
                derive = event_uids(auid)
            uid = derive(content, nth)
        uids.append(uid)
        if uid in known:  # a merge's stored events: nothing more to make of them
            kept += 1
            continue
        if type(undoes) is int:
            undoes = uids[undoes - 1] if 0 < undoes < len(uids) else None
        events.append(event_write((uid, auid, at or utc_text(moment), by, change, old, new, period, note, undoes,
                                   from_target, to_target, origin or "")))
    return events, kept


# _file_events unpacks an entry in this order
assert HISTORY_FIELDS == ("uid", "at", "by", "change", "from_", "to", "period", "note", "undoes", "from_target",
                          "to_target", "origin")


def _new_plan(changes: ChangeSet, plan_file: PlanFile, meaning: Interpretation,
              histories: Iterator[list[HistoryEntry]]) -> None:
    """Everything of a plan new to the database is added (no stored records to match); `histories`: each
    action's history entries, in file order."""
    puid = changes.plan_uid
    recs = changes.recommendations
    for position, addressee in enumerate(plan_file.addressees, start=1):
        auid = addressee.uid or addressee_uid(puid, addressee.name)
        changes.addressees.append(RowWrite(auid, addressee.name, {
            "position": position, "name": addressee.name, "kind": addressee.kind, "rating": addressee.rating}))
        for rec in addressee.recommendations:
            recs.append(RowWrite(rec.uid or recommendation_uid(puid, rec.number), rec.number,
                                 _rec_values(rec, auid, len(recs) + 1)))
    ruids = iter([row.uid for row in recs])  # in the order of the loop below
    for addressee in plan_file.addressees:
        for rec in addressee.recommendations:
            ruid = next(ruids)
            for index, spec in enumerate(rec.actions):
                _add_action(changes, spec, rec.number, index, spec.ref or str(index + 1), ruid, meaning,
                            next(histories))
    changes.flagged_targets = _flagged(changes, meaning)


def _add_action(changes: ChangeSet, spec: ActionSpec, number: str, index: int, ref: str, ruid: str,
                meaning: Interpretation, history: list[HistoryEntry]) -> None:
    """An action new to the database, its state following from its history in the file."""
    uid = spec.uid or action_uid(changes.plan_uid, number, ref)
    reading, owners = meaning.actions[(number, index)]
    values = _action_values(spec, index + 1, reading, owners, new=True)
    target = reading.target
    status = spec.status or (Status.COMPLETE if spec.completed.strip() else target.first_status)
    ticked: set[str] | list[str] = spec.ticked
    if history:
        events, _ = _file_events(history, uid)
        changes.events.extend(events)
        status, ticked = derive_state(events, status, spec.ticked)
    reference = f"{changes.plan_id}/{number}/{ref}"
    values.update(ref=ref, reference=reference, status=_STATUSES[status], version=1 if history else 0)
    changes.actions.append(ActionWrite(uid, reference, ruid, values, owners.roles, checkpoints=target.checkpoints))
    if ticked:
        changes.new_ticks.extend((uid, period) for period in sorted(set(ticked)))


_STATUSES: dict[str, Status] = {status.value: status for status in Status}  # Status(name) without the enum's call


def _rec_values(rec: Any, addressee: str, position: int) -> dict[str, Any]:
    return {"number": rec.number, "addressee_uid": addressee, "position": position, "text": rec.text,
            "agreement": rec.agreement, "reason": rec.reason, "inferred": rec.inferred, "note": rec.note,
            "withdrawn": rec.withdrawn}


def _flagged(changes: ChangeSet, meaning: Interpretation) -> list[str]:
    refs: dict[tuple[str, int], str] = {}
    if meaning.flagged_targets:
        counters: dict[str, int] = {}
        for action in changes.actions:  # in file order
            number = action.reference.split("/")[1]
            index = counters[number] = counters.get(number, -1) + 1
            refs[(number, index)] = action.reference
    return [f"{refs.get((number, index), f'{changes.plan_id}/{number}/?')}: {target!r}"
            for number, index, target in meaning.flagged_targets]


@dataclass(slots=True)
class _StoredPlan:
    """What an import compares a plan file with: the stored plan's rows, read in a few plain queries."""

    addressees: dict[str, Any]  # by name, casefolded
    recs: dict[str, Any]  # by number
    rows_by_rec: dict[int, list[Any]]  # stored actions per recommendation id, in order
    links: dict[int, list[int]]  # owner ids per action id, in order
    event_counts: dict[int, int]  # history events per action id
    known: set[str]  # uids of the plan's stored events
    ticks: dict[int, set[str]]  # ticked-off periods per action id
    events: dict[int, list[Event]] | None = None  # read when a merge first needs them (`events_of`)

    @classmethod
    def read(cls, session: Session, plan_id: str) -> _StoredPlan:
        """The stored plan's rows: text SQL, no ORM objects (values as the driver gives them, made
        comparable by _typed where they differ from Python's)."""

        def rows(sql: str) -> Sequence[Any]:
            return session.connection().execute(text(sql), {"plan": plan_id}).all()

        addressees = {a.name.casefold(): a for a in rows(
            "SELECT id, uid, position, name, kind, rating FROM addressee WHERE plan_id = :plan")}
        recs = {r.number: r for r in rows(
            f"SELECT id, uid, addressee_id, {', '.join(_REC_SAVED)} FROM recommendation WHERE plan_id = :plan")}
        rows_by_rec: dict[int, list[Any]] = {}
        for row in rows(_STORED_ACTIONS):
            rows_by_rec.setdefault(row.recommendation_id, []).append(row)
        links: dict[int, list[int]] = {}
        for action_id, owner_id in rows(
                "SELECT o.action_id, o.owner_id FROM actionowner o JOIN action a ON a.id = o.action_id "
                "WHERE a.plan_id = :plan ORDER BY o.action_id, o.position"):
            links.setdefault(action_id, []).append(owner_id)
        events = rows("SELECT c.action_id, c.uid FROM change c JOIN action a ON a.id = c.action_id "
                      "WHERE a.plan_id = :plan")
        known = {uid for _, uid in events}
        counts = Counter(action_id for action_id, _ in events)
        ticks: dict[int, set[str]] = {}
        for action_id, period in rows(
                "SELECT o.action_id, o.period FROM occurrence o JOIN action a ON a.id = o.action_id "
                "WHERE a.plan_id = :plan AND o.done"):
            ticks.setdefault(action_id, set()).add(period)
        return cls(addressees, recs, rows_by_rec, links, counts, known, ticks)

    def events_of(self, session: Session, plan_id: str, action_id: int) -> list[Event]:
        """The action's stored history events (the plan's are read on the first call)."""
        if self.events is None:
            self.events = {}
            for event in session.connection().execute(text(_STORED_EVENTS), {"plan": plan_id}).all():
                self.events.setdefault(event[1], []).append(Event(event[0], _stored_at(event[2]), *event[3:]))
        return self.events.get(action_id, [])


def _revised_plan(session: Session, changes: ChangeSet, plan_file: PlanFile, meaning: Interpretation,
                  mapping: Mapping | None, by: str, now: datetime) -> None:
    """Match the file to the stored plan and work out what its import changes."""
    plan_id, puid = changes.plan_id, changes.plan_uid
    stored = _StoredPlan.read(session, plan_id)
    recs, rows_by_rec = stored.recs, stored.rows_by_rec
    addressee_uids = {a.id: a.uid for a in stored.addressees.values()}
    owner_ids = OwnerTable.of(session).ids
    revised = RevisedTargets.of(session, plan_id, plan_file.plan.written_on)
    added_unnumbered: dict[str, list[Any]] = {}  # by addressee uid: a dropped one may be one of these reworded

    position = 0
    for a_position, addressee in enumerate(plan_file.addressees, start=1):
        values = {"position": a_position, "name": addressee.name, "kind": addressee.kind, "rating": addressee.rating}
        row = stored.addressees.get(addressee.name.casefold())
        if row is None:
            auid = addressee.uid or addressee_uid(puid, addressee.name)
            changes.addressees.append(RowWrite(auid, addressee.name, values))
        else:
            auid = row.uid
            changes.addressees.append(RowWrite(auid, addressee.name, values, row.id, _diff(row, values, 2)))
        for spec in addressee.recommendations:
            position += 1
            rec_values = _rec_values(spec, auid, position)
            rec_row = recs.get(spec.number)
            if rec_row is None:
                ruid = spec.uid or recommendation_uid(puid, spec.number)
                changes.recommendations.append(RowWrite(ruid, spec.number, rec_values))
                rows: list[Any] = []
                if not spec.numbered:
                    added_unnumbered.setdefault(auid, []).append(spec)
            else:
                ruid = rec_row.uid
                diff = _diff(rec_row, {k: v for k, v in rec_values.items() if k != "addressee_uid"}, 3)
                if addressee_uids.get(rec_row.addressee_id) != auid:
                    diff.append(FieldChange("addressee", addressee_uids.get(rec_row.addressee_id), auid))
                changes.recommendations.append(RowWrite(ruid, spec.number, rec_values, rec_row.id, diff))
                rows = rows_by_rec.get(rec_row.id or 0, [])
            matched = match_recommendation(spec, rows, mapping)
            changes.proposals.extend(matched.proposals)
            _actions(session, changes, spec, ruid, matched, meaning, stored, owner_ids, revised, by, now)
    kept_numbers = {spec.number for a in plan_file.addressees for spec in a.recommendations}
    for number, rec_row in recs.items():
        if number in kept_numbers:
            continue
        if not rec_row.withdrawn:
            added = added_unnumbered.get(addressee_uids.get(rec_row.addressee_id, ""))
            if added and is_unnumbered(number):
                was = f"recommendation {number!r} (unnumbered: {one_line(rec_row.text, 40)!r})"
                raise PlanFileError(
                    f"{changes.source}: {was} is not in the file, which adds {added[0].label} to its addressee: "
                    f"if that is it reworded, give it ref = \"{number}\"; if it was dropped, keep it in the file "
                    "with withdrawn = true"
                )
            changes.recommendations_withdrawn.append((rec_row.id or 0, number))
        for row in rows_by_rec.get(rec_row.id or 0, []):  # a dropped recommendation's actions go with it
            if not row.withdrawn:
                changes.withdrawn.append(Withdrawal(row.id, f"{plan_id}/{number}/{row.ref}", _status(row.status),
                                                    stored.event_counts.get(row.id, 0)))
    changes.flagged_targets = _flagged(changes, meaning)


def _typed(name: str, value: Any) -> Any:
    """A stored value as the file's values are given: SQLite hands dates and JSON back as text and
    booleans as 0/1 (PostgreSQL's driver gives them typed already)."""
    if isinstance(value, str):
        if name in _DATES:
            return date.fromisoformat(value)
        if name == "owners_written":
            return json.loads(value)
    elif name in _BOOLEANS and value is not None:
        return bool(value)
    elif isinstance(value, tuple):
        return list(value)
    return value


_DATES = frozenset({"deadline", "start"})
_NONE: frozenset[str] = frozenset()
_BOOLEANS = frozenset({"withdrawn", "inferred"})


def _diff(row: Any, values: dict[str, Any], first: int | None = None) -> list[FieldChange]:
    """The fields of a stored row that differ from `values`; `first`: where the row's columns start to
    match `values` in order, for a quick look that finds most rows unchanged."""
    if first is not None and tuple(row)[first:] == tuple(values.values()):
        return []
    changes = []
    for name, value in values.items():
        old = _typed(name, getattr(row, name))
        if old != value:
            changes.append(FieldChange(name, old, value))
    return changes


def _actions(session: Session, changes: ChangeSet, rec: Any, ruid: str, matched: RecMatch, meaning: Interpretation,
             stored: _StoredPlan, owner_ids: dict[tuple[str, str], int], revised: RevisedTargets, by: str,
             now: datetime) -> None:
    plan_id = changes.plan_id
    known, ticks, links = stored.known, stored.ticks, stored.links
    linked: dict[int, list[int] | None] = {}  # owner ids per owner cell (by id); None: an owner not stored yet
    for index, (spec, (ref, row)) in enumerate(zip(rec.actions, matched.pairs, strict=True)):
        reference = f"{plan_id}/{rec.number}/{ref}"
        if row is None:
            _add_action(changes, spec, rec.number, index, ref, ruid, meaning, history_entries(spec))
            continue
        reading, owners = meaning.actions[(rec.number, index)]
        values = _action_values(spec, index + 1, reading, owners, new=False)
        checkpoints = reading.target.checkpoints
        kept_target = revised.kept(row, spec.target)
        if kept_target is not None:  # an older file: its target is one a stored revision replaced
            values.update(kept_target.columns(row.target))
            checkpoints = kept_target.target.checkpoints
        diff = [] if _same(row, values, owners.written_json) else [
            c for c in _diff(row, values) if c.name != "position"]
        moved = row.position != index + 1
        if id(owners) not in linked:
            ids = [owner_ids.get((role.key, role.region)) for role in owners.roles]
            linked[id(owners)] = None if None in ids else list(dict.fromkeys(ids))
        wanted = linked[id(owners)]
        relink = wanted is None or links.get(row.id, []) != wanted
        changes.actions.append(ActionWrite(row.uid, reference, ruid, values, owners.roles, row.id, diff, relink, moved,
                                           checkpoints=checkpoints))
        if known and all(entry.uid in known for entry in spec.history):  # nothing new (a merge of what is here)
            fresh, kept = [], len(spec.history)
        else:
            fresh, kept = _file_events(history_entries(spec), row.uid, known)
        changes.kept_events += kept
        if row.target != values["target"] and not row.withdrawn and not any(
                h.change == "target" and h.to_target == spec.target for h in spec.history):
            fresh.append(EventWrite(new_uid(), row.uid, utc_text(now), by, "target", None, None, None,
                                    spec.target_reason, None, row.target, spec.target))
        changes.events.extend(fresh)
        stored_ticks = ticks.get(row.id, _NONE)
        status = _status(row.status)
        base = status
        if spec.status is not None and not spec.history and row.id not in stored.event_counts:
            base = spec.status
        if not fresh and base == status and stored_ticks.issuperset(spec.ticked):
            continue
        base_ticks = stored_ticks | set(spec.ticked)
        had = stored.events_of(session, plan_id, row.id)
        new_status, new_ticks = derive_state([*had, *fresh], base, base_ticks)
        if new_status != status or new_ticks != stored_ticks:
            changes.states.append(StateWrite(row.uid, reference, status, new_status,
                                             tuple(sorted(new_ticks - stored_ticks)),
                                             tuple(sorted(stored_ticks - new_ticks))))
    for row in matched.dropped:
        changes.withdrawn.append(Withdrawal(row.id, f"{plan_id}/{rec.number}/{row.ref}", _status(row.status),
                                            stored.event_counts.get(row.id, 0)))


def _same(row: Any, values: dict[str, Any], written_json: str) -> bool:
    """Whether the stored action row holds `values` already (the common case of a merge), compared
    without decoding what need not be: owners as their JSON text, dates as their ISO text."""
    stored = tuple(row)[_FIRST_SAVED:]
    new = tuple(values.values())
    if stored[:_OWNERS] != new[:_OWNERS] or stored[_OWNERS + 1:_DEADLINE] != new[_OWNERS + 1:_DEADLINE] \
            or stored[_START + 1:] != new[_START + 1:]:
        return False
    for i in (_DEADLINE, _START):
        old, value = stored[i], new[i]
        if old != value and not (type(old) is str and value is not None and old == value.isoformat()):
            return False
    owners = stored[_OWNERS]
    return owners == written_json or _typed("owners_written", owners) == new[_OWNERS]


@dataclass(frozen=True, slots=True)
class RevisedTargets:
    """The targets a plan's stored revisions replaced, by action id: a file still giving one of them was
    written before the revision, which stands."""

    replaced: dict[int, set[str]]
    written_on: date | None

    @classmethod
    def of(cls, session: Session, plan_id: str, written_on: date | None) -> RevisedTargets:
        """The replaced targets of the plan's actions, read in one query."""
        replaced: dict[int, set[str]] = {}
        for action_id, before in session.execute(
                select(Change.action_id, Change.from_target).join(Action, Action.id == Change.action_id)
                .where(Action.plan_id == plan_id, Change.kind == ChangeKind.TARGET, Change.from_target.is_not(None))):
            replaced.setdefault(action_id, set()).add(before)
        return cls(replaced, written_on)

    def kept(self, row: Any, file_target: str) -> Reading | None:
        """The stored target's reading where the file gives a target a stored revision replaced, else None."""
        if row.target == file_target or file_target not in self.replaced.get(row.id, ()):
            return None
        return Reading.of(row.target, self.written_on)


def _stored_at(at: Any) -> str:
    """A stored event's time as events compare it: SQLite gives the stored text, PostgreSQL a datetime."""
    return at if isinstance(at, str) else utc_text(at)


def _status(status: Any) -> str:
    return str(getattr(status, "value", status))


# Page cache for an import (KiB): the uid indexes take inserts all over (uids are not in insertion order),
# so a national import thrashes SQLite's default 2 MB cache.
IMPORT_CACHE_KIB = 32 * 1024


@contextmanager
def _large_cache(session: Session) -> Iterator[None]:
    """A larger SQLite page cache on the import's connection, for the length of the import."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":  # a server sizes its own cache
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


# The tables whose indexes an import into an empty database builds at the end, each in one sorted pass,
# rather than by hundreds of thousands of inserts at random places (uids are not in insertion order).
_BUILT_AFTER = ("action", "change", "actionowner")


@contextmanager
def _indexes_built_after(session: Session) -> Iterator[None]:
    """Into a database holding no action yet, insert without the large tables' indexes and build them at
    the end of the transaction; a uid given twice then fails the import there, as it would have on insert."""
    conn = session.connection()
    if conn.dialect.name != "sqlite" or conn.exec_driver_sql("SELECT 1 FROM action LIMIT 1").first() is not None:
        yield
        return
    found = {name: sql for name, sql in conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({})".format(
            ", ".join(f"'{table}'" for table in _BUILT_AFTER)))}
    for name in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    # the reading processes have ended by now: SQLite's sorter may use the other cores for the indexes
    conn.exec_driver_sql(f"PRAGMA threads={_cores()}")
    try:
        for sql in found.values():
            try:
                conn.exec_driver_sql(sql)
            except IntegrityError:
                raise StoreError("the files given hold one uid twice (two records claim one identity); "
                                 "nothing was written") from None
    finally:
        conn.exec_driver_sql("PRAGMA threads=0")


def import_plan_files(db: Database, paths: Sequence[Path | str], *, mappings: Sequence[Mapping] = (),
                      by: str = "actiontrack") -> list[ImportResult]:
    """Read, validate, match and write the files in order, in one transaction: all or nothing.

    A file that is not valid, a second file holding a plan already given, or a match that is not
    certain (UncertainImport, raised once every file has been looked at) rolls back every plan
    written before it, so nothing is written. Plans are read one at a time (a few are in memory at
    once, not all), and with two cores or more reading processes prepare the next files (parsed,
    validated, interpreted, and a new plan's change set built) while this one writes.
    """
    results: list[ImportResult] = []
    uncertain: list[ChangeSet] = []
    with db.write(exclusive=True) as session, CollectorPaused(), _large_cache(session):
        with _indexes_built_after(session):
            for ready in _plans_in_order(paths, _Import.of(db, session, mappings, by, rows=True)):
                rows = ready.rows
                if rows is not None and not _may_hold(session, ready):
                    if not uncertain:
                        results.append(_written(ready.path, partial(write_plan_rows, session, rows)))
                    continue
                changes = ready.changes_in(session, mapping=_for(ready.header.id, mappings), by=by)
                if not changes.certain:
                    uncertain.append(changes)
                elif not uncertain:  # once one is uncertain all is rolled back: no need to write the rest
                    results.append(_written(ready.path, partial(apply_changes, session, changes)))
            if uncertain:
                raise UncertainImport(_uncertain_message(uncertain), uncertain)
        _refresh_statistics(session, results)  # once every index is built: each is measured
    return results


def _may_hold(session: Session, ready: _Prepared) -> bool:
    """Whether the database may hold the plan whose rows were built ahead (its id was not stored when the
    import began). Without a uid in the file it cannot: the import holds the write lock and refuses an
    id given twice, so the query (about 1 ms a plan) is left out; a uid may still name a stored plan."""
    return ready.header.uid is not None and _holds(session, ready.header, str(ready.path))


def _written(path: Path, write: Callable[[], ImportResult]) -> ImportResult:
    """What writing one file's plan did; a uid of it that another record holds is said as such."""
    try:
        return write()
    except (IntegrityError, sqlite3.IntegrityError) as exc:
        if ".uid" not in str(exc):
            raise
        raise StoreError(f"{path}: a uid in it already belongs to another record of this "
                         "database (another plan's); nothing was written") from None


def preview_plan_files(db: Database, paths: Sequence[Path | str], *,
                       mappings: Sequence[Mapping] = ()) -> list[ChangeSet]:
    """The change set each file's import would write; nothing is written (`import --dry-run`)."""
    with db.read() as session, CollectorPaused():
        return [ready.changes_in(session, mapping=_for(ready.header.id, mappings))
                for ready in _plans_in_order(paths, _Import.of(db, session, mappings))]


def _for(plan_id: str, mappings: Sequence[Mapping]) -> Mapping | None:
    """The mapping the user gave for this plan, if any."""
    return next((m for m in mappings if m.plan_id == plan_id), None)


@dataclass(frozen=True, slots=True)
class _Import:
    """What each file of one import is prepared against: the ids of the plans the database held when it
    began, the SQLite file a reading process may read those plans from (None: only the writer reads the
    database, as for a server), the import's mappings, author and time, and whether a new plan is
    prepared as the rows SQLite stores (store.planrows: an import into SQLite, not a preview)."""

    stored: frozenset[str]
    database: Path | None
    mappings: tuple[Mapping, ...]
    by: str
    now: datetime
    rows: bool = False

    @classmethod
    def of(cls, db: Database, session: Session, mappings: Sequence[Mapping], by: str = "actiontrack", *,
           rows: bool = False) -> _Import:
        """The import about to run in `session` (which holds the database as it stands before it); `rows`:
        a new plan is to be written, as rows where the database is SQLite."""
        stored = frozenset(session.execute(select(Plan.id)).scalars())
        sqlite = session.connection().dialect.name == "sqlite"
        readable = db.path if stored and sqlite else None
        return cls(stored, readable, tuple(mappings), by, datetime.now(UTC), rows and sqlite)


# The session each reading process reads stored plans in, opened on its first stored plan.
_READERS: dict[Path, Session] = {}


def _reader(path: Path) -> Session:
    """This reading process's own read-only session on the database being imported into: one read
    transaction for all the plans it prepares (the owners, say, are read once). While the import runs,
    its writer holds the write lock: what is read here is the database as it was when the import began,
    which is what the writer compares each plan with (no plan is written by two files). The process
    ends, and its transaction with it, before the writer commits."""
    found = _READERS.get(path)
    if found is None:
        found = _READERS[path] = Session(open_database(path, read_only=True, check=False, init=False).engine)
    return found


@dataclass(slots=True)
class _Prepared:
    """A plan file read, validated and interpreted, ready for the writer (a reading process may have made
    it) and, where it could be built ahead, its change set, or a new plan's rows."""

    path: Path
    header: PlanHeader
    plan: PlanFile | None = None  # None where `changes` or `rows` are all the writer needs
    meaning: Interpretation | None = None
    changes: ChangeSet | None = None
    rows: PlanRows | None = None  # a new plan's rows, for a SQLite database that still lacks the plan

    @classmethod
    def of(cls, run: _Import, path: Path) -> _Prepared:
        """The file prepared. A plan the database did not hold comes with its change set, which needs no
        database; a stored plan, in a reading process that may read the database, with its change set
        built against the stored plan as it was when the import began."""
        raw = load_plan_toml(path)
        histories = None
        if run.rows and HISTORY_APART and _given_id(raw) not in run.stored:  # a new plan: no model per event
            plan, histories = validate_plan_apart(raw, str(path))
        else:
            plan = validate_plan(raw, str(path))
        meaning = interpret(plan)
        header = plan.plan
        if header.id not in run.stored:
            changes = new_plan_changes(plan, source=str(path), meaning=meaning, histories=histories)
            rows = PlanRows.of(changes) if run.rows else None
            return cls(path, header, changes=changes) if rows is None else cls(path, header, rows=rows)
        if run.database is not None and readahead.in_worker():
            return cls(path, header, changes=plan_changes(
                _reader(run.database), plan, source=str(path), mapping=_for(header.id, run.mappings), by=run.by,
                now=run.now, meaning=meaning))
        return cls(path, header, plan, meaning)

    def changes_in(self, session: Session, *, mapping: Mapping | None = None, by: str = "actiontrack") -> ChangeSet:
        """The change set of this file's import into the database of `session`: the one built ahead where it
        was built against what `session` holds (the stored plan, or none), else built here."""
        if self.changes is not None and _holds(session, self.header, str(self.path)) != self.changes.new_plan:
            return self.changes
        plan = self.plan or read_plan_file(self.path)
        return plan_changes(session, plan, source=str(self.path), mapping=mapping, by=by, meaning=self.meaning)


# Whether a new plan's history events are validated apart, in bulk, as plain tables (planfile.validate_plan_apart)
# rather than as a model each; False only to compare the two ways (they write the same rows).
HISTORY_APART = True


def _given_id(raw: dict[str, Any]) -> Any:
    """The plan id a parsed file gives, before it is validated (None where it gives none)."""
    header = raw.get("plan")
    return header.get("id") if isinstance(header, dict) else None


def _plans_in_order(paths: Sequence[Path | str], run: _Import) -> Iterator[_Prepared]:
    """Each file prepared, in order, refusing a plan given twice."""
    seen: set[str] = set()
    for ready in _prepare_in_order([Path(p) for p in paths], run):
        if ready.header.id in seen:
            raise PlanFileError(f"plan id {ready.header.id!r} is in more than one of the files given")
        seen.add(ready.header.id)
        yield ready


def _refresh_statistics(session: Session, results: Sequence[ImportResult]) -> None:
    """After an import that added actions, let SQLite measure the tables again (ANALYZE, ~0.1 s at
    100,000 actions), so its query planner keeps choosing the indexes the screen's questions need."""
    if any(r.added or r.withdrawn for r in results):
        session.connection().exec_driver_sql("ANALYZE")


# Reading processes pay off from about this much TOML (a plan file holds ~75 KB per 100 actions).
READ_AHEAD_BYTES = 4 * 1024 * 1024
# At most this many reading processes: beyond it the writer is the bottleneck.
MAX_READERS = 4


def _prepare_in_order(paths: list[Path], run: _Import) -> Iterator[_Prepared]:
    """Each file prepared, in order; by reading processes running ahead when that pays."""
    prepare = partial(_Prepared.of, run)
    if not _worth_reading_ahead(paths):
        yield from map(prepare, paths)
        return
    yield from readahead.in_order(prepare, paths, workers=_cores(), expected=(PlanFileError,))


def _cores() -> int:
    """The cores an import uses at once: its reading processes while it writes, SQLite's sorter threads after."""
    return min(os.cpu_count() or 1, MAX_READERS)


def _worth_reading_ahead(paths: list[Path]) -> bool:
    import multiprocessing
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


def bundled_plan_files() -> list[Path]:
    """The sample plans shipped with actiontrack."""
    folder = resources.files("sample_plans")
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


def open_or_create(path: Path | str, *, read_only: bool = False, check: bool = True) -> Database:
    """Open the database; a new one is made from the sample plans, built beside its path and put in
    place whole (an interrupted first run leaves no half-made database).

    An existing file is never filled: one holding no plans is opened as it is. `check` is
    open_database's: False skips the whole-file quick_check (run `Database.quick_check()` later).
    """
    path = Path(path).expanduser()
    if not path.exists() and not read_only:
        try:
            with create_atomically(path) as db:
                import_plan_files(db, bundled_plan_files())
        except DatabaseOpenError:
            if not path.exists():  # not a race lost to another first run: a real failure
                raise
    return open_database(path, read_only=read_only, check=check, init=False)
