"""The report as CSV: one row per action, the stable column names of `COLUMNS`, UTF-8 that Excel opens."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import BinaryIO

from store.reports.columns import COLUMNS, Cell, guarded, row_values, shown_values
from store.reports.content import ReportSource


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


def write_csv(report: ReportSource, out: BinaryIO) -> None:
    """The CSV file, plan by plan, with a byte-order mark so that Excel reads UTF-8 rather than the local code
    page."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([column.key for column in COLUMNS])
    for plan in report.sections():
        writer.writerows([[csv_value(value) for value in shown_values(row_values(action))]
                          for action in plan.actions])
    text.flush()
    text.detach()  # the caller's file stays open
