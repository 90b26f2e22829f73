"""The interpret stage of an import: what each action's owners and target mean.

Owners as written are resolved to roles (aliases expanded, organisation and region scoped, PDU-level
roles given their PDU, plural roles expanded) and targets read as a manager would; the rest of the
import only uses what this stage hands on. Many actions of a plan share a target ("September 2023")
or an owner cell: each is read once. (`store.reading.read_actions` hands the same reading on one action
at a time, for `check`.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from store.owners import OwnerResolver, ResolvedOwner, pdus_named, plan_pdus, section_pdus
from store.planfile import PlanFile
from store.targets import TargetDate, read_target


def plan_resolver(plan_file: PlanFile) -> OwnerResolver:
    """The owner resolver of one plan: its aliases, region, organisation, PDUs and national roles."""
    header = plan_file.plan
    return OwnerResolver(
        aliases=plan_file.aliases, region=header.region, national_owners=header.national_owners,
        organisation=header.organisation, pdus=plan_pdus((a.name, a.kind) for a in plan_file.addressees),
        roles=lambda: _roles_written(plan_file),
    )


def _roles_written(plan_file: PlanFile) -> set[str]:
    """Every role the plan's owner cells write (an organisation is no role)."""
    written = {owner if isinstance(owner, str) else owner.role or "" for addressee in plan_file.addressees
               for rec in addressee.recommendations for action in rec.actions for owner in action.owners}
    written.discard("")
    return written


@dataclass(frozen=True, slots=True)
class Reading:
    """A target as read: the reading, its words, and the start as a month index for recurrences."""

    target: TargetDate
    described: str
    start_month: int | None

    @classmethod
    def of(cls, written: str, written_on: date | None) -> Reading:
        """A target read as a manager would, given when its plan was written."""
        target = read_target(written, plan_date=written_on)
        found = _READINGS.get(target)
        if found is None:
            found = cls(target, target.describe(), target.start_month)
            if len(_READINGS) < _READINGS_MAX:
                _READINGS[target] = found
        return found

    def columns(self, written: str) -> dict[str, Any]:
        """The action's stored target columns for this reading of `written`: an import and a typed
        revision store a target the same way."""
        target = self.target
        return {"target": written, "target_kind": target.kind, "deadline": target.deadline,
                "start": target.start, "start_month": self.start_month, "every_months": target.every_months,
                "recurrence": target.recurrence, "caveat": target.caveat, "target_reading": self.described}


# Readings by target: one wording is described once, not once per plan that uses it.
_READINGS: dict[TargetDate, Reading] = {}
_READINGS_MAX = 65_536


@dataclass(frozen=True, slots=True)
class Owners:
    """An owner cell resolved: each role, their display, and the cell as written (JSON)."""

    roles: tuple[ResolvedOwner, ...]
    display: str
    written_json: str
    written: tuple[str | dict[str, Any], ...]  # as the database keeps them (ActionSpec.owners_stored)


@dataclass(slots=True)
class Interpretation:
    """The meaning of every action of one plan file, by (recommendation number, index in the file)."""

    actions: dict[tuple[str, int], tuple[Reading, Owners]] = field(default_factory=dict)
    flagged_targets: list[tuple[str, int, str]] = field(default_factory=list)  # number, index, target


def interpret(plan_file: PlanFile) -> Interpretation:
    """Resolve every action's owners and read every target of the plan file."""
    resolver = plan_resolver(plan_file)
    covered = resolver.pdus
    written_on = plan_file.plan.written_on
    readings: dict[str, Reading] = {}
    cells: dict[tuple[tuple[str, ...], tuple[str, ...]], Owners] = {}
    result = Interpretation()
    for addressee in plan_file.addressees:
        for rec in addressee.recommendations:
            rec_pdus = section_pdus(addressee.name, addressee.kind, rec.text, covered)
            for index, spec in enumerate(rec.actions):
                reading = readings.get(spec.target)
                if reading is None:
                    reading = readings[spec.target] = Reading.of(spec.target, written_on)
                if reading.target.flagged:
                    result.flagged_targets.append((rec.number, index, spec.target))
                pdus = rec_pdus or (pdus_named(spec.text, covered) if covered else rec_pdus)
                cell = (tuple(o if isinstance(o, str) else json.dumps(o.model_dump(exclude_defaults=True))
                              for o in spec.owners), tuple(pdus))
                owners = cells.get(cell)
                if owners is None:
                    written = spec.owners_stored()
                    resolved = [r for o in written for r in resolver.resolve_entry(o, pdus=pdus)]
                    owners = cells[cell] = Owners(
                        roles=tuple(dict.fromkeys(resolved)),
                        display="; ".join(dict.fromkeys(r.name for r in resolved)),
                        written_json=json.dumps(written),  # as SQLAlchemy's JSON type writes it
                        written=tuple(written),
                    )
                result.actions[(rec.number, index)] = (reading, owners)
    return result
