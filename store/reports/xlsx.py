"""The report as an Excel workbook (XlsxWriter): a summary sheet, one sheet per plan, and the changes.

Each plan sheet has a frozen header row, an autofilter, widths that fit, wrapped text, real dates, and
RAG cells filled in their colour with the word in them. Text is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from store.reports.columns import COLUMNS, RAG_FILL, RAG_INK, Cell, shown
from store.reports.content import Report, ReportAction, Tally, tally
from store.reports.output import MARK

_TALLY_HEADINGS = ["Actions", "Complete", "Ongoing", "Not started", "Red", "Amber", "Green"]
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


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


def render_xlsx(report: Report) -> bytes:
    """The workbook's bytes."""
    import xlsxwriter

    buffer = io.BytesIO()
    # Strings are never read as formulas, numbers or links: plan text stays the text it is.
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False,
                                        "remove_timezone": True})
    book.set_properties({"title": report.title, "author": "actiontrack", "comments": MARK})
    formats = _Formats(book)
    _summary(book, formats, report)
    for plan, name in zip(report.plans, sheet_names([p.id for p in report.plans]), strict=True):
        _plan_sheet(book.add_worksheet(name), formats, plan.actions)
    if report.scope.since:
        _changes(book, formats, report)
    book.close()
    return buffer.getvalue()


def _plan_sheet(sheet: Any, formats: _Formats, actions: Sequence[ReportAction]) -> None:
    """One row per action under a frozen, filtered header; columns as wide as their text (up to a limit)."""
    _print_on_a4(sheet)
    sheet.repeat_rows(0)
    widths = [min(max(len(column.heading), *(len(_text(column.value(a))) for a in actions), 6), column.width)
              for column in COLUMNS]
    for i, (column, width) in enumerate(zip(COLUMNS, widths, strict=True)):
        sheet.set_column(i, i, width + 2)
        sheet.write_string(0, i, column.heading, formats.heading)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(actions), 1), len(COLUMNS) - 1)
    for row, action in enumerate(actions, start=1):
        values = [column.value(action) for column in COLUMNS]
        sheet.set_row(row, _height(values, widths))
        for i, (column, value) in enumerate(zip(COLUMNS, values, strict=True)):
            if column.key == "rag":
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


def _height(values: Sequence[Cell], widths: Sequence[int]) -> float:
    """The row height (points) that shows its wrapped text whole: Excel and LibreOffice do not always
    grow a row written by a program, so it is set here from the longest text per column width."""
    lines = max((_lines(value, int(width * _CHARS_PER_WIDTH)) for value, width in zip(values, widths, strict=True)
                 if isinstance(value, str) and value), default=1)
    return _LINE_POINTS * min(max(lines, 1), _MOST_LINES)


def _lines(text: str, per_line: int) -> int:
    """How many lines a text wraps to at `per_line` characters, each of its own lines starting afresh."""
    return sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _write(sheet: Any, row: int, col: int, value: Cell, formats: _Formats) -> None:
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


def _summary(book: Any, formats: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("Summary")
    _print_on_a4(sheet)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 9, 12)
    sheet.write_string(0, 0, shown(report.title), formats.title)
    row = 2
    row = _block(sheet, formats, row, "Agreement by plan",
                 ["Plan", "Title", "Agreed", "Partly agreed", "Not agreed", "Recommendations"],
                 [[p.id, p.title, *(p.agreement_counts.get(w, 0) for w in ("agreed", "partly agreed", "not agreed")),
                   sum(p.agreement_counts.values())] for p in report.plans])
    row = _block(sheet, formats, row, "By addressee", ["Plan", "Addressee", *_TALLY_HEADINGS, "RAG"],
                 [[p.id, a.name, *_tally(tally(a.actions)), a.rag.value] for p in report.plans for a in p.addressees])
    _block(sheet, formats, row, "By owner", ["Owner", "", *_TALLY_HEADINGS],
           [[owner, "", *_tally(counts)] for owner, counts in report.by_owner.items()])


def _block(sheet: Any, formats: _Formats, row: int, title: str, headings: list[str], rows: list[list[Any]]) -> int:
    """A titled table on the summary sheet; the next free row."""
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


def _changes(book: Any, formats: _Formats, report: Report) -> None:
    sheet = book.add_worksheet("Changes")
    _print_on_a4(sheet)
    sheet.repeat_rows(0)
    widths = (17, 16, 16, 28, 60)
    for i, (heading, width) in enumerate(zip(["When (UTC)", "By", "Ref", "Change", "Note"], widths, strict=True)):
        sheet.set_column(i, i, width)
        sheet.write_string(0, i, heading, formats.heading)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(report.changes), 1), 4)
    for row, change in enumerate(report.changes, start=1):
        for i, value in enumerate((change.at, change.by, change.reference, change.what, change.note)):
            _write(sheet, row, i, value, formats)
