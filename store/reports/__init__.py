"""Progress reports for the governance meeting: xlsx, csv, Markdown and HTML from one report content.

`write_report` reads the database plan by plan and lays the report out in a format as it reads; `build_report`
and `render` do the same with the whole report held in memory. `output.check_target` refuses to write over
anything that is not a report actiontrack wrote before.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session

from store.errors import StoreError
from store.reports.content import Report, ReportReader, ReportScope, ReportSource, build_report
from store.reports.csvfile import write_csv
from store.reports.htmlpage import write_html
from store.reports.markdown import write_markdown
from store.reports.xlsx import write_xlsx

__all__ = ["FORMATS", "Report", "ReportReader", "ReportScope", "build_report", "format_for", "render", "write_report"]

FORMATS: dict[str, Callable[[ReportSource, BinaryIO], None]] = {
    "xlsx": write_xlsx,
    "csv": write_csv,
    "md": write_markdown,
    "html": write_html,
}
_SUFFIXES = {".xlsx": "xlsx", ".csv": "csv", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def format_for(path: Path | None, given: str | None) -> str:
    """The format asked for, or the one `path`'s suffix names; StoreError when neither says."""
    if given:
        return given
    if path is not None and path.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[path.suffix.lower()]
    where = f"{path.name!r} has no suffix I know" if path is not None else "no file is given"
    raise StoreError(f"{where}: say --format xlsx, csv, md or html (or give -o a .xlsx, .csv, .md or .html file)")


def render(report: Report, fmt: str) -> bytes:
    """A report held in memory, in one format, as the file's bytes."""
    out = io.BytesIO()
    FORMATS[fmt](report, out)
    return out.getvalue()


def write_report(session: Session, scope: ReportScope, fmt: str, out: BinaryIO) -> ReportReader:
    """Read the report of `scope` plan by plan and write it to `out` in one format as it is read (a national
    report is never held in memory whole); the reader, to say what was written."""
    reader = ReportReader(session, scope)
    FORMATS[fmt](reader, out)
    return reader
