"""Checks the transcription of the NPS North East Division action plan (5 July 2019).

Expected values are counted from the source extract
(/work/shared/seeds/004_dda3485a90979f2e.txt), not from the TOML file.

The extract is incomplete: the first table page is missing (recommendation 1's
wording, agreement and actions 1.1-1.2), recommendation 5 survives as a one-line
fragment, and the text ends after recommendation 7 with no summary table of
Agreed / Partly agreed / Not agreed counts. The agreement counts below are
therefore those the document shows (2, 3, 4, 6, 7 agreed) plus the two inferred
rows (1 and 5, agreed, marked inferred).
"""
import tomllib
from collections import Counter
from pathlib import Path

PLAN = Path(__file__).parent.parent / "sample_plans" / "nps-ne-2019.toml"


def load():
    with open(PLAN, "rb") as f:
        return tomllib.load(f)


def recs(data):
    return [r for a in data["addressees"] for r in a["recommendations"]]


def rec(data, number):
    (r,) = [r for r in recs(data) if r["number"] == number]
    return r


def action(data, number, ref):
    (a,) = [a for a in rec(data, number)["actions"] if a.get("ref") == ref]
    return a


def test_plan_header():
    plan = load()["plan"]
    assert plan["id"] == "nps-ne-2019"
    assert plan["region"] == "North East"
    assert str(plan["plan_submitted"]) == "2019-07-05"
    assert str(plan["report_published"]) == "2019-06-26"
    assert "missing" in plan["notes"]


def test_recommendation_numbers_in_order():
    assert [r["number"] for r in recs(load())] == ["1", "2", "3", "4", "5", "6", "7"]


def test_addressees():
    data = load()
    assert [a["name"] for a in data["addressees"]] == ["NPS North East Division", "Ministry of Justice"]
    assert [[r["number"] for r in a["recommendations"]] for a in data["addressees"]] == [
        ["1", "2", "3", "4", "5"],
        ["6", "7"],
    ]


def test_agreement_counts():
    data = load()
    counts = Counter(r["agreement"] for r in recs(data))
    assert counts == Counter({"agreed": 7})
    assert len(recs(data)) == 7
    # Shown in the document: 2, 3, 4, 6, 7 "Agreed". Inferred: 1 and 5.
    shown = [r["number"] for r in recs(data) if not r.get("inferred", False)]
    assert shown == ["2", "3", "4", "6", "7"]
    inferred = [r["number"] for r in recs(data) if r.get("inferred", False)]
    assert inferred == ["1", "5"]
    for n in inferred:
        assert rec(data, n)["note"]
        assert rec(data, n)["text"] == ""


def test_actions_per_recommendation():
    # Counted paragraph by paragraph in the source:
    # 1: paragraphs 3)-7) survive (1) and 2) are on the missing page)
    # 2: 1)-7) (opening statement and "The NPS NE will:" are not actions)
    # 3: 1)-3) ("The NPS NE will:" is a lead-in)
    # 4: 1)-2) ("The NPS NE will:" is a lead-in)
    # 5: one surviving fragment of a paragraph
    # 6: 1)-3) in one cell with one owner/date per item, plus 4) on the next page
    # 7: 1)-2)
    expected = {"1": 5, "2": 7, "3": 3, "4": 2, "5": 1, "6": 4, "7": 2}
    got = {r["number"]: len(r["actions"]) for r in recs(load())}
    assert got == expected
    assert sum(got.values()) == 24


def test_refs():
    data = load()
    assert [a["ref"] for a in rec(data, "1")["actions"]] == ["1.3", "1.4", "1.5", "1.6", "1.7"]
    assert [a["ref"] for a in rec(data, "2")["actions"]] == [f"2.{i}" for i in range(1, 8)]


def test_every_action_has_owner_and_target_except_fragment():
    for r in recs(load()):
        for a in r["actions"]:
            if r["number"] == "5":
                assert a["owners"] == [] and a["target"] == "" and a["note"]
            else:
                assert a["owners"] and a["target"], (r["number"], a.get("ref"))


def test_spot_checks():
    data = load()
    a = action(data, "1", "1.4")
    assert a["owners"] == ["Head of Stakeholder Engagement"]
    assert a["target"] == "October 2019"
    assert a["text"].endswith("within the Communication Strategy (see 1.1).")

    a = action(data, "2", "2.2")
    assert a["owners"] == ["Head of Performance & Quality"]
    assert a["target"] == "Current and on-going"

    a = action(data, "3", "3.3")
    assert a["owners"] == ["NE strategic lead for Victim Services", "Head of Performance & Quality"]
    assert a["target"] == "October 2019"

    a = action(data, "4", "4.2")
    assert a["target"] == "From October 2019"

    a = action(data, "6", "6.3")
    assert a["owners"] == ["Divisional Director"]
    assert a["target"] == "Complete"

    a = action(data, "6", "6.4")
    assert a["owners"] == ["Divisional Director", "MoJ Resourcing"]
    assert a["target"] == "Complete and on-going"

    a = action(data, "7", "7.1")
    assert a["owners"] == ["Soft Facilities Management Manager"]
    assert a["target"] == "September 2019 and on-going"


def test_no_markup_left():
    for r in recs(load()):
        for a in r["actions"]:
            for bad in ("<p>", "</p>", "<i>", "<ol", "&amp;"):
                assert bad not in a["text"]


def test_aliases_and_national_owners():
    data = load()
    assert data["aliases"]["MoJ"] == "Ministry of Justice"
    assert data["aliases"]["NE"] == "North East"
    assert data["plan"]["national_owners"] == ["Ministry of Justice Resourcing"]
