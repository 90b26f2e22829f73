"""Writing plans back out as TOML (tomli-w): every record with its uid, withdrawn ones and all history
included, ready to import again here or on another machine."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import tomli_w
from sqlalchemy import select
from sqlmodel import Session, col

from store.errors import NotFoundError
from store.identity import as_utc, is_unnumbered
from store.models import Action, Addressee, Change, Occurrence, Plan, Recommendation
from store.text import escape_raw_controls


def plan_document(session: Session, plan_id: str) -> dict[str, Any]:
    """The plan as the dictionary a plan file holds: everything, withdrawn records and uids included,
    so that importing it into an empty database and exporting again gives the same file."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFoundError(f"no plan has the id {plan_id!r}")
    header: dict[str, Any] = {"id": plan.id, "uid": plan.uid, "title": plan.title, "region": plan.region}
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

    # In each recommendation the actions in the plan come first, in order, then the withdrawn ones
    # (an import lays them out so again: a round trip keeps the order).
    actions_by_rec: dict[int, list[Action]] = defaultdict(list)
    for action in session.execute(
        select(Action).where(col(Action.plan_id) == plan_id)
        .order_by(col(Action.withdrawn), col(Action.position), col(Action.id))
    ).scalars():
        actions_by_rec[action.recommendation_id].append(action)
    changes: dict[int, list[Change]] = defaultdict(list)
    for change in session.execute(
        select(Change).join(Action, col(Action.id) == col(Change.action_id)).where(col(Action.plan_id) == plan_id)
        .order_by(col(Change.at), col(Change.uid))
    ).scalars():
        changes[change.action_id].append(change)
    uids = {change.id: change.uid for rows in changes.values() for change in rows}
    ticks: dict[int, list[str]] = defaultdict(list)
    for occ in session.execute(
        select(Occurrence).join(Action, col(Action.id) == col(Occurrence.action_id))
        .where(col(Action.plan_id) == plan_id, col(Occurrence.done).is_(True)).order_by(col(Occurrence.period))
    ).scalars():
        ticks[occ.action_id].append(occ.period)
    recs_by_addressee: dict[int, list[Recommendation]] = defaultdict(list)
    for rec in session.execute(
        select(Recommendation).where(col(Recommendation.plan_id) == plan_id)
        .order_by(col(Recommendation.withdrawn), col(Recommendation.position), col(Recommendation.id))
    ).scalars():
        recs_by_addressee[rec.addressee_id].append(rec)

    addressees = []
    for addressee in session.execute(
        select(Addressee).where(col(Addressee.plan_id) == plan_id).order_by(col(Addressee.position), col(Addressee.id))
    ).scalars():
        recs = recs_by_addressee.get(addressee.id or 0, [])
        if not recs:
            continue
        entry: dict[str, Any] = {"name": addressee.name, "uid": addressee.uid, "kind": addressee.kind}
        if addressee.rating:
            entry["rating"] = addressee.rating
        entry["recommendations"] = [_recommendation(r, actions_by_rec, changes, ticks, uids) for r in recs]
        addressees.append(entry)
    document["addressees"] = addressees
    return document


def _recommendation(
    rec: Recommendation, actions_by_rec: dict[int, list[Action]], changes: dict[int, list[Change]],
    ticks: dict[int, list[str]], uids: dict[int | None, str],
) -> dict[str, Any]:
    # A recommendation printed without a number keeps its reference as `ref`, never passed off as a number.
    entry: dict[str, Any] = {"ref" if is_unnumbered(rec.number) else "number": rec.number, "uid": rec.uid,
                             "text": rec.text, "agreement": rec.agreement}
    if rec.reason:
        entry["reason"] = rec.reason
    if rec.inferred:
        entry["inferred"] = True
    if rec.withdrawn:
        entry["withdrawn"] = True
    if rec.note:
        entry["note"] = rec.note
    entry["actions"] = [_action(a, changes.get(a.id or 0, []), ticks.get(a.id or 0, []), uids)
                        for a in actions_by_rec.get(rec.id or 0, [])]
    return entry


def _action(action: Action, history: list[Change], ticked: list[str], uids: dict[int | None, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"ref": action.ref, "uid": action.uid, "text": action.text,
                             "owners": list(action.owners_written), "target": action.target,
                             "status": action.status.value}
    if action.withdrawn:
        entry["withdrawn"] = True
    if action.note:
        entry["note"] = action.note
    for name in ("progress", "completed", "review"):
        if getattr(action, name):
            entry[name] = getattr(action, name)
    if ticked:
        entry["ticked"] = ticked
    if history:
        rows = []
        for change in history:
            row: dict[str, Any] = {"uid": change.uid, "at": as_utc(change.at), "by": change.by,
                                   "change": change.kind.value}
            if change.from_status:
                row["from"] = change.from_status.value
            if change.to_status:
                row["to"] = change.to_status.value
            if change.period:
                row["period"] = change.period
            if change.from_target is not None:
                row["from_target"] = change.from_target
            if change.to_target is not None:
                row["to_target"] = change.to_target
            if change.note:
                row["note"] = change.note
            if change.origin:
                row["origin"] = change.origin
            if change.undoes_id is not None and change.undoes_id in uids:
                row["undoes"] = uids[change.undoes_id]
            rows.append(row)
        entry["history"] = rows
    return entry


EXPORT_HEADER = "# Exported by actiontrack. Import it again with `actiontrack import`.\n"


def export_toml(session: Session, plan_id: str) -> str:
    """The plan as TOML text, with a header line saying where it came from (the same records give
    the same bytes: the file carries no time of export)."""
    return EXPORT_HEADER + "\n" + escape_raw_controls(
        tomli_w.dumps(plan_document(session, plan_id), multiline_strings=True)
    )


def is_plan_export(head: bytes) -> bool:
    """Whether a file starting with these bytes is a plan export that `export -o` may replace."""
    return head.startswith(b"# Exported by actiontrack")
