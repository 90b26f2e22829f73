"""Read a prose target date ("March 2024", "May19 – Aug 19", "Complete and monthly") as a manager would.

A small grammar of the forms the action plans use; anything else is UNREADABLE: no deadline, flagged,
never guessed. Two-digit years are years (May 19 is May 2019); '2024/25' is a UK financial year
(April 2024 - March 2025). When a recurring duty falls is `store.months`' one rule. Pure and cached:
safe to call for every action at import. The grammar is compiled on the first reading. `Status` and
`TargetKind` live in `store.kinds` (the CLI's read commands need them without this reader).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from store.kinds import Status, TargetKind
from store.months import Month, month_end, occurs
from store.patterns import LazyPattern

__all__ = [
    "Status",
    "TargetDate",
    "TargetKind",
    "read_target",
    "split_targets",
]


def _month_label(d: date) -> str:
    return Month.of(d).label


def _day_label(d: date) -> str:
    return f"{d.day} {_month_label(d)}"


def _short(text: str, limit: int = 24) -> str:
    """Cut text at a word boundary for describe()."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return f"{cut} ..."


@dataclass(frozen=True, slots=True)
class TargetDate:
    """A target date as written, with its reading."""

    written: str
    kind: TargetKind
    deadline: date | None
    start: date | None
    every_months: int | None
    recurrence: str | None
    caveat: str | None
    checkpoints: tuple[date, ...] = ()

    def _replace_written(self, written: str) -> TargetDate:
        return TargetDate(written, self.kind, self.deadline, self.start, self.every_months, self.recurrence,
                          self.caveat, self.checkpoints)

    @property
    def flagged(self) -> bool:
        """True when the words could not be read."""
        return self.kind is TargetKind.UNREADABLE

    @property
    def first_status(self) -> Status:
        """Status implied by the plan itself."""
        if self.kind is TargetKind.COMPLETE:
            return Status.COMPLETE
        if self.kind in (TargetKind.COMPLETE_RECURRING, TargetKind.ONGOING):
            return Status.ONGOING  # set up and continuing, or work the plan describes as under way
        return Status.NOT_STARTED

    @property
    def is_recurring(self) -> bool:
        """A duty done period by period (has an interval)."""
        return (
            self.kind in (TargetKind.RECURRING, TargetKind.COMPLETE_RECURRING)
            and self.every_months is not None
        )

    @property
    def start_month(self) -> int | None:
        """The month index a recurring duty starts in (None when not recurring or no start is known)."""
        return Month.of(self.start).index if self.is_recurring and self.start is not None else None

    def occurs_in(self, year: int, month: int) -> bool:
        """Whether a recurring duty has an occurrence in that month (never before its start; never
        when no start is known: a plan file must give one, see `planfile`)."""
        return occurs(self.start_month, self.every_months, Month(year, month).index)

    def describe(self) -> str:
        """Short human reading of the target."""
        kind = self.kind
        if kind is TargetKind.ONE_OFF and self.deadline is not None:
            text = f"due by {_day_label(self.deadline)}"
        elif kind is TargetKind.PERIOD and self.deadline is not None and self.start is not None:
            text = (
                f"{_month_label(self.start)} – {_month_label(self.deadline)}, "
                f"due by {_day_label(self.deadline)}"
            )
        elif kind is TargetKind.RECURRING:
            text = self.recurrence or "recurring"
            if self.start is not None:
                text += f" from {_month_label(self.start)}"
        elif kind is TargetKind.COMPLETE:
            text = "complete"
            if self.deadline is not None:
                text += f" by {_day_label(self.deadline)}"
        elif kind is TargetKind.COMPLETE_RECURRING:
            if self.every_months is not None:
                text = f"complete; continues {self.recurrence}"
            elif self.caveat:
                return f"complete; continues {self.caveat}"
            elif self.start is not None:
                text = f"complete by {_day_label(self.start)}; ongoing"
            else:
                text = "complete; ongoing"
        elif kind is TargetKind.DEADLINE_ONGOING and self.deadline is not None:
            text = f"due by {_day_label(self.deadline)}, then continuing"
        elif kind is TargetKind.ONGOING:
            text = "ongoing"
            if self.start is not None:
                text += f" from {_month_label(self.start)}"
        else:
            if not self.written.strip():
                return "unreadable: no date"
            pieces = split_targets(self.written)
            if len(pieces) > 1:
                return "unreadable: several targets run together (" + " | ".join(pieces) + ")"
            return "unreadable: not a date form I know"
        if self.checkpoints:
            return text + "; checkpoint " + ", ".join(f"by {_day_label(d)}" for d in self.checkpoints)
        if self.caveat:
            inner = self.caveat
            if inner.startswith("(") and inner.endswith(")"):
                inner = inner[1:-1].strip()
            text += f" ({_short(inner)})"
        return text


# --- grammar -------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH_NUMBER = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_YEAR = r"(?:\d{4}|\d{2})"


def _my(n: int) -> str:
    """A month and a year ("May 19", "July.19", "May19", "Sept 2019") as groups mN / yN."""
    return rf"\b(?P<m{n}>{_MONTH})\.?\s*[.'’/-]?\s*(?P<y{n}>{_YEAR})(?!\d)"


_REC_WORD = (
    r"(?P<rec>weekly|monthly|quarterly|six[- ]?monthly|6[- ]?monthly|bi-?annual(?:ly)?"
    r"|half[- ]?yearly|twice[- ]yearly|annual(?:ly)?|yearly)"
)
_ONGOING_WORD = r"(?:on-?going|on going|continuing|continuous)"
_FROM = r"(?:from|starting|commencing|beginning)(?:\s+(?:in|from))?"
_FLAGS = re.IGNORECASE


_RE_COMPLETE = LazyPattern(r"(?:complete|completed|done)\.?", _FLAGS)
_RE_COMPLETE_RECURRING = LazyPattern(
    rf"complete(?:d)?\s*,?\s*(?:and|&)\s+"
    rf"(?:{_REC_WORD}(?:\s+thereafter)?(?:\s+{_FROM}\s+{_my(1)})?"
    rf"|(?P<ong>{_ONGOING_WORD})"
    rf"|(?P<adhoc>(?:as\s+and\s+when|as|when)\s+(?:required|needed|necessary)))\.?",
    _FLAGS,
)
_RE_RECURRING = LazyPattern(rf"{_REC_WORD}(?:\s+{_FROM}\s+{_my(1)})?\.?", _FLAGS)
_RE_RECURRING_AFTER = LazyPattern(
    rf"{_my(1)}\s*,?\s*(?:and|then|&)\s+(?:then\s+)?{_REC_WORD}(?:\s+(?:thereafter|after\s+that))?\.?",
    _FLAGS,
)
_RE_ONGOING = LazyPattern(rf"(?:(?:current(?:ly)?|continuing)\s+and\s+)?{_ONGOING_WORD}\.?", _FLAGS)
_RE_ONGOING_FROM = LazyPattern(
    rf"(?:{_ONGOING_WORD}\s+)?{_FROM}\s+{_my(1)}(?:\s+onwards?)?\.?"
    rf"|{_my(2)}\s*,?\s*onwards?\.?",
    _FLAGS,
)
_RE_DEADLINE_ONGOING = LazyPattern(
    rf"(?:(?:by|before)\s+)?(?:(?:the\s+)?end\s+(?:of\s+)?)?{_my(1)}\s*,?\s*(?:and|&|then)\s+(?:then\s+)?"
    rf"{_ONGOING_WORD}(?:\s+(?:thereafter|after(?:wards)?))?\.?",
    _FLAGS,
)
_DAY = (
    rf"(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<dm>{_MONTH})\.?,?\s+(?P<dy>\d{{4}})"
    r"|(?P<nd>\d{1,2})[/.](?P<nm>\d{1,2})[/.](?P<ny>\d{4}|\d{2}))(?!\d)"
)
_COMPLETE_WORD = r"(?:complete|completed|done)"
_RE_DAY = LazyPattern(rf"(?:(?:by|before|on)\s+)?(?:the\s+)?{_DAY}\.?", _FLAGS)
_RE_COMPLETE_ON = LazyPattern(rf"{_COMPLETE_WORD}\s*(?:[:\-–]|on)?\s*{_DAY}\.?", _FLAGS)
_RE_COMPLETE_ONGOING_ON = LazyPattern(
    rf"{_COMPLETE_WORD}\s*,?\s*(?:and|&)\s+{_ONGOING_WORD}\s*(?:[:\-–]|from|since|on)?\s*{_DAY}\.?", _FLAGS
)
_RE_IMMEDIATE = LazyPattern(r"(?:immediate(?:ly)?|with\s+immediate\s+effect)\.?", _FLAGS)
_BY_END = r"(?:(?:by|before)\s+)?(?:(?:the\s+)?end\s+(?:of\s+)?)?(?:the\s+)?"
_FY_YEARS = r"(?P<y1>\d{4})\s*[/-]\s*(?P<y2>\d{4}|\d{2})(?!\d)"
_RE_QUARTER = LazyPattern(
    rf"{_BY_END}(?:q(?P<q>[1-4])|(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)\s*(?:of\s+)?"
    rf"(?P<fy>(?:fy|financial\s+year)\s*)?(?:{_FY_YEARS}|(?P<y>\d{{4}})(?!\s*[/-]\s*\d))\.?",
    _FLAGS,
)
_RE_FINANCIAL_YEAR = LazyPattern(rf"{_BY_END}(?:(?:fy|financial\s+year)\s*)?{_FY_YEARS}\.?", _FLAGS)
_QUARTER_WORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_RE_PERIOD = LazyPattern(
    rf"(?:from\s+)?\b(?P<m1>{_MONTH})\.?(?:\s*[.'’/-]?\s*(?P<y1>{_YEAR})(?!\d))?"
    rf"\s*(?:–|—|-|to|until|till)\s*{_my(2)}",
    _FLAGS,
)
_RE_ONE_OFF = LazyPattern(
    rf"(?:(?:by|before)\s+)?(?:(?:the\s+)?end\s+(?:of\s+)?)?{_my(1)}\.?",
    _FLAGS,
)
_RE_MILESTONE = LazyPattern(
    rf"(?P<what>\S.*?)\s+(?:concluded|completed|finished|ended)\s+(?:in\s+)?{_my(1)}\.?",
    _FLAGS,
)
_RE_CAVEAT = LazyPattern(
    r"(?P<head>.*?\S)\s*[,;:]?\s*"
    r"(?P<cav>(?:\(|(?:tbc|tba|tbd|nb|n\.b\.?|subject\s+to|depend[ae]nt|provisional(?:ly)?|tentative(?:ly)?"
    r"|approx(?:imately)?|with\s+(?:an?\s+)?(?:checkpoints?|interim|review)|checkpoints?)(?![a-z])).*)",
    _FLAGS,
)
_RE_CHECKPOINTS = LazyPattern(
    r"(?:with\s+(?:an?\s+)?)?(?:interim\s+)?checkpoints?\s*(?:in|at|of|on|:)?\s*(?P<dates>.+)",
    _FLAGS,
)
_RE_LIST_SEP = LazyPattern(r"\s*(?:,|&|\band\b)\s*", _FLAGS)
_RE_SPACE = LazyPattern(r"\s+")
_RE_TRAILING_IN = LazyPattern(r"(?:\s+in)?\s*$", _FLAGS)

_EVERY = {
    "weekly": (1, "weekly"),
    "monthly": (1, "monthly"),
    "quarterly": (3, "quarterly"),
    "six-monthly": (6, "six-monthly"),
    "annually": (12, "annually"),
}

_MAX_RUN_TOGETHER_WORDS = 24


def _recurrence(word: str) -> tuple[int, str]:
    w = word.lower().replace(" ", "-")
    if w in ("weekly", "monthly", "quarterly"):
        return _EVERY[w]
    if w.startswith(("six", "6", "bi", "half", "twice")):
        return _EVERY["six-monthly"]
    return _EVERY["annually"]


def _year(text: str) -> int | None:
    year = int(text)
    if len(text) == 2:
        return 2000 + year
    return year if 1990 <= year <= 2099 else None


def _month_of(m: re.Match[str], n: int) -> tuple[int, int] | None:
    """(year, month) of the mN / yN groups, or None if the year is implausible."""
    year = _year(m.group(f"y{n}"))
    if year is None:
        return None
    return year, _MONTH_NUMBER[m.group(f"m{n}")[:3].lower()]


def _first(ym: tuple[int, int]) -> date:
    return date(ym[0], ym[1], 1)


def _end(ym: tuple[int, int]) -> date:
    return month_end(ym[0], ym[1])


_Reading = tuple[TargetKind, date | None, date | None, int | None, str | None, str | None]


class _PlanDate:
    """When the plan was written, as the grammar consults it; `consulted` says whether a reading did
    (one that never did reads the same whatever the plan's date, and is cached by its words alone)."""

    __slots__ = ("_day", "consulted")

    def __init__(self, day: date | None) -> None:
        self._day = day
        self.consulted = False

    def day(self) -> date | None:
        self.consulted = True
        return self._day

    def month(self) -> tuple[int, int] | None:
        day = self.day()
        return None if day is None else (day.year, day.month)

    def start(self) -> date | None:
        """The first day of the plan's month."""
        month = self.month()
        return None if month is None else _first(month)


def _read_core(text: str, plan_date: _PlanDate, *, milestones: bool) -> _Reading | None:
    """One whole-string form without trailing caveat words, or None."""
    if _RE_COMPLETE.fullmatch(text):
        return TargetKind.COMPLETE, None, None, None, None, None
    if m := _RE_ONE_OFF.fullmatch(text):
        ym = _month_of(m, 1)
        return None if ym is None else (TargetKind.ONE_OFF, _end(ym), None, None, None, None)
    if m := _RE_PERIOD.fullmatch(text):
        end = _month_of(m, 2)
        if end is None:
            return None
        first_month = _MONTH_NUMBER[m.group("m1")[:3].lower()]
        if m.group("y1") is not None:
            first_year = _year(m.group("y1"))
            if first_year is None:
                return None
        else:
            first_year = end[0] if first_month <= end[1] else end[0] - 1
        begin = (first_year, first_month)
        if begin > end:
            return None
        return TargetKind.PERIOD, _end(end), _first(begin), None, None, None
    if m := _RE_RECURRING.fullmatch(text):
        every, word = _recurrence(m.group("rec"))
        if m.group("m1") is not None:
            ym = _month_of(m, 1)
            if ym is None:
                return None
            return TargetKind.RECURRING, None, _first(ym), every, word, None
        return TargetKind.RECURRING, None, plan_date.start(), every, word, None
    if m := _RE_RECURRING_AFTER.fullmatch(text):
        ym = _month_of(m, 1)
        if ym is None:
            return None
        every, word = _recurrence(m.group("rec"))
        return TargetKind.RECURRING, None, _first(ym), every, word, None
    if m := _RE_COMPLETE_RECURRING.fullmatch(text):
        if m.group("rec") is not None:
            every, word = _recurrence(m.group("rec"))
            start: date | None
            if m.group("m1") is not None:
                ym = _month_of(m, 1)
                if ym is None:
                    return None
                start = _first(ym)
            else:
                start = plan_date.start()
            return TargetKind.COMPLETE_RECURRING, None, start, every, word, None
        caveat = m.group("adhoc")  # "as and when required": continues, on no schedule
        return TargetKind.COMPLETE_RECURRING, None, None, None, "ongoing", caveat
    if m := _RE_DEADLINE_ONGOING.fullmatch(text):
        ym = _month_of(m, 1)
        return None if ym is None else (TargetKind.DEADLINE_ONGOING, _end(ym), None, None, None, None)
    if _RE_ONGOING.fullmatch(text):
        return TargetKind.ONGOING, None, None, None, None, None
    if m := _RE_ONGOING_FROM.fullmatch(text):
        ym = _month_of(m, 1 if m.group("m1") is not None else 2)
        return None if ym is None else (TargetKind.ONGOING, None, _first(ym), None, None, None)
    if (day := _read_day_forms(text, plan_date)) is not None:  # after the forms the probation plans use
        return day
    if milestones and (m := _RE_MILESTONE.fullmatch(text)):
        what = m.group("what")
        ym = _month_of(m, 1)
        if ym is None or _RE_COMPLETE.match(what):
            return None
        words = _RE_TRAILING_IN.sub("", text[: m.start("m1")])
        plan_month = plan_date.month()
        if plan_month is not None and ym > plan_month:
            # Past tense about a month after the plan was written: a milestone still to come.
            return TargetKind.ONE_OFF, _end(ym), None, None, None, words
        return TargetKind.COMPLETE, _end(ym), None, None, None, words
    return None


def _day(m: re.Match[str]) -> date | None:
    """The day of a match of _DAY ('31 October 2016', '26/10/2016': day first), or None if no such day."""
    try:
        if m.group("d") is not None:
            return date(int(m.group("dy")), _MONTH_NUMBER[m.group("dm")[:3].lower()], int(m.group("d")))
        year = _year(m.group("ny"))
        return None if year is None else date(year, int(m.group("nm")), int(m.group("nd")))
    except ValueError:
        return None


def _financial_year(m: re.Match[str]) -> int | None:
    """The first calendar year of a UK financial year written '2024/25' or '2024-2025' (April to March)."""
    first, second = int(m.group("y1")), m.group("y2")
    following = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
    return first if following == first + 1 else None


def _read_day_forms(text: str, plan_date: _PlanDate) -> _Reading | None:
    """Days, quarters, financial years and 'Immediate': the forms other bodies' plans use."""
    if m := _RE_DAY.fullmatch(text):
        day = _day(m)
        return None if day is None else (TargetKind.ONE_OFF, day, None, None, None, None)
    if m := _RE_COMPLETE_ON.fullmatch(text):
        day = _day(m)
        return None if day is None else (TargetKind.COMPLETE, day, None, None, None, None)
    if m := _RE_COMPLETE_ONGOING_ON.fullmatch(text):
        day = _day(m)
        return None if day is None else (TargetKind.COMPLETE_RECURRING, None, day, None, "ongoing", None)
    if _RE_IMMEDIATE.fullmatch(text):
        day = plan_date.day()
        return None if day is None else (TargetKind.ONE_OFF, day, None, None, None, None)
    if m := _RE_QUARTER.fullmatch(text):
        quarter = int(m.group("q")) if m.group("q") else _QUARTER_WORD[m.group("qw").lower()]
        if m.group("y1") is not None:  # a financial year: Q1 is April to June
            year = _financial_year(m)
            if year is None:
                return None
            first = Month(year, 4).plus(3 * (quarter - 1))
        elif m.group("fy"):
            return None  # "Q3 FY 2024": which financial year is not said
        else:
            first = Month(int(m.group("y")), 3 * quarter - 2)
        return TargetKind.PERIOD, first.plus(2).last, first.first, None, None, None
    if m := _RE_FINANCIAL_YEAR.fullmatch(text):
        year = _financial_year(m)
        return None if year is None else (TargetKind.ONE_OFF, Month(year + 1, 3).last, None, None, None, None)
    return None


def _checkpoints(caveat: str) -> tuple[date, ...]:
    m = _RE_CHECKPOINTS.fullmatch(caveat)
    if m is None:
        return ()
    found: list[date] = []
    for part in _RE_LIST_SEP.split(m.group("dates").strip().rstrip(".")):
        one = _RE_ONE_OFF.fullmatch(part)
        ym = _month_of(one, 1) if one is not None else None
        if ym is None:
            return ()
        found.append(_end(ym))
    return tuple(found)


def _segment(words: list[str], plan_date: _PlanDate) -> list[list[str]] | None:
    """Split words into >= 2 consecutive core forms, fewest pieces first (longest piece first)."""
    n = len(words)
    if n < 2 or n > _MAX_RUN_TOGETHER_WORDS:
        return None
    readable: dict[tuple[int, int], bool] = {}

    def ok(i: int, j: int) -> bool:
        key = (i, j)
        if key not in readable:
            readable[key] = _read_core(" ".join(words[i:j]), plan_date, milestones=False) is not None
        return readable[key]

    best: dict[int, list[tuple[int, int]] | None] = {n: []}
    for i in range(n - 1, -1, -1):
        choice: list[tuple[int, int]] | None = None
        for j in range(n, i, -1):
            rest = best.get(j)
            if rest is not None and ok(i, j) and (choice is None or len(rest) + 1 < len(choice)):
                choice = [(i, j), *rest]
        best[i] = choice
    spans = best[0]
    if spans is None or len(spans) < 2:
        return None
    return [words[i:j] for i, j in spans]


def split_targets(written: str) -> tuple[str, ...]:
    """The targets in a cell where several were run together ("Completed September 2023").

    Returns the pieces when the words read as two or more known forms side by side and not as
    one; otherwise the written text alone, unchanged.
    """
    text = _RE_SPACE.sub(" ", written).strip()
    if _read_text(text, _PlanDate(None)) is not None:
        return (written,)
    pieces = _segment(text.split(" "), _PlanDate(None))
    if pieces is None:
        return (written,)
    return tuple(" ".join(p) for p in pieces)


def _read_text(text: str, plan_date: _PlanDate) -> tuple[_Reading, tuple[date, ...]] | None:
    """Core form, or core form followed by caveat words."""
    core = _read_core(text, plan_date, milestones=True)
    if core is not None:
        return core, ()
    m = _RE_CAVEAT.fullmatch(text)
    if m is None:
        return None
    head = _read_core(m.group("head"), plan_date, milestones=True)
    if head is None:
        return None
    cav = m.group("cav").strip()
    kind, deadline, start, every, rec, head_caveat = head
    caveat = f"{head_caveat} {cav}" if head_caveat else cav
    return (kind, deadline, start, every, rec, caveat), _checkpoints(cav)


# Readings that never consulted the plan's date, by their words: most targets ("March 2024") read the
# same in every plan, and a national import reads each such wording once, not once per plan.
_UNDATED: dict[str, TargetDate] = {}
_UNDATED_MAX = 65_536


@lru_cache(maxsize=8192)
def _read(written: str, day: date | None) -> TargetDate:
    plan_date = _PlanDate(day)
    reading = _read_words(written, plan_date)
    if not plan_date.consulted and len(_UNDATED) < _UNDATED_MAX:
        _UNDATED[written] = reading
    return reading


def _read_words(written: str, plan_date: _PlanDate) -> TargetDate:
    text = _RE_SPACE.sub(" ", written).strip()
    if text:
        found = _read_text(text, plan_date)
        if found is not None:
            (kind, deadline, start, every, rec, caveat), checkpoints = found
            return TargetDate(written, kind, deadline, start, every, rec, caveat, checkpoints)
        pieces = _segment(text.split(" "), plan_date)
        if pieces is not None:
            readings = {_read_core(" ".join(p), plan_date, milestones=False) for p in pieces}
            same = readings.pop() if len(readings) == 1 else None
            if same is not None:  # the same target written twice ("September 2023 September 2023")
                kind, deadline, start, every, rec, caveat = same
                return TargetDate(written, kind, deadline, start, every, rec, caveat)
            milestone = _continuing_then_dated(pieces, plan_date)
            if milestone is not None:
                return milestone._replace_written(written)
    return TargetDate(written, TargetKind.UNREADABLE, None, None, None, None, None)


_CONTINUING = (TargetKind.COMPLETE_RECURRING, TargetKind.ONGOING)


def _continuing_then_dated(pieces: list[list[str]], plan_date: _PlanDate) -> TargetDate | None:
    """Continuing work followed by a dated entry ("Complete and ongoing" then "September 2023", one
    cell of the date column): the work continues, and the date is a milestone of it (a checkpoint)."""
    if len(pieces) != 2:
        return None
    first = _read_core(" ".join(pieces[0]), plan_date, milestones=False)
    then = _read_core(" ".join(pieces[1]), plan_date, milestones=False)
    if first is None or then is None or first[0] not in _CONTINUING or then[0] is not TargetKind.ONE_OFF:
        return None
    if first[3] is not None:  # a recurring duty and a month: its start? a deadline? not said, so not read
        return None
    kind, deadline, start, every, rec, caveat = first
    assert then[1] is not None
    return TargetDate("", kind, deadline, start, every, rec, caveat, (then[1],))


def read_target(written: str, *, plan_date: date | None = None) -> TargetDate:
    """Read a target date as written in an action plan.

    plan_date is when the plan was written: a recurring target with no start month
    ("Monthly", "Complete and monthly") starts in that month.
    """
    return _UNDATED.get(written) or _read(written, plan_date)
