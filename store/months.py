"""The calendar month: the one type for a month ('2023-09'), and the one rule for when a recurring
duty falls due, with its SQL twin.

A recurring duty every N months from a start month S has an occurrence in month M when
M >= S and (M - S) is a multiple of N, counting months as `index` (year * 12 + month - 1). A
weekly duty is ticked off month by month (N = 1). Importing this module is cheap: SQL comes in
only when the SQL twin is asked for.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from functools import cache, total_ordering
from typing import TYPE_CHECKING, Any

from store.patterns import LazyPattern

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PERIOD = LazyPattern(r"(\d{4})-(0[1-9]|1[0-2])")


@total_ordering
class Month:
    """One calendar month: a value, equal to the same month, hashed and ordered as (year, month).

    Written out rather than made by `dataclasses`: the CLI's reading commands use it, and importing
    `dataclasses` (which imports `inspect`) would be a sixth of their whole run."""

    __slots__ = ("month", "year")
    __match_args__ = ("year", "month")
    year: int
    month: int

    def __init__(self, year: int, month: int) -> None:
        if not 1 <= month <= 12:
            raise ValueError(f"there is no month {month}")
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "month", month)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Month cannot be changed (its {name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Month cannot be changed (its {name})")

    def __reduce__(self) -> tuple[type[Month], tuple[int, int]]:
        return Month, (self.year, self.month)

    def __repr__(self) -> str:
        return f"Month(year={self.year!r}, month={self.month!r})"

    def __hash__(self) -> int:
        return hash((self.year, self.month))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) == (other.year, other.month)

    def __lt__(self, other: Month) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) < (other.year, other.month)

    @classmethod
    def of(cls, day: date) -> Month:
        """The month a day falls in."""
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, period: str) -> Month:
        """The month of a period written YYYY-MM ('2023-09'); ValueError otherwise."""
        found = _PERIOD.fullmatch(period.strip())
        if found is None:
            raise ValueError(f"{period!r} is not a month written YYYY-MM (e.g. 2023-09)")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def from_index(cls, index: int) -> Month:
        """The month `index` months after January of year 0."""
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since January of year 0: what the database stores as a start month."""
        return self.year * 12 + self.month - 1

    @property
    def period(self) -> str:
        """The month as stored and typed: '2023-09'."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> date:
        """Its first day."""
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        """Its last day."""
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        """'Sep 2023'."""
        return f"{_ABBR[self.month - 1]} {self.year}"

    def plus(self, months: int) -> Month:
        """The month `months` later (earlier if negative)."""
        return Month.from_index(self.index + months)


def month_end(year: int, month: int) -> date:
    """Last day of the month."""
    return Month(year, month).last


def occurs(start: int | None, every: int | None, month: int) -> bool:
    """Whether a duty every `every` months from month index `start` falls in month index `month`."""
    if start is None or not every:
        return False
    return month >= start and (month - start) % every == 0


def occurrences_through(start: int | None, every: int | None, month: int) -> int:
    """How many occurrences fall in the months from `start` to `month` (month indexes), both included."""
    if start is None or not every or month < start:
        return 0
    return (month - start) // every + 1


def occurrences(start: int | None, every: int | None, through: int) -> list[Month]:
    """The months of a duty's occurrences from its start through month index `through`, oldest first."""
    if start is None or not every or through < start:
        return []
    return [Month.from_index(index) for index in range(start, through + 1, every)]


def occurs_sql(start: Any, every: Any, month: int | Any) -> ColumnElement[bool]:
    """`occurs` as SQL over a start-month column and an interval column (`month` a number or a bound
    parameter)."""
    from sqlalchemy import and_

    return and_(every.is_not(None), start.is_not(None), start <= month, (_value(month) - start) % every == 0)


def occurrences_through_sql(start: Any, every: Any, month: int | Any) -> ColumnElement[int]:
    """`occurrences_through` as SQL (0 when the duty has not started by `month`)."""
    from sqlalchemy import case

    return case(
        (_started_sql(start, every, month), (_value(month) - start) // every + 1),
        else_=0,
    )


def _value(month: int | Any) -> Any:
    from sqlalchemy import literal

    return literal(month) if isinstance(month, int) else month


def _started_sql(start: Any, every: Any, month: int | Any) -> ColumnElement[bool]:
    """The duty has an interval and has started by `month` (SQL)."""
    from sqlalchemy import and_

    return and_(every.is_not(None), every > 0, start.is_not(None), start <= month)


def period_sql(day: Any) -> ColumnElement[str]:
    """A date column's month as `Month.period` writes it ('YYYY-MM'), in SQLite's SQL or PostgreSQL's."""
    period: ColumnElement[str] = _period_compilers()(day)
    return period


@cache
def _period_compilers() -> type:
    """The SQL function of `period_sql`, made on first use: importing this module loads no SQLAlchemy."""
    from sqlalchemy import String
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql.functions import FunctionElement

    class PeriodOf(FunctionElement[str]):
        type = String()
        inherit_cache = True

    @compiles(PeriodOf, "sqlite")
    def _sqlite(element: Any, compiler: Any, **kw: Any) -> str:
        return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"

    @compiles(PeriodOf)
    def _other(element: Any, compiler: Any, **kw: Any) -> str:
        return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"

    return PeriodOf

