"""The match stage of an import: which stored action each action of a plan file is, if any.

Certain matches only: a uid written in the file, an explicit `ref`, or the same text in the same
recommendation (at the same place, or anywhere when no other action there has it). What is left over
on both sides of a recommendation is not guessed at: a proposal pairs reworded actions by the
likeness of their words and withdraws the rest, and the import stops until the user confirms it with
a mapping (see `Mapping`). A stored plan whose title, region or dates differ from the file's, under
the same plan id and without a uid that proves it the same, is not taken to be the same plan unless
the mapping says so.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import StoreError
from store.planfile import MAX_FILE_BYTES, PlanFile, RecommendationSpec

WITHDRAW = "withdraw"
# Two texts at least this alike (difflib's ratio) are proposed as one action reworded.
ALIKE = 0.6


class MappingError(StoreError):
    """A mapping file cannot be read or does not fit the plan file it is given with."""


@dataclass(frozen=True, slots=True)
class Mapping:
    """The user's answer to a proposal: stored action ("REC/REF") -> the file's action ("REC/#N",
    its N-th action in the file) or "withdraw"; `same_plan` confirms that a plan whose header differs
    is the stored plan revised."""

    plan_id: str
    same_plan: bool = False
    actions: dict[str, str] = field(default_factory=dict)


def read_mapping(path: Path) -> Mapping:
    """Read a mapping file; every problem is one sentence naming the file."""
    try:
        if not path.is_file():
            raise MappingError(f"{path}: not a mapping file (no such file, or not a regular file)")
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise MappingError(f"{path}: too large to be a mapping file")
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise MappingError(f"{path}: is not a mapping file ({exc})") from None
    plan_id, same, actions = raw.get("plan"), raw.get("same_plan", False), raw.get("actions", {})
    if not isinstance(plan_id, str) or not isinstance(same, bool) or not isinstance(actions, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in actions.items()):
        raise MappingError(f'{path}: a mapping file holds plan = "ID", optionally same_plan = true, and an '
                           '[actions] table of "REC/REF" = "REC/#N" or "withdraw"')
    return Mapping(plan_id=plan_id, same_plan=same, actions=dict(actions))


@dataclass(frozen=True, slots=True)
class Proposal:
    """One pairing the import is not certain of: a stored action and the file's action proposed for
    it (None: proposed withdrawn), or a file action proposed as new (stored None)."""

    number: str
    stored_ref: str | None
    stored_text: str
    file_index: int | None  # 0-based index of the action in its recommendation in the file
    file_text: str

    @property
    def key(self) -> str:
        return f"{self.number}/{self.stored_ref}"

    @property
    def value(self) -> str:
        return WITHDRAW if self.file_index is None else f"{self.number}/#{self.file_index + 1}"


@dataclass(slots=True)
class RecMatch:
    """The actions of one recommendation of the file, matched: per action in file order, its ref and
    stored row (None: new); and the stored actions the file no longer holds."""

    pairs: list[tuple[str, Any | None]]
    dropped: list[Any]
    proposals: list[Proposal]


def match_recommendation(rec: RecommendationSpec, rows: Sequence[Any], mapping: Mapping | None) -> RecMatch:
    """Pair the file's actions of one recommendation with the stored rows (id, uid, ref, text, withdrawn)."""
    by_uid = {row.uid: row for row in rows}
    every = [by_uid.get(spec.uid) for spec in rec.actions] if rows else []
    if every and not any(row is None for row in every):  # each carries a stored action's uid (an export)
        kept = {row.ref for row in every if row is not None}
        return RecMatch(pairs=[(row.ref, row) for row in every if row is not None],
                        dropped=[row for row in rows if row.ref not in kept and not row.withdrawn], proposals=[])
    by_ref = {row.ref: row for row in rows}
    found: list[Any | None] = [None] * len(rec.actions)
    refs: list[str | None] = [None] * len(rec.actions)
    claimed: set[str] = set()  # stored refs taken

    def claim(i: int, row: Any) -> None:
        found[i] = row
        refs[i] = row.ref
        claimed.add(row.ref)

    for i, spec in enumerate(rec.actions):  # 1. a uid the file carries
        if spec.uid is not None and spec.uid in by_uid:
            claim(i, by_uid[spec.uid])
    for i, spec in enumerate(rec.actions):  # 2. an explicit ref
        if found[i] is None and spec.ref:
            row = by_ref.get(spec.ref)
            if row is not None and row.ref not in claimed and (spec.uid is None or spec.uid == row.uid):
                claim(i, row)
            else:
                refs[i] = spec.ref
    file_refs = {spec.ref for spec in rec.actions if spec.ref}
    for i, spec in enumerate(rec.actions):  # 3. the same words at the same place
        row = by_ref.get(str(i + 1))
        if (found[i] is None and refs[i] is None and row is not None and row.ref not in claimed
                and row.ref not in file_refs and row.text == spec.text):
            claim(i, row)
    for i, spec in enumerate(rec.actions):  # 4. the same words elsewhere, once only in the recommendation
        if found[i] is None and refs[i] is None:
            same = [row for row in rows if row.ref not in claimed and row.ref not in file_refs
                    and row.text == spec.text]
            if len(same) == 1:
                claim(i, same[0])
    left_file = [i for i, spec in enumerate(rec.actions) if found[i] is None and refs[i] is None]
    left_stored = [row for row in rows if row.ref not in claimed and row.ref not in file_refs and not row.withdrawn]
    proposals: list[Proposal] = []
    if left_file and left_stored:
        decided = _decided(rec, left_file, left_stored, mapping)
        if any(row.ref not in decided for row in left_stored):
            # not certain: the change set shows the proposal (for the preview); it is not applied
            proposals = _propose(rec, left_file, left_stored)
            decided = {p.stored_ref: p.file_index for p in proposals if p.stored_ref is not None}
        for row in left_stored:
            index = decided[row.ref]
            if index is not None:
                claim(index, row)
    # what is still unpaired is new: its own ref, else its position if free, else the next free number
    taken = {row.ref for row in rows} | file_refs | claimed
    fresh = max([len(rec.actions), *(int(r) for r in taken if r.isdigit())]) + 1
    pairs: list[tuple[str, Any | None]] = []
    for i in range(len(rec.actions)):
        ref = refs[i]
        if ref is None:
            ref = str(i + 1)
            if ref in taken:
                while str(fresh) in taken:
                    fresh += 1
                ref = str(fresh)
            taken.add(ref)
        pairs.append((ref, found[i]))
    kept = {row.ref for row in found if row is not None}
    dropped = [row for row in rows if row.ref not in kept and not row.withdrawn]
    return RecMatch(pairs=pairs, dropped=dropped, proposals=proposals)


def _decided(rec: RecommendationSpec, left_file: list[int], left_stored: list[Any],
             mapping: Mapping | None) -> dict[str, int | None]:
    """What the mapping says of this recommendation's leftover stored actions: ref -> file index or None."""
    if mapping is None:
        return {}
    decided: dict[str, int | None] = {}
    targets: set[int] = set()
    for row in left_stored:
        value = mapping.actions.get(f"{rec.number}/{row.ref}")
        if value is None:
            continue
        if value == WITHDRAW:
            decided[row.ref] = None
            continue
        number, _, position = value.rpartition("/#")
        index = int(position) - 1 if position.isdigit() else -1
        if number != rec.number or index not in left_file or index in targets:
            raise MappingError(f"the mapping's {rec.number}/{row.ref} = {value!r} does not name an unmatched action "
                               f"of recommendation {rec.number} in the file (give \"{rec.number}/#N\", N its place "
                               "there, or \"withdraw\")")
        targets.add(index)
        decided[row.ref] = index
    return decided


def _propose(rec: RecommendationSpec, left_file: list[int], left_stored: list[Any]) -> list[Proposal]:
    """Pair leftovers by likeness of words, most alike first; the rest withdrawn or new."""
    scored = sorted(
        ((difflib.SequenceMatcher(None, row.text, rec.actions[i].text).ratio(), n, i, row)
         for n, row in enumerate(left_stored) for i in left_file),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    paired: dict[str, int] = {}
    used: set[int] = set()
    for score, _, i, row in scored:
        if score >= ALIKE and row.ref not in paired and i not in used:
            paired[row.ref] = i
            used.add(i)
    proposals = [Proposal(rec.number, row.ref, row.text, paired.get(row.ref),
                          rec.actions[paired[row.ref]].text if row.ref in paired else "") for row in left_stored]
    proposals += [Proposal(rec.number, None, "", i, rec.actions[i].text) for i in left_file if i not in used]
    return proposals


def header_doubt(stored: Any, plan_file: PlanFile) -> str:
    """Why a stored plan with the file's id may be another plan ('' when title, region and dates agree)."""
    header = plan_file.plan
    differ = [name for name in ("title", "region", "report_published", "plan_submitted")
              if getattr(stored, name) != getattr(header, name)]
    return ", ".join(name.replace("_", " ") for name in differ)


def mapping_text(plan_id: str, source: str, doubt: str, proposals: Sequence[Proposal]) -> str:
    """The proposal as a mapping file the user can check, edit and give back with --mapping."""
    lines = [
        f"# How the plan file {source} maps onto plan {plan_id} as stored. Check it, change what is wrong,",
        f"# then: actiontrack import --mapping THIS-FILE {source}",
        f"plan = {_quoted(plan_id)}",
    ]
    if doubt:
        lines += [f"# The stored plan's {doubt} differ(s) from the file's: is the file a revision of it?",
                  "same_plan = true"]
    lines += ["", "[actions]",
              '# stored action = the file\'s action ("REC/#N": the N-th action of recommendation REC in the file)',
              '# or "withdraw". File actions no stored action is mapped to are added as new.']
    for p in proposals:
        if p.stored_ref is None:
            lines.append(f"# new: {p.number}/#{(p.file_index or 0) + 1} {_short(p.file_text)}")
            continue
        lines.append(f"# stored {p.key}: {_short(p.stored_text)}")
        if p.file_index is not None:
            lines.append(f"# file {p.value}: {_short(p.file_text)}")
        lines.append(f"{_quoted(p.key)} = {_quoted(p.value)}")
    return "\n".join(lines) + "\n"


def _short(text: str) -> str:
    """A text cut to fit one comment line, its control characters shown as symbols."""
    from store.text import visible_line

    words = visible_line(" ".join(text.split()))
    return words if len(words) <= 90 else words[:89] + "…"


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=True)
