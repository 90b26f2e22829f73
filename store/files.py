"""The files actiontrack writes for the user (exports, drafts, reports, the config): written whole or not
at all, and never over the database or a file that is not one actiontrack wrote of that kind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from store.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_to_overwrite(path: Path, *, database: Path | None, ours: Callable[[Path], bool], kind: str) -> None:
    """Say in one sentence, and write nothing, where `path` is the database, an SQLite file, a folder, not a
    regular file, or an existing file that `ours` does not recognise as `kind` ('a plan export')."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder: give a file name (nothing was written)")
    if not os.path.lexists(path):
        return
    try:
        if database is not None and database.exists() and path.exists() and path.samefile(database):
            raise StoreError(f"{path} is the database itself: give another file name (nothing was written)")
        if not path.is_file():
            raise StoreError(f"{path} is not a regular file (nothing was written)")
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot check {path} before writing over it: {exc.strerror or exc}") from None
    if head == SQLITE_HEADER:
        raise StoreError(f"{path} is an SQLite database: actiontrack never writes over one (nothing was written)")
    if head and not ours(path):
        raise StoreError(f"{path} exists and is not {kind}: it was left as it is; give another file name")


def write_atomically(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write the bytes beside `path` and move them into place, so a failure half-way leaves the old file
    (or none), never a part of one; `private` makes the file readable by the user alone (0600)."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if private:
            os.chmod(tmp, 0o600)  # mkstemp makes it 0600 on POSIX already; this says so on every system
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
