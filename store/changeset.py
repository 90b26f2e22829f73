"""The change set of an import: plain data saying everything it would write, and the preview of it.

An import builds a change set (store.importing.plan_changes), then applies it in one transaction
(store.applying.apply_changes); `import --dry-run` prints it instead. Merges and revisions build
change sets alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from functools import partial
from itertools import starmap
from operator import attrgetter
from typing import Any, NamedTuple

from store.matching import Proposal
from store.owners import ResolvedOwner
from store.text import counted


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a record that the import changes."""

    name: str
    old: Any
    new: Any


@dataclass(slots=True)
class RowWrite:
    """A plan's addressee or recommendation to add (stored_id None) or update."""

    uid: str
    label: str
    values: dict[str, Any]
    stored_id: int | None = None
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(slots=True)
class ActionWrite:
    """An action to add (stored_id None), change, or leave as it is (no changes)."""

    uid: str
    reference: str
    recommendation_uid: str
    values: dict[str, Any]
    roles: tuple[ResolvedOwner, ...]  # its owners
    stored_id: int | None = None
    changes: list[FieldChange] = field(default_factory=list)
    relink: bool = False  # its owners changed
    moved: bool = False  # only its place among its recommendation's actions changed (a neighbour came or went)
    checkpoints: tuple[date, ...] = ()  # further dated milestones its target reads as


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A stored action the file no longer holds: kept, with its history, marked withdrawn."""

    stored_id: int
    reference: str
    status: str
    events: int


class EventWrite(NamedTuple):
    """A history event to add (one the database lacks), as stored. A tuple: a national import makes
    hundreds of thousands, and hands them from its reading processes to the writer (see ChangeSet)."""

    uid: str
    action_uid: str
    at: str  # UTC text, as stored
    by: str
    kind: str
    from_status: str | None
    to_status: str | None
    period: str | None
    note: str
    undoes: str | None
    from_target: str | None = None
    to_target: str | None = None
    origin: str = ""  # where it was made (store.models.Change.origin)


@dataclass(frozen=True, slots=True)
class StateWrite:
    """An existing action whose state its merged history moves: status old -> new, periods (un)ticked."""

    action_uid: str
    reference: str
    old_status: str
    new_status: str
    ticked: tuple[str, ...] = ()
    unticked: tuple[str, ...] = ()


@dataclass(slots=True)
class ChangeSet:
    """Everything one plan file's import would write; empty lists where nothing changes."""

    plan_id: str
    plan_uid: str
    source: str
    new_plan: bool
    header: dict[str, Any]
    header_changes: list[FieldChange] = field(default_factory=list)
    addressees: list[RowWrite] = field(default_factory=list)
    recommendations: list[RowWrite] = field(default_factory=list)
    recommendations_withdrawn: list[tuple[int, str]] = field(default_factory=list)  # stored id, number
    actions: list[ActionWrite] = field(default_factory=list)
    withdrawn: list[Withdrawal] = field(default_factory=list)
    events: list[EventWrite] = field(default_factory=list)
    states: list[StateWrite] = field(default_factory=list)
    new_ticks: list[tuple[str, str]] = field(default_factory=list)  # (action uid, period) of new actions
    kept_events: int = 0  # history events the database holds already (the file's, or only its own)
    flagged_targets: list[str] = field(default_factory=list)
    doubt: str = ""  # why the stored plan under this id may be another plan
    proposals: list[Proposal] = field(default_factory=list)

    def __getstate__(self) -> dict[str, Any]:
        """The change set as a reading process hands it to the writer: its many records as plain tuples,
        which pickle several times faster than objects (a national import hands over 100,000 actions
        and 235,000 events)."""
        state = {name: getattr(self, name) for name in _FIELDS}
        state["events"] = list(map(tuple, self.events))
        for name, getter in _PACKED.items():
            state[name] = list(map(getter, state[name]))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["events"] = list(map(event_write, state["events"]))
        for name, kind in _PACKED_AS.items():
            state[name] = list(starmap(kind, state[name]))
        for name, value in state.items():
            setattr(self, name, value)

    @property
    def certain(self) -> bool:
        """Whether the import may be applied: every match certain or confirmed."""
        return not self.doubt and not self.proposals

    @property
    def added(self) -> list[ActionWrite]:
        return [a for a in self.actions if a.stored_id is None]

    @property
    def changed(self) -> list[ActionWrite]:
        return [a for a in self.actions if a.stored_id is not None and (a.changes or a.relink)]

    @property
    def unchanged(self) -> int:
        return sum(1 for a in self.actions if a.stored_id is not None and not a.changes and not a.relink)

    @property
    def writes_anything(self) -> bool:
        return bool(self.new_plan or self.header_changes or any(r.stored_id is None or r.changes for r in (
            *self.addressees, *self.recommendations)) or self.recommendations_withdrawn or self.added
            or self.changed or self.withdrawn or self.events or self.states)


_FIELDS = tuple(f.name for f in fields(ChangeSet))
# The change set's lists of records handed over as tuples of their fields (ChangeSet.__getstate__).
_PACKED_AS = {"addressees": RowWrite, "recommendations": RowWrite, "actions": ActionWrite}
_PACKED = {name: attrgetter(*(f.name for f in fields(kind))) for name, kind in _PACKED_AS.items()}
# An EventWrite from the tuple of all its fields, without a call into Python (NamedTuple's own __new__ is one)
event_write: Callable[[tuple[Any, ...]], EventWrite] = partial(tuple.__new__, EventWrite)


def _value(value: Any) -> str:
    text = " ".join(str(value).split()) if value not in (None, "") else "(none)"
    return text if len(text) <= 60 else text[:59] + "…"


def preview(changes: ChangeSet) -> list[str]:
    """The change set in words, as `import --dry-run` prints it: counts first, then each change."""
    added, changed = changes.added, changes.changed
    head = f"{changes.plan_id} ({changes.source}): " + (
        "a new plan; " if changes.new_plan else "") + (
        f"{len(added)} added, {len(changed)} changed, {len(changes.withdrawn)} withdrawn, "
        f"{changes.unchanged} unchanged; history: {len(changes.events)} events to add, "
        f"{changes.kept_events} already here; {len(changes.states)} statuses or ticks moved by history")
    lines = [head]
    if not changes.certain:
        lines.append("  NOT CERTAIN: nothing will be written until the proposal below is confirmed (as proposed, "
                     "the import would do what follows)")
        if changes.doubt:
            lines.append(f"  the stored plan {changes.plan_id} differs in {changes.doubt}: same plan?")
        for p in changes.proposals:
            if p.stored_ref is None:
                lines.append(f"  ? new {p.number}/#{(p.file_index or 0) + 1}: {_value(p.file_text)}")
            elif p.file_index is None:
                lines.append(f"  ? withdraw {changes.plan_id}/{p.key}: {_value(p.stored_text)}")
            else:
                lines.append(f"  ? {changes.plan_id}/{p.key} is the file's {p.value}, reworded: "
                             f"{_value(p.stored_text)} → {_value(p.file_text)}")
    for change in changes.header_changes:
        lines.append(f"  plan {change.name}: {_value(change.old)} → {_value(change.new)}")
    if not changes.new_plan:
        for a in added:
            lines.append(f"  + {a.reference}: {_value(a.values['text'])}")
    for a in changed:
        for change in a.changes:
            lines.append(f"  ~ {a.reference} {change.name}: {_value(change.old)} → {_value(change.new)}")
        if a.relink and not a.changes:
            lines.append(f"  ~ {a.reference} owners resolved anew: {_value(a.values['owners_display'])}")
    for w in changes.withdrawn:
        lines.append(f"  - {w.reference} withdrawn; its status ({w.status.replace('_', ' ')}) and "
                     f"{counted(w.events, 'history event')} are kept with it")
    for number in changes.recommendations_withdrawn:
        lines.append(f"  - recommendation {number[1]} withdrawn")
    for s in changes.states:
        moved = []
        if s.old_status != s.new_status:
            moved.append(f"{s.old_status.replace('_', ' ')} → {s.new_status.replace('_', ' ')}")
        moved += [f"ticked {p}" for p in s.ticked] + [f"unticked {p}" for p in s.unticked]
        lines.append(f"  * {s.reference}: " + ", ".join(moved) + " (newest history event wins)")
    if not changes.new_plan and changes.events:
        per: dict[str, int] = {}
        for e in changes.events:
            per[e.kind] = per.get(e.kind, 0) + 1
        lines.append("  history to add: " + ", ".join(f"{n} {kind}" for kind, n in sorted(per.items())))
    return lines
