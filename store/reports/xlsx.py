"""The report as an Excel workbook: a summary sheet, one sheet per plan, and the changes.

Each plan sheet has a frozen header row, an autofilter, widths that fit, wrapped text, real dates, and
RAG cells filled in their colour with the word in them. Text is always written as text, never as a formula.
Plan sheets are written as their plans are read; the summary, first in the book, is written last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import BinaryIO

from store.reports.columns import COLUMNS, Cell, row_values, shown, shown_values
from store.reports.content import AddresseeCount, PlanSection, ReportSource, Tally
from store.reports.output import MARK
from store.reports.spreadsheet import (
    DATE,
    HEADING,
    MOMENT,
    NUMBER,
    RAG_STYLE,
    TEXT,
    TITLE,
    SheetLayout,
    Workbook,
    column_letter,
    number_cell,
    row,
    serial,
    text_cell,
)

_TALLY_HEADINGS = ["Actions", "Complete", "Ongoing", "Not started", "Red", "Amber", "Green"]
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")
_LETTERS = [column_letter(i) for i in range(len(COLUMNS))]
_RAG_COLUMN = next(i for i, column in enumerate(COLUMNS) if column.key == "rag")


def _tally(counts: Tally) -> list[int]:
    return [counts.total, counts.complete, counts.ongoing, counts.not_started, counts.red, counts.amber, counts.green]


def sheet_names(plan_ids: Sequence[str]) -> list[str]:
    """A sheet name per plan: Excel's limits (31 characters, no []:*?/\\'), unique ignoring case."""
    names: list[str] = []
    taken = {"summary", "changes"}
    for plan_id in plan_ids:
        base = _BAD_SHEET_CHARS.sub("_", shown(plan_id))[:31] or "plan"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        taken.add(name.casefold())
        names.append(name)
    return names


def write_xlsx(report: ReportSource, out: BinaryIO) -> None:
    """The workbook, written into `out` plan by plan."""
    plan_names = sheet_names([p.id for p in report.plans])
    names = ["Summary", *plan_names, *(["Changes"] if report.scope.since else [])]
    book = Workbook(out, names, title=shown(report.title), author="actiontrack", comments=MARK)
    for number, plan in enumerate(report.sections(), start=1):
        _plan_sheet(book, number, plan)
    _summary(book, report)
    if report.scope.since:
        _changes(book, len(names) - 1, report)
    book.close()


def _plan_sheet(book: Workbook, sheet: int, plan: PlanSection) -> None:
    """One row per action under a frozen, filtered header; columns as wide as their text (up to a limit)."""
    values = [row_values(action) for action in plan.actions]
    widths = [min(max(len(column.heading), _longest([line[i] for line in values]), 6), column.width)
              for i, column in enumerate(COLUMNS)]
    per_line = [int(width * _CHARS_PER_WIDTH) for width in widths]
    rows = [row(1, [text_cell(f"{letter}1", column.heading, HEADING) for letter, column in zip(_LETTERS, COLUMNS,
                                                                                             strict=True)])]
    rows += [_action_row(number, line, per_line) for number, line in enumerate(values, start=2)]
    book.write_sheet(sheet, SheetLayout([w + 2 for w in widths], header=True, filter_columns=len(COLUMNS)), rows,
                     last_column=len(COLUMNS) - 1)


def _action_row(number: int, values: list[Cell], per_line: Sequence[int]) -> str:
    """An action's row, as tall as its longest text wraps to at the column widths."""
    cells = []
    at = str(number)
    for i, value in enumerate(shown_values(values)):
        if isinstance(value, str):
            if i == _RAG_COLUMN:
                cells.append(text_cell(_LETTERS[i] + at, value, RAG_STYLE[value]))
            elif value:
                cells.append(text_cell(_LETTERS[i] + at, value, TEXT))
        elif value is not None:
            cells.append(_cell(_LETTERS[i] + at, value))
    height = _height(values, per_line)
    return row(number, cells, height if height != _LINE_POINTS else None)


def _cell(ref: str, value: Cell) -> str:
    """A cell: times and dates as real dates, whole numbers as numbers, text as text (control characters shown)."""
    if isinstance(value, str):
        return text_cell(ref, shown(value), TEXT)
    if isinstance(value, datetime):
        return number_cell(ref, serial(value), MOMENT)
    if isinstance(value, date):
        return number_cell(ref, serial(value), DATE)
    assert value is not None
    return number_cell(ref, value, NUMBER)


_LINE_POINTS = 15  # one line of Calibri 11
_MOST_LINES = 12  # a longer text scrolls inside its cell
_CHARS_PER_WIDTH = 1.2  # a width unit is one digit; prose fits about 1.2 characters in it


def _height(values: Sequence[Cell], per_line: Sequence[int]) -> float:
    """The row height (points) that shows its wrapped text whole, `per_line` characters to a line in each
    column: Excel and LibreOffice do not always grow a row written by a program, so it is set here."""
    lines = 1
    for value, most in zip(values, per_line, strict=True):
        if isinstance(value, str) and (len(value) > most or "\n" in value):  # else it fits on one line
            lines = max(lines, _lines(value, most))
    return _LINE_POINTS * min(lines, _MOST_LINES)


def _lines(text: str, per_line: int) -> int:
    """How many lines a text wraps to at `per_line` characters, each of its own lines starting afresh."""
    return sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))


def _longest(values: list[Cell]) -> int:
    """The most characters any of the values shows as (for a column's width)."""
    if all(isinstance(value, str) for value in values):
        return max(map(len, values), default=0)  # type: ignore[arg-type]  # (all text, as most columns are)
    return max(map(_length, values), default=0)


def _length(value: Cell) -> int:
    if isinstance(value, str):
        return len(value)
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("2023-09-15 10:30")
    return len(str(value))


def _summary(book: Workbook, report: ReportSource) -> None:
    """The first sheet: agreement by plan, counts by addressee and by owner (read once the plans are written)."""
    rows = [row(1, [text_cell("A1", shown(report.title), TITLE)])]
    start = _block(rows, 3, "Agreement by plan",
                   ["Plan", "Title", "Agreed", "Partly agreed", "Not agreed", "Recommendations"],
                   [[p.id, p.title, *(p.agreement_counts.get(w, 0) for w in ("agreed", "partly agreed", "not agreed")),
                     sum(p.agreement_counts.values())] for p in report.plans])
    start = _block(rows, start, "By addressee", ["Plan", "Addressee", *_TALLY_HEADINGS, "RAG"],
                   _addressee_rows(report.addressees))
    _block(rows, start, "By owner", ["Owner", "", *_TALLY_HEADINGS],
           [[owner, "", *_tally(counts)] for owner, counts in report.by_owner.items()])
    book.write_sheet(0, SheetLayout([28, 40, *[12] * 8], header=False), rows, last_column=9)


def _addressee_rows(addressees: Sequence[AddresseeCount]) -> list[list[Cell]]:
    return [[a.plan_id, a.name, *_tally(a.tally), a.rag.value] for a in addressees]


def _block(rows: list[str], start: int, title: str, headings: list[str], values: list[list[Cell]]) -> int:
    """A titled table on the summary sheet from row `start`; the row for the next, after a blank one."""
    rows.append(row(start, [text_cell(f"A{start}", title, TITLE)]))
    rows.append(row(start + 1, [text_cell(f"{column_letter(i)}{start + 1}", heading, HEADING)
                                for i, heading in enumerate(headings)]))
    rag = headings.index("RAG") if "RAG" in headings else -1
    last = start + 1
    for last, line in enumerate(values, start=start + 2):
        rows.append(row(last, [
            text_cell(f"{column_letter(i)}{last}", value, RAG_STYLE[value])
            if i == rag and isinstance(value, str) and value in RAG_STYLE
            else _cell(f"{column_letter(i)}{last}", value) for i, value in enumerate(line)
            if value is not None and value != ""]))
    return last + 2


def _changes(book: Workbook, sheet: int, report: ReportSource) -> None:
    """The changes since the date asked for, one a row, under a frozen, filtered header."""
    headings = ["When (UTC)", "By", "Ref", "Change", "Note"]
    rows = [row(1, [text_cell(f"{column_letter(i)}1", heading, HEADING) for i, heading in enumerate(headings)])]
    for number, change in enumerate(report.changes, start=2):
        values: tuple[Cell, ...] = (change.at, change.by, change.reference, change.what, change.note)
        rows.append(row(number, [_cell(f"{column_letter(i)}{number}", value) for i, value in enumerate(values)
                                 if value is not None and value != ""]))
    book.write_sheet(sheet, SheetLayout([17, 16, 16, 28, 60], header=True, filter_columns=len(headings)), rows,
                     last_column=len(headings) - 1)
