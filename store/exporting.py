"""Writing plans back out as TOML (tomli-w), with statuses, ticks and history, ready to import again."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import tomli_w
from sqlalchemy import select
from sqlmodel import Session

from store.errors import NotFoundError
from store.models import Action, Addressee, Change, Occurrence, Plan, Recommendation
from store.text import escape_raw_controls


def plan_document(session: Session, plan_id: str) -> dict[str, Any]:
    """The plan as the dictionary a plan file holds (withdrawn actions left out)."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"no plan has the id {plan_id!r}")
    header: dict[str, Any] = {"id": plan.id, "title": plan.title, "region": plan.region}
    for name in ("inspection", "report_published", "plan_submitted", "source", "notes"):
        value = getattr(plan, name)
        if value:
            header[name] = value
    if plan.national_owners:
        header["national_owners"] = list(plan.national_owners)
    if plan.organisation:
        header["organisation"] = plan.organisation
    document: dict[str, Any] = {"plan": header}
    if plan.aliases:
        document["aliases"] = dict(plan.aliases)

    actions_by_rec: dict[int, list[Action]] = defaultdict(list)
    for action in session.execute(
        select(Action).where(Action.plan_id == plan_id, Action.withdrawn.is_(False)).order_by(Action.position)
    ).scalars():
        actions_by_rec[action.recommendation_id].append(action)
    changes: dict[int, list[Change]] = defaultdict(list)
    for change in session.execute(
        select(Change).join(Action, Action.id == Change.action_id).where(Action.plan_id == plan_id)
        .order_by(Change.id)
    ).scalars():
        changes[change.action_id].append(change)
    ticks: dict[int, list[str]] = defaultdict(list)
    for occ in session.execute(
        select(Occurrence).join(Action, Action.id == Occurrence.action_id)
        .where(Action.plan_id == plan_id, Occurrence.done.is_(True)).order_by(Occurrence.period)
    ).scalars():
        ticks[occ.action_id].append(occ.period)
    recs_by_addressee: dict[int, list[Recommendation]] = defaultdict(list)
    for rec in session.execute(
        select(Recommendation).where(Recommendation.plan_id == plan_id, Recommendation.withdrawn.is_(False))
        .order_by(Recommendation.position)
    ).scalars():
        recs_by_addressee[rec.addressee_id].append(rec)

    addressees = []
    for addressee in session.execute(
        select(Addressee).where(Addressee.plan_id == plan_id).order_by(Addressee.position)
    ).scalars():
        recs = recs_by_addressee.get(addressee.id or 0, [])
        if not recs:
            continue
        entry: dict[str, Any] = {"name": addressee.name, "kind": addressee.kind}
        if addressee.rating:
            entry["rating"] = addressee.rating
        entry["recommendations"] = [_recommendation(r, actions_by_rec, changes, ticks) for r in recs]
        addressees.append(entry)
    document["addressees"] = addressees
    return document


def _recommendation(
    rec: Recommendation, actions_by_rec: dict[int, list[Action]], changes: dict[int, list[Change]],
    ticks: dict[int, list[str]],
) -> dict[str, Any]:
    entry: dict[str, Any] = {"number": rec.number, "text": rec.text, "agreement": rec.agreement}
    if rec.reason:
        entry["reason"] = rec.reason
    if rec.inferred:
        entry["inferred"] = True
    if rec.note:
        entry["note"] = rec.note
    entry["actions"] = [_action(a, changes.get(a.id or 0, []), ticks.get(a.id or 0, []))
                        for a in actions_by_rec.get(rec.id or 0, [])]
    return entry


def _action(action: Action, history: list[Change], ticked: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": action.ref, "text": action.text, "owners": list(action.owners_written),
                             "target": action.target, "status": action.status.value}
    if action.note:
        entry["note"] = action.note
    for name in ("progress", "completed", "review"):
        if getattr(action, name):
            entry[name] = getattr(action, name)
    if ticked:
        entry["ticked"] = ticked
    if history:
        position = {change.id: i for i, change in enumerate(history, start=1)}
        rows = []
        for change in history:
            row: dict[str, Any] = {"at": _utc(change.at), "by": change.by, "change": change.kind.value}
            if change.from_status:
                row["from"] = change.from_status.value
            if change.to_status:
                row["to"] = change.to_status.value
            if change.period:
                row["period"] = change.period
            if change.note:
                row["note"] = change.note
            if change.undoes_id is not None and change.undoes_id in position:
                row["undoes"] = position[change.undoes_id]
            rows.append(row)
        entry["history"] = rows
    return entry


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def export_toml(session: Session, plan_id: str) -> str:
    """The plan as TOML text, with a header line saying where it came from."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"# Exported by actiontrack on {stamp}. Import it again with `actiontrack import`.\n\n" + escape_raw_controls(
        tomli_w.dumps(plan_document(session, plan_id), multiline_strings=True)
    )
