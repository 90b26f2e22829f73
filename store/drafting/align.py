"""Lining up a recommendation's response paragraphs with the owners and target dates printed beside them.

Where the reading is uncertain (a row cut by a page break, fewer owner or date entries than
paragraphs, a recommendation whose opening row is missing) the best reading is taken and the
action or recommendation is given a check saying what to look at.
"""

from __future__ import annotations

import re
from dataclasses import replace

from store.drafting.grouping import SENTENCE_END, RecGroup
from store.drafting.model import DraftAction, DraftRecommendation, Paragraph, Row
from store.drafting.owner_cells import runs_together, split_owners

_ACTION_NUMBER = re.compile(r"^(?P<ref>\d+(?:\.\d+)+|\d+\))\.?\s+(?=\S)")


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
    if numbered and first.text:  # in a plan that numbers its actions, an unnumbered start is the rest of one
        return not _numbered(first)
    return bool(first.text) and not last.bullets and not last.was_bullet and not SENTENCE_END.search(last.text)


_LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)(\)|\.)?\s")


def _split_run_together(paragraphs: list[Paragraph]) -> tuple[list[Paragraph], bool]:
    """Numbered items printed as one paragraph ('1) ... 2) ...', '6.2.1 ... 6.2.2 ...'), split at
    each next number."""
    result: list[Paragraph] = []
    split = False
    for paragraph in paragraphs:
        found = _LEADING_NUMBER.match(paragraph.text)
        pieces = [paragraph.text]
        if found and not paragraph.bullets and (found.group(2) == ")" or "." in found.group(1)):
            *stem, last = found.group(1).split(".")
            n, mark = int(last), found.group(2) or ""
            while True:
                following = ".".join([*stem, str(n + 1)]) + mark
                head, sep, rest = pieces[-1].partition(f" {following} ")
                if not sep:
                    break
                pieces[-1:] = [head, f"{following} {rest}"]
                n += 1
        if len(pieces) > 1:
            split = True
            result += [Paragraph(piece.strip()) for piece in pieces]
        else:
            result.append(paragraph)
    return result, split


def actions_of(group: RecGroup, known_roles: frozenset[str] = frozenset()) -> list[DraftAction]:
    """Each response paragraph as an action, with the owner and target entries printed beside it.
    `known_roles`: roles the document prints alone in an owner cell somewhere."""
    lining = _Lining(group, known_roles)
    for segment in group.segments:
        lining.add(segment)
    return lining.actions


class _Lining:
    """The actions of one recommendation, built row by row (a page break starts a new row)."""

    def __init__(self, group: RecGroup, known_roles: frozenset[str]) -> None:
        self.group = group
        self.known_roles = known_roles
        self.actions: list[DraftAction] = []
        self.last: Paragraph | None = None  # the last paragraph read, which a page break may have cut
        self.numbered = any(_numbered(p) for s in group.segments for p in s.response)
        self.seen_number = False
        self.bullets_are_actions = False  # the row above made each bullet an action

    def check(self, text: str) -> None:
        self.group.checks.append(text)

    def add(self, row: Row) -> None:
        paragraphs, split = _split_run_together(list(row.response))
        if split:
            self.check(f"numbered items printed as one paragraph ({row.place}) are split at each number.")
        paragraphs, row = self._carried_over(paragraphs, row)
        self.bullets_are_actions = False
        lost = _lost_breaks(paragraphs, row, self.group.agreement in ("agreed", ""))
        if lost is not None:
            self._add_lost_breaks(*lost)
            return
        if self.numbered:
            paragraphs = self._numbered_paragraphs(paragraphs)
        paragraphs = _drop_lead_ins(paragraphs, row, self.group)
        units = _units(paragraphs, max(len(row.owners), len(row.targets)))
        if units is not None and len(units) != len(paragraphs):
            self.bullets_are_actions = True
            self.check(f"the date column at {row.place} gives one entry per bullet, so each bullet is read as an "
                       "action.")
            paragraphs = units
        if paragraphs and not row.owners and not row.targets and self.actions and \
                (self.actions[-1].owners or self.actions[-1].target):
            self._inherit(paragraphs, row)
        else:
            self.actions.extend(_line_up(paragraphs, row, self.known_roles))
        if paragraphs:
            self.last = paragraphs[-1]
        elif (row.owners or row.targets) and self.actions:
            self.actions[-1].checks.append(f"owner or date entries stand at {row.place} with no paragraph beside "
                                           f"them: {'; '.join(row.owners + row.targets)!r}.")

    def _carried_over(self, paragraphs: list[Paragraph], row: Row) -> tuple[list[Paragraph], Row]:
        """The start of a row that goes on from the row above: joined to it, or (a list whose bullets
        are dated one by one) made actions of its own; text from a missing page kept ownerless."""
        owners, width = list(row.owners), max(len(row.owners), len(row.targets))
        last, actions = self.last, self.actions
        if paragraphs and last is not None and _goes_on(last, paragraphs[0], self.numbered):
            continued = paragraphs[0]
            if continued.bullets and not continued.text and (
                    self.bullets_are_actions or (width > 1 and len(paragraphs) - 1 + len(continued.bullets) == width)):
                paragraphs = [Paragraph(b, was_bullet=True) for b in continued.bullets] + paragraphs[1:]
                self.check(f"the bullets carried over at {row.place} are read as actions of their own, "
                           f"as the bullets before them are.")
                if not owners and actions and actions[-1].owners:
                    owners = [" & ".join(actions[-1].owners)]
            else:
                # sure where the rest starts in lower case, or a list goes on; a reading where it starts
                # a sentence (the paragraph above has no full stop) or follows a list
                unsure = continued.opens or bool(continued.text and last.bullets)
                _join(last, paragraphs.pop(0))
                if actions:
                    actions[-1].text = _render(last)[1]
                    if unsure:
                        actions[-1].checks.append(
                            f"the paragraph is read as cut by a page break ({row.place}) and its halves joined.")
                    if len(owners) > len(paragraphs) and actions[-1].owners:
                        # the owner cell broke too: its first entry here ends the entry above
                        joined = f"{_last_owner_entry(self.group, row)} {owners.pop(0)}"
                        actions[-1].owners = split_owners(joined)
                        actions[-1].checks.append(f"the owner entry is read as cut by the page break too: {joined!r}.")
        elif paragraphs and last is None and not paragraphs[0].opens and len(paragraphs) - 1 == width > 0:
            ref, text = _render(paragraphs.pop(0))
            actions.append(DraftAction(text, [], "", ref, [
                f"this text goes on from a page that is missing ({row.place}); its owner and date are not in the "
                f"document and are not guessed."]))
        return paragraphs, replace(row, owners=owners)

    def _add_lost_breaks(self, paragraphs: list[Paragraph], row: Row, reason: str) -> None:
        if reason:
            self.group.reason = reason
            self.check("the reason is read from the opening sentences of the response.")
        for action in _line_up(paragraphs, row, self.known_roles):
            action.checks = [f"the paragraph breaks of the row at {row.place} are lost in the document (its date "
                             f"cell reads {' '.join(row.targets)!r}): its text is split at sentence ends, one part "
                             f"per date, and the owners where a role repeats."]
            self.actions.append(action)
        self.last = paragraphs[-1]

    def _numbered_paragraphs(self, paragraphs: list[Paragraph]) -> list[Paragraph]:
        """In a plan that numbers its actions: opening paragraphs before the first number are not
        actions; an unnumbered paragraph belongs to the numbered one above it."""
        if not self.seen_number:
            lead = _until_numbered(paragraphs)
            if lead:
                paragraphs = paragraphs[len(lead):]
                quoted = " / ".join(p.render()[:80] for p in lead)
                self.check(f"opening paragraphs without a number are not counted as actions: {quoted!r}.")
        paragraphs = _merge_unnumbered(paragraphs)
        self.seen_number = self.seen_number or any(_numbered(p) for p in paragraphs)
        return paragraphs

    def _inherit(self, paragraphs: list[Paragraph], row: Row) -> None:
        """Paragraphs with nothing printed beside them take the owners and date of the one before."""
        previous = self.actions[-1]
        for paragraph in paragraphs:
            ref, text = _render(paragraph)
            self.actions.append(DraftAction(text, list(previous.owners), previous.target, ref, [
                f"no owner or date is printed beside this paragraph ({row.place}); it is given those of the "
                f"paragraph before it."]))


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
    parts = [*sentences[:len(dates) - 1], " ".join(sentences[len(dates) - 1:])]
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
        bullets = [Paragraph(b, was_bullet=True) for b in paragraph.bullets]
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


def _line_up(paragraphs: list[Paragraph], row: Row, known_roles: frozenset[str]) -> list[DraftAction]:
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
        elif owner and (len(set(action.owners)) < len(action.owners) or (
                runs_together(owner) and not set(action.owners) <= known_roles)):
            # roles printed side by side split with confidence where each is printed alone elsewhere
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


_DATE_WORD = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*\d{2,4}\b"
                        r"|\bcomplete(?:d)?\b",
                        re.IGNORECASE)


def _dates_run_together(target: str) -> bool:
    """A target entry that holds two dates ("Completed September 2023"): paragraph breaks were lost."""
    return len(_DATE_WORD.findall(target)) > 1 and not re.search(r"\b(?:and|with|from|thereafter)\b|[–-]", target)


def recommendation_of(group: RecGroup, known_roles: frozenset[str] = frozenset()) -> DraftRecommendation:
    """The recommendation's draft, its actions lined up and the document's action numbers kept as refs."""
    actions = actions_of(group, known_roles)
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
