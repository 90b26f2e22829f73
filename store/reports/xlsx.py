"""The report as an Excel workbook: a summary sheet, one sheet per plan, and the changes.

Each plan sheet has a frozen header row, an autofilter, widths that fit, wrapped text, real dates, and
RAG cells filled in their colour with the word in them. Text is always written as text, never as a formula.
Plan sheets are written as their plans are read (XlsxWriter in constant-memory mode: a row goes to disk
as soon as the next begins); the summary, first in the book, is written last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, BinaryIO

from store.reports.columns import COLUMNS, RAG_FILL, RAG_INK, Cell, row_values, shown, shown_values
from store.reports.content import AddresseeCount, PlanSection, ReportSource, Tally
from store.reports.output import MARK

_TALLY_HEADINGS = ["Actions", "Complete", "Ongoing", "Not started", "Red", "Amber", "Green"]
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")
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
    import xlsxwriter  # type: ignore[import-untyped]  # (it ships no type information)

    # Strings are never read as formulas, numbers or links: plan text stays the text it is.
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False,
                                     "remove_timezone": True})
    book.set_properties({"title": shown(report.title), "author": "actiontrack", "comments": MARK})
    formats = _Formats(book)
    summary = book.add_worksheet("Summary")  # first in the book, filled once every plan has been counted
    for plan, name in zip(report.sections(), sheet_names([p.id for p in report.plans]), strict=True):
        _plan_sheet(book.add_worksheet(name), formats, plan)
    _summary(summary, formats, report)
    if report.scope.since:
        _changes(book, formats, report)
    book.close()


def _plan_sheet(sheet: Any, formats: _Formats, plan: PlanSection) -> None:
    """One row per action under a frozen, filtered header; columns as wide as their text (up to a limit)."""
    values = [row_values(action) for action in plan.actions]
    widths = [min(max(len(column.heading), _longest([line[i] for line in values]), 6), column.width)
              for i, column in enumerate(COLUMNS)]
    per_line = [int(width * _CHARS_PER_WIDTH) for width in widths]
    _print_on_a4(sheet)
    sheet.repeat_rows(0)
    for i, (column, width) in enumerate(zip(COLUMNS, widths, strict=True)):
        sheet.set_column(i, i, width + 2)
        sheet.write_string(0, i, column.heading, formats.heading)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(values), 1), len(COLUMNS) - 1)
    for row, line in enumerate(values, start=1):
        sheet.set_row(row, _height(line, per_line))
        for i, value in enumerate(shown_values(line)):
            if i == _RAG_COLUMN:
                sheet.write_string(row, i, str(value), formats.rag[str(value)])
            else:
                _write(sheet, row, i, value, formats)


def _print_on_a4(sheet: Any) -> None:
    """Printed, a sheet fits A4 landscape one page wide (and the header row repeats on each page)."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


class _Formats:
    """The cell formats of one workbook."""

    def __init__(self, book: Any) -> None:
        self.text = book.add_format({"text_wrap": True, "valign": "top"})
        self.heading = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True,
                                        "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
        self.number = book.add_format({"valign": "top"})
        self.rag = {word: book.add_format({"bg_color": fill, "font_color": RAG_INK[word], "bold": True,
                                           "valign": "top"}) for word, fill in RAG_FILL.items()}


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


def _write(sheet: Any, row: int, col: int, value: Cell, formats: _Formats) -> None:
    """A cell: times and dates as real dates, whole numbers as numbers, text as text (control characters
    shown); nothing for an empty value."""
    if value is None or value == "":
        return
    if isinstance(value, datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats.moment)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, int):
        sheet.write_number(row, col, value, formats.number)
    else:
        sheet.write_string(row, col, shown(value), formats.text)


def _summary(sheet: Any, formats: _Formats, report: ReportSource) -> None:
    """The first sheet: agreement by plan, counts by addressee and by owner (read once the plans are written)."""
    _print_on_a4(sheet)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 9, 12)
    sheet.write_string(0, 0, shown(report.title), formats.title)
    row = _block(sheet, formats, 2, "Agreement by plan",
                 ["Plan", "Title", "Agreed", "Partly agreed", "Not agreed", "Recommendations"],
                 [[p.id, p.title, *(p.agreement_counts.get(w, 0) for w in ("agreed", "partly agreed", "not agreed")),
                   sum(p.agreement_counts.values())] for p in report.plans])
    row = _block(sheet, formats, row, "By addressee", ["Plan", "Addressee", *_TALLY_HEADINGS, "RAG"],
                 _addressee_rows(report.addressees))
    _block(sheet, formats, row, "By owner", ["Owner", "", *_TALLY_HEADINGS],
           [[owner, "", *_tally(counts)] for owner, counts in report.by_owner.items()])


def _addressee_rows(addressees: Sequence[AddresseeCount]) -> list[list[Cell]]:
    return [[a.plan_id, a.name, *_tally(a.tally), a.rag.value] for a in addressees]


def _block(sheet: Any, formats: _Formats, row: int, title: str, headings: list[str], rows: list[list[Cell]]) -> int:
    """A titled table on the summary sheet from `row`; the row for the next, after a blank one."""
    sheet.write_string(row, 0, title, formats.title)
    row += 1
    for i, heading in enumerate(headings):
        sheet.write_string(row, i, heading, formats.heading)
    for values in rows:
        row += 1
        for i, value in enumerate(values):
            if isinstance(value, str) and value in RAG_FILL and headings[i] == "RAG":
                sheet.write_string(row, i, value, formats.rag[value])
            else:
                _write(sheet, row, i, value, formats)
    return row + 2


def _changes(book: Any, formats: _Formats, report: ReportSource) -> None:
    """The changes since the date asked for, one a row, under a frozen, filtered header."""
    sheet = book.add_worksheet("Changes")
    _print_on_a4(sheet)
    sheet.repeat_rows(0)
    changes = report.changes
    for i, (heading, width) in enumerate(zip(["When (UTC)", "By", "Ref", "Change", "Note"], (17, 16, 16, 28, 60),
                                             strict=True)):
        sheet.set_column(i, i, width)
        sheet.write_string(0, i, heading, formats.heading)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(changes), 1), 4)
    for row, change in enumerate(changes, start=1):
        values: tuple[Cell, ...] = (change.at, change.by, change.reference, change.what, change.note)
        for i, value in enumerate(values):
            _write(sheet, row, i, value, formats)
