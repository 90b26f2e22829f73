"""Checks the transcription of the Cheshire and Greater Manchester CRC action plan
(submitted 12/4/2019) in sample_plans/cgm-2019.toml against the published document.

Uses tomllib only. Expected values are counted from the document itself
(seeds/003), not from the TOML file.

Note: the document's extract ends after action 8.5 without the usual printed
summary table; the agreement counts below are counted from its
"Agreed/ Partly Agreed/ Not Agreed" column (7 Agreed, 1 Partly agreed, 0 Not agreed).
"""

import tomllib
from collections import Counter
from pathlib import Path

import pytest

PLAN_FILE = Path(__file__).parent.parent / "sample_plans" / "cgm-2019.toml"


@pytest.fixture(scope="module")
def plan():
    with PLAN_FILE.open("rb") as f:
        return tomllib.load(f)


def recommendations(plan):
    return [r for a in plan["addressees"] for r in a["recommendations"]]


def action(plan, rec_number, ref):
    for r in recommendations(plan):
        if r["number"] == rec_number:
            for a in r["actions"]:
                if a["ref"] == ref:
                    return a
    raise KeyError((rec_number, ref))


def test_plan_header(plan):
    p = plan["plan"]
    assert p["id"] == "cgm-2019"
    assert p["region"] == "Greater Manchester"
    assert "Cheshire and Greater Manchester" in p["inspection"]
    assert str(p["plan_submitted"]) == "2019-04-12"
    assert str(p["report_published"]) == "2019-04-03"


def test_agreement_counts(plan):
    counts = Counter(r["agreement"] for r in recommendations(plan))
    assert counts["agreed"] == 7
    assert counts["partly_agreed"] == 1
    assert counts["not_agreed"] == 0


def test_total_and_numbers(plan):
    recs = recommendations(plan)
    assert len(recs) == 8
    assert [r["number"] for r in recs] == ["1", "2", "3", "4", "5", "6", "7", "8"]


def test_addressees(plan):
    got = [(a["name"], a["kind"], [r["number"] for r in a["recommendations"]])
           for a in plan["addressees"]]
    assert got == [
        ("Cheshire and Greater Manchester CRC", "provider", ["1", "2", "3", "4", "5", "6", "7"]),
        ("Purple Futures", "provider", ["8"]),
    ]


def test_partly_agreed_has_reason(plan):
    rec8 = recommendations(plan)[7]
    assert rec8["agreement"] == "partly_agreed"
    assert rec8["reason"] == "resourcing need and affordability will need to be balanced"


# Counted from the document, numbered item by numbered item (every numbered
# item, including the lead-ins 1.1, 2.8 and 6.2, has its own owner and date).
EXPECTED_ACTIONS = {"1": 14, "2": 10, "3": 4, "4": 5, "5": 4, "6": 9, "7": 3, "8": 5}

EXPECTED_REFS = {
    "1": ["1.1", "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.2", "1.3", "1.4", "1.5",
          "1.6", "1.7", "1.8", "1.9", "1.10"],
    "2": ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.8.1", "2.8.2"],
    "3": ["3.1", "3.2", "3.3", "3.4"],
    "4": ["4.1", "4.2", "4.3", "4.4", "4.5"],
    "5": ["5.1", "5.2", "5.3", "5.4"],
    "6": ["6.1", "6.2", "6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.3", "6.4", "6.5"],
    "7": ["7.1", "7.2", "7.3"],
    "8": ["8.1", "8.2", "8.3", "8.4", "8.5"],
}


def test_actions_per_recommendation(plan):
    got = {r["number"]: len(r["actions"]) for r in recommendations(plan)}
    assert got == EXPECTED_ACTIONS
    assert sum(got.values()) == 54


def test_action_refs(plan):
    got = {r["number"]: [a["ref"] for a in r["actions"]] for r in recommendations(plan)}
    assert got == EXPECTED_REFS


def test_every_action_has_owner_and_target(plan):
    for r in recommendations(plan):
        for a in r["actions"]:
            assert a["owners"], a["ref"]
            assert all(o.strip() == o and o for o in a["owners"]), a["ref"]
            assert a["target"], a["ref"]


@pytest.mark.parametrize(
    "rec, ref, owners, target",
    [
        ("1", "1.1.3", ["Performance Manager"], "May19 – Aug 19"),
        ("1", "1.8", ["Head of Operations"],
         "June 19 TBC NB dependant on provision of framework from Central Team which is currently in development"),
        ("2", "2.3", ["Risk and Quality Manager", "Business and Project Manager"], "May 19"),
        ("3", "3.4", ["All Community Directors"],
         "Oct 19 (NB timing dependant on provision of framework from Central Team which is currently in development)"),
        ("5", "5.3", ["Community Directors"], "July.19"),
        ("6", "6.1", ["Strategic Managers", "Community Director", "TTG Lead"], "Sept 19"),
        ("6", "6.2.1", ["TTG Lead Interchange Managers", "Strategic Managers"], "Completed"),
        ("7", "7.3", ["Business and Project Manager"], "April 19 with checkpoint Sept 19"),
        ("8", "8.2", ["Chief Executive"], "Dec 19"),
    ],
)
def test_spot_checks(plan, rec, ref, owners, target):
    a = action(plan, rec, ref)
    assert a["owners"] == owners
    assert a["target"] == target


def test_page_break_joins(plan):
    assert "(specifically Workload Management Tool; sickness absence data) with evidence" in action(plan, "1", "1.5")["text"]
    assert "formal review of risk of serious harm, to ensure" in action(plan, "4", "4.4")["text"]
    t31 = action(plan, "3", "3.1")["text"]
    assert "• All Child Protection Cases\n• All Case Manager domestic abuse cases" in t31
    assert t31.endswith("• On-going Serious Further Offence (SFO) cases")


def test_bullets_kept_in_paragraph(plan):
    t = action(plan, "6", "6.5")["text"]
    assert t.startswith("All Initial Sentence Plans (ISPs)")
    assert t.count("\n• ") == 6
    assert "<" not in t


def test_aliases(plan):
    al = plan["aliases"]
    assert al["TTG"] == "Through the Gate"
    assert al["CGM"] == "Cheshire and Greater Manchester"
    assert al["IMs"] == "Interchange Managers"
