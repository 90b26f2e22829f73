"""The report as an Excel workbook: a summary sheet, one sheet per plan, and the changes.

Each plan sheet has a frozen header row, an autofilter, widths that fit, wrapped text, real dates, and
RAG cells in their colour with the word in them. Text is always written as text, never as a formula.
Written with rustpy-xlsxwriter (Rust's rust_xlsxwriter), which writes a sheet from a stream of rows in
constant memory, in the book's order. The summary comes first in the book but is counted as the plans are
read, so the plans are read and laid out first, their rows spooled to a temporary file (a national report
is never held in memory), and the book is then written from the spool.
"""

from __future__ import annotations

import marshal
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import IO, Any, BinaryIO, cast

from store.reports.columns import COLUMNS, RAG_FILL, RAG_INK, Cell, row_values, shown, shown_values, texts
from store.reports.content import AddresseeCount, PlanSection, ReportSource, Tally
from store.reports.halves import read_in_two, two_readers
from store.reports.output import MARK_LINE

_TALLY_HEADINGS = ["Actions", "Complete", "Ongoing", "Not started", "Red", "Amber", "Green"]
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")
_HEADINGS = [column.heading for column in COLUMNS]
_SUMMARY_HEADINGS = ["Plan", "Addressee", *_TALLY_HEADINGS, "RAG"]  # the header row of the summary's widest table
_CHANGE_HEADINGS = ["When (UTC)", "By", "Ref", "Change", "Note"]


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


@dataclass(frozen=True, slots=True)
class _PlanLayout:
    """A plan sheet laid out: where its rows lie in the spool, its column widths and its taller rows."""

    name: str
    offset: int
    size: int
    widths: list[float]
    heights: dict[int, float]


def write_xlsx(report: ReportSource, out: BinaryIO) -> None:
    """The workbook, written into `out`: the plans read and laid out first, then the book from the summary on."""
    from rustpy_xlsxwriter import write_worksheets

    formats = _Formats()
    names = sheet_names([p.id for p in report.plans])
    with tempfile.TemporaryFile() as spool:
        plans = _laid_out(report, dict(zip([p.id for p in report.plans], names, strict=True)), spool)
        sheets: list[tuple[str, Any]] = [("Summary", _summary_rows(report))]
        sheets += [(plan.name, _spooled(spool, plan)) for plan in plans]
        tables = [plan.name for plan in plans]  # sheets under a frozen, filtered header that repeats on each page
        changes = report.changes if report.scope.since else None
        if changes is not None:
            sheets.append(("Changes", _change_rows(changes)))
            tables.append("Changes")
        rag: dict[str, Any] = {"RAG": formats.rag_rules}
        with _failures_as_os_errors():
            write_worksheets(
                sheets, out,
                freeze_panes={name: {"row": 1} for name in tables},
                autofilter={name: True for name in tables},
                column_widths={"Summary": [28, 40, *[12] * 8], "Changes": [17, 16, 16, 28, 60],
                               **{plan.name: plan.widths for plan in plans}},
                column_formats={"Changes": [formats.moment, *[formats.text] * 4],
                                **{plan.name: formats.columns for plan in plans}},
                header_format={name: formats.heading for name in ["Summary", *tables]},
                row_heights={plan.name: plan.heights for plan in plans if plan.heights},
                header_row={"Summary": _SUMMARY_HEADER},
                merge_ranges={"Summary": [(0, 0, 0, len(_SUMMARY_HEADINGS) - 1, shown(report.title), formats.title),
                                          (1, 0, 1, len(_SUMMARY_HEADINGS) - 1, MARK_LINE, formats.mark),
                                          (2, 0, 2, len(_SUMMARY_HEADINGS) - 1, "By addressee", formats.title)]},
                row_formats={"Summary": _summary_row_formats(report, formats)},
                conditional_formats={"Summary": rag, **{plan.name: rag for plan in plans}},
                page_setup={name: _PRINT_ON_A4 | {"repeat_rows": 0} for name in tables} | {"Summary": _PRINT_ON_A4},
            )


def _laid_out(report: ReportSource, names: dict[str, str], spool: IO[bytes]) -> list[_PlanLayout]:
    """Every plan laid out and spooled, in order; by two processes at once where that pays (`halves`): the
    second half's rows are copied after the first's."""
    reader = two_readers(report)
    if reader is None:
        return [lay_out_sheet(plan, names, spool) for plan in report.sections()]
    with read_in_two(reader, lay_out_sheet, names, spool) as (plans, part, rows):
        base = spool.tell()
        shutil.copyfileobj(rows, spool, 1 << 20)
    return plans + [replace(plan, offset=base + plan.offset) for plan in part.plans]


# Printed, a sheet fits A4 landscape one page wide.
_PRINT_ON_A4: dict[str, Any] = {"landscape": True, "paper_size": 9, "fit_to_pages": (1, 0),
                                "margins": {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.5}}


@contextmanager
def _failures_as_os_errors() -> Iterator[None]:
    """The writer's failures with its own files (its temporary files, a full disk) raised as OSError, which the
    caller says in one sentence ("cannot write FILE: ...")."""
    try:
        yield
    except RuntimeError as exc:  # the library's own errors, e.g. its temporary files
        text = str(exc)
        if not text.startswith("Excel write error: "):
            raise
        raise OSError(text.removeprefix("Excel write error: ").rstrip(".")) from None
    except BaseException as exc:  # a full disk under the spooled sheets makes the Rust code panic
        if type(exc).__name__ != "PanicException":
            raise
        said = re.search(r'message: "([^"]*)"', str(exc))
        raise OSError(said.group(1) if said else str(exc)) from None


_CELL_CHARS = 32_767  # Excel's most characters in a cell; the library refuses a longer text


def lay_out_sheet(plan: PlanSection, names: dict[str, str], spool: IO[bytes]) -> _PlanLayout:
    """A plan's sheet (named in `names`) laid out: its rows (text shown, cut to what a cell holds, times as
    Excel's serial numbers) spooled; its columns as wide as their text (up to a limit) and its rows as tall as
    their wrapped text."""
    values = [_fitted(shown_values(row_values(action))) for action in plan.actions]
    widths: list[float] = []
    wrapped: list[list[int]] = []  # the lines of each row in each column whose text wraps
    for column, cells in zip(COLUMNS, zip(*values, strict=True) if values else [()] * len(COLUMNS), strict=True):
        text = column.kind == "text"  # (always a str)
        longest = max(map(len if text else _length, cells), default=0)
        width = min(max(len(column.heading), longest, 6), column.width)
        widths.append(width + 2)
        per_line = int(width * _CHARS_PER_WIDTH)
        if text and (longest > per_line or "\n" in "".join(cells)):
            wrapped.append([_lines(cell, per_line) if len(cell) > per_line or "\n" in cell else 1 for cell in cells])
    tallest = map(max, zip(*wrapped, strict=True)) if wrapped else ()
    heights = {row: _LINE_POINTS * min(lines, _MOST_LINES) for row, lines in enumerate(tallest, start=1) if lines > 1}
    rows = marshal.dumps([_serials(line) for line in values])
    spool.write(rows)
    return _PlanLayout(names[plan.id], spool.tell() - len(rows), len(rows), widths, heights)


_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's dates (1900 date system, from March 1900 on)
_DAY_SECONDS = 86_400
_DEADLINE = next(i for i, column in enumerate(COLUMNS) if column.kind == "date")
_MOMENT = next(i for i, column in enumerate(COLUMNS) if column.kind == "moment")


def _serials(values: list[Cell]) -> list[Any]:
    """The row with its date and time as the numbers Excel stores them as (their columns' formats show them as a
    date and a time), which the spool can hold."""
    row: list[Any] = values
    deadline, moment = row[_DEADLINE], row[_MOMENT]
    if deadline is not None:
        row[_DEADLINE] = (cast(date, deadline) - _EPOCH.date()).days
    if moment is not None:
        row[_MOMENT] = (cast(datetime, moment).replace(tzinfo=None) - _EPOCH).total_seconds() / _DAY_SECONDS
    return row


def _fitted(values: list[Cell]) -> list[Cell]:
    """The row with any text longer than a cell holds cut to fit, ending in '…'."""
    if len(texts(values)) <= _CELL_CHARS:  # no text can be longer than all of them joined
        return values
    return [value[: _CELL_CHARS - 1] + "…" if isinstance(value, str) and len(value) > _CELL_CHARS else value
            for value in values]


def _spooled(spool: IO[bytes], plan: _PlanLayout) -> Iterator[dict[str, Cell]]:
    """A plan's rows read back from the spool, as the writer takes them. A plan with no actions in scope (asked
    for by name) gets one empty row, so that its sheet still has its header row."""
    spool.seek(plan.offset)
    values: list[list[Cell]] = marshal.loads(spool.read(plan.size))
    if not values:
        yield dict.fromkeys(_HEADINGS)
    for line in values:
        yield dict(zip(_HEADINGS, line, strict=True))


class _Formats:
    """The cell formats of the workbook."""

    def __init__(self) -> None:
        from rustpy_xlsxwriter import Format

        self.text = Format().set_text_wrap().set_align("top")
        self.heading = Format().set_bold().set_background_color("#EEEEEE").set_border("thin").set_text_wrap() \
            .set_align("top")
        self.title = Format().set_bold().set_font_size(14)
        self.mark = Format().set_italic().set_font_color("#595959")
        self.bold = Format().set_bold()
        self.date = Format().set_num_format("yyyy-mm-dd").set_align("top")
        self.moment = Format().set_num_format("yyyy-mm-dd hh:mm").set_align("top")
        self.top = Format().set_align("top")
        kinds = {"text": self.text, "date": self.date, "moment": self.moment, "number": self.top}
        self.columns = [self.top if column.key == "rag" else kinds[column.kind] for column in COLUMNS]
        # A RAG cell's fill, ink and weight follow its word (a conditional format: the only per-cell styling the
        # library streams); the word is always there, so the sheet reads in black and white too.
        self.rag_rules: list[dict[str, Any]] = [{"type": "text", "criteria": "begins_with", "value": word,
                           "format": Format().set_background_color(fill).set_font_color(RAG_INK[word]).set_bold()}
                          for word, fill in RAG_FILL.items()]


_LINE_POINTS = 15  # one line of Calibri 11
_MOST_LINES = 12  # a longer text scrolls inside its cell
_CHARS_PER_WIDTH = 1.2  # a width unit is one digit; prose fits about 1.2 characters in it


def _lines(text: str, per_line: int) -> int:
    """How many lines a text wraps to at `per_line` characters, each of its own lines starting afresh."""
    return sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))


def _length(value: Cell) -> int:
    if isinstance(value, str):
        return len(value)
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("2023-09-15 10:30")
    return len(str(value))


# The summary: the title, the mark and "By addressee" above its header row (merged across the table), then
# the tables by addressee, by owner and of agreement by plan, each of the last two under its title and headings.
_SUMMARY_HEADER = 3


def _summary_rows(report: ReportSource) -> list[dict[str, Cell]]:
    """The summary's rows under its header row (read once the plans are laid out)."""
    return [_summary_row(values) for values in _summary_lines(report)]


def _summary_lines(report: ReportSource) -> list[list[Cell]]:
    lines: list[list[Cell]] = [_addressee_line(a) for a in report.addressees]
    lines += [[], ["By owner"], ["Owner", "", *_TALLY_HEADINGS]]
    lines += [[owner, "", *_tally(counts)] for owner, counts in report.by_owner.items()]
    lines += [[], ["Agreement by plan"], ["Plan", "Title", "Agreed", "Partly agreed", "Not agreed", "Recommendations"]]
    lines += [[p.id, p.title, *(p.agreement_counts.get(w, 0) for w in ("agreed", "partly agreed", "not agreed")),
               sum(p.agreement_counts.values())] for p in report.plans]
    return lines


def _summary_row_formats(report: ReportSource, formats: _Formats) -> dict[int, Any]:
    """The rows of the summary's later titles (large) and headings (bold), by their row on the sheet."""
    first = _SUMMARY_HEADER + 1
    by_owner = first + len(report.addressees) + 1
    by_plan = by_owner + 2 + len(report.by_owner) + 1
    return {by_owner: formats.title, by_owner + 1: formats.bold, by_plan: formats.title, by_plan + 1: formats.bold}


def _addressee_line(a: AddresseeCount) -> list[Cell]:
    return [a.plan_id, a.name, *_tally(a.tally), a.rag.value]


def _summary_row(values: Sequence[Cell]) -> dict[str, Cell]:
    """A row of the summary under its headings (every one, as the writer takes its header from the first row)."""
    row: dict[str, Cell] = dict.fromkeys(_SUMMARY_HEADINGS)
    row.update((heading, shown(value) if isinstance(value, str) else value)
               for heading, value in zip(_SUMMARY_HEADINGS, values, strict=False))
    return row


def _change_rows(changes: Sequence[Any]) -> Iterator[dict[str, Cell]]:
    """The changes since the date asked for, one a row."""
    if not changes:
        yield dict.fromkeys(_CHANGE_HEADINGS)
    for change in changes:
        yield {"When (UTC)": change.at, "By": shown(change.by), "Ref": shown(change.reference),
               "Change": shown(change.what), "Note": shown(change.note)}

