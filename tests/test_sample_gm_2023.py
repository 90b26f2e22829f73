"""Checks the transcription of the Greater Manchester 2023 action plan (sample_plans/gm-2023.toml).

Expected values are counted from the source document (HMPPS action plan submitted 22 June 2023,
text extract) and the inspectorate's letter of 25 May 2023, independently of the TOML file.
Uses tomllib only (no project imports).
"""

import tomllib
from collections import Counter
from pathlib import Path

import pytest

PLAN_FILE = Path(__file__).parent.parent / "sample_plans" / "gm-2023.toml"

# The plan's own summary table: Agreed 27, Partly Agreed 1, Not Agreed 0, Total 28.
SUMMARY = {"agreed": 27, "partly_agreed": 1, "not_agreed": 0}
TOTAL = 28

# Actions per recommendation, counted paragraph by paragraph in the document
# (bullets are separate actions only where the date column gives one entry per bullet: 16, 23;
# the lead-in of 16 has its own owner and date; 15 and 18 count only their surviving paragraphs).
ACTIONS_PER_REC = {
    "1": 7, "2": 4, "3": 4, "4": 6, "5": 7,
    "6": 4, "7": 5, "8": 4, "9": 2, "10": 4,
    "11": 3, "12": 2, "13": 5, "14": 4,
    "15": 5, "16": 6, "17": 3, "18": 1, "19": 1, "20": 3, "21": 2, "22": 2, "23": 9, "24": 4,
    "25": 3, "26": 4, "27": 3, "28": 2,
}

ADDRESSEES = [
    ("Manchester North PDU", "pdu", [str(i) for i in range(1, 6)]),
    ("Tameside PDU", "pdu", [str(i) for i in range(6, 11)]),
    ("Wigan PDU", "pdu", [str(i) for i in range(11, 15)]),
    ("Greater Manchester region", "region", [str(i) for i in range(15, 25)]),
    ("HM Prison and Probation Service", "national", [str(i) for i in range(25, 29)]),
]


@pytest.fixture(scope="module")
def plan():
    with PLAN_FILE.open("rb") as fh:
        return tomllib.load(fh)


def recs(plan):
    return [r for a in plan["addressees"] for r in a["recommendations"]]


def rec(plan, number):
    (found,) = [r for r in recs(plan) if r["number"] == number]
    return found


def test_plan_header(plan):
    p = plan["plan"]
    assert p["id"] == "gm-2023"
    assert p["region"] == "Greater Manchester"
    assert str(p["report_published"]) == "2023-05-25"
    assert str(p["plan_submitted"]) == "2023-06-22"
    assert "Deputy Director, Probation Workforce Programme" in p["national_owners"]


def test_counts_by_agreement_match_document_summary(plan):
    counts = Counter(r["agreement"] for r in recs(plan))
    assert {k: counts.get(k, 0) for k in SUMMARY} == SUMMARY
    assert set(counts) <= set(SUMMARY)


def test_total_and_numbers(plan):
    numbers = [r["number"] for r in recs(plan)]
    assert len(numbers) == TOTAL
    assert numbers == [str(i) for i in range(1, 29)]


def test_addressees_in_document_order(plan):
    got = [(a["name"], a["kind"], [r["number"] for r in a["recommendations"]]) for a in plan["addressees"]]
    assert got == ADDRESSEES


def test_pdu_ratings_from_letter(plan):
    ratings = {a["name"]: a.get("rating") for a in plan["addressees"] if a["kind"] == "pdu"}
    assert ratings == {
        "Manchester North PDU": "Requires improvement",
        "Tameside PDU": "Requires improvement",
        "Wigan PDU": "Requires improvement",
    }


def test_actions_per_recommendation(plan):
    got = {r["number"]: len(r["actions"]) for r in recs(plan)}
    assert got == ACTIONS_PER_REC
    assert sum(got.values()) == 109


def test_partly_agreed_has_reason(plan):
    r8 = rec(plan, "8")
    assert r8["agreement"] == "partly_agreed"
    assert r8["reason"].startswith("This recommendation is partly agreed as the Greater Manchester")


def test_inferred_recommendations_15_and_18(plan):
    r15, r18 = rec(plan, "15"), rec(plan, "18")
    for r in (r15, r18):
        assert r["agreement"] == "agreed"
        assert r.get("inferred") is True
        assert "letter of 25 May 2023" in r["note"]
        assert "27 agreed, 1 partly" in r["note"]
    assert r15["text"].startswith("Consider a more flexible approach to achieving service level targets")
    assert r18["text"].startswith("Continue to monitor workforce development planning")
    # continuation text assigned to 15 and 18, not 14 and 17
    assert r15["actions"][1]["text"].startswith("The Head of Performance and Quality and Performance Manager")
    assert r18["actions"][0]["text"].startswith("Monthly meetings have been established between PWP Leads")
    assert not any("Probation Scorecard" in a["text"] for a in rec(plan, "14")["actions"])
    assert not any("PWP Leads" in a["text"] for a in rec(plan, "17")["actions"])
    # the only actions without owner/target are the two whose cells are missing from the extract
    missing = [(r["number"], i) for r in recs(plan) for i, a in enumerate(r["actions"], 1)
               if not a["owners"] or not a["target"]]
    assert missing == [("15", 1), ("18", 1)]


@pytest.mark.parametrize(
    "number, index, owners, target",
    [
        ("1", 2, ["Head of M/CN PDU", "Head of P&Q"], "Monthly from July 2023"),
        ("5", 7, ["HoOps", "Head of M/C N PDU", "Head HR"], "Complete"),
        ("10", 3, ["Head of Tameside PDU", "REM"], "August 2023 and quarterly thereafter"),
        ("15", 2, ["HoP&Q", "PM"], "July 2023"),
        ("16", 3, ["HoCl"], "December 2023"),
        ("22", 1, ["Head of GM Courts", "SOSM Courts", "Head of P&Q"], "September 2023"),
        ("25", 2, ["Deputy Director, Probation Workforce Programme"], "Wave 4 concluded April 2023"),
        ("2", 1, ["SPOs"], "Complete and weekly"),
    ],
)
def test_spot_checks(plan, number, index, owners, target):
    action = rec(plan, number)["actions"][index - 1]
    assert action["owners"] == owners
    assert action["target"] == target


def test_texts_are_clean(plan):
    for r in recs(plan):
        texts = [r["text"]] + [a["text"] for a in r["actions"]]
        for t in texts:
            assert "<" not in t and "&amp;" not in t
            assert "  " not in t
