"""Rows into recommendations: addressee headings, continuation rows, recommendations whose opening
row is missing (numbered from the gap they leave, their agreement inferred and marked)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from store.drafting.model import Row

_AGREEMENTS = (("partly", "partly_agreed"), ("not", "not_agreed"), ("agreed", "agreed"))
_SHOULD = re.compile(r"^(?P<who>[^:]{2,120}?)\s+should\s*:\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
SENTENCE_END = re.compile(r"[.!?:;)\"'”’]\s*$")


@dataclass
class RecGroup:
    """The rows of one recommendation before its actions are lined up."""

    number: str
    heading: str
    text: list[str] = field(default_factory=list)
    agreement: str = ""
    segments: list[Row] = field(default_factory=list)
    inferred: bool = False
    checks: list[str] = field(default_factory=list)
    reason: str = ""


def agreement_of(text: str) -> str:
    """'Partly Agreed' -> 'partly_agreed'; '' when the cell says none of the three."""
    lowered = text.lower()
    for word, value in _AGREEMENTS:
        if word in lowered and "agree" in lowered:
            return value
    return ""


def split_heading(text: str) -> tuple[str, str]:
    """A recommendation cell that opens with "Purple Futures should:" -> (addressee, the rest)."""
    found = _SHOULD.match(text)
    if found and len(found.group("who").split()) <= 12:
        return found.group("who").strip(), found.group("rest").strip()
    return "", text


def group_rows(rows: list[Row], first_heading: str) -> list[RecGroup]:
    """Rows into recommendations; continuation rows go to the one above, except where its number
    is followed by a gap (then rows that cannot go on from it belong to the missing one)."""
    groups: list[RecGroup] = []
    heading = first_heading
    pending_heading = False
    for row in rows:
        if row.heading:
            heading, pending_heading = row.heading, True
            continue
        rec_text = "\n".join(p.render() for p in row.recommendation).strip()
        if row.number:
            own_heading, rec_text = split_heading(rec_text)
            if own_heading:
                heading = own_heading
            group = RecGroup(row.number, heading, [rec_text] if rec_text else [], agreement_of(row.agreement))
            if not group.agreement:
                group.checks.append(f"the agreement column ({row.agreement or 'empty'!r}) does not say "
                                    f"agreed, partly agreed or not agreed ({row.place}).")
            group.segments.append(row)
            groups.append(group)
            pending_heading = False
            continue
        if not groups or pending_heading:  # no recommendation of this heading has begun yet
            group = RecGroup("", heading, [], "", inferred=True)
            groups.append(group)
            pending_heading = False
        if rec_text and groups[-1].text and not row.recommendation[0].opens:
            groups[-1].text[-1] = f"{groups[-1].text[-1]} {rec_text}"  # the wording goes on over the page
        elif rec_text:
            groups[-1].text.append(rec_text)
        segments = groups[-1].segments
        if not row.response and segments and (row.owners or row.targets):
            segments[-1] = _entries_below(segments[-1], row, groups[-1])
            continue
        segments.append(row)
    return _fill_gaps(groups)


def _entries_below(above: Row, row: Row, group: RecGroup) -> Row:
    """Owner / date entries printed on a line of their own belong to the row above: more entries, or,
    where the row above already has an owner for each paragraph and no date comes with it, the end
    of its last owner entry, cut by a page break."""
    if row.owners and not row.targets and above.owners and len(above.owners) >= len(above.response):
        joined = f"{above.owners[-1]} {row.owners[0]}"
        group.checks.append(f"the owner entry at {row.place} is read as the end of the one above it, cut by a "
                            f"page break: {joined!r}.")
        return replace(above, owners=[*above.owners[:-1], joined, *row.owners[1:]])
    return replace(above, owners=above.owners + row.owners, targets=above.targets + row.targets)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _fill_gaps(groups: list[RecGroup]) -> list[RecGroup]:
    """Number the recommendations whose opening rows are missing, and give a recommendation followed by
    a gap in the numbering the rows that cannot be its own (the missing one's surviving text)."""
    known = [_number(g.number) for g in groups]
    for index, group in enumerate(groups):
        if group.number:
            continue
        before = next((n for n in reversed(known[:index]) if n is not None), 0)
        after = next((n for n in known[index + 1:] if n is not None), None)
        group.number = str(before + 1) if after is None or after - before >= 2 else f"{before}-cont"
        known[index] = _number(group.number)
        group.checks.append(
            f"the opening row of recommendation {group.number} (its number, wording and agreement) is not in "
            f"the document; only text continued from it survives ({group.segments[0].place}).")
    result: list[RecGroup] = []
    for index, group in enumerate(groups):
        result.append(group)
        following = known[index + 1] if index + 1 < len(groups) else None
        missing = _split_before_gap(group, known[index], following)
        if missing is not None:
            result.append(missing)
    return result


def _split_before_gap(group: RecGroup, this: int | None, following: int | None) -> RecGroup | None:
    """Recommendation N followed by N+2: its last row is N+1's surviving text if it starts a new
    paragraph, or if the paragraph before it is finished."""
    if this is None or following is None or following - this < 2 or len(group.segments) < 2:
        return None
    last, previous = group.segments[-1], group.segments[-2].response
    first = last.response[0] if last.response else None
    finished = bool(previous) and bool(SENTENCE_END.search(previous[-1].render()))
    if first is None or not (first.opens or finished):
        return None
    group.segments = group.segments[:-1]
    missing = RecGroup(str(this + 1), group.heading, [], "", segments=[last], inferred=True)
    missing.checks.append(
        f"the opening row of recommendation {this + 1} is not in the document (the numbering jumps from {this} "
        f"to {following}); the text at {last.place} is read as the surviving part of {this + 1}, not as more "
        f"of {this}.")
    return missing


def infer_agreements(groups: list[RecGroup], summary: dict[str, int]) -> None:
    """Agreement for recommendations whose row is missing, from the plan's own summary count
    (or, with no summary, agreed when every surviving one is agreed); always marked inferred."""
    missing = [g for g in groups if not g.agreement and g.inferred]
    if not missing:
        return
    known: dict[str, int] = {}
    for g in groups:
        if g.agreement:
            known[g.agreement] = known.get(g.agreement, 0) + 1
    left = {key: summary.get(key, 0) - known.get(key, 0) for key in ("agreed", "partly_agreed", "not_agreed")}
    if summary and sum(left.values()) == len(missing) and sum(1 for v in left.values() if v) == 1:
        value = next(key for key, v in left.items() if v)
        why = "the plan's own count of agreed / partly agreed / not agreed only adds up so"
    elif set(known) == {"agreed"}:
        value, why = "agreed", "every recommendation whose row survives is agreed"
    else:
        value, why = "agreed", "nothing in the document says; it is a guess"
    for group in missing:
        group.agreement = value
        group.checks.append(f"its agreement is inferred as {value.replace('_', ' ')}: {why}.")


