"""Reports written plan by plan hold what the whole report held: every format, cell by cell.

The digests below were taken from the files the report code wrote before it streamed (the whole report in
memory), for the same databases and scopes; `tests/helpers/report_content.py` says what a digest covers. The
generated set is `generate_into(db, 2000, seed=5)`: should the generator change what it makes, these digests
are to be taken again from the report code of a commit before streaming, with `content()` of the same helper.
The workbook's digests were those of XlsxWriter's file, and the workbook is now written by another library;
its plan sheets are read back instead and must hold, cell by cell, the rows of the csv report of the same scope
(whose digest stands), under a frozen, filtered header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from store.db import Database, open_database
from store.generate import generate_into
from store.queries import View, find_owner
from store.reports import FORMATS, ReportScope, build_report, render, write_report
from store.reports.columns import COLUMNS
from store.reports.content import ReportReader, _batches
from store.reports.csvfile import csv_value
from tests.helpers.report_content import content, digest

AS_OF = date(2023, 9, 15)

# What the reports held before they were streamed. "samples, everyone" was taken again once cgm-2019's actions
# of "(All) Community Directors" reached the Community Director (the owner column's only change; checked by
# diffing the csv before and after that fix).
BEFORE_STREAMING = {
    "samples, everyone": {
        "csv": "12dc67e93332da5e68b0d046e67b960edf30e0851930beb7e6adeb703dc05c3b",
        "md": "db24e0bc4efb07ea96eb6efab13379ee90b43c39c30dfb2b67c6736cc8ffd5ed",
        "html": "eb519f25632148f959e274d48f23f8fc2cb8e66bcd7a7697965706236b384ab7",
    },
    "samples, one owner, three plans": {
        "csv": "4e98d3beb6410771d54cf461af9921dee622efda4c74762c4bb162672a17d4ef",
        "md": "234d5ef31eee1a97125aa0bd5b37fefec57d06f889572b7d447ab028c38de584",
        "html": "0e104d53b7a852c7d6495031eb05eb55897d6dd9a64cb71b5061418ce99f96e7",
    },
    "generated, everyone, since June": {
        "csv": "cdc0e9412528acd0808caa87a2b9550fca8768da2d5499190ee68e2c3687b9fb",
        "md": "1b9bb245460e29d00706d1a2f805ef069e0aaffd73fcd3724cb333514747419a",
        "html": "f417d7dda5b39cf9404cfa88d1b27249d13ce78e8938d9df886426c69afc6e2b",
    },
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """2,000 generated actions in 12 plans, with their history up to the report's day."""
    database = open_database(tmp_path_factory.mktemp("generated") / "generated.sqlite")
    generate_into(database, 2000, seed=5)
    try:
        yield database
    finally:
        database.dispose()


def _scope(name: str, db: Database) -> ReportScope:
    if name == "samples, one owner, three plans":
        with db.read() as session:
            owner = find_owner(session, "Head of Tameside PDU")
        # cgm-2019 holds none of the owner's actions: asked for by name, it is in the report all the same
        return ReportScope(as_of=AS_OF, plan_ids=("gm-2023", "nw-2023", "cgm-2019"), view=View(owner_id=owner.id),
                           owner_label="Head of Tameside PDU (Greater Manchester)", since=date(2023, 1, 1))
    if name == "generated, everyone, since June":
        return ReportScope(as_of=AS_OF, since=date(2023, 6, 1))
    return ReportScope(as_of=AS_OF)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "md", "html"])
@pytest.mark.parametrize("name", list(BEFORE_STREAMING))
def test_a_report_read_plan_by_plan_holds_what_the_whole_report_held(
        name: str, fmt: str, db: Database, generated: Database) -> None:
    database = generated if name.startswith("generated") else db
    scope = _scope(name, database)
    with database.read() as session:
        streamed = io.BytesIO()
        written = write_report(session, scope, fmt, streamed)
        small = io.BytesIO()  # batches of about 150 actions: the 12 generated plans in 12 reads
        batched = ReportReader(session, scope, batch=150)
        FORMATS[fmt](batched, small)  # an xlsx of several batches is read by two processes, each half of them
        assert len(batched.batches) >= (2 if written.action_count > 150 else 1)
        assert batched.action_count == written.action_count
        whole = render(build_report(session, scope), fmt)
    if fmt == "xlsx":
        with database.read() as session:
            as_csv = io.BytesIO()
            write_report(session, scope, "csv", as_csv)
        assert digest(as_csv.getvalue(), "csv") == BEFORE_STREAMING[name]["csv"]
        assert _plan_sheets_as_csv(streamed.getvalue(), since=scope.since is not None) == as_csv.getvalue()
    else:
        assert digest(streamed.getvalue(), fmt) == BEFORE_STREAMING[name][fmt]
    assert content(small.getvalue(), fmt) == content(streamed.getvalue(), fmt) == content(whole, fmt)
    assert written.action_count == {"samples, everyone": 292, "samples, one owner, three plans": 12,
                                    "generated, everyone, since June": 2000}[name]


def _plan_sheets_as_csv(data: bytes, *, since: bool) -> bytes:
    """The workbook's plan sheets, read back, as the csv report writes the same rows: each sheet under a frozen,
    filtered header row of the columns' headings; the Summary first and the Changes last (with a date since)."""
    book = load_workbook(io.BytesIO(data))
    names = book.sheetnames
    assert names[0] == "Summary" and (names[-1] == "Changes") == since
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.key for column in COLUMNS])
    for name in names[1:-1] if since else names[1:]:
        sheet = book[name]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == [column.heading for column in COLUMNS]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:T{max(len(rows), 2)}"
        writer.writerows([_as_csv(column.kind, value) for column, value in zip(COLUMNS, row, strict=True)]
                         for row in rows[1:])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _as_csv(kind: str, value: object) -> str | int:
    """A cell read back, as the csv report writes its value: a date a date, a time to the second."""
    if value is None:
        return ""
    if kind == "date":
        assert isinstance(value, datetime) and value.time() == time(0)
        return csv_value(value.date())
    if kind == "moment":
        assert isinstance(value, datetime)
        return csv_value((value + timedelta(microseconds=500_000)).replace(microsecond=0))
    if kind == "number":
        assert isinstance(value, int | float) and value == int(value)
        return int(value)
    assert isinstance(value, str)
    return csv_value(value)


def test_plans_are_read_in_batches_of_about_the_size_asked_for() -> None:
    sizes = [("a", 5), ("b", 5), ("c", 30), ("d", 0), ("e", 1), ("f", 9), ("g", 2)]
    assert _batches(sizes, 10) == [["a", "b"], ["c"], ["d", "e", "f"], ["g"]]
    assert _batches([("asked-for, none of the owner's", 0), ("a", 4)], 10) == [["asked-for, none of the owner's", "a"]]
    assert _batches([], 10) == []


def test_a_streamed_report_reads_its_plans_as_they_are_written(generated: Database) -> None:
    with generated.read() as session:
        reader = ReportReader(session, ReportScope(as_of=AS_OF), batch=150)
        sections = reader.sections()
        first = next(sections)
        assert reader.action_count == len(first.actions) < 2000  # one batch read, not the whole report
        assert [first.id, *(plan.id for plan in sections)] == [plan.id for plan in reader.plans]
    assert reader.action_count == 2000
    assert sum(line.tally.total for line in reader.addressees) == 2000
    assert sum(counts.total for counts in reader.by_owner.values()) >= 2000  # an action may have several owners


def test_a_streamed_report_goes_to_its_file_whole_or_not_at_all(generated: Database, tmp_path: Path) -> None:
    from store.files import atomic_file

    target = tmp_path / "report.md"
    target.write_text("<!-- actiontrack report: an earlier one -->", encoding="utf-8")
    with pytest.raises(RuntimeError), generated.read() as session, atomic_file(target) as fh:
        reader = ReportReader(session, ReportScope(as_of=AS_OF), batch=150)
        FORMATS["md"](reader, fh)
        raise RuntimeError("stopped half-way")
    assert target.read_text(encoding="utf-8") == "<!-- actiontrack report: an earlier one -->"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no part-written file left beside it
