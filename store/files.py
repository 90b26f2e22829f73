"""The files actiontrack reads and writes for the user (plan files, documents, exports, drafts, reports, the
config): read with a bound and one sentence for every failure; written whole or not at all, and never over
the database or a file that is not one actiontrack wrote of that kind."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from store.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"


def private_folder(folder: Path) -> None:
    """Create the folder and any missing parents readable by the user alone (0700, as XDG asks);
    folders that already exist are left as they are."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for step in reversed(missing):
        try:
            step.mkdir(mode=0o700)
        except FileExistsError:
            continue
        step.chmod(0o700)  # whatever the umask


def read_bounded(path: Path, limit: int, *, what: str, error: type[StoreError] = StoreError) -> bytes:
    """The bytes of a file the user named, at most `limit` of them (one more is read, to tell a larger file);
    a folder, a pipe or device (which could hang or never end), a missing or unreadable file is one
    sentence naming it and saying it is not `what` ('a plan file'), raised as `error`."""
    try:
        if path.is_dir():
            raise error(f"{path} is a folder, not {what}")
        if not stat.S_ISREG(path.stat().st_mode):
            raise error(f"{path} is not a regular file (a pipe or a device?), not {what}")
        with path.open("rb") as fh:
            return fh.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None


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
    with atomic_file(path, private=private) as fh:
        fh.write(data)


@contextmanager
def atomic_file(path: Path, *, private: bool = False) -> Iterator[BinaryIO]:
    """A file to write in a `with` block: written beside `path` and moved into place when the block ends
    without an error, so a failure half-way leaves the old file (or none), never a part of one; `private`
    makes the file readable by the user alone (0600)."""
    tmp: str | None = None
    try:
        import tempfile  # only when writing (it loads random and shutil)

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            yield fh
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


def why_read_only(path: Path) -> str:
    """Why this process cannot write the database, or '' if it can."""
    try:
        if hasattr(os, "statvfs") and os.statvfs(path).f_flag & os.ST_RDONLY:  # POSIX only
            return "it is on a read-only file system"
    except OSError:
        pass
    if not os.access(path, os.W_OK):
        return "you have no permission to write the file"
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"its folder {folder} is read-only, and SQLite must create its journal there"
    return ""


def journal_files(path: Path) -> bool:
    """Whether a -wal, -shm or -journal file lies beside the database (another program may be in it)."""
    return any(path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-shm", "-journal"))
