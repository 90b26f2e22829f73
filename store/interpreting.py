"""The interpret stage of an import: what each action's owners and target mean.

Owners as written are resolved to roles (aliases expanded, PDU-level roles given their PDU) and
targets read as a manager would; the rest of the import only uses what this stage hands on.
Many actions of a plan share a target ("September 2023") or an owner cell: each is read once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from store.owners import OwnerResolver, pdus_addressed
from store.planfile import ActionSpec, PlanFile
from store.targets import TargetDate, month_index, read_target


@dataclass(frozen=True, slots=True)
class Reading:
    """A target as read: the reading, its words, and the start as a month index for recurrences."""

    target: TargetDate
    described: str
    start_month: int | None


@dataclass(frozen=True, slots=True)
class Owners:
    """An owner cell resolved: each role as (name, key, region), their display, and the cell as written (JSON)."""

    roles: tuple[tuple[str, str, str], ...]
    display: str
    written_json: str


@dataclass(slots=True)
class Interpretation:
    """The meaning of every action of one plan file, by (recommendation number, index in the file)."""

    actions: dict[tuple[str, int], tuple[Reading, Owners]] = field(default_factory=dict)
    flagged_targets: list[tuple[str, int, str]] = field(default_factory=list)  # number, index, target


def interpret(plan_file: PlanFile) -> Interpretation:
    """Resolve every action's owners and read every target of the plan file."""
    header = plan_file.plan
    resolver = OwnerResolver(aliases=plan_file.aliases, region=header.region, national_owners=header.national_owners)
    plan_date: date | None = header.plan_submitted or header.report_published
    readings: dict[str, Reading] = {}
    cells: dict[tuple[tuple[str, ...], tuple[str, ...]], Owners] = {}
    result = Interpretation()
    for addressee in plan_file.addressees:
        for rec in addressee.recommendations:
            pdus = pdus_addressed(addressee.name, addressee.kind, rec.text)
            for index, spec in enumerate(rec.actions):
                reading = readings.get(spec.target)
                if reading is None:
                    reading = readings[spec.target] = _read(spec, plan_date)
                if reading.target.flagged:
                    result.flagged_targets.append((rec.number, index, spec.target))
                cell = (tuple(spec.owners), tuple(pdus))
                owners = cells.get(cell)
                if owners is None:
                    resolved = [r for o in spec.owners for r in resolver.resolve(o, pdus=pdus)]
                    owners = cells[cell] = Owners(
                        roles=tuple(dict.fromkeys((r.name, r.key, r.region) for r in resolved)),
                        display="; ".join(dict.fromkeys(r.name for r in resolved)),
                        written_json=json.dumps(list(spec.owners)),  # as SQLAlchemy's JSON type writes it
                    )
                result.actions[(rec.number, index)] = (reading, owners)
    return result


def _read(spec: ActionSpec, plan_date: date | None) -> Reading:
    target = read_target(spec.target, plan_date=plan_date)
    start_month = month_index(target.start) if target.start and target.every_months else None
    return Reading(target=target, described=target.describe(), start_month=start_month)
