"""Comparing two plan files action by action: what was added, removed or changed, field by field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from store.planfile import ActionSpec, PlanFile, RecommendationSpec

ACTION_FIELDS = ("text", "owners", "target")


@dataclass
class ActionChange:
    """One action of the old file and its counterpart in the new (None where there is none)."""

    reference: str
    old: ActionSpec | None
    new: ActionSpec | None
    fields: list[str] = field(default_factory=list)  # the fields that differ, in ACTION_FIELDS order

    @property
    def kind(self) -> str:
        """added, removed, changed or same."""
        return "added" if self.old is None else "removed" if self.new is None else \
            "changed" if self.fields else "same"


@dataclass
class RecommendationChange:
    """One recommendation in the old file and the new, the fields that differ and its actions' changes."""

    number: str
    old: RecommendationSpec | None
    new: RecommendationSpec | None
    old_addressee: str = ""
    new_addressee: str = ""
    fields: list[str] = field(default_factory=list)
    actions: list[ActionChange] = field(default_factory=list)


@dataclass
class PlanDiff:
    """Two plan files compared, recommendation by recommendation."""

    recommendations: list[RecommendationChange]

    def action_changes(self) -> list[ActionChange]:
        """Every action's pairing, in order."""
        return [a for r in self.recommendations for a in r.actions]


def _recs(plan: PlanFile) -> dict[str, tuple[str, RecommendationSpec]]:
    return {rec.number: (ad.name, rec) for ad in plan.addressees for rec in ad.recommendations}


def diff_plans(old: PlanFile, new: PlanFile) -> PlanDiff:
    """Recommendations matched by number; their actions by the document's ref where both have one,
    else by the order of their texts (the closest texts pair up)."""
    old_recs, new_recs = _recs(old), _recs(new)
    numbers = list(old_recs) + [n for n in new_recs if n not in old_recs]
    changes: list[RecommendationChange] = []
    for number in numbers:
        old_ad, old_rec = old_recs.get(number, ("", None))
        new_ad, new_rec = new_recs.get(number, ("", None))
        change = RecommendationChange(number, old_rec, new_rec, old_ad, new_ad)
        if old_rec and new_rec:
            if old_ad != new_ad:
                change.fields.append("addressee")
            change.fields += [name for name in ("text", "agreement", "reason")
                              if getattr(old_rec, name).strip() != getattr(new_rec, name).strip()]
        change.actions = _pair_actions(number, old_rec.actions if old_rec else [],
                                       new_rec.actions if new_rec else [])
        changes.append(change)
    return PlanDiff(changes)


def _fields(old: ActionSpec, new: ActionSpec) -> list[str]:
    return [name for name in ACTION_FIELDS if _value(old, name) != _value(new, name)]


def _value(action: ActionSpec, name: str) -> object:
    value = getattr(action, name)
    return value.strip() if isinstance(value, str) else value


def _pair_actions(number: str, old: list[ActionSpec], new: list[ActionSpec]) -> list[ActionChange]:
    def ref(action: ActionSpec, position: int) -> str:
        return f"{number}/{action.ref or position}"

    pairs: list[tuple[ActionSpec | None, ActionSpec | None]]
    if old and new and all(a.ref for a in old) and all(a.ref for a in new):
        new_by_ref = {a.ref: a for a in new}
        old_refs = {a.ref for a in old}
        pairs = [(a, new_by_ref.get(a.ref)) for a in old]
        pairs += [(None, a) for a in new if a.ref not in old_refs]
    else:
        pairs = _pair_by_text(old, new)
    old_position = {id(a): i for i, a in enumerate(old, start=1)}
    new_position = {id(a): i for i, a in enumerate(new, start=1)}
    result: list[ActionChange] = []
    for o, n in pairs:
        if o is not None:
            reference = ref(o, old_position[id(o)])
        else:
            assert n is not None
            reference = ref(n, new_position[id(n)])
        result.append(ActionChange(reference, o, n, _fields(o, n) if o and n else []))
    return result


def _pair_by_text(old: list[ActionSpec], new: list[ActionSpec]) -> list[tuple[ActionSpec | None, ActionSpec | None]]:
    """Pair actions in order: equal texts first, then within each differing stretch the most alike."""
    matcher = difflib.SequenceMatcher(a=[a.text.strip() for a in old], b=[a.text.strip() for a in new],
                                      autojunk=False)
    pairs: list[tuple[ActionSpec | None, ActionSpec | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += list(zip(old[i1:i2], new[j1:j2], strict=False))  # a replaced run may differ in length
            continue
        left, right = old[i1:i2], new[j1:j2]
        used: set[int] = set()
        for o in left:
            best, score = None, 0.5
            for index, n in enumerate(right):
                if index in used:
                    continue
                ratio = difflib.SequenceMatcher(a=o.text, b=n.text, autojunk=False).quick_ratio()
                if ratio > score:
                    best, score = index, ratio
            if best is None:
                pairs.append((o, None))
            else:
                used.add(best)
                pairs.append((o, right[best]))
        pairs += [(None, n) for index, n in enumerate(right) if index not in used]
    return pairs


def _show(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(none)"
    text = " ".join(str(value).split())
    return repr(text[:117] + "…" if len(text) > 118 else text)


def words_changed(old: str, new: str, context: int = 5) -> str:
    """A long text's change as words: '… kept words [-removed-] {+added+} kept words …'."""
    a, b = old.split(), new.split()
    if a == b:
        return "(only spacing or line breaks differ)"
    pieces: list[str] = []
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            kept = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            if len(kept) > 2 * context and not first and not last:
                pieces.append(" ".join(kept[:context]) + " … " + " ".join(kept[-context:]))
            elif first and len(kept) > context:
                pieces.append("… " + " ".join(kept[-context:]))
            elif last and len(kept) > context:
                pieces.append(" ".join(kept[:context]) + " …")
            else:
                pieces.append(" ".join(kept))
            continue
        if i2 > i1:
            pieces.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            pieces.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(piece for piece in pieces if piece)


def describe_diff(diff: PlanDiff, old_name: str, new_name: str) -> list[str]:
    """The diff as lines a person reads: per recommendation, actions added (+), removed (-), changed (~)."""
    lines = [f"--- {old_name}", f"+++ {new_name}"]
    counts = {"added": 0, "removed": 0, "changed": 0, "same": 0}
    for rec in diff.recommendations:
        body: list[str] = []
        if rec.old is None:
            text = _show(rec.new.text if rec.new else "")
            body.append(f"+ recommendation {rec.number} ({rec.new_addressee}): {text}")
        elif rec.new is None:
            body.append(f"- recommendation {rec.number} ({rec.old_addressee}): {_show(rec.old.text)}")
        else:
            for name in rec.fields:
                old = rec.old_addressee if name == "addressee" else getattr(rec.old, name)
                new = rec.new_addressee if name == "addressee" else getattr(rec.new, name)
                if name in ("text", "reason") and max(len(old), len(new)) > 120:
                    body.append(f"~ recommendation {rec.number} {name}: {words_changed(old, new)}")
                else:
                    body.append(f"~ recommendation {rec.number} {name}: {_show(old)} → {_show(new)}")
        for action in rec.actions:
            counts[action.kind] += 1
            if action.kind == "added" and action.new is not None:
                body.append(f"+ {action.reference}: {_show(action.new.text)} [{_show(action.new.owners)} · "
                            f"{_show(action.new.target)}]")
            elif action.kind == "removed" and action.old is not None:
                body.append(f"- {action.reference}: {_show(action.old.text)}")
            elif action.kind == "changed":
                body.append(f"~ {action.reference}:")
                for name in action.fields:
                    old_value, new_value = getattr(action.old, name), getattr(action.new, name)
                    if name == "text" and max(len(old_value), len(new_value)) > 120:
                        body.append(f"    text: {words_changed(old_value, new_value)}")
                        continue
                    body.append(f"    {name}: {_show(old_value)}")
                    body.append(f"    {' ' * len(name)}→ {_show(new_value)}")
        if body:
            lines.append(f"recommendation {rec.number}:")
            lines += [f"  {line}" for line in body]
    lines.append(f"{counts['same']} actions the same, {counts['changed']} changed, {counts['added']} added, "
                 f"{counts['removed']} removed")
    return lines
