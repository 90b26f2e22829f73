"""The floor of an xlsx report: XlsxWriter's own work for the same cells. The rows of a CSV report
(`actiontrack report -o REPORT.csv`) are loaded into memory first, dates, numbers and times made real again;
then, timed, they are written with XlsxWriter in constant-memory mode as the report writes them: a sheet per
plan, a frozen header row, every non-empty cell with its format (wrapped text, dates, numbers). No reading,
no rule, no widths or heights: what XlsxWriter takes per cell, and nothing else. Prints the seconds taken.

    python bench/xlsx_floor.py REPORT.csv OUT.xlsx
"""

from __future__ import annotations

import csv
import sys
import time
from datetime import date, datetime
from itertools import groupby
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]


def load(path: str) -> list[tuple[str, list[list[Any]]]]:
    """The report's rows by plan, each cell as the report holds it (text, date, whole number or time)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        deadline, days, moment = header.index("deadline"), header.index("days_overdue"), header.index("last_changed_at")
        lines: list[list[Any]] = []
        for line in rows:
            cells: list[Any] = list(line)
            cells[deadline] = date.fromisoformat(line[deadline]) if line[deadline] else None
            cells[days] = int(line[days]) if line[days] else None
            cells[moment] = datetime.fromisoformat(line[moment]) if line[moment] else None
            lines.append(cells)
    return [(plan, list(group)) for plan, group in groupby(lines, key=lambda cells: str(cells[0]))]


def write(plans: list[tuple[str, list[list[Any]]]], out: str) -> None:
    """Every row written with XlsxWriter, a sheet per plan."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    text = book.add_format({"text_wrap": True, "valign": "top"})
    day = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
    number = book.add_format({"valign": "top"})
    for n, (_, lines) in enumerate(plans):
        sheet = book.add_worksheet(f"plan {n + 1}")
        sheet.freeze_panes(1, 0)
        for row, cells in enumerate(lines, start=1):
            for col, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(row, col, value, text)
                elif isinstance(value, datetime):
                    sheet.write_datetime(row, col, value, moment)
                elif isinstance(value, date):
                    sheet.write_datetime(row, col, value, day)
                else:
                    sheet.write_number(row, col, value, number)
    book.close()


def main(report_csv: str, out: str) -> None:
    """Load, then time the writing; print its seconds."""
    plans = load(report_csv)
    start = time.perf_counter()
    write(plans, out)
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
