"""The report as CSV: one row per action, the stable column names of `COLUMNS`, UTF-8 that Excel opens."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from store.reports.columns import COLUMNS, Cell, inert
from store.reports.content import Report


def csv_value(value: Cell) -> str | int:
    """A cell as CSV text: dates as ISO dates, times in UTC to the second, text made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return inert(value)


def render_csv(report: Report) -> bytes:
    """The CSV file's bytes, with a byte-order mark so that Excel reads UTF-8 rather than the local code page."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.key for column in COLUMNS])
    for action in report.actions:
        writer.writerow([csv_value(column.value(action)) for column in COLUMNS])
    return out.getvalue().encode("utf-8-sig")
