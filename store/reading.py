"""What a validated plan file means: each action's resolved owners and target reading, as `import`
saves them and `check` shows them, and the owner names that look like one role spelt two ways."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from store.interpreting import interpret
from store.owners import ResolvedOwner, near_duplicates, owner_label
from store.planfile import ActionSpec, PlanFile
from store.targets import TargetDate


@dataclass(frozen=True, slots=True)
class ActionReading:
    """One action of a plan file as actiontrack reads it."""

    reference: str
    spec: ActionSpec
    owners: list[ResolvedOwner]
    target: TargetDate

    @property
    def first_status(self) -> str:
        """The status it starts with: as the file says, else complete if it gives a completion date, else
        as its target reads."""
        return self.spec.status or ("complete" if self.spec.completed.strip() else self.target.first_status.value)


def read_actions(plan_file: PlanFile) -> Iterator[ActionReading]:
    """Every action of the plan, in order, with its owners resolved and its target read: what an import
    stores (`store.interpreting.interpret`, the one reading), one action at a time."""
    meaning = interpret(plan_file)
    for addressee in plan_file.addressees:
        for rec in addressee.recommendations:
            for index, spec in enumerate(rec.actions):
                reading, owners = meaning.actions[(rec.number, index)]
                yield ActionReading(reference=f"{plan_file.plan.id}/{rec.number}/{spec.ref or index + 1}",
                                    spec=spec, owners=list(owners.roles), target=reading.target)


def owner_warnings(readings: list[ActionReading]) -> list[str]:
    """One sentence per pair of owners in one scope whose names are near-duplicates: reported for a
    person to decide (an alias in the plan file merges them), never merged silently."""
    scopes: dict[tuple[str, str], dict[str, list[str]]] = {}
    for reading in readings:
        for owner in reading.owners:
            named = scopes.setdefault((owner.region, owner.organisation), {})
            named.setdefault(owner.name, []).append(reading.reference)
    warnings = []
    for (region, organisation), named in sorted(scopes.items()):
        for a, b in near_duplicates(named):
            warnings.append(
                f"owners {owner_label(a, region, organisation)!r} ({named[a][0]}) and {b!r} ({named[b][0]}) "
                "look like one role spelt two ways; if they are, add an alias in [aliases]"
            )
    return warnings
