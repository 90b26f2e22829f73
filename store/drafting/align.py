"""Lining up the table: rows into recommendations, response paragraphs with owners and target dates.

Where the reading is uncertain (a row cut by a page break, fewer owner or date entries than
paragraphs, a recommendation whose opening row is missing) the best reading is taken and the
action or recommendation is given a check saying what to look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from store.drafting.model import DraftAction, DraftRecommendation, Paragraph, Row
from store.drafting.owner_cells import runs_together, split_owners

_AGREEMENTS = (("partly", "partly_agreed"), ("not", "not_agreed"), ("agreed", "agreed"))
_SHOULD = re.compile(r"^(?P<who>[^:]{2,120}?)\s+should\s*:\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_ACTION_NUMBER = re.compile(r"^(?P<ref>\d+(?:\.\d+)+|\d+\))\.?\s+(?=\S)")
_SENTENCE_END = re.compile(r"[.!?:;)\"'”’]\s*$")


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
            # owner / date entries printed on a line of their own belong to the row above
            above = segments[-1]
            segments[-1] = replace(above, owners=above.owners + row.owners, targets=above.targets + row.targets)
            continue
        segments.append(row)
    return _fill_gaps(groups)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _fill_gaps(groups: list[RecGroup]) -> list[RecGroup]:
    """Give the recommendations whose opening rows are missing their numbers."""
    result: list[RecGroup] = []
    for index, group in enumerate(groups):
        if group.number:
            result.append(group)
            continue
        before = next((_number(g.number) for g in reversed(result) if g.number), 0) or 0
        after = next((_number(g.number) for g in groups[index + 1:] if g.number), None)
        if after is not None and after - before >= 2:
            group.number = str(before + 1)
        else:
            group.number = str(before + 1) if after is None else f"{before}-cont"
        group.checks.append(
            f"the opening row of recommendation {group.number} (its number, wording and agreement) is not in "
            f"the document; only text continued from it survives ({group.segments[0].place}).")
        result.append(group)
    # Trailing rows of a recommendation followed by a gap in the numbering: if they start a new
    # paragraph, or the paragraph before them is finished, they belong to the missing one.
    final: list[RecGroup] = []
    for index, group in enumerate(result):
        final.append(group)
        this, following = _number(group.number), None
        if index + 1 < len(result):
            following = _number(result[index + 1].number)
        if this is None or following is None or following - this < 2 or len(group.segments) < 2:
            continue
        for cut in range(1, len(group.segments)):
            segment = group.segments[cut]
            previous = group.segments[cut - 1].response
            first = segment.response[0] if segment.response else None
            finished = bool(previous) and bool(_SENTENCE_END.search(previous[-1].render()))
            if first is not None and (first.opens or finished) and cut == len(group.segments) - 1:
                missing = RecGroup(str(this + 1), group.heading, [], "", segments=group.segments[cut:],
                                   inferred=True)
                missing.checks.append(
                    f"the opening row of recommendation {this + 1} is not in the document (the numbering jumps "
                    f"from {this} to {following}); the text at {segment.place} is read as the surviving part of "
                    f"{this + 1}, not as more of {this}.")
                group.segments = group.segments[:cut]
                final.append(missing)
                break
    return final


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


def _join(previous: Paragraph, continued: Paragraph) -> None:
    """A paragraph cut by a page break made whole again."""
    if continued.text:
        if previous.bullets:
            previous.bullets[-1] = _glue(previous.bullets[-1], continued.text)
        else:
            previous.text = _glue(previous.text, continued.text)
    previous.bullets.extend(continued.bullets)


def _glue(before: str, after: str) -> str:
    """Two halves of a text cut by a page break; a word hyphenated at the break ("community-" /
    "based") is written whole."""
    if before.endswith("-") and after[:1].islower():
        return before + after
    return f"{before} {after}".strip()


def _numbered(paragraph: Paragraph) -> bool:
    return _ACTION_NUMBER.match(paragraph.text) is not None


def _goes_on(last: Paragraph, first: Paragraph, numbered: bool) -> bool:
    """Whether a row's first paragraph continues the last paragraph of the row before."""
    if not first.opens:
        return True
    if numbered and not _numbered(first) and first.text:
        return True  # in a plan that numbers its actions, an unnumbered start is the rest of one
    return bool(first.text) and not last.bullets and not _SENTENCE_END.search(last.text)


def _split_run_together(paragraphs: list[Paragraph]) -> tuple[list[Paragraph], bool]:
    """'1) ... 2) ... 3) ...' printed as one paragraph, split at each next number."""
    result: list[Paragraph] = []
    split = False
    for paragraph in paragraphs:
        found = re.match(r"^(\d+)\)\s", paragraph.text)
        pieces = [paragraph.text]
        if found and not paragraph.bullets:
            n = int(found.group(1))
            while True:
                head, sep, rest = pieces[-1].partition(f" {n + 1}) ")
                if not sep:
                    break
                pieces[-1:] = [head, f"{n + 1}) {rest}"]
                n += 1
        if len(pieces) > 1:
            split = True
            result += [Paragraph(piece.strip()) for piece in pieces]
        else:
            result.append(paragraph)
    return result, split


def actions_of(group: RecGroup) -> list[DraftAction]:
    """Each response paragraph as an action, with the owner and target entries printed beside it."""
    actions: list[DraftAction] = []
    last: Paragraph | None = None
    numbered = any(_numbered(p) for s in group.segments for p in s.response)
    seen_number = False
    bullets_are_actions = False
    for segment in group.segments:
        paragraphs, split = _split_run_together(list(segment.response))
        if split:
            group.checks.append(f"numbered items printed as one paragraph ({segment.place}) are split at each number.")
        owners, targets = list(segment.owners), list(segment.targets)
        width = max(len(owners), len(targets))
        if paragraphs and last is not None and _goes_on(last, paragraphs[0], numbered):
            continued = paragraphs[0]
            if continued.bullets and not continued.text and (
                    bullets_are_actions or (width > 1 and len(paragraphs) - 1 + len(continued.bullets) == width)):
                # one date per bullet: each bullet of the list carried over is an action of its own
                paragraphs = [Paragraph(b) for b in continued.bullets] + paragraphs[1:]
                group.checks.append(f"the bullets carried over at {segment.place} are read as actions of their own, "
                                    f"as the bullets before them are.")
                if not owners and actions:
                    owners = [" & ".join(actions[-1].owners)] if actions[-1].owners else []
            else:
                _join(last, paragraphs.pop(0))
                if actions:
                    actions[-1].text = _render(last)[1]
                    actions[-1].checks.append(
                        f"the paragraph is read as cut by a page break ({segment.place}) and its halves joined.")
                    if len(owners) > len(paragraphs) and owners and actions[-1].owners:
                        # the owner cell broke too: its first entry here ends the entry above
                        joined = f"{_last_owner_entry(group, segment)} {owners.pop(0)}"
                        actions[-1].owners = split_owners(joined)
                        actions[-1].checks.append(f"the owner entry is read as cut by the page break too: {joined!r}.")
        elif paragraphs and last is None and not paragraphs[0].opens and len(paragraphs) - 1 == width > 0:
            fragment = paragraphs.pop(0)
            ref, text = _render(fragment)
            actions.append(DraftAction(text, [], "", ref, [
                f"this text goes on from a page that is missing ({segment.place}); its owner and date are not in the "
                f"document and are not guessed."]))
        segment = replace(segment, owners=owners, targets=targets)
        bullets_are_actions = False
        lost = _lost_breaks(paragraphs, segment, group.agreement in ("agreed", ""))
        if lost is not None:
            paragraphs, segment, reason = lost
            if reason:
                group.reason = reason
                group.checks.append("the reason is read from the opening sentences of the response.")
            found = _line_up(paragraphs, segment)
            for action in found:
                action.checks = [f"the paragraph breaks of the row at {segment.place} are lost in the document "
                                 f"(its date cell reads {' '.join(segment.targets)!r}): its text is split at sentence "
                                 f"ends, one part per date, and the owners where a role repeats."]
                action.owners = [o for o in action.owners if o]
            actions.extend(found)
            last = paragraphs[-1]
            continue
        if numbered:
            if not seen_number:
                lead = [p for p in _until_numbered(paragraphs)]
                if lead:
                    paragraphs = paragraphs[len(lead):]
                    quoted = " / ".join(p.render()[:80] for p in lead)
                    group.checks.append(f"opening paragraphs without a number are not counted as actions: {quoted!r}.")
            paragraphs = _merge_unnumbered(paragraphs)
            seen_number = seen_number or any(_numbered(p) for p in paragraphs)
        paragraphs = _drop_lead_ins(paragraphs, segment, group)
        units = _units(paragraphs, max(len(segment.owners), len(segment.targets)))
        if units is not None and len(units) != len(paragraphs):
            bullets_are_actions = True
            group.checks.append(f"the date column at {segment.place} gives one entry per bullet, "
                                f"so each bullet is read as an action.")
            paragraphs = units
        if paragraphs and not segment.owners and not segment.targets and actions and \
                (actions[-1].owners or actions[-1].target):
            previous = actions[-1]
            for paragraph in paragraphs:
                ref, text = _render(paragraph)
                actions.append(DraftAction(text, list(previous.owners), previous.target, ref, [
                    f"no owner or date is printed beside this paragraph ({segment.place}); it is given those of the "
                    f"paragraph before it."]))
        else:
            actions.extend(_line_up(paragraphs, segment))
        if paragraphs:
            last = paragraphs[-1]
        elif segment.owners or segment.targets:
            if actions:
                actions[-1].checks.append(
                    f"owner or date entries stand at {segment.place} with no paragraph beside them: "
                    f"{'; '.join(segment.owners + segment.targets)!r}.")
    return actions


_ONE_DATE = re.compile(
    r"Complete(?:d)?(?:\s+and\s+(?:on-?going|monthly|weekly|quarterly))?|On-?going|Monthly|Quarterly|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s*\d{2,4}", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_REASON_GOES_ON = re.compile(r"^(?:Whilst|However|Although|While)\b")


def dates_in(entry: str) -> list[str]:
    """The dates of a target entry that runs several together ("Completed September 2023"), or [entry]."""
    found = [m.group(0) for m in _ONE_DATE.finditer(entry)]
    return found if len(found) > 1 and " ".join(found) == " ".join(entry.split()) else [entry]


def reason_sentences(text: str) -> tuple[str, str]:
    """(the opening sentences that say why a recommendation is not fully agreed, the rest)."""
    sentences = _SENTENCE.split(text)
    if not sentences or not re.search(r"\b(?:partly|not)\s+agreed\b", sentences[0], re.IGNORECASE):
        return "", text
    count = 2 if len(sentences) > 1 and _REASON_GOES_ON.match(sentences[1]) else 1
    return " ".join(sentences[:count]), " ".join(sentences[count:])


def _lost_breaks(paragraphs: list[Paragraph], row: Row, agreed: bool) -> tuple[list[Paragraph], Row, str] | None:
    """A row printed as one run of text whose date cell holds several dates: the paragraph breaks were
    lost. Best reading: the text split at sentence ends, one part per date (the last part takes the
    rest); the owner roles split into as many groups where a role repeats."""
    if len(paragraphs) != 1 or paragraphs[0].bullets or len(row.targets) != 1:
        return None
    dates = dates_in(row.targets[0])
    text = paragraphs[0].text
    reason = ""
    if not agreed:
        reason, text = reason_sentences(text)
    sentences = _SENTENCE.split(text) if text else []
    if len(dates) < 2 or len(sentences) < len(dates):
        return None
    parts = sentences[:len(dates) - 1] + [" ".join(sentences[len(dates) - 1:])]
    roles = [role for entry in row.owners for role in split_owners(entry)]
    groups: list[list[str]] = [[]]
    for role in roles:
        if role in groups[-1]:
            groups.append([])
        groups[-1].append(role)
    if len(groups) != len(dates):
        groups = [[role] for role in roles] if len(roles) == len(dates) else [roles] * len(dates)
    owners = [" & ".join(group) for group in groups]
    return [Paragraph(part) for part in parts], replace(row, owners=owners, targets=dates), reason


def _last_owner_entry(group: RecGroup, before: Row) -> str:
    """The last owner entry printed above a row of the group."""
    index = group.segments.index(before)
    for segment in reversed(group.segments[:index]):
        if segment.owners:
            return segment.owners[-1]
    return ""


def _until_numbered(paragraphs: list[Paragraph]) -> list[Paragraph]:
    lead = []
    for paragraph in paragraphs:
        if _numbered(paragraph):
            break
        lead.append(paragraph)
    return lead if len(lead) < len(paragraphs) else []


def _merge_unnumbered(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """In a plan that numbers its actions, an unnumbered paragraph belongs to the numbered one above."""
    result: list[Paragraph] = []
    for paragraph in paragraphs:
        if result and not _numbered(paragraph):
            result[-1] = Paragraph(f"{result[-1].render()}\n\n{paragraph.text}".rstrip(), list(paragraph.bullets))
        else:
            result.append(paragraph)
    return result


def _units(paragraphs: list[Paragraph], width: int) -> list[Paragraph] | None:
    """The paragraphs, or with one paragraph's bullets made actions of their own where that makes
    exactly one per owner/date entry; None when nothing fits."""
    if len(paragraphs) >= width:
        return paragraphs
    for index, paragraph in enumerate(paragraphs):
        if not paragraph.bullets:
            continue
        bullets = [Paragraph(b) for b in paragraph.bullets]
        head = [Paragraph(paragraph.text)] if paragraph.text else []
        for middle in (head + bullets, bullets):
            units = paragraphs[:index] + middle + paragraphs[index + 1:]
            if len(units) == width:
                return units
    return None


def _drop_lead_ins(paragraphs: list[Paragraph], row: Row, group: RecGroup) -> list[Paragraph]:
    """'The NPS NE will:' is not an action unless it has its own owner and date."""
    width = max(len(row.owners), len(row.targets))
    while (len(paragraphs) > width > 0 and len(paragraphs) > 1 and not paragraphs[0].bullets
           and paragraphs[0].text.endswith(":") and len(paragraphs[0].text) < 60):
        group.checks.append(f"the lead-in {paragraphs[0].text!r} has no owner or date of its own and is not an action.")
        paragraphs = paragraphs[1:]
    return paragraphs


def _render(paragraph: Paragraph) -> tuple[str | None, str]:
    """(the document's own action number or None, the text without it)."""
    text = paragraph.render()
    found = _ACTION_NUMBER.match(text)
    if not found:
        return None, text
    return found.group("ref").rstrip(")."), text[found.end():]


def _line_up(paragraphs: list[Paragraph], row: Row) -> list[DraftAction]:
    owners, targets = row.owners, row.targets
    count = len(paragraphs)
    actions: list[DraftAction] = []
    for index, paragraph in enumerate(paragraphs):
        ref, text = _render(paragraph)
        owner = owners[min(index, len(owners) - 1)] if owners else ""
        target = targets[min(index, len(targets) - 1)] if targets else ""
        action = DraftAction(text=text, owners=split_owners(owner) if owner else [], target=target, ref=ref)
        single = len(owners) == 1 and len(targets) == 1 and count > 1
        shared_owner = len(owners) == 1 and len(targets) == count  # one owner printed for every dated paragraph
        if (count != len(owners) or count != len(targets)) and not single and not shared_owner:
            action.checks.append(_mismatch(count, len(owners), len(targets), index, row.place))
        elif single:
            action.checks.append(f"one owner and one date are printed for the {count} paragraphs at {row.place}; "
                                 f"read as applying to each.")
        elif target and _dates_run_together(target):
            action.checks.append(f"the date entry {target!r} holds more than one date: the paragraph breaks of this "
                                 f"row may be lost, so its text may be several actions.")
        elif owner and (runs_together(owner) or len(set(action.owners)) < len(action.owners)):
            action.checks.append(f"the owner entry {owner!r} prints roles side by side; read as {action.owners!r}.")
        actions.append(action)
    return actions


def _mismatch(paragraphs: int, owners: int, targets: int, index: int, place: str) -> str:
    if not owners and not targets:
        return (f"no owner or target date is printed beside this paragraph ({place}); none is guessed.")
    what = (f"the row at {place} has {paragraphs} paragraph{'s' if paragraphs != 1 else ''}, "
            f"{owners} owner entr{'ies' if owners != 1 else 'y'} and {targets} date{'s' if targets != 1 else ''}")
    if index >= min(owners, targets):
        return f"{what}; this paragraph is given the last owner and date printed."
    return f"{what}; entries are read in order, one per paragraph."


_DATE_WORD = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d{2,4}\b|\bcomplete(?:d)?\b",
                        re.IGNORECASE)


def _dates_run_together(target: str) -> bool:
    """A target entry that holds two dates ("Completed September 2023"): paragraph breaks were lost."""
    return len(_DATE_WORD.findall(target)) > 1 and not re.search(r"\b(?:and|with|from|thereafter)\b|[–-]", target)


def recommendation_of(group: RecGroup) -> DraftRecommendation:
    """The recommendation's draft, its actions lined up and the document's action numbers kept as refs."""
    actions = actions_of(group)
    seen: set[str] = set()
    for action in actions:
        if action.ref and action.ref.isdigit():  # "1)" under recommendation 4 is cited as 4.1
            action.ref = f"{group.number}.{action.ref}"
        if action.ref in seen:
            action.checks.append(f"the document numbers two actions {action.ref}.")
            action.ref = None
        elif action.ref:
            seen.add(action.ref)
    rec = DraftRecommendation(number=group.number, text="\n".join(group.text).strip(),
                              agreement=group.agreement or "agreed", reason=group.reason,
                              inferred=group.inferred, checks=list(group.checks), actions=actions)
    if rec.agreement != "agreed" and not rec.reason:
        _take_reason(rec, group.segments[0].agreement if group.segments else "")
    return rec


def _take_reason(rec: DraftRecommendation, agreement_cell: str) -> None:
    """The reason for partly or not agreeing: the agreement cell's brackets, else the response
    paragraph that gives it. That paragraph stays an action if something is owned or dated beside it;
    a reason of two sentences ("... partly agreed for operational reasons. Whilst ...") is left out of it."""
    bracket = re.search(r"\((.+)\)", agreement_cell)
    if bracket:
        rec.reason = bracket.group(1).strip()
        return
    for action in rec.actions:
        reason, rest = reason_sentences(action.text)
        if not reason:
            continue
        rec.checks.append("the reason is read from the response paragraph that gives it.")
        if not action.owners and not action.target:
            rec.reason = action.text
            rec.actions.remove(action)
        elif rest and _REASON_GOES_ON.match(reason.split(". ", 1)[-1]):
            rec.reason, action.text = reason, rest
            action.checks.append("the opening sentences give the reason for not fully agreeing and are left out "
                                 "of this action.")
        else:
            rec.reason = action.text
            action.checks.append("this paragraph also gives the reason for not fully agreeing; "
                                 "check whether it is an action.")
        return
