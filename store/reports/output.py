"""Where a report may be written: a new file, or a report actiontrack wrote before; never the database or
another program's file."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from store.files import refuse_to_overwrite

MARK = "actiontrack report"  # every report carries it where its format keeps such things
MARK_LINE = f"Written by {MARK}"  # a workbook's: the second line of its summary sheet


def is_report(path: Path, fmt: str) -> bool:
    """Whether the file at `path` is a report in `fmt` that actiontrack wrote."""
    try:
        if fmt == "xlsx":
            return _is_our_workbook(path)
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8-sig", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    if fmt == "csv":
        from store.reports.columns import COLUMNS

        return head.split("\r\n", 1)[0] == ",".join(c.key for c in COLUMNS)
    if fmt == "html":
        return f'<meta name="generator" content="{MARK}">' in head
    return head.startswith(f"<!-- {MARK}")


def _is_our_workbook(path: Path) -> bool:
    """A workbook actiontrack wrote: the mark line on its first sheet (the summary), or the document property
    that marked the workbooks of earlier versions."""
    with zipfile.ZipFile(path) as book:
        names = set(book.namelist())
        if "xl/worksheets/sheet1.xml" in names:
            with book.open("xl/worksheets/sheet1.xml") as sheet:
                if f">{MARK_LINE}<" in sheet.read(1 << 16).decode("utf-8", "replace"):
                    return True
        return "docProps/core.xml" in names and MARK in book.read("docProps/core.xml").decode("utf-8", "replace")


def check_target(path: Path, fmt: str, database: Path | None) -> None:
    """Refuse, in one sentence, to write a report over the database or anything but an earlier report."""
    refuse_to_overwrite(path, database=database, ours=lambda p: is_report(p, fmt), kind=f"an actiontrack {fmt} report")


def report_path(folder: Path, stem: str, fmt: str) -> Path:
    """Where to write a report named `stem` in `folder`: that name, or an earlier report of ours under it,
    else the first free `stem-2`, `stem-3` ... (someone else's file is never written over)."""
    path = folder / f"{stem}.{fmt}"
    n = 1
    while path.exists() and not is_report(path, fmt):
        n += 1
        path = folder / f"{stem}-{n}.{fmt}"
    return path


def following_lines(lines: list[str]) -> bytes:
    """Lines of a text report (md, html) that follow earlier ones in the file, as UTF-8."""
    return "".join("\n" + line for line in lines).encode("utf-8")


def after_the_summary(out: BinaryIO, details: Iterable[bytes], summary: Callable[[], bytes]) -> None:
    """Write `summary()` and then the `details` to `out`. The details are laid out first, into a temporary
    file (a national report is never held in memory), because reading them is what counts the summary."""
    with tempfile.TemporaryFile() as spool:
        for chunk in details:
            spool.write(chunk)
        out.write(summary())
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
