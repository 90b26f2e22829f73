"""Progress reports for the governance meeting: xlsx, csv, Markdown and HTML from one report content.

`build_report` reads the database; `render` lays the report out in a format; `write_report` puts it in a file,
refusing to write over anything that is not a report actiontrack wrote before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from store.errors import StoreError
from store.reports.content import Report, ReportScope, build_report
from store.reports.csvfile import render_csv
from store.reports.htmlpage import render_html
from store.reports.markdown import render_markdown
from store.reports.xlsx import render_xlsx

__all__ = ["FORMATS", "Report", "ReportScope", "build_report", "format_for", "render"]

FORMATS: dict[str, Callable[[Report], bytes]] = {
    "xlsx": render_xlsx,
    "csv": render_csv,
    "md": render_markdown,
    "html": render_html,
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
    """The report in one format, as the file's bytes."""
    return FORMATS[fmt](report)
