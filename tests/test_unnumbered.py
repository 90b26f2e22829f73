"""Recommendations printed without a number (plans of councils and health trusts): each gets a reference
made from its words, and `check`, `import`, the tree, `show`, exports and reports carry it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers.cli import assert_one_clean_line, fingerprint, run_inprocess
from store.db import open_database
from store.identity import is_unnumbered, plan_uid, recommendation_uid, unnumbered_ref
from store.models import Recommendation
from store.planfile import PlanFileError, validate_plan
from store.queries import Progress, RecommendationNode
from tui.labels import recommendation_detail_text, recommendation_label

AWARENESS = "Raise awareness of economic abuse among frontline staff."
SHARING = "Review the information sharing agreement between partners."

PLAN = f'''
[plan]
id = "dhr-2024"
title = "Domestic homicide review: action plan"
region = "London"
organisation = "Tower Hamlets Community Safety Partnership"
plan_submitted = 2024-03-01

[[addressees]]
name = "Community Safety Partnership"
kind = "other"

[[addressees.recommendations]]
text = "{AWARENESS}"

[[addressees.recommendations.actions]]
text = "Deliver briefings on economic abuse to frontline practitioners."
owners = [{{ role = "Operations Managers", holders = ["SF", "CD"] }}]
target = "Q3 2024/25"

[[addressees.recommendations]]
text = "{SHARING}"
agreement = "agreed"

[[addressees.recommendations.actions]]
text = "Review and re-sign the information sharing agreement."
owners = [{{ organisation = "MPS" }}, "LBTH Adult social care"]
target = "end of 2024/25"

[[addressees.recommendations]]
number = "3"
text = "A recommendation the plan does number."

[[addressees.recommendations.actions]]
text = "Report to the partnership board."
owners = ["LBTH Adult social care"]
target = "Quarterly from April 2024"
'''

AWARE = unnumbered_ref(AWARENESS)  # the reference every machine gives the first recommendation
SHARE = unnumbered_ref(SHARING)


def plan_file(tmp_path: Path, text: str = PLAN, name: str = "dhr.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "a.sqlite"
    assert run_inprocess(capsys, "--db", str(db), "import", str(plan_file(tmp_path))).code == 0
    return db


def test_a_reference_is_made_from_the_words_the_same_on_every_machine() -> None:
    assert AWARE != SHARE and is_unnumbered(AWARE) and is_unnumbered(SHARE)
    assert unnumbered_ref(f"  {AWARENESS.upper()}\n") == AWARE  # case and spacing are not the words
    assert unnumbered_ref(AWARENESS, 2) != AWARE  # the same words twice in a plan are two recommendations
    assert not is_unnumbered("6") and not is_unnumbered("1.2")


def test_check_accepts_them_and_shows_every_action_by_its_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_inprocess(capsys, "check", str(plan_file(tmp_path)))
    assert run.code == 0, run.err
    assert f"dhr-2024/{AWARE}/1  'Q3 2024/25' → Oct 2024 – Dec 2024, due by 31 Dec 2024" in run.out
    assert f"dhr-2024/{SHARE}/1" in run.out and "dhr-2024/3/1" in run.out


def test_the_same_words_twice_are_two_recommendations(tmp_path: Path) -> None:
    twice = PLAN.replace(SHARING, AWARENESS)
    plan = validate_plan(tomllib.loads(twice), "dhr.toml")
    numbers = [r.number for a in plan.addressees for r in a.recommendations]
    assert numbers == [AWARE, unnumbered_ref(AWARENESS, 2), "3"]


def test_words_whose_reference_another_keeps_as_its_ref_take_the_next(tmp_path: Path) -> None:
    """A recommendation reworded from AWARENESS kept its reference as `ref`; the old words, added again, take
    the next reference rather than that one."""
    kept = PLAN.replace(f'text = "{SHARING}"', f'ref = "{AWARE}"\ntext = "{SHARING}"')
    plan = validate_plan(tomllib.loads(kept), "dhr.toml")
    numbers = [r.number for a in plan.addressees for r in a.recommendations]
    assert numbers == [unnumbered_ref(AWARENESS, 2), AWARE, "3"]


def test_import_stores_them_with_the_uid_their_reference_derives(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "b.sqlite"
    assert run_inprocess(capsys, "--db", str(other), "import", str(plan_file(tmp_path))).code == 0
    found = []
    for path in (imported, other):
        db = open_database(path, read_only=True)
        try:
            with db.read() as session:
                found.append(session.execute(
                    select(Recommendation.number, Recommendation.uid).order_by(Recommendation.position)).all())
        finally:
            db.dispose()
    assert found[0] == found[1]  # two machines, one identity
    assert found[0][0] == (AWARE, recommendation_uid(plan_uid("dhr-2024"), AWARE))


def test_show_and_due_name_an_unnumbered_recommendation_as_such(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_inprocess(capsys, "--db", str(imported), "show", f"dhr-2024/{AWARE}/1")
    assert run.code == 0, run.err
    assert f"Recommendation: unnumbered (not stated) {AWARENESS}" in run.out
    assert "Recommendation: 3" in run_inprocess(capsys, "--db", str(imported), "show", "dhr-2024/3/1").out
    due = run_inprocess(capsys, "--db", str(imported), "--today", "2024-12-02", "due", "--owner",
                        "Operations Managers")
    assert f"dhr-2024/{AWARE}/1" in due.out


def test_the_tree_and_the_detail_pane_label_it_without_a_number() -> None:
    node = RecommendationNode(id=1, number=AWARE, text=AWARENESS, agreement="not_stated", inferred=False,
                              progress=Progress(done=0, total=1, overdue=0))
    label = recommendation_label(node, {}).plain
    assert label.startswith("G • [not stated]") and AWARE not in label  # after its RAG letter
    numbered = RecommendationNode(id=2, number="3", text="x", agreement="agreed", inferred=False,
                                  progress=Progress(done=0, total=1, overdue=0))
    assert recommendation_label(numbered, {}).plain.startswith("G 3 [agreed]")
    pane = recommendation_detail_text(AWARE, AWARENESS, "not stated", "", "", "Community Safety Partnership",
                                      "Domestic homicide review", {}).plain
    assert pane.startswith("Unnumbered recommendation  not stated")


def test_an_export_keeps_the_reference_as_ref_and_round_trips(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.toml"
    assert run_inprocess(capsys, "--db", str(imported), "export", "--plan", "dhr-2024", "-o", str(first)).code == 0
    recs = tomllib.loads(first.read_text(encoding="utf-8"))["addressees"][0]["recommendations"]
    assert [(r.get("number"), r.get("ref")) for r in recs] == [(None, AWARE), (None, SHARE), ("3", None)]
    fresh, second = tmp_path / "fresh.sqlite", tmp_path / "second.toml"
    assert run_inprocess(capsys, "--db", str(fresh), "import", str(first)).code == 0
    assert run_inprocess(capsys, "--db", str(fresh), "export", "--plan", "dhr-2024", "-o", str(second)).code == 0
    assert second.read_bytes() == first.read_bytes()


def test_re_import_matches_the_same_words_and_an_explicit_ref(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(imported)]
    assert run_inprocess(capsys, *db, "status", f"dhr-2024/{AWARE}/1", "ongoing").code == 0
    again = run_inprocess(capsys, *db, "import", str(plan_file(tmp_path)))
    assert "already up to date" in again.out
    reworded = PLAN.replace(f'text = "{AWARENESS}"', f'ref = "{AWARE}"\ntext = "Raise awareness of economic '
                                                      'abuse among all frontline staff."')
    run = run_inprocess(capsys, *db, "import", str(plan_file(tmp_path, reworded, "reworded.toml")))
    assert run.code == 0, run.err
    shown = run_inprocess(capsys, *db, "show", f"dhr-2024/{AWARE}/1").out
    assert "[ongoing]" in shown and "among all frontline staff" in shown


def test_a_reworded_one_without_its_ref_is_refused_and_nothing_is_written(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reworded = PLAN.replace(AWARENESS, "Raise awareness of economic abuse among all frontline staff.")
    before = fingerprint(imported)
    run = run_inprocess(capsys, "--db", str(imported), "import", str(plan_file(tmp_path, reworded, "r.toml")))
    assert_one_clean_line(run, f"recommendation {AWARE!r}", "is not in the file", f'ref = "{AWARE}"',
                          "withdrawn = true")
    assert fingerprint(imported) == before
    # Kept in the file as withdrawn, the old one goes (its actions with their history) and the new one comes.
    old = f'[[addressees.recommendations]]\ntext = "{AWARENESS}"\nwithdrawn = true\n\n'
    kept = reworded.replace('[[addressees.recommendations]]\ntext = "Raise', f'{old}[[addressees.recommendations]]\n'
                            'text = "Raise', 1)
    run = run_inprocess(capsys, "--db", str(imported), "import", str(plan_file(tmp_path, kept, "kept.toml")))
    assert run.code == 0 and "1 withdrawn" in run.out, run.out + run.err


@pytest.mark.parametrize(("change", "words"), [
    (lambda p: p.replace(f'text = "{SHARING}"', f'number = "2"\nref = "{AWARE}"\ntext = "{SHARING}"'),
     "gives both number and ref"),
    (lambda p: p.replace(f'text = "{SHARING}"', f'ref = "B"\ntext = "{SHARING}"'),
     "recommendation 2 (unnumbered) › ref › is not a reference actiontrack made"),
    (lambda p: p.replace(f'text = "{SHARING}"', f'number = ""\ntext = "{SHARING}"'),
     "number › is empty: leave number out"),
    (lambda p: p.replace(f'text = "{SHARING}"', f'ref = "{SHARE}"\ntext = "{SHARING}"')
     .replace(f'text = "{AWARENESS}"', f'ref = "{SHARE}"\ntext = "{AWARENESS}"'), "appears twice"),
])
def test_a_bad_ref_is_one_sentence_naming_the_place(tmp_path: Path, change: object, words: str) -> None:
    assert callable(change)
    with pytest.raises(PlanFileError) as raised:
        validate_plan(tomllib.loads(change(PLAN)), "dhr.toml")
    message = str(raised.value)
    assert message.startswith("dhr.toml: ") and words in message and "\n" not in message


def test_reports_head_it_as_unnumbered(imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.md"
    run = run_inprocess(capsys, "--db", str(imported), "--today", "2024-10-01", "report", "--plan", "dhr-2024",
                        "--format", "md", "-o", str(out))
    assert run.code == 0, run.err
    page = out.read_text(encoding="utf-8")
    assert "#### Unnumbered recommendation (not stated)" in page and "#### Recommendation 3 (" in page
    assert AWARE not in page.split("####", 1)[1].split("\n", 1)[0]


def test_its_actions_are_matched_and_mapped_like_any_others(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(imported)]
    assert run_inprocess(capsys, *db, "status", f"dhr-2024/{AWARE}/1", "ongoing").code == 0
    revised = PLAN.replace('text = "Deliver briefings on economic abuse to frontline practitioners."',
                           'text = "A new action."\nowners = ["LBTH Adult social care"]\ntarget = "March 2025"\n\n'
                           '[[addressees.recommendations.actions]]\n'
                           'text = "Deliver two briefings on economic abuse to all frontline practitioners."')
    path = plan_file(tmp_path, revised, "revised.toml")
    refused = run_inprocess(capsys, *db, "import", str(path))
    assert refused.code == 1, refused.out + refused.err
    mapping = tmp_path / "revised.mapping.toml"
    assert f'"{AWARE}/1" = "{AWARE}/#2"' in mapping.read_text(encoding="utf-8")
    assert run_inprocess(capsys, *db, "import", "--mapping", str(mapping), str(path)).code == 0
    shown = run_inprocess(capsys, *db, "show", f"dhr-2024/{AWARE}/1").out
    assert "[ongoing]" in shown and "Deliver two briefings" in shown
