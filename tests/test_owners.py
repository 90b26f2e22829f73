"""Owners: abbreviations expand, a generic "Head of PDU" means the right head, regions keep
same-titled roles apart, national roles span regions. Fed from the owner strings in the samples."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import load_sample
from sqlalchemy import select

from store.db import Database
from store.errors import NotFoundError
from store.models import Action, ActionOwner, Owner
from store.owners import OwnerResolver, expand_aliases, is_blank, normalise_name, owner_key, pdus_addressed
from store.queries import find_owner, owners


def resolver(plan_id: str) -> OwnerResolver:
    plan = load_sample(plan_id)
    return OwnerResolver(aliases=plan.get("aliases", {}), region=plan["plan"]["region"],
                         national_owners=plan["plan"].get("national_owners", []))


def rec_of(plan_id: str, number: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for addressee in load_sample(plan_id)["addressees"]:
        for rec in addressee["recommendations"]:
            if rec["number"] == number:
                return addressee, rec
    raise KeyError(number)


# (plan, recommendation, action position, owner as written in the plan, owners it names)
CASES = [
    ("gm-2023", "1", 1, "Head of M/C N PDU", ["Head of Manchester North PDU"]),
    ("gm-2023", "1", 2, "Head of M/CN PDU", ["Head of Manchester North PDU"]),
    ("gm-2023", "4", 1, "Head of N M/C PDU", ["Head of Manchester North PDU"]),
    ("gm-2023", "1", 4, "HoP&Q", ["Head of Performance and Quality"]),
    ("gm-2023", "1", 2, "Head of P&Q", ["Head of Performance and Quality"]),
    ("gm-2023", "2", 2, "HoPP", ["Head of Public Protection"]),
    ("gm-2023", "2", 4, "HoCI", ["Head of Community Integration"]),
    ("gm-2023", "16", 2, "HoCl", ["Head of Community Integration"]),
    ("gm-2023", "16", 1, "HOCl", ["Head of Community Integration"]),
    ("gm-2023", "6", 1, "HOI", ["Head of Interventions"]),
    ("gm-2023", "7", 2, "BM", ["Tameside PDU Business Manager"]),
    ("gm-2023", "10", 2, "REM", ["Regional Equalities Manager"]),
    ("gm-2023", "7", 1, "Head of Tameside PDU", ["Head of Tameside PDU"]),
    ("nw-2023", "1", 1, "Head of PDU", ["Head of Cheshire West PDU"]),
    ("nw-2023", "16", 5, "Head of PDU", ["Head of Cumbria PDU"]),
    ("nw-2023", "11", 7, "Head of PDU", ["Head of Knowsley & St Helens PDU", "Head of Liverpool North PDU"]),
    ("nw-2023", "15", 1, "Head of PDU", ["Head of Blackburn with Darwen PDU", "Head of Knowsley & St Helens PDU",
                                         "Head of Liverpool North PDU"]),
    ("nw-2023", "28", 1, "Head of PDU", ["Head of Cumbria PDU"]),
    ("nw-2023", "29", 1, "Head of PDU", ["Head of Cumbria PDU"]),
    ("nw-2023", "28", 2, "Head of Performance &Quality", ["Head of Performance and Quality"]),
    ("nw-2023", "22", 2, "Head of Performance & Quality", ["Head of Performance and Quality"]),
    ("nps-ne-2019", "2", 1, "Head of Performance & Quality", ["Head of Performance and Quality"]),
    ("nps-ne-2019", "6", 1, "MoJ Resourcing", ["Ministry of Justice Resourcing"]),
]


@pytest.mark.parametrize(("plan_id", "number", "position", "written", "expected"), CASES,
                         ids=[f"{c[0]}/{c[1]}/{c[2]}:{c[3]}" for c in CASES])
def test_owner_as_written_names_the_role(
    plan_id: str, number: str, position: int, written: str, expected: list[str]
) -> None:
    addressee, rec = rec_of(plan_id, number)
    assert written in rec["actions"][position - 1]["owners"], "the case must quote the plan"
    pdus = pdus_addressed(addressee["name"], addressee["kind"], rec["text"])
    found = resolver(plan_id).resolve(written, pdus=pdus)
    assert [owner_key(o.name) for o in found] == [owner_key(e) for e in expected]


def test_head_of_pdu_under_a_region_recommendation_without_a_pdu_note_stays_generic() -> None:
    addressee, rec = rec_of("nw-2023", "24")
    assert addressee["kind"] == "region"
    assert pdus_addressed(addressee["name"], addressee["kind"], "Improve it.") == []
    [found] = resolver("nw-2023").resolve("Head of PDU", pdus=[])
    assert found.name == "Head of PDU" and found.region == "North West"


def test_pdus_addressed_reads_joint_and_noted_pdus() -> None:
    assert pdus_addressed("Knowsley & St Helens PDU and Liverpool North PDU", "pdu") == [
        "Knowsley & St Helens PDU", "Liverpool North PDU"]
    assert pdus_addressed("Tameside PDU", "pdu") == ["Tameside PDU"]
    assert pdus_addressed("North West region", "region", "Improve the offer. (Cumbria PDU)") == ["Cumbria PDU"]
    assert pdus_addressed("North West region", "region", "Improve the offer.") == []


# (addressee, kind, recommendation text, the PDUs a generic "Head of PDU" means there)
PDU_LISTS = [
    ("Bury and Rochdale PDU and Oldham PDU", "pdu", "", ["Bury and Rochdale PDU", "Oldham PDU"]),
    ("Knowsley & St Helens PDU and Liverpool North PDU", "pdu", "",
     ["Knowsley & St Helens PDU", "Liverpool North PDU"]),
    ("Blackburn with Darwen PDU, Knowsley & St Helens PDU and Liverpool North PDU", "pdu", "",
     ["Blackburn with Darwen PDU", "Knowsley & St Helens PDU", "Liverpool North PDU"]),
    ("Bury and Rochdale PDU", "pdu", "", ["Bury and Rochdale PDU"]),
    ("Blackburn with Darwen PDU", "pdu", "", ["Blackburn with Darwen PDU"]),
    ("Redcar, Cleveland and Middlesbrough PDU", "pdu", "", ["Redcar, Cleveland and Middlesbrough PDU"]),
    ("Oldham PDU and Bury and Rochdale PDU", "pdu", "", ["Oldham PDU", "Bury and Rochdale PDU"]),
    ("Redcar, Cleveland and Middlesbrough PDU, Stockton and Hartlepool PDU, and Tameside PDU", "pdu", "",
     ["Redcar, Cleveland and Middlesbrough PDU", "Stockton and Hartlepool PDU", "Tameside PDU"]),
    ("Bury and Rochdale", "pdu", "", ["Bury and Rochdale PDU"]),  # "PDU" left out: still one PDU
    ("Bury and Rochdale PDU and Oldham", "pdu", "", ["Bury and Rochdale PDU and Oldham PDU"]),  # not a list
    ("North West region", "region", "Improve the offer. (Bury and Rochdale PDU)", ["Bury and Rochdale PDU"]),
    ("North West region", "region", "Improve the offer. (Blackburn with Darwen PDU)", ["Blackburn with Darwen PDU"]),
    ("North West region", "region", "Improve it. (Bury and Rochdale PDU and Oldham PDU)",
     ["Bury and Rochdale PDU", "Oldham PDU"]),
    ("North West region", "region", "Improve it. (Bury and Rochdale)", []),
    ("North West region", "region", "Improve (quality and safety) of work.", []),
]


@pytest.mark.parametrize(("addressee", "kind", "text", "expected"), PDU_LISTS,
                         ids=[f"{c[0]}|{c[2][-40:]}" for c in PDU_LISTS])
def test_a_list_of_pdus_splits_only_after_a_name_ending_in_pdu(
    addressee: str, kind: str, text: str, expected: list[str]
) -> None:
    assert pdus_addressed(addressee, kind, text) == expected


def test_head_of_pdu_under_a_joint_addressee_with_and_in_a_name_names_each_head() -> None:
    plan_resolver = OwnerResolver(aliases={}, region="Greater Manchester")
    pdus = pdus_addressed("Bury and Rochdale PDU and Oldham PDU", "pdu")
    found = plan_resolver.resolve("Head of PDU", pdus=pdus)
    assert [o.name for o in found] == ["Head of Bury and Rochdale PDU", "Head of Oldham PDU"]
    assert {o.region for o in found} == {"Greater Manchester"}


def test_aliases_expand_only_whole_abbreviations() -> None:
    aliases = load_sample("gm-2023")["aliases"]
    assert expand_aliases("Head of M/C N PDU & HoP&Q", aliases) == (
        "Head of Manchester North PDU & Head of Performance and Quality")
    assert expand_aliases("PP SOSM", aliases) == "Public Protection Senior Operational Support Manager"
    # "SPOs" is its own alias, not "SPO" followed by "s"
    assert expand_aliases("SPOs", aliases) == "Senior Probation Officers"
    # an abbreviation inside a longer word is left alone
    assert expand_aliases("BMX lead", aliases) == "BMX lead"


def test_one_role_written_two_ways_is_one_key() -> None:
    assert owner_key("Head of Performance & Quality") == owner_key("Head of Performance and Quality")
    assert owner_key("head of  performance and quality ") == owner_key("Head of Performance and Quality")
    assert owner_key("Head of Public Protection") != owner_key("Head of Performance and Quality")


def test_a_role_is_scoped_to_its_region_unless_national() -> None:
    [gm] = resolver("gm-2023").resolve("HoP&Q")
    [nw] = resolver("nw-2023").resolve("Head of Performance and Quality")
    assert (gm.key, gm.region) == (nw.key, "Greater Manchester") and nw.region == "North West"
    [dd_gm] = resolver("gm-2023").resolve("Deputy Director, Probation Workforce Programme")
    [dd_nw] = resolver("nw-2023").resolve("Deputy Director, Probation Workforce Programme")
    assert dd_gm == dd_nw and dd_gm.region == ""


# --- in the database -------------------------------------------------------------------------------


def owner_rows(db: Database, name: str) -> list[tuple[str, str]]:
    """Every owner of this title, in any region or organisation."""
    key = owner_key(name)
    with db.read() as session:
        return sorted((o.name, o.region) for o in session.execute(select(Owner)).scalars()
                      if owner_key(o.name) == key)


def owners_of(db: Database, reference: str) -> set[tuple[str, str]]:
    with db.read() as session:
        return set(session.execute(
            select(Owner.name, Owner.region).join(ActionOwner, ActionOwner.owner_id == Owner.id)
            .join(Action, Action.id == ActionOwner.action_id).where(Action.reference == reference)).all())


def test_same_title_in_three_regions_is_three_owners(db: Database) -> None:
    assert owner_rows(db, "Head of Performance and Quality") == [
        ("Head of Performance and Quality", "Greater Manchester"),
        ("Head of Performance and Quality", "North East"),
        ("Head of Performance and Quality", "North West"),
    ]


def test_national_role_is_one_owner_across_regions(db: Database) -> None:
    assert owner_rows(db, "Deputy Director, Probation Workforce Programme") == [
        ("Deputy Director, Probation Workforce Programme", "")]
    assert owners_of(db, "gm-2023/26/1") == owners_of(db, "nw-2023/30/3") == {
        ("Deputy Director, Probation Workforce Programme", "")}
    with db.read() as session:
        [dd] = [o for o in owners(session) if o.name == "Deputy Director, Probation Workforce Programme"]
        total = session.execute(
            select(Action.plan_id).join(ActionOwner, ActionOwner.action_id == Action.id)
            .where(ActionOwner.owner_id == dd.id)).scalars().all()
    assert {"gm-2023", "nw-2023"} <= set(total)
    assert dd.total == len(total)


def test_ampersand_and_and_spellings_are_one_owner(db: Database) -> None:
    # nw-2023 writes both "Head of Performance & Quality" and "... and Quality"
    assert owners_of(db, "nw-2023/22/2") >= {("Head of Performance and Quality", "North West")}
    assert owners_of(db, "nw-2023/1/2") >= {("Head of Performance and Quality", "North West")}
    assert owners_of(db, "nps-ne-2019/2/2.1") == {("Head of Performance and Quality", "North East")}
    assert owners_of(db, "nps-ne-2019/2/2.2") == {("Head of Performance and Quality", "North East")}


def test_head_of_pdu_links_to_each_pdu_head(db: Database) -> None:
    assert owners_of(db, "nw-2023/11/7") == {("Head of Knowsley & St Helens PDU", "North West"),
                                            ("Head of Liverpool North PDU", "North West")}
    assert owners_of(db, "nw-2023/28/1") == {("Head of Cumbria PDU", "North West")}
    assert owners_of(db, "gm-2023/1/2") == {("Head of Manchester North PDU", "Greater Manchester"),
                                           ("Head of Performance and Quality", "Greater Manchester")}


def test_find_owner_names_one_or_explains(db: Database) -> None:
    with db.read() as session:
        assert find_owner(session, "Head of Tameside PDU").label == "Head of Tameside PDU (Greater Manchester)"
        assert find_owner(session, "head of tameside pdu").region == "Greater Manchester"
        assert find_owner(session, "Head of Performance & Quality (North West)").region == "North West"
        with pytest.raises(NotFoundError, match="several regions"):
            find_owner(session, "Head of Performance and Quality")
        with pytest.raises(NotFoundError, match="no owner is called 'Head of Nowhere PDU'"):
            find_owner(session, "Head of Nowhere PDU")


def test_owners_list_counts_open_and_all(db: Database) -> None:
    with db.read() as session:
        rows = {o.label: o for o in owners(session)}
        tameside = rows["Head of Tameside PDU (Greater Manchester)"]
        linked = session.execute(
            select(Action.status).join(ActionOwner, ActionOwner.action_id == Action.id)
            .where(ActionOwner.owner_id == tameside.id, Action.withdrawn.is_(False))).scalars().all()
    assert tameside.total == len(linked) > 0
    assert tameside.open == sum(1 for s in linked if s != "complete")


def test_ampersand_without_spaces_is_still_and() -> None:
    assert owner_key("Head of Performance &Quality") == owner_key("Head of Performance and Quality")
    assert owner_key("Head of Performance&Quality") == owner_key("Head of Performance & Quality")


def test_an_alias_that_spells_out_national_does_not_make_a_regional_role_national() -> None:
    ne = resolver("nps-ne-2019")
    assert ne.aliases["NPS"] == "National Probation Service"
    [head] = ne.resolve("NPS NE Head of Operations")
    assert head.name == "National Probation Service North East Head of Operations"
    assert head.region == "North East"
    [moj] = ne.resolve("MoJ Resourcing")
    assert moj.region == ""
    [lead] = resolver("nw-2023").resolve("HMPPS Regional Resettlement Lead")
    assert lead.region == "North West"


def test_generated_lists_of_pdus_read_back_as_the_pdus_they_name() -> None:
    """The generator writes joint addressees and "(X PDU)" notes with any PDU's name, "and" and commas
    included ("Birmingham North, East and Solihull PDU"): each reads back as real PDUs."""
    import re

    from store.generate import REGIONS, generate_plans

    real = {f"{p} PDU" for r in REGIONS for p in r.pdus}
    hard = 0
    for document in generate_plans(8000, seed=1):
        for addressee in document["addressees"]:
            for rec in addressee["recommendations"]:
                pdus = pdus_addressed(addressee["name"], addressee["kind"], rec["text"])
                assert set(pdus) <= real, (addressee["name"], rec["text"][-60:])
                if addressee["kind"] == "pdu":
                    assert len(pdus) == addressee["name"].count(" PDU")
                    hard += len(pdus) > 1 and addressee["name"].count(" and ") > 1
                elif re.search(r"\((?:[^()]*\band\b|[^()]*,)[^()]*PDU\)$", rec["text"]):
                    assert len(pdus) == 1
                    hard += 1
    assert hard > 0  # the data set holds such names


def test_names_are_spaced_and_keyed_as_the_regular_expressions_did() -> None:
    """normalise_name, owner_key and is_blank drop invisible characters with str.translate and split on
    white space with str.split: the same as the regular expressions they replaced (\\s+ runs made one
    space, the invisible class removed), for every code point and for names mixing them."""
    import re

    space = re.compile(r"\s+")
    invisible = re.compile(r"[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")

    def old_normalise(text: str) -> str:
        return space.sub(" ", invisible.sub("", text)).strip()

    def old_key(text: str) -> str:
        text = invisible.sub("", text)
        if "&" in text:
            text = re.sub(r"\s*&\s*", " and ", text)
        return space.sub(" ", text).strip().casefold()

    def old_blank(text: str) -> bool:
        return not text.strip() or (invisible.search(text) is not None and not old_normalise(text))

    odd: list[str] = []  # the white space and invisible characters
    for code in range(0x110000):
        char = chr(code)
        assert (space.fullmatch(char) is not None) == char.isspace(), hex(code)
        assert (invisible.fullmatch(char) is not None) == (normalise_name(f"a{char}b") == "ab"), hex(code)
        if char.isspace() or invisible.fullmatch(char):
            odd.append(char)
    names = ["", " ", "Head of P&Q", "HoP & Q", "\u200bHead\u00a0of\u2003Tameside  PDU\ufeff", "\u200b\u2060",
             "\u00ad", "A\u200c&\u200dB", *(f"{c}Head{c}of{c}{c}PDU{c}" for c in odd), *(f"{c}&{c}" for c in odd)]
    for name in names:
        assert normalise_name(name) == old_normalise(name), repr(name)
        assert owner_key(name) == old_key(name), repr(name)
        assert is_blank(name) == old_blank(name), repr(name)

