"""The floor of an xlsx report: the xlsx library's own work for the same cells. The rows of a CSV report
(`actiontrack report -o REPORT.csv`) are loaded into memory first, as the rows the report hands the library
(a dict per row; dates and times as Excel's serial numbers, whole numbers as numbers, empty cells as None);
then, timed, rustpy-xlsxwriter writes them as the report does: a sheet per plan, a frozen header row, each
column's format (wrapped text, dates, times). No reading, no rule, no widths, heights, summary or RAG colours:
what the library takes for the cells, and nothing else. Prints the seconds taken.

    python bench/xlsx_floor.py REPORT.csv OUT.xlsx
"""

from __future__ import annotations

import csv
import sys
import time
from datetime import date, datetime
from itertools import groupby
from typing import Any

from rustpy_xlsxwriter import Format, write_worksheets

EPOCH = datetime(1899, 12, 30)  # Excel's day 0


def load(path: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The report's rows by plan, each cell as the report hands it to the library."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        deadline, days, moment = header.index("deadline"), header.index("days_overdue"), header.index("last_changed_at")
        lines: list[dict[str, Any]] = []
        for line in rows:
            cells: list[Any] = [cell or None for cell in line]
            if cells[deadline]:
                cells[deadline] = (date.fromisoformat(line[deadline]) - EPOCH.date()).days
            cells[days] = int(line[days]) if line[days] else None
            if cells[moment]:
                cells[moment] = (datetime.fromisoformat(line[moment]) - EPOCH).total_seconds() / 86_400
            lines.append(dict(zip(header, cells, strict=True)))
    return [(plan, list(group)) for plan, group in groupby(lines, key=lambda cells: str(cells["plan"]))]


def write(plans: list[tuple[str, list[dict[str, Any]]]], out: str) -> None:
    """Every row written with rustpy-xlsxwriter, a sheet per plan."""
    text = Format().set_text_wrap().set_align("top")
    day = Format().set_num_format("yyyy-mm-dd").set_align("top")
    moment = Format().set_num_format("yyyy-mm-dd hh:mm").set_align("top")
    number = Format().set_align("top")
    header = list(plans[0][1][0]) if plans else []
    formats = [day if key == "deadline" else moment if key == "last_changed_at" else number
               if key in ("days_overdue", "rag") else text for key in header]
    names = [f"plan {n + 1}" for n in range(len(plans))]
    write_worksheets([(name, iter(lines)) for name, (_, lines) in zip(names, plans, strict=True)], out,
                     freeze_panes={name: {"row": 1} for name in names},
                     column_formats={name: formats for name in names})


def main(report_csv: str, out: str) -> None:
    """Load, then time the writing; print its seconds."""
    plans = load(report_csv)
    start = time.perf_counter()
    write(plans, out)
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
