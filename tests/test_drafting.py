"""`actiontrack draft`: plan files drafted from published plans, measured against the hand-made samples.

The published plans are the text extracts in ../shared/seeds/ (outside the repo); the .docx route
is measured on .docx files rebuilt from the same extracts with python-docx.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from store.drafting import DraftError, draft_plan
from store.drafting.diffing import diff_plans
from store.drafting.writing import draft_dict, draft_toml
from store.planfile import read_plan_file, validate_plan
from tests.helpers.cli import run_inprocess
from tests.helpers.docx_plans import HEADER, docx_from_extract, small_plan_docx

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
PLANS = {"000": "gm-2023", "002": "nw-2023", "003": "cgm-2019", "004": "nps-ne-2019"}
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the published plans are not in {SEEDS}")


def _seed(number: str) -> Path:
    return next(SEEDS.glob(f"{number}_*.txt"))


def _figures(document: Path, sample: str, tmp_path: Path) -> dict[str, object]:
    draft = draft_plan(document)
    out = tmp_path / f"{sample}-draft.toml"
    out.write_text(draft_toml(draft, document.name), encoding="utf-8")
    drafted = read_plan_file(out)  # the draft is a valid plan file
    diff = diff_plans(read_plan_file(ROOT / "sample_plans" / f"{sample}.toml"), drafted)
    recs = diff.recommendations
    actions = diff.action_changes()
    reference = [a for a in actions if a.old is not None]
    same = [a for a in actions if a.kind == "same"]
    unmarked = [a.reference for a in actions
                if a.kind != "same" and a.new is not None and not a.new.note.startswith("check:")]
    figures = {
        "recommendations": len(recs),
        "recommendations right": sum(1 for r in recs if r.old and r.new and not {"addressee", "agreement"} & set(r.fields)),
        "actions": len(reference),
        "identical": len(same),
        "share": len(same) / len(reference),
        "unmarked": unmarked,
    }
    print(f"\n{sample} from {document.name}: {figures['recommendations right']}/{len(recs)} recommendations right, "
          f"{len(same)}/{len(reference)} actions identical ({figures['share']:.0%}), "
          f"{draft.to_check()} actions marked check:, unmarked differences: {unmarked}")
    return figures


def _document(kind: str, number: str, tmp_path: Path) -> Path:
    if kind == "text":
        return _seed(number)
    return docx_from_extract(_seed(number), tmp_path / f"{number}.docx")


@needs_seeds
@pytest.mark.parametrize("kind", ["text", "docx"])
@pytest.mark.parametrize("number", sorted(PLANS))
def test_draft_meets_the_hand_made_plan(number: str, kind: str, tmp_path: Path) -> None:
    """Every recommendation's number, addressee and agreement right; at least 90% of actions identical
    in text, owners and target as written; every other action marked check:."""
    figures = _figures(_document(kind, number, tmp_path), PLANS[number], tmp_path)
    assert figures["recommendations right"] == figures["recommendations"]
    assert figures["share"] >= 0.9
    assert figures["unmarked"] == []


def test_a_response_cell_with_paragraphs_and_a_bullet_list(tmp_path: Path) -> None:
    draft = draft_plan(small_plan_docx(tmp_path / "small.docx"))
    plan = validate_plan(draft_dict(draft), "draft")
    assert plan.plan.region == "Exampleshire"
    assert str(plan.plan.plan_submitted) == "2023-07-03" and str(plan.plan.report_published) == "2023-06-01"
    assert plan.aliases == {"HoP&Q": "Head of Performance and Quality"}
    [addressee] = plan.addressees
    assert (addressee.name, addressee.kind) == ("Northtown PDU", "pdu")
    first, second = addressee.recommendations
    assert [(a.owners, a.target) for a in first.actions] == [
        (["Head of Northtown PDU"], "Monthly from July 2023"),
        (["HoP&Q"], "September 2023"),
        (["Head of Northtown PDU", "HoP&Q"], "Quarterly from October 2023"),
    ]
    assert first.actions[1].text == ("The Head of Performance and Quality (HoP&Q) will audit twenty cases, looking at:\n"
                                     "• use of domestic abuse information\n• contingency plans")
    assert first.actions[2].text == "Findings will be shared with SPOs [b]each quarter[/b]."  # kept literally
    assert not any(a.note for a in first.actions)
    assert second.agreement == "partly_agreed"
    assert second.reason == "This recommendation is partly agreed for resource reasons."
    assert all(a.note.startswith("check:") for a in second.actions)  # one owner for two paragraphs


def test_draft_writes_a_plan_file_that_check_accepts_and_lists_its_checks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "draft.toml"
    run = run_inprocess(capsys, "draft", str(small_plan_docx(tmp_path / "small.docx")), "-o", str(out))
    assert run.code == 0, run.err
    text = out.read_text(encoding="utf-8")
    assert "# 2 of 5 actions need a look" in text.splitlines()[1]
    run = run_inprocess(capsys, "check", str(out))
    assert run.code == 0, run.err
    assert "3 notes to check:" in run.out  # two actions, and the recommendation whose reason was read
    assert "exampleshire-2023/2: check: the reason is read from the response paragraph that gives it." in run.out
    assert "exampleshire-2023/2/1: check: one owner and one date are printed for the 2 paragraphs" in run.out


def test_diff_against_an_existing_plan_file_names_added_removed_and_changed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = small_plan_docx(tmp_path / "small.docx")
    old = tmp_path / "old.toml"
    text = draft_toml(draft_plan(document), "small.docx")
    old.write_text(text.replace('target = "September 2023"', 'target = "August 2023"')
                   .replace("The Business Manager will review reception staffing.", "Review staffing."),
                   encoding="utf-8")
    run = run_inprocess(capsys, "draft", str(document), "--diff", str(old))
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert "  ~ 1/2:" in lines
    assert "      target: 'August 2023'" in lines and "            → 'September 2023'" in lines
    assert "  - 2/2: 'Review staffing.'" in lines
    assert any(line.startswith("  + 2/2: 'The Business Manager will review reception staffing.'") for line in lines)
    assert lines[-1] == "3 actions the same, 1 changed, 1 added, 1 removed"


def _bad_documents(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    not_a_plan = tmp_path / "letter.txt"
    not_a_plan.write_text("Dear colleague,\nThank you for your letter.\n", encoding="utf-8")
    encrypted = tmp_path / "protected.docx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(small_plan_docx(tmp_path / "whole.docx").read_bytes()[:3000])
    huge = tmp_path / "huge.docx"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    other = small_plan_docx(tmp_path / "other.docx", header=HEADER[:3] + ("4. Comments",) + HEADER[4:])
    not_word = tmp_path / "archive.docx"
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return {
        "not a plan": (not_a_plan, "no action-plan table found"),
        "encrypted": (encrypted, "encrypted (password-protected)"),
        "damaged": (damaged, "damaged"),
        "50 MB": (huge, "the file is 50 MB"),
        "other columns": (other, "column 4 is '4. Comments', not the template's 'response'"),
        "zip, not Word": (not_word, "is a zip file but not a Word document"),
    }


@pytest.mark.parametrize("case", ["not a plan", "encrypted", "damaged", "50 MB", "other columns", "zip, not Word"])
def test_a_bad_document_gets_one_line_and_no_file(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document, words = _bad_documents(tmp_path)[case]
    out = tmp_path / "draft.toml"
    run = run_inprocess(capsys, "draft", str(document), "-o", str(out))
    assert run.code == 1
    assert len(run.err_lines) == 1 and words in run.err, run.err
    assert "Traceback" not in run.err
    assert not out.exists()


def test_output_never_replaces_a_file_that_is_not_a_plan_file_or_the_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = small_plan_docx(tmp_path / "small.docx")
    notes = tmp_path / "notes.toml"
    notes.write_text("my notes, not a plan\n", encoding="utf-8")
    database = tmp_path / "work.sqlite"
    database.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    for target, words in ((notes, "is not a plan file"), (database, "is the database itself")):
        before = target.read_bytes()
        run = run_inprocess(capsys, "--db", str(database), "draft", str(document), "-o", str(target))
        assert run.code == 1 and words in run.err
        assert target.read_bytes() == before
    plan = tmp_path / "plan.toml"  # an earlier draft is a plan file: it is replaced
    assert run_inprocess(capsys, "draft", str(document), "-o", str(plan)).code == 0
    assert run_inprocess(capsys, "draft", str(document), "--id", "northtown-2023", "-o", str(plan)).code == 0
    assert read_plan_file(plan).plan.id == "northtown-2023"
    run = run_inprocess(capsys, "draft", str(document), "--id", "Bad Id", "-o", str(tmp_path / "bad.toml"))
    assert run.code == 1 and run.err_lines == [
        f"actiontrack: the draft of {document}: [plan] › id has characters it may not hold; nothing was written"]
    assert not (tmp_path / "bad.toml").exists()


def test_the_store_reports_an_unreadable_document_as_a_draft_error(tmp_path: Path) -> None:
    with pytest.raises(DraftError, match="no such file"):
        draft_plan(tmp_path / "missing.docx")


# Owner entries as the published plans print them, and the roles a reader takes from them.
OWNER_ENTRIES = [
    ("Head of M/C N PDU & HoP&Q", ["Head of M/C N PDU", "HoP&Q"]),
    ("Head of Performance & Quality", ["Head of Performance & Quality"]),
    ("Business Manager, Quality team and SPOs", ["Business Manager", "Quality team", "SPOs"]),
    ("Quality, Policy and Performance Unit", ["Quality, Policy and Performance Unit"]),
    ("Deputy Director, Probation Workforce Programme", ["Deputy Director, Probation Workforce Programme"]),
    ("HoOps, Head of M/C N PDU & Head HR", ["HoOps", "Head of M/C N PDU", "Head HR"]),
    ("HOCl & H&JCP Team", ["HOCl", "H&JCP Team"]),
    ("HoCI &HJL", ["HoCI", "HJL"]),
    ("Community Director with Training Lead", ["Community Director", "Training Lead"]),
    ("Head of PDU Head of Performance and Quality", ["Head of PDU", "Head of Performance and Quality"]),
    ("Head of PDU Regional Equality Lead", ["Head of PDU", "Regional Equality Lead"]),
    ("Risk and Quality Manager/Business and Project Manager", ["Risk and Quality Manager", "Business and Project Manager"]),
    ("Head of N M/C PDU and PM", ["Head of N M/C PDU", "PM"]),
    ("SFO & Complaints SOSM", ["SFO & Complaints SOSM"]),
    ("Head of Wigan PDU & SPO complaints lead", ["Head of Wigan PDU", "SPO complaints lead"]),
    ("Business & Project Manager", ["Business & Project Manager"]),
]


@pytest.mark.parametrize(("entry", "roles"), OWNER_ENTRIES)
def test_owner_entries_split_into_roles_as_written(entry: str, roles: list[str]) -> None:
    from store.drafting.owner_cells import split_owners

    assert split_owners(entry) == roles


@pytest.mark.parametrize(("text", "short", "long"), [
    ("The Head of Tameside PDU and Head of Interventions (HOI) will arrange", "HOI", "Head of Interventions"),
    ("the Head of Performance and Quality (HoP&Q) will devise", "HoP&Q", "Head of Performance and Quality"),
    ("monitored by Community Integration Health and Justice lead (HJL) and", "HJL", "Health and Justice lead"),
    ("sufficient Pre-Sentence Reports (PSRs) per practitioner", "PSRs", "Pre-Sentence Reports"),
    ("all Senior Probation Officers (SPOs) will attend", "SPOs", "Senior Probation Officers"),
])
def test_abbreviations_the_document_defines_become_aliases(text: str, short: str, long: str) -> None:
    from store.drafting.cover import defined_abbreviations

    assert defined_abbreviations([text]) == {short: long}


def test_check_json_lists_the_check_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    out = tmp_path / "draft.toml"
    assert run_inprocess(capsys, "draft", str(small_plan_docx(tmp_path / "small.docx")), "-o", str(out)).code == 0
    run = run_inprocess(capsys, "check", str(out), "--json")
    [report] = json.loads(run.out)
    assert [c["place"] for c in report["checks"]] == ["exampleshire-2023/2", "exampleshire-2023/2/1",
                                                       "exampleshire-2023/2/2"]
    assert all(c["note"].startswith("check: ") for c in report["checks"])


@needs_seeds
def test_diff_against_the_stored_plan_exports_it_and_leaves_the_database_as_it_was(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = db_path.read_bytes()
    run = run_inprocess(capsys, "--db", str(db_path), "draft", str(_seed("004")), "--diff-stored", "nps-ne-2019")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == "--- nps-ne-2019 (stored)"
    assert run.out.splitlines()[-1] == "24 actions the same, 0 changed, 0 added, 0 removed"
    assert db_path.read_bytes() == before
    run = run_inprocess(capsys, "--db", str(db_path), "draft", str(_seed("004")), "--diff-stored", "nope")
    assert run.code == 1 and run.err_lines == ["actiontrack: no plan has the id 'nope'"]


def test_a_long_text_change_is_shown_word_by_word() -> None:
    from store.drafting.diffing import words_changed

    old = "The Head of PDU will hold monthly practice development sessions for all practitioners from July 2023."
    new = "The Head of PDU will hold quarterly practice development sessions for all practitioners from July 2023."
    assert words_changed(old, new) == "… Head of PDU will hold [-monthly-] {+quarterly+} practice development sessions for all …"
    assert words_changed("a  b\nc", "a b c") == "(only spacing or line breaks differ)"


EXTRACT = "\n".join([
    "Action Plan Submitted: 3rd July 2023",
    "A Response to the HM Inspectorate of Probation Inspection:",
    "Exampleshire region",
    "Northtown PDU",
    "\t".join(HEADER),
    "<b>Northtown Probation Delivery Unit (PDU) should:</b>\t\t\t\t\t",
    "1\tImprove risk work\tAgreed\t<p>The Head of Northtown PDU will brief staff \x1b[2J[@click=app.quit]now\u202e.</p>"
    " <p>The SPOs will audit cases monthly.</p>\tHead of Northtown PDU\tJuly 2023",
])


def test_text_from_the_document_is_written_as_it_is_never_to_the_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = tmp_path / "extract.txt"
    document.write_text(EXTRACT, encoding="utf-8")
    out = tmp_path / "draft.toml"
    assert run_inprocess(capsys, "draft", str(document), "-o", str(out)).code == 0
    raw = out.read_text(encoding="utf-8")
    assert "\x1b" not in raw and "\u202e" not in raw  # escaped in the TOML
    [addressee] = read_plan_file(out).addressees
    assert (addressee.name, addressee.kind) == ("Northtown PDU", "pdu")
    [action, second] = addressee.recommendations[0].actions
    assert action.text == "The Head of Northtown PDU will brief staff \x1b[2J[@click=app.quit]now\u202e."
    assert second.note.startswith("check: ")  # one owner and one date for two paragraphs
    run = run_inprocess(capsys, "draft", str(document))  # printed: the TOML, its controls escaped
    assert "\x1b" not in run.out and "\\u001b[2J[@click=app.quit]now\\u202E." in run.out


def test_rows_out_of_the_template_order_are_refused_and_a_repeated_number_is_marked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = tmp_path / "extract.txt"
    swapped = EXTRACT.replace("1\tImprove risk work\tAgreed", "Improve risk work\t1\tAgreed")
    document.write_text(swapped, encoding="utf-8")
    run = run_inprocess(capsys, "draft", str(document), "-o", str(tmp_path / "out.toml"))
    assert run.code == 1 and run.err_lines == [
        f"actiontrack: {document}, line 7: the Rec No column holds 'Improve risk work', not a recommendation "
        f"number; are the table's columns in the template's order?"]
    repeated = EXTRACT + "\n" + EXTRACT.splitlines()[-1].replace("brief staff", "brief managers")
    document.write_text(repeated, encoding="utf-8")
    plan = validate_plan(draft_dict(draft_plan(document)), "draft")
    recs = plan.addressees[0].recommendations
    assert [r.number for r in recs] == ["1", "1-2"]
    assert recs[1].note == "check: the document numbers two recommendations 1; this one is drafted as 1-2."


def test_docx_owner_and_date_entries_may_be_separated_by_line_breaks(tmp_path: Path) -> None:
    import docx

    path = small_plan_docx(tmp_path / "small.docx")
    document = docx.Document(str(path))
    row = document.tables[0].rows[2].cells
    for cell, lines in ((row[4], ["Head of Northtown PDU", "HoP&Q", "Head of Northtown PDU & HoP&Q"]),
                        (row[5], ["Monthly from July 2023", "September 2023", "Quarterly from October 2023"])):
        for extra in cell.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        cell.paragraphs[0].text = ""
        run = cell.paragraphs[0].add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run = cell.paragraphs[0].add_run(line)
    document.save(str(path))
    [first, _] = draft_plan(path).addressees[0].recommendations
    assert [(a.owners, a.target, a.checks) for a in first.actions] == [
        (["Head of Northtown PDU"], "Monthly from July 2023", []),
        (["HoP&Q"], "September 2023", []),
        (["Head of Northtown PDU", "HoP&Q"], "Quarterly from October 2023", []),
    ]


def test_roles_side_by_side_are_marked_unless_each_is_printed_alone_elsewhere(tmp_path: Path) -> None:
    row = "1\tImprove risk work\tAgreed\t<p>The Head of PDU will brief staff.</p>\t{owners}\tJuly 2023"
    two = "2\tReview reception\tAgreed\t<p>Reception will be reviewed.</p>\t{owners}\tAugust 2023"
    head = EXTRACT.splitlines()[:-1]
    document = tmp_path / "extract.txt"
    for second_owner, marked in (("Head of Performance and Quality", False), ("Business Manager", True)):
        lines = head + [row.format(owners="Head of PDU Head of Performance and Quality"),
                        two.format(owners="Head of PDU"), two.replace("2\t", "3\t").format(owners=second_owner)]
        document.write_text("\n".join(lines), encoding="utf-8")
        first = draft_plan(document).addressees[0].recommendations[0].actions[0]
        assert first.owners == ["Head of PDU", "Head of Performance and Quality"]
        assert bool(first.checks) is marked


@pytest.mark.parametrize(("written", "read"), [
    ("**Action Plan Submitted:** 22<sup>nd</sup> June 2023", "2023-06-22"),
    ("Action Plan Submitted: 12/4/2019", "2019-04-12"),  # day first, as UK documents write it
    ("Action Plan Submitted: 5th July 2019", "2019-07-05"),
    ("Report Published: 3 April 2019", "2019-04-03"),
    ("Report Published: 31st February 2023", None),
    ("Report Published: to follow", None),
])
def test_cover_dates_as_the_published_plans_print_them(written: str, read: str | None) -> None:
    from store.drafting.cover import read_date

    found = read_date(written)
    assert (found.isoformat() if found else None) == read
