"""Where a report may be written: a new file, or a report actiontrack wrote before; never the database or
another program's file. Written whole or not at all."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from store.errors import StoreError

MARK = "actiontrack report"  # every report carries it where its format keeps such things
_SQLITE_HEADER = b"SQLite format 3\x00"


def is_report(path: Path, fmt: str) -> bool:
    """Whether the file at `path` is a report in `fmt` that actiontrack wrote."""
    try:
        if fmt == "xlsx":
            with zipfile.ZipFile(path) as book:
                return MARK in book.read("docProps/core.xml").decode("utf-8", "replace")
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


def check_target(path: Path, fmt: str, database: Path | None) -> None:
    """Refuse, in one sentence, a path that is the database, an SQLite file, a folder or someone else's file."""
    if database is not None and path.exists() and database.exists() and path.resolve() == database.resolve():
        raise StoreError(f"{path} is the database itself: give the report another file name")
    if path.is_dir():
        raise StoreError(f"{path} is a folder: give the report a file name")
    if not path.exists():
        if not path.parent.is_dir():
            raise StoreError(f"the folder {path.parent} does not exist")
        return
    if not path.is_file():
        raise StoreError(f"{path} is not a regular file: give the report another file name")
    try:
        with path.open("rb") as fh:
            if fh.read(16) == _SQLITE_HEADER:
                raise StoreError(f"{path} is an SQLite database: a report never writes over one")
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not is_report(path, fmt):
        raise StoreError(f"{path} exists and is not an actiontrack {fmt} report: it was left as it is; "
                         "give a new file name")


def report_path(folder: Path, stem: str, fmt: str) -> Path:
    """Where to write a report named `stem` in `folder`: that name, or an earlier report of ours under it,
    else the first free `stem-2`, `stem-3` ... (someone else's file is never written over)."""
    path = folder / f"{stem}.{fmt}"
    n = 1
    while path.exists() and not is_report(path, fmt):
        n += 1
        path = folder / f"{stem}-{n}.{fmt}"
    return path


def write_file(path: Path, data: bytes) -> None:
    """Write the bytes beside `path` and move them into place (readable by the user alone), so a failure
    half-way leaves the old file, or none, never a part."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
