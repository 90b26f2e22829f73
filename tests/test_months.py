"""The month's one home: the Month type, and the recurrence rule agreeing with its SQL twin on every
target of the sample plans, month by month over several years."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from store.db import Database
from store.models import Action, Plan
from store.months import Month, occurrences_through, occurrences_through_sql, occurs, occurs_sql
from store.targets import read_target

MONTHS = [Month(year, month) for year in range(2018, 2027) for month in range(1, 13)]


def test_month_reads_and_writes_its_period() -> None:
    assert Month.parse("2023-09") == Month(2023, 9)
    assert Month(2023, 9).period == "2023-09"
    assert Month(2024, 2).last == date(2024, 2, 29) and Month(2023, 2).last == date(2023, 2, 28)
    assert Month(2023, 12).plus(1) == Month(2024, 1) and Month(2024, 1).plus(-1) == Month(2023, 12)
    assert Month.from_index(Month(2019, 4).index) == Month(2019, 4)
    assert Month(2019, 9).label == "Sep 2019"
    for bad in ("2023-13", "2023-9", "23-09", "September"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Month.parse(bad)


def test_a_month_is_a_value_ordered_by_year_then_month() -> None:
    """What the dataclass it was made as gave: equal and hashed by its fields, ordered (only against months),
    unchangeable, a readable repr, a copy by pickle; and no month 0 or 13."""
    import pickle

    assert Month(2023, 9) == Month(2023, 9) and hash(Month(2023, 9)) == hash(Month(2023, 9))
    assert len({Month(2023, 9), Month(2023, 9), Month(2023, 10)}) == 2
    assert Month(2023, 9) != (2023, 9) and Month(2023, 9) != "2023-09"
    assert sorted(reversed(MONTHS)) == MONTHS and Month(2023, 12) < Month(2024, 1) <= Month(2024, 1)
    assert max(MONTHS) == Month(2026, 12) and Month(2024, 1) > Month(2023, 12) >= Month(2023, 12)
    with pytest.raises(TypeError):
        assert Month(2023, 9) < (2024, 1)  # type: ignore[operator]
    with pytest.raises(AttributeError):
        Month(2023, 9).month = 10  # type: ignore[misc]
    assert repr(Month(2023, 9)) == "Month(year=2023, month=9)"
    assert pickle.loads(pickle.dumps(Month(2023, 9))) == Month(2023, 9)
    match Month(2023, 9):
        case Month(year, month):
            assert (year, month) == (2023, 9)
    for bad in (0, 13):
        with pytest.raises(ValueError, match="no month"):
            Month(2023, bad)


def test_the_rule_and_its_sql_twin_agree_on_every_sample_target(db: Database) -> None:
    with db.read() as session:
        rows = session.execute(
            select(Action.id, Action.reference, Action.target, Action.start_month, Action.every_months,
                   Plan.plan_submitted, Plan.report_published).join(Plan, Plan.id == Action.plan_id)
        ).all()
        assert sum(r.every_months is not None for r in rows) >= 15  # the samples' recurring duties
        for month in MONTHS:
            falls = set(session.execute(
                select(Action.id).where(occurs_sql(Action.start_month, Action.every_months, month.index))).scalars())
            counted = dict(session.execute(select(
                Action.id, occurrences_through_sql(Action.start_month, Action.every_months, month.index))).all())
            for r in rows:
                python = occurs(r.start_month, r.every_months, month.index)
                assert (r.id in falls) is python, (r.reference, r.target, month)
                # the reading of the words agrees too: the stored start month is the reading's
                reading = read_target(r.target, plan_date=r.plan_submitted or r.report_published)
                assert reading.occurs_in(month.year, month.month) is python, (r.reference, r.target, month)
                assert counted[r.id] == occurrences_through(r.start_month, r.every_months, month.index)


@pytest.mark.parametrize(("written", "falls_in_2023"), [
    ("Monthly from July 2023", [7, 8, 9, 10, 11, 12]),
    ("August 2023 and quarterly thereafter", [8, 11]),
    ("Quarterly from July 2023", [7, 10]),
    ("Complete and weekly", [6, 7, 8, 9, 10, 11, 12]),  # ticked month by month, from the plan's month
])
def test_when_a_duty_falls(written: str, falls_in_2023: list[int]) -> None:
    reading = read_target(written, plan_date=date(2023, 6, 22))
    assert [m for m in range(1, 13) if reading.occurs_in(2023, m)] == falls_in_2023
    start = Month.of(reading.start).index if reading.start else None
    assert occurrences_through(start, reading.every_months, Month(2023, 12).index) == len(falls_in_2023)
