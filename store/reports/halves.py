"""A report read by two processes at once: this one reads the first half of its plan batches while another
Python (`store/reports/second_reader.py`) reads the second half into a spool of its own, laid out in the same
format; its counts join the summary after this half's, so the report is the one a single reader writes.

Reading is most of a national report's time and one core does it; a report of one batch, read from a server, or
on a machine of one core is read here alone. Each half reads in one transaction of its own: each plan, and each
half, is read as it stood at one moment (a change saved while the report runs may be in one half and not the
other)."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from store.reports.content import AddresseeCount, PlanSection, ReportReader, ReportScope, ReportSource, Tally

Layout = Callable[[PlanSection, dict[str, str], IO[bytes]], Any]
"""How a plan is laid out into a spool, with the xlsx sheet names of the plans: what it returns is what a report
keeps of the plan (the xlsx writer: where its rows lie in the spool). A module's own function, so that the other
process gets it by name (pickled by reference)."""


@dataclass(frozen=True, slots=True)
class Written:
    """The layout of a text format (csv, md, html): the plan's part of the file, as `render` makes it, written
    into the spool."""

    render: Callable[[PlanSection], bytes]

    def __call__(self, plan: PlanSection, _names: dict[str, str], spool: IO[bytes]) -> None:
        spool.write(self.render(plan))


def two_readers(report: ReportSource) -> ReportReader | None:
    """The report's reader if reading it in two processes pays: several batches of a SQLite file, two cores."""
    reader = report if isinstance(report, ReportReader) else None
    if reader is None or reader.database_file is None or len(reader.batches) < 2 or (os.cpu_count() or 1) < 2 \
            or not sys.executable:
        return None
    return reader


@dataclass(frozen=True, slots=True)
class PartJob:
    """What a reader in another process reads: the plans of `batches` from `database`, laid out by `lay_out`."""

    database: Path
    scope: ReportScope
    batches: list[list[str]]
    lay_out: Layout
    names: dict[str, str]  # the xlsx sheet of each plan
    spool: Path


@dataclass(frozen=True, slots=True)
class Part:
    """What it read: what laying out each plan gave (xlsx: where its rows lie in its spool), and the counts."""

    plans: list[Any]
    addressees: list[AddresseeCount]
    by_owner: dict[str, Tally]
    actions: int


@contextmanager
def read_in_two(reader: ReportReader, lay_out: Layout, names: dict[str, str],
                spool: IO[bytes]) -> Iterator[tuple[list[Any], Part, IO[bytes]]]:
    """The first half laid out here into `spool`, the second by the other process; yields what each half's plans
    gave and the other half's spool, at its start, with the other half counted into `reader`'s summary."""
    half = len(reader.batches) // 2
    with tempfile.TemporaryDirectory(prefix="actiontrack-report-") as folder:
        other_spool, job, answer = Path(folder) / "rows", Path(folder) / "job", Path(folder) / "answer"
        assert reader.database_file is not None  # (two_readers)
        job.write_bytes(pickle.dumps(PartJob(reader.database_file, reader.scope, reader.batches[half:], lay_out, names,
                                             other_spool)))
        with subprocess.Popen([sys.executable, "-P", "-m", "store.reports.second_reader", str(job), str(answer)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as other:
            try:
                mine = [lay_out(plan, names, spool) for plan in reader.sections(reader.batches[:half])]
            except BaseException:
                other.kill()  # this half failed (or was interrupted): the other's work is of no use
                raise
            _, problem = other.communicate()
        part = _answer(answer, problem)
        reader.count_in(part.addressees, part.by_owner, part.actions)
        with other_spool.open("rb") as rows:
            yield mine, part, rows


def plan_parts(report: ReportSource, render: Callable[[PlanSection], bytes]) -> Iterator[bytes]:
    """Every plan's part of a text file as `render` makes it, in plan order (in chunks); the report's summary is
    complete once they have run out. Read by two processes where that pays (`two_readers`)."""
    reader = two_readers(report)
    lay_out = Written(render)
    if reader is None:
        for plan in report.sections():
            part = io.BytesIO()
            lay_out(plan, {}, part)
            yield part.getvalue()
        return
    with tempfile.TemporaryFile() as spool, read_in_two(reader, lay_out, {}, spool) as (_, _part, rows):
        spool.seek(0)
        yield from _chunks(spool)
        yield from _chunks(rows)


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    while chunk := spool.read(1 << 20):
        yield chunk


def _answer(answer: Path, problem: bytes) -> Part:
    """The other process's part, or the error it met raised here."""
    try:
        found = pickle.loads(answer.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError):  # it died before it could answer: its last words say why
        last = problem.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise OSError(f"the report's second reader stopped: {last[0] if last else 'no reason given'}") from None
    if isinstance(found, BaseException):
        raise found
    return cast(Part, found)


def read_part(job: PartJob) -> Part:
    """The plans of `job` read and laid out into its spool (in the other process)."""
    from store.db import open_database

    db = open_database(job.database, read_only=True, check=False)
    try:
        with db.read() as session, job.spool.open("wb") as spool:
            reader = ReportReader(session, job.scope)
            plans = [job.lay_out(plan, job.names, spool) for plan in reader.sections(job.batches)]
            return Part(plans, reader.addressees, reader.by_owner, reader.action_count)
    finally:
        db.dispose()
