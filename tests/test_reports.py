"""Progress reports: every format read back with the library a user's tool would use, on the sample plans.

xlsx with openpyxl, csv with the csv module, HTML with an HTML parser, Markdown with markdown-it (the parser
Textual itself uses); plus the RAG rule, missed periods, the owner filter, changes since a date, hostile
text and the files a report refuses to write over.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from store.commands import add_note, find_action, set_status, tick_occurrence, undo_last
from store.db import Database
from store.queries import View, find_owner
from store.rag import Rag, action_rag, branch_rag, due_soon
from store.reports import ReportScope, build_report, render
from store.reports.columns import COLUMNS, RAG_FILL, RAG_INK
from store.reports.content import Duty, Report
from store.revising import revise_target
from store.targets import Status
from tests.helpers.cli import assert_one_clean_line, fingerprint, run_inprocess
from tests.helpers.report_content import shown_fill

AS_OF = date(2023, 9, 15)
SAMPLE_ACTIONS = {"cgm-2019": 54, "gm-2023": 109, "nps-ne-2019": 24, "nw-2023": 105}
HOSTILE_PLAN = '''
[plan]
id = "formula-2023"
title = "=HYPERLINK(\\"http://evil.example\\",\\"Click\\")"
region = "<script>alert(1)</script> Region"
plan_submitted = 2023-06-22

[[addressees]]
name = "+SUM(1,2) PDU | pipe"
kind = "pdu"

[[addressees.recommendations]]
number = "1"
text = "@cmd [link](http://evil.example) <b>bold</b> *star* _under_ `code`"
agreement = "agreed"

[[addressees.recommendations.actions]]
text = "=1+2 \\u001b[31mred\\u001b[0m"
owners = ["-Head of Formula PDU"]
target = "August 2023"

[[addressees.recommendations.actions]]
text = "\\tcmd|' /C calc'!A0"
owners = ["-Head of Formula PDU"]
target = "October 2023"
'''


def _report(db: Database, **scope: object) -> Report:
    with db.read() as session:
        return build_report(session, ReportScope(as_of=AS_OF, **scope))  # type: ignore[arg-type]


@pytest.fixture
def report(db: Database) -> Report:
    """Everyone's report of the four sample plans, as of 15 September 2023."""
    return _report(db)


# --- the rule --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("facts", "expected"), [
    ({"complete": True, "overdue": True, "missed": 2, "due_soon": True}, Rag.COMPLETE),
    ({"complete": False, "overdue": True, "missed": 0, "due_soon": False}, Rag.RED),
    ({"complete": False, "overdue": False, "missed": 1, "due_soon": False}, Rag.RED),
    ({"complete": False, "overdue": False, "missed": 0, "due_soon": True}, Rag.AMBER),
    ({"complete": False, "overdue": False, "missed": 0, "due_soon": False, "revisions": 2}, Rag.AMBER),
    ({"complete": False, "overdue": False, "missed": 0, "due_soon": False, "revisions": 1}, Rag.GREEN),
    ({"complete": False, "overdue": False, "missed": 0, "due_soon": False}, Rag.GREEN),
])
def test_an_action_is_rated_by_the_documented_rule(facts: dict[str, object], expected: Rag) -> None:
    assert action_rag(**facts) is expected  # type: ignore[arg-type]


def test_a_branch_takes_the_worst_rating_and_is_complete_only_when_all_are() -> None:
    assert branch_rag([Rag.GREEN, Rag.COMPLETE, Rag.AMBER]) is Rag.AMBER
    assert branch_rag([Rag.GREEN, Rag.RED, Rag.AMBER]) is Rag.RED
    assert branch_rag([Rag.COMPLETE, Rag.COMPLETE]) is Rag.COMPLETE
    assert [r.letter for r in Rag] == ["R", "A", "G", "C"]


@pytest.mark.parametrize(("deadline", "expected"), [
    (date(2023, 9, 15), True), (date(2023, 9, 30), True), (date(2023, 10, 31), True),
    (date(2023, 11, 1), False), (date(2023, 9, 14), False), (None, False),
])
def test_due_soon_means_this_month_or_next(deadline: date | None, expected: bool) -> None:
    assert due_soon(deadline, AS_OF) is expected


def test_missed_periods_run_from_the_start_to_last_period_leaving_out_ticked_ones() -> None:
    july_2023 = 2023 * 12 + 6
    assert [p for p, _ in Duty(july_2023, 1, ticked=frozenset({"2023-08"})).missed(AS_OF)] == ["2023-07"]
    assert [p for p, _ in Duty(july_2023, 3).missed(date(2024, 1, 2))] == ["2023-07", "2023-10"]
    assert Duty(july_2023, 1).missed(date(2023, 7, 20)) == []  # this month's is not missed yet


def test_a_checkpoint_is_missed_from_its_day_and_due_in_its_month() -> None:
    checkpoint = Duty(None, None, checkpoints=(date(2019, 9, 10),))
    assert checkpoint.open_now(date(2019, 9, 1)) and not checkpoint.open_now(date(2019, 8, 31))
    assert checkpoint.missed(date(2019, 9, 20)) == [("2019-09", date(2019, 9, 10))]
    assert Duty(None, None, (date(2019, 9, 10),), frozenset({"2019-09"})).missed(date(2019, 12, 1)) == []


# --- content ----------------------------------------------------------------------------------------------

def test_agreement_counts_equal_the_plans_own_summary_tables(report: Report) -> None:
    counts = {plan.id: plan.agreement_counts for plan in report.plans}
    assert counts["gm-2023"] == {"agreed": 27, "partly agreed": 1}  # 000: 27 agreed, 1 partly agreed
    assert counts["nw-2023"] == {"agreed": 35, "partly agreed": 2, "not agreed": 1}  # 002's summary


def test_the_report_holds_every_action_of_every_plan_in_plan_order(report: Report) -> None:
    by_plan = {plan.id: len(plan.actions) for plan in report.plans}
    assert by_plan == SAMPLE_ACTIONS
    refs = [a.reference for a in report.plans[1].actions[:3]]
    assert refs == ["gm-2023/1/1", "gm-2023/1/2", "gm-2023/1/3"]


def test_an_owners_report_holds_their_actions_only(db: Database) -> None:
    with db.read() as session:
        owner = find_owner(session, "Head of Tameside PDU")
    mine = _report(db, view=View(owner_id=owner.id), owner_label=owner.label)
    assert [p.id for p in mine.plans] == ["gm-2023"]
    assert len(mine.actions) == owner.total
    assert all("Tameside" in a.owners for a in mine.actions)
    assert mine.title == "Progress report · Head of Tameside PDU (Greater Manchester) · as of 15 September 2023"


def test_a_missed_checkpoint_is_red_with_days_from_its_day(db: Database) -> None:
    # cgm-2019/7/7.3: "April 19 with checkpoint Sept 19", not started
    action = next(a for a in _report(db).actions if a.reference == "cgm-2019/7/7.3")
    assert action.missed == ("2019-09",)
    assert (action.rag, action.days_overdue) == (Rag.RED, (AS_OF - date(2019, 4, 30)).days)  # the deadline first


def test_a_report_of_a_filtered_view_holds_what_the_view_lists(db: Database) -> None:
    with db.write() as session:
        set_status(session, find_action(session, "gm-2023/6/1").id or 0, Status.COMPLETE, by="tester")
    with db.read() as session:
        owner = find_owner(session, "Head of Tameside PDU")
    open_only = _report(db, view=View(owner_id=owner.id, hide_complete=True), owner_label=owner.label)
    assert len(open_only.actions) == owner.total - 1 and "gm-2023/6/1" not in {a.reference for a in open_only.actions}
    searched = _report(db, view=View(search="surgery"))
    assert [a.reference for a in searched.actions] == ["gm-2023/6/2"]
    assert searched.title == "Progress report · everyone (matching “surgery”) · as of 15 September 2023"


def test_overdue_actions_carry_days_overdue_and_red(report: Report) -> None:
    action = next(a for a in report.actions if a.reference == "gm-2023/6/1")  # July 2023, not started
    assert action.deadline == date(2023, 7, 31)
    assert (action.rag, action.days_overdue) == (Rag.RED, 46)


def test_a_recurring_duty_lists_its_missed_periods_until_ticked(db: Database) -> None:
    before = next(a for a in _report(db).actions if a.reference == "gm-2023/6/2")  # monthly from August 2023
    assert before.missed == ("2023-08",)
    assert (before.rag, before.days_overdue) == (Rag.RED, 15)
    with db.write() as session:
        tick_occurrence(session, find_action(session, "gm-2023/6/2").id or 0, "2023-08", by="tester")
    after = next(a for a in _report(db).actions if a.reference == "gm-2023/6/2")
    assert after.missed == ()
    assert after.rag is Rag.AMBER  # September's occurrence is still to tick off


def test_last_change_evidence_and_changes_since(db: Database) -> None:
    with db.write() as session:
        action_id = find_action(session, "gm-2023/6/1").id or 0
        set_status(session, action_id, Status.COMPLETE, by="Head of Tameside", note="Training delivered 12 July")
        add_note(session, find_action(session, "gm-2023/6/3").id or 0, "Minutes of the August meeting", by="BM")
    report = _report(db, since=date(2020, 1, 1))
    done = next(a for a in report.actions if a.reference == "gm-2023/6/1")
    assert (done.status, done.rag, done.days_overdue) == (Status.COMPLETE, Rag.COMPLETE, None)
    assert done.evidence == "Training delivered 12 July"
    assert done.last_changed_by == "Head of Tameside"
    assert isinstance(done.last_changed_at, datetime)
    assert [(c.reference, c.what, c.note) for c in report.changes] == [
        ("gm-2023/6/1", "not started → complete", "Training delivered 12 July"),
        ("gm-2023/6/3", "note", "Minutes of the August meeting"),
    ]
    assert _report(db).changes == []  # without --since, no list of changes


def test_latest_evidence_passes_over_a_withdrawn_note_and_a_revisions_reason(db: Database) -> None:
    with db.write() as session:
        action_id = find_action(session, "gm-2023/7/1").id or 0
        add_note(session, action_id, "Audit of 20 cases, August", by="SPO")
        add_note(session, action_id, "written on the wrong action", by="SPO")
        undo_last(session, by="SPO", action_id=action_id)
        revise_target(session, action_id, "December 2023", reason="the audit tool came late", by="Head of Tameside")
    action = next(a for a in _report(db).actions if a.reference == "gm-2023/7/1")
    # the newest note that stands, not the one withdrawn nor the revision's reason; the last change is the revision
    assert action.evidence == "Audit of 20 cases, August"
    assert (action.last_changed_by, action.revised_target, action.revision_reason) == (
        "Head of Tameside", "December 2023", "the audit tool came late")
    untouched = next(a for a in _report(db).actions if a.reference == "gm-2023/7/3")
    assert (untouched.evidence, untouched.last_changed_at, untouched.last_changed_by) == ("", None, "")


# --- formats, read back -----------------------------------------------------------------------------------

def test_xlsx_has_a_summary_a_sheet_per_plan_frozen_filtered_filled_and_dated(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(render(report, "xlsx"))
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "cgm-2019", "gm-2023", "nps-ne-2019", "nw-2023"]
    sheet = book["gm-2023"]
    headings = [cell.value for cell in sheet[1]]
    assert headings == [c.heading for c in COLUMNS]
    assert sheet.max_row - 1 == SAMPLE_ACTIONS["gm-2023"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:T{SAMPLE_ACTIONS['gm-2023'] + 1}"
    body = list(sheet.iter_rows(min_row=2))
    overdue = next(row for row in body if row[3].value == "gm-2023/6/1")
    rag = overdue[headings.index("RAG")]
    assert rag.value == "red"
    assert shown_fill(sheet, rag) == ("FFFFC7CE", "rgb FF9C0006", True)  # Excel's "bad" fill and ink, in bold
    fills = {row[headings.index("RAG")].value: shown_fill(sheet, row[headings.index("RAG")]) for row in body}
    assert fills == {word: (f"FF{fill[1:]}", f"rgb FF{RAG_INK[word][1:]}", True) for word, fill in RAG_FILL.items()
                     if word in fills} and len(fills) >= 3
    assert shown_fill(sheet, overdue[headings.index("Status")]) is None
    deadline = overdue[headings.index("Deadline")]
    assert deadline.value == datetime(2023, 7, 31) and deadline.is_date
    assert overdue[headings.index("Days overdue")].value == 46
    assert overdue[headings.index("Action")].alignment.wrap_text
    assert sheet.row_dimensions[overdue[0].row].height >= 45  # its 220-character text shows whole, in 4 lines
    assert sheet.column_dimensions["E"].width > sheet.column_dimensions["C"].width  # the text gets the room
    summary = [[c.value for c in row][:6] for row in book["Summary"].iter_rows()]
    assert ["gm-2023", report.plans[1].title, 27, 1, 0, 28] in summary


def test_csv_has_one_row_per_action_with_the_documented_columns_in_utf8_excel_reads(report: Report) -> None:
    data = render(report, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == [
        "plan", "addressee", "recommendation", "reference", "action", "owners", "agreement", "agreement_reason",
        "target", "target_reading", "revised_target", "revision_reason", "deadline", "status", "rag",
        "days_overdue", "missed_periods", "last_changed_at", "last_changed_by", "latest_evidence",
    ]
    assert len(rows) == sum(SAMPLE_ACTIONS.values())
    row = next(r for r in rows if r["reference"] == "gm-2023/6/1")
    assert (row["deadline"], row["status"], row["rag"], row["days_overdue"]) == ("2023-07-31", "not started", "red",
                                                                                 "46")
    inferred = next(r for r in rows if r["reference"].startswith("gm-2023/15/"))
    assert inferred["agreement"] == "agreed, inferred"


class _Page(HTMLParser):
    """Collects what a browser would: text, tags, and every attribute that could load something."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.loads: list[str] = []
        self.bars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.loads += [v or "" for k, v in attrs if k in ("src", "href", "action")]
        if values.get("class") == "bar":
            self.bars += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page_with_every_action_and_progress_bars(report: Report) -> None:
    page = _Page()
    page.feed(render(report, "html").decode("utf-8"))
    text = "".join(page.text)
    assert all(a.reference in text for a in report.actions)
    assert page.loads == [] and "script" not in page.tags and "link" not in page.tags
    addressees = sum(len(p.addressees) for p in report.plans)
    recommendations = sum(len(a.recommendations) for p in report.plans for a in p.addressees)
    assert page.bars == addressees * 2 + recommendations  # summary row and heading per addressee, one per rec
    assert "@page { size: A4" in text


def test_markdown_has_a_table_row_per_action_under_each_recommendation(report: Report) -> None:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(render(report, "md").decode("utf-8"))
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h4"]
    assert len(headings) == sum(len(a.recommendations) for p in report.plans for a in p.addressees)
    body_rows = sum(1 for t in tokens if t.type == "tr_open") - sum(1 for t in tokens if t.type == "thead_open")
    summary_rows = len(report.plans) + sum(len(p.addressees) for p in report.plans) + len(report.by_owner)
    assert body_rows == len(report.actions) + summary_rows


# --- hostile text -----------------------------------------------------------------------------------------

@pytest.fixture
def hostile_report(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Report:
    """A plan whose texts look like formulas, markup and terminal escapes, with a hostile note."""
    plan = tmp_path / "formula.toml"
    plan.write_text(HOSTILE_PLAN, encoding="utf-8")
    assert run_inprocess(capsys, "--db", str(db_path), "import", str(plan)).code == 0
    assert run_inprocess(capsys, "--db", str(db_path), "note", "formula-2023/1/1", "=cmd|' /C calc'!A0").code == 0
    from store.db import open_database

    db = open_database(db_path)
    try:
        return _report(db, plan_ids=("formula-2023",))
    finally:
        db.dispose()


def test_formula_looking_text_stays_text_in_xlsx(hostile_report: Report, tmp_path: Path) -> None:
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(render(hostile_report, "xlsx"))
    sheet = load_workbook(path)["formula-2023"]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value}
    action = cells["=1+2 ␛[31mred␛[0m"]
    assert action.data_type == "s"  # a string, not a formula
    assert cells["=cmd|' /C calc'!A0"].data_type == "s"
    assert cells["-Head of Formula PDU"].data_type == "s"


def test_formula_looking_text_is_made_inert_in_csv(hostile_report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(render(hostile_report, "csv").decode("utf-8-sig"), newline="")))
    assert [r["action"] for r in rows] == ["'=1+2 ␛[31mred␛[0m", "'\tcmd|' /C calc'!A0"]
    assert rows[0]["owners"] == "'-Head of Formula PDU"
    assert rows[0]["addressee"] == "'+SUM(1,2) PDU | pipe"
    assert rows[0]["latest_evidence"] == "'=cmd|' /C calc'!A0"


def test_html_escapes_everything(hostile_report: Report) -> None:
    page = _Page()
    html = render(hostile_report, "html").decode("utf-8")
    page.feed(html)
    assert "b" not in page.tags and page.loads == [] and "script" not in page.tags
    text = "".join(page.text)
    assert "@cmd [link](http://evil.example) <b>bold</b>" in text
    assert "\x1b" not in html and "␛[31m" in text


def test_markdown_escapes_everything(hostile_report: Report) -> None:
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(render(hostile_report, "md").decode("utf-8"))
    assert "<a " not in rendered and "<b>" not in rendered and "<em>" not in rendered and "<code>" not in rendered
    assert "@cmd [link](http://evil.example) &lt;b&gt;bold&lt;/b&gt; *star* _under_ `code`" in rendered
    assert "+SUM(1,2) PDU | pipe" in rendered  # the pipe did not split the table cell


# --- the command ------------------------------------------------------------------------------------------

def test_report_command_writes_each_format_and_says_where(db_path: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    for suffix in ("xlsx", "csv", "md", "html"):
        out = tmp_path / f"tameside.{suffix}"
        run = run_inprocess(capsys, "--db", str(db_path), "--today", "2023-09-15", "report",
                            "--owner", "Head of Tameside PDU", "-o", str(out))
        assert run.code == 0, run.err
        assert run.out == f"wrote {out}: 12 actions, 1 plans ({suffix})\n"
        assert out.stat().st_size > 0
    again = run_inprocess(capsys, "--db", str(db_path), "report", "-o", str(tmp_path / "tameside.xlsx"))
    assert again.code == 0, "a report actiontrack wrote may be written again"


def test_report_to_standard_output(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_inprocess(capsys, "--db", str(db_path), "report", "--plan", "nw-2023", "--format", "md")
    assert run.code == 0
    assert "## North West region\\: response" in run.out


@pytest.mark.parametrize("what", ["the database", "an sqlite file", "another program's file", "a folder"])
def test_report_never_writes_over_what_is_not_a_report(what: str, db_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.csv"
    if what == "the database":
        target, words, fmt = db_path, "is the database itself", ["--format", "csv"]
    elif what == "an sqlite file":
        other.write_bytes(db_path.read_bytes())
        target, words, fmt = other, "is an SQLite database", []
    elif what == "another program's file":
        other.write_text("name,amount\nrent,500\n", encoding="utf-8")
        target, words, fmt = other, "is not an actiontrack csv report", []
    else:
        target, words, fmt = tmp_path, "is a folder", ["--format", "html"]
    before = fingerprint(db_path)
    kept = other.read_bytes() if other.exists() else None
    run = run_inprocess(capsys, "--db", str(db_path), "report", *fmt, "-o", str(target))
    assert_one_clean_line(run, words)
    assert fingerprint(db_path) == before
    assert (other.read_bytes() if other.exists() else None) == kept


def test_report_names_an_unknown_plan_and_needs_a_file_for_xlsx(db_path: Path, capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    assert_one_clean_line(run_inprocess(capsys, "--db", str(db_path), "report", "--plan", "nope", "--format", "md"),
                          "no plan has the id 'nope'")
    assert_one_clean_line(run_inprocess(capsys, "--db", str(db_path), "report", "--format", "xlsx"),
                          "needs a file")


def test_someone_elses_workbook_is_not_written_over(db_path: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    out = tmp_path / "tameside.xlsx"
    assert run_inprocess(capsys, "--db", str(db_path), "report", "-o", str(out)).code == 0
    assert load_workbook(out)["Summary"]["A2"].value == "Written by actiontrack report"  # how ours is known
    theirs = Workbook()
    theirs.active["A1"] = "Budget"
    theirs.active["A2"] = "actiontrack report costs"
    theirs.save(out)
    kept = out.read_bytes()
    assert_one_clean_line(run_inprocess(capsys, "--db", str(db_path), "report", "-o", str(out)),
                          "is not an actiontrack xlsx report")
    assert out.read_bytes() == kept


def test_a_workbook_an_earlier_version_wrote_is_written_again(db_path: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    out = tmp_path / "tameside.xlsx"
    earlier = Workbook()  # marked as XlsxWriter's reports were: in the document's properties
    earlier.properties.title, earlier.properties.creator = "Progress report", "actiontrack"
    earlier.properties.description = "actiontrack report"
    earlier.save(out)
    assert run_inprocess(capsys, "--db", str(db_path), "report", "-o", str(out)).code == 0
    assert load_workbook(out)["Summary"]["A2"].value == "Written by actiontrack report"


@pytest.mark.skipif(sys.platform == "win32", reason="the workbook library's temporary folder comes from TMP there")
def test_a_workbook_that_cannot_be_written_is_said_in_one_line_and_leaves_the_old_one(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "tameside.xlsx"
    assert run_inprocess(capsys, "--db", str(db_path), "report", "-o", str(out)).code == 0
    kept = out.read_bytes()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "gone"))  # where the library spools its sheets
    line = assert_one_clean_line(run_inprocess(capsys, "--db", str(db_path), "report", "-o", str(out)),
                                 f"cannot write {out}", "No such file or directory")
    assert "Excel write error" not in line
    assert out.read_bytes() == kept
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tameside")] == []  # no half-written file


def test_a_text_longer_than_a_cell_holds_is_cut_to_fit(db_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from store.db import open_database

    plan = tmp_path / "long.toml"
    plan.write_text(HOSTILE_PLAN.replace("formula-2023", "long-2023").replace(
        '"=1+2 \\u001b[31mred\\u001b[0m"', '"' + "evidence " * 5000 + '"'), encoding="utf-8")
    assert run_inprocess(capsys, "--db", str(db_path), "import", str(plan)).code == 0
    db = open_database(db_path)
    try:
        report = _report(db, plan_ids=("long-2023",))
    finally:
        db.dispose()
    assert len(report.actions[0].text) == 45_000
    path = tmp_path / "long.xlsx"
    path.write_bytes(render(report, "xlsx"))  # Excel's cells hold 32,767 characters at most
    sheet = load_workbook(path)["long-2023"]
    text = sheet["E2"].value
    assert len(text) == 32_767 and text.startswith("evidence evidence") and text.endswith("…")
    assert sheet["E3"].value == "\tcmd|' /C calc'!A0"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium on this machine (Debian package: chromium)")
def test_the_html_report_renders_in_a_real_browser(report: Report, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(render(report, "html"))
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM or "", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1240,1754",
                    f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = tmp_path / "report.pdf"
    subprocess.run([CHROMIUM or "", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    assert pdf.read_bytes()[:5] == b"%PDF-"
