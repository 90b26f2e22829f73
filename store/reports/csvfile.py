"""The report as CSV: one row per action, the stable column names of `COLUMNS`, UTF-8 that Excel opens."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date, datetime
from typing import BinaryIO

from store.reports.columns import COLUMNS, FORMULA_START, Cell, guarded, row_values, shown_values, texts
from store.reports.content import PlanSection, ReportSource
from store.reports.halves import plan_parts


def csv_value(value: Cell) -> str | int:
    """A cell (its text shown already) as CSV text: dates as ISO dates, times in UTC to the second, text that
    could start a formula guarded."""
    if isinstance(value, str):
        return guarded(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    return value


# A text cell that could start a formula: at the start of a row's joined texts, or after a break (a false alarm,
# a line of a text starting so, only costs the careful way).
_FORMULA = re.compile("(?:^|\n)[" + re.escape("".join(FORMULA_START)) + "]")
_MOMENT = next(i for i, column in enumerate(COLUMNS) if column.kind == "moment")


def csv_row(values: list[Cell]) -> list[Cell]:
    """A row's values (text shown) as `csv_value` makes them: the csv module writes None, dates and numbers as
    `csv_value` does, so only a time and text that could start a formula need work."""
    if _FORMULA.search(texts(values)):
        return [csv_value(value) for value in values]
    moment = values[_MOMENT]
    if moment is not None:
        values[_MOMENT] = csv_value(moment)
    return values


def write_csv(report: ReportSource, out: BinaryIO) -> None:
    """The CSV file, plan by plan, with a byte-order mark so that Excel reads UTF-8 rather than the local code
    page."""
    out.write(codecs.BOM_UTF8 + _csv_lines([[column.key for column in COLUMNS]]))
    for part in plan_parts(report, plan_csv):
        out.write(part)


def plan_csv(plan: PlanSection) -> bytes:
    """A plan's rows of the file."""
    return _csv_lines([csv_row(shown_values(row_values(action))) for action in plan.actions])


def _csv_lines(rows: list[list[Cell]]) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode("utf-8")
