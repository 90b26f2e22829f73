"""Checks the North West 2023 sample plan against the published action plan (seed 002).

The expected values below were counted from the document itself (the text extracted from the
PDF, submitted 29 August 2023), not from the TOML file.
"""

import tomllib
from pathlib import Path

import pytest

PLAN_FILE = Path(__file__).parent.parent / "sample_plans" / "nw-2023.toml"

# The plan's own summary table: Agreed 35, Partly Agreed 2, Not Agreed 1, Total 38.
SUMMARY = {"agreed": 35, "partly_agreed": 2, "not_agreed": 1}
TOTAL = 38

# "... should:" rows, in document order, with the recommendations under each.
ADDRESSEES = [
    ("Cheshire West PDU", "pdu", ["1", "2", "3", "4", "5", "6"]),
    ("Blackburn with Darwen PDU", "pdu", ["7", "8", "9", "10"]),
    ("Knowsley & St Helens PDU and Liverpool North PDU", "pdu", ["11", "12", "13", "14"]),
    ("Blackburn with Darwen PDU, Knowsley & St Helens PDU and Liverpool North PDU", "pdu", ["15"]),
    ("Cumbria PDU", "pdu", ["16", "17", "18", "19", "20", "21"]),
    ("North West region", "region", ["22", "23", "24", "25", "26", "27", "28", "29"]),
    ("North West region and His Majesty's Prison and Probation Service", "other", ["30", "31"]),
    ("His Majesty's Prison and Probation Service", "national", ["32", "33", "34", "35", "36", "37", "38"]),
]

# Response paragraphs per recommendation, counted in the document (paragraphs split by a page
# break counted once; rows whose cells lost their <p> breaks counted by their date entries:
# 22 -> 2, 24 -> 3, 26 -> 2, 27 -> 2; 28 -> 2 + 3; 34 -> 1 + 2; 25 is not agreed, no action).
ACTIONS_PER_REC = {
    "1": 2, "2": 6, "3": 3, "4": 1, "5": 3, "6": 1,
    "7": 8, "8": 2, "9": 2, "10": 1,
    "11": 8, "12": 3, "13": 3, "14": 3,
    "15": 4,
    "16": 6, "17": 2, "18": 1, "19": 3, "20": 2, "21": 2,
    "22": 2, "23": 1, "24": 3, "25": 0, "26": 2, "27": 2, "28": 5, "29": 1,
    "30": 5, "31": 3,
    "32": 2, "33": 1, "34": 3, "35": 1, "36": 2, "37": 4, "38": 2,
}

AGREEMENT = {"25": "not_agreed", "28": "partly_agreed", "34": "partly_agreed"}

# (recommendation, action position) -> (owners, target), exactly as the document pairs them.
SPOT_CHECKS = {
    ("3", 2): (["Head of PDU", "Head of Performance and Quality"], "Completed and ongoing"),
    ("5", 3): (["Regional Equality Lead"], "March 2024"),
    ("7", 1): (["Head of PDU", "Regional Court Lead"], "Completed and ongoing"),
    ("7", 8): (["Head of Performance and Quality", "Head of PDU"], "December 2023"),
    ("11", 3): (["Head of Public Protection", "Head of Performance and Quality"], "September 2023"),
    ("16", 5): (["Head of PDU"], "December 2023"),
    ("22", 2): (["Heads of PDU", "Head of Performance & Quality"], "September 2023"),
    ("28", 5): (["Regional Learning & Development Team", "Head of PDU"], "Completed and Ongoing"),
    ("29", 1): (["Head of Interventions", "Head of Programmes", "Head of PDU"], "November 2023"),
    ("30", 3): (["Deputy Director, Probation Workforce Programme"], "March 2024"),
    ("33", 1): (["Deputy Director for Business Strategy and Change"], "May 2024"),
    ("36", 2): (["Deputy Director, Probation Workforce Programme"], "October 2023"),
}


@pytest.fixture(scope="module")
def plan() -> dict:
    with PLAN_FILE.open("rb") as f:
        return tomllib.load(f)


def _recs(plan: dict) -> list[dict]:
    return [r for a in plan["addressees"] for r in a["recommendations"]]


def _rec(plan: dict, number: str) -> dict:
    (rec,) = [r for r in _recs(plan) if r["number"] == number]
    return rec


def test_plan_header(plan: dict) -> None:
    assert plan["plan"]["id"] == "nw-2023"
    assert plan["plan"]["region"] == "North West"
    assert str(plan["plan"]["plan_submitted"]) == "2023-08-29"
    assert str(plan["plan"]["report_published"]) == "2023-07-27"
    assert "Deputy Director, Probation Workforce Programme" in plan["plan"]["national_owners"]


def test_summary_counts_match_document(plan: dict) -> None:
    counts = {k: 0 for k in SUMMARY}
    for rec in _recs(plan):
        counts[rec["agreement"]] += 1
    assert counts == SUMMARY
    assert len(_recs(plan)) == TOTAL == sum(SUMMARY.values())


def test_recommendation_numbers_in_order(plan: dict) -> None:
    assert [r["number"] for r in _recs(plan)] == [str(n) for n in range(1, 39)]


def test_addressees_in_document_order(plan: dict) -> None:
    got = [
        (a["name"], a["kind"], [r["number"] for r in a["recommendations"]])
        for a in plan["addressees"]
    ]
    assert got == ADDRESSEES


def test_agreements_and_reasons(plan: dict) -> None:
    for rec in _recs(plan):
        assert rec["agreement"] == AGREEMENT.get(rec["number"], "agreed"), rec["number"]
        if rec["agreement"] != "agreed":
            assert rec["reason"].strip(), rec["number"]
    assert _rec(plan, "25")["reason"].startswith("The recommendation is not agreed for resource and operational reasons.")
    assert _rec(plan, "28")["reason"].startswith("The recommendation is partly agreed for operational reasons.")
    assert _rec(plan, "34")["reason"].startswith("This recommendation is partly agreed for operational reasons.")


def test_actions_per_recommendation(plan: dict) -> None:
    got = {r["number"]: len(r.get("actions", [])) for r in _recs(plan)}
    assert got == ACTIONS_PER_REC
    assert sum(got.values()) == 105


@pytest.mark.parametrize(("key", "expected"), sorted(SPOT_CHECKS.items()))
def test_spot_checks(plan: dict, key: tuple[str, int], expected: tuple[list[str], str]) -> None:
    number, position = key
    action = _rec(plan, number)["actions"][position - 1]
    assert (action["owners"], action["target"]) == expected


def test_actions_have_owners_and_targets_and_no_markup(plan: dict) -> None:
    for rec in _recs(plan):
        assert "<" not in rec["text"] and "&amp;" not in rec["text"], rec["number"]
        for action in rec.get("actions", []):
            assert action["owners"] and all(o.strip() == o and o for o in action["owners"])
            assert action["target"].strip(), (rec["number"], action["text"][:40])
            assert "<" not in action["text"] and "&amp;" not in action["text"]


def test_page_break_paragraphs_joined(plan: dict) -> None:
    # Paragraphs split across a page break in the extract are one paragraph (one action).
    assert _rec(plan, "2")["actions"][3]["text"].endswith(
        "in relation to applying information from domestic abuse and safeguarding checks."
    )
    assert "community-based teams" in _rec(plan, "24")["actions"][2]["text"]
    assert _rec(plan, "34")["actions"][0]["text"].endswith(
        "where further information is outstanding."
    )
    assert _rec(plan, "11")["text"].endswith(
        "risks to children are understood and safety arrangements are in place."
    )
