"""Saving a validated plan file into the database: new plans, revised plans, exported state.

A revised plan updates texts, owners and targets, and keeps each surviving action's status and
history; what the revision drops is marked withdrawn, never deleted. Importing the same file
twice writes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

from store.db import Database, open_database
from store.models import Action, ActionOwner, Addressee, Change, Occurrence, Owner, Plan, Recommendation
from store.owners import OwnerResolver, pdus_addressed
from store.planfile import ActionSpec, HistorySpec, PlanFile, PlanFileError, read_plan_file
from store.targets import Status, month_index, read_target


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
    _save_header(session, plan_file)
    resolver = OwnerResolver(
        aliases=plan_file.aliases, region=header.region, national_owners=header.national_owners
    )
    plan_date: date | None = header.plan_submitted or header.report_published
    owners = _OwnerTable(session)

    addressee_ids = _save_addressees(session, plan_file)
    rec_ids, rec_numbers_kept = _save_recommendations(session, plan_file, addressee_ids)

    existing = {
        (row.recommendation_id, row.ref): row
        for row in session.execute(
            select(
                Action.id, Action.recommendation_id, Action.ref, Action.position, Action.text,
                Action.owners_written, Action.target, Action.note, Action.withdrawn,
            ).where(Action.plan_id == header.id)
        )
    }
    has_history = set(
        session.execute(
            select(Change.action_id).join(Action, Action.id == Change.action_id)
            .where(Action.plan_id == header.id).distinct()
        ).scalars()
    )
    action_ids = _Ids(session, Action.__table__)
    new_rows: list[dict[str, Any]] = []
    new_links: list[dict[str, Any]] = []
    seen: set[int] = set()
    histories: list[tuple[int, ActionSpec, bool]] = []

    for addressee in plan_file.addressees:
        for rec in addressee.recommendations:
            rec_id = rec_ids[rec.number]
            pdus = pdus_addressed(addressee.name, addressee.kind, rec.text)
            for position, spec in enumerate(rec.actions, start=1):
                ref = spec.ref or str(position)
                target = read_target(spec.target, plan_date=plan_date)
                if target.flagged:
                    result.flagged_targets.append(f"{header.id}/{rec.number}/{ref}: {spec.target!r}")
                resolved = [r for o in spec.owners for r in resolver.resolve(o, pdus=pdus)]
                owner_ids = list(dict.fromkeys(owners.id_for(r.name, r.key, r.region) for r in resolved))
                values: dict[str, Any] = {
                    "position": position,
                    "text": spec.text,
                    "owners_written": list(spec.owners),
                    "owners_display": "; ".join(dict.fromkeys(r.name for r in resolved)),
                    "target": spec.target,
                    "target_kind": target.kind,
                    "deadline": target.deadline,
                    "start": target.start,
                    "start_month": month_index(target.start) if target.start and target.every_months else None,
                    "every_months": target.every_months,
                    "recurrence": target.recurrence,
                    "caveat": target.caveat,
                    "target_reading": target.describe(),
                    "note": spec.note,
                    "withdrawn": False,
                }
                old = existing.get((rec_id, ref))
                if old is None:
                    action_id = action_ids.take()
                    status = spec.status or target.first_status
                    new_rows.append({
                        "id": action_id, "plan_id": header.id, "recommendation_id": rec_id, "ref": ref,
                        "reference": f"{header.id}/{rec.number}/{ref}", "status": Status(status),
                        "version": 0, **values,
                    })
                    new_links.extend(
                        {"action_id": action_id, "owner_id": oid, "position": i} for i, oid in enumerate(owner_ids)
                    )
                    result.added += 1
                    histories.append((action_id, spec, False))
                else:
                    action_id = old.id
                    seen.add(action_id)
                    if _differs(old, values):
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
                        result.updated += bool(changed) and not _differs(old, values)
                    histories.append((action_id, spec, True))

    if new_rows:
        session.execute(insert(Action), new_rows)
    if new_links:
        session.execute(insert(ActionOwner), new_links)
    gone = [row.id for row in existing.values() if row.id not in seen and not row.withdrawn]
    if gone:
        session.execute(update(Action).where(Action.id.in_(gone)).values(withdrawn=True))
        result.withdrawn += len(gone)
    session.execute(
        update(Recommendation)
        .where(Recommendation.plan_id == header.id, Recommendation.number.not_in(rec_numbers_kept))
        .values(withdrawn=True)
    )
    for action_id, spec, existed in histories:
        result.history_added += _save_history(session, action_id, spec, merge=existed)
    return result


def _differs(old: Any, values: dict[str, Any]) -> bool:
    return bool(
        old.position != values["position"] or old.text != values["text"]
        or list(old.owners_written) != values["owners_written"] or old.target != values["target"]
        or old.note != values["note"] or old.withdrawn
    )


def _save_header(session: Session, plan_file: PlanFile) -> None:
    header = plan_file.plan
    fields = header.model_dump()
    fields["aliases"] = dict(plan_file.aliases)
    plan = session.get(Plan, header.id)
    if plan is None:
        session.add(Plan(**fields))
    else:
        for name, value in fields.items():
            if getattr(plan, name) != value:
                setattr(plan, name, value)
    session.flush()


def _save_addressees(session: Session, plan_file: PlanFile) -> dict[str, int]:
    plan_id = plan_file.plan.id
    existing = {a.name.casefold(): a for a in session.execute(
        select(Addressee).where(Addressee.plan_id == plan_id)).scalars()}
    ids: dict[str, int] = {}
    for position, spec in enumerate(plan_file.addressees, start=1):
        row = existing.get(spec.name.casefold())
        if row is None:
            row = Addressee(plan_id=plan_id, position=position, name=spec.name, kind=spec.kind, rating=spec.rating)
            session.add(row)
        else:
            for name, value in (("position", position), ("name", spec.name), ("kind", spec.kind),
                                ("rating", spec.rating)):
                if getattr(row, name) != value:
                    setattr(row, name, value)
        session.flush()
        assert row.id is not None
        ids[spec.name] = row.id
    return ids


def _save_recommendations(
    session: Session, plan_file: PlanFile, addressee_ids: dict[str, int]
) -> tuple[dict[str, int], list[str]]:
    plan_id = plan_file.plan.id
    existing = {r.number: r for r in session.execute(
        select(Recommendation).where(Recommendation.plan_id == plan_id)).scalars()}
    ids: dict[str, int] = {}
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
                row = Recommendation(plan_id=plan_id, number=spec.number, **values)
                session.add(row)
            else:
                for name, value in values.items():
                    if getattr(row, name) != value:
                        setattr(row, name, value)
            session.flush()
            assert row.id is not None
            ids[spec.number] = row.id
    return ids, list(ids)


class _OwnerTable:
    """Finds or creates owner rows by (key, region), caching ids for one import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[tuple[str, str], int] = {
            (row.key, row.region): row.id for row in session.execute(select(Owner.id, Owner.key, Owner.region))
        }
        self.next = _Ids(session, Owner.__table__)

    def id_for(self, name: str, key: str, region: str) -> int:
        found = self.ids.get((key, region))
        if found is None:
            found = self.next.take()
            self.session.execute(insert(Owner).values(id=found, name=name, key=key, region=region))
            self.ids[(key, region)] = found
        return found


def _history_identity(at: datetime, kind: str, by: str, period: str | None, note: str) -> tuple[Any, ...]:
    return (_as_utc(at).replace(microsecond=0), kind, by, period or None, note)


def _save_history(session: Session, action_id: int, spec: ActionSpec, *, merge: bool) -> int:
    """Add the exported history rows and ticks of one action that the database lacks."""
    if not spec.history and not spec.ticked:
        return 0
    known: set[tuple[Any, ...]] = set()
    if merge:
        for row in session.execute(select(Change).where(Change.action_id == action_id)).scalars():
            known.add(_history_identity(row.at, row.kind, row.by, row.period, row.note))
    added = 0
    ids_by_position: dict[int, int] = {}
    for position, entry in enumerate(spec.history, start=1):
        identity = _history_identity(entry.at, entry.change, entry.by, entry.period, entry.note)
        if identity in known:
            continue
        change = _change_from_spec(action_id, entry, ids_by_position)
        session.add(change)
        session.flush()
        assert change.id is not None
        ids_by_position[position] = change.id
        added += 1
    if added and spec.status is not None:
        session.execute(update(Action).where(Action.id == action_id).values(status=spec.status))
    _save_ticks(session, action_id, spec.ticked)
    return added


def _change_from_spec(action_id: int, entry: HistorySpec, ids_by_position: dict[int, int]) -> Change:
    return Change(
        action_id=action_id, at=_as_utc(entry.at), by=entry.by, kind=entry.change,
        from_status=entry.from_, to_status=entry.to, period=entry.period, note=entry.note,
        undoes_id=ids_by_position.get(entry.undoes) if entry.undoes else None,
    )


def _save_ticks(session: Session, action_id: int, ticked: Iterable[str]) -> None:
    have = {o.period: o for o in session.execute(
        select(Occurrence).where(Occurrence.action_id == action_id)).scalars()}
    for period in ticked:
        row = have.get(period)
        if row is None:
            session.add(Occurrence(action_id=action_id, period=period, done=True))
        elif not row.done:
            row.done = True


def import_plan_files(db: Database, paths: Sequence[Path | str]) -> list[ImportResult]:
    """Validate every file first, then write them all in one transaction: all or nothing."""
    plans = [read_plan_file(path) for path in paths]
    ids = [p.plan.id for p in plans]
    twice = {i for i in ids if ids.count(i) > 1}
    if twice:
        raise PlanFileError(f"plan id {sorted(twice)[0]!r} is in more than one of the files given")
    with db.write() as session:
        return [save_plan(session, plan) for plan in plans]


def bundled_plan_files() -> list[Path]:
    """The sample plans shipped with actiontrack."""
    folder = resources.files("sample_plans")
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


def open_or_create(path: Path | str, *, read_only: bool = False) -> Database:
    """Open the database; a new one is filled from the bundled sample plans."""
    path = Path(path).expanduser()
    is_new = not path.exists() or path.stat().st_size == 0
    db = open_database(path, read_only=read_only)
    if is_new and not db.read_only:
        try:
            import_plan_files(db, bundled_plan_files())
        except BaseException:
            db.dispose()
            raise
    return db
