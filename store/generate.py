"""A synthetic national data set: plan files shaped like the real ones, at any size, for a given seed.

Twelve regions of England and Wales with their probation delivery units (PDUs), inspected round after
round; each inspection answered by an action plan whose recommendations, owners and target dates take
the shapes of the transcribed sample plans (joint owners, abbreviations defined in [aliases], "Head of
PDU" under PDU addressees, national roles, recurring and one-off targets, rarely an unreadable one),
with statuses, ticks and history as `actiontrack export` writes them.

Everything comes from one `random.Random(seed)`: the same seed and size give the same bytes.
The data is made up; every plan says so in its notes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import tomli_w

from store.months import Month
from store.targets import Status, TargetKind, read_target

if TYPE_CHECKING:
    from store.db import Database
    from store.importing import ImportResult

__all__ = [
    "AS_OF",
    "REGIONS",
    "Region",
    "generate_into",
    "generate_plans",
    "plan_file_text",
    "write_plan_files",
]

AS_OF = date(2023, 9, 15)
"""The day the generated history stops: the demo's `--today`."""

FIRST_PLAN = date(2019, 3, 1)
UNIFICATION = date(2021, 6, 26)  # CRCs and the NPS became one Probation Service, organised in PDUs
ACTIONS_PER_PLAN = 150  # real plans hold 70-130 actions; national scale adds rounds, not giants


@dataclass(frozen=True, slots=True)
class Region:
    """A probation region: its name, a short code for plan ids, its PDUs and its former CRCs."""

    name: str
    code: str
    pdus: tuple[str, ...]
    crcs: tuple[str, ...]


REGIONS: tuple[Region, ...] = (
    Region("North East", "ne", (
        "County Durham and Darlington", "Gateshead and South Tyneside", "Newcastle upon Tyne",
        "North Tyneside and Northumberland", "Redcar, Cleveland and Middlesbrough", "Stockton and Hartlepool",
        "Sunderland"), ("Durham Tees Valley CRC", "Northumbria CRC")),
    Region("North West", "nw", (
        "Blackburn with Darwen", "Blackpool", "Central Lancashire", "Cheshire East", "Cheshire West", "Cumbria",
        "East Lancashire", "Knowsley & St Helens", "Lancashire North", "Liverpool North", "Liverpool South",
        "Sefton", "Warrington and Halton", "Wirral"), ("Cumbria and Lancashire CRC", "Merseyside CRC")),
    Region("Greater Manchester", "gm", (
        "Bolton", "Bury and Rochdale", "Manchester North", "Manchester South", "Oldham", "Salford",
        "Stockport and Trafford", "Tameside", "Wigan"), ("Cheshire and Greater Manchester CRC",)),
    Region("Yorkshire and the Humber", "yh", (
        "Barnsley and Rotherham", "Bradford and Calderdale", "Doncaster", "Hull and East Riding", "Kirklees",
        "Leeds", "North East Lincolnshire", "North Yorkshire", "Sheffield", "Wakefield", "York"),
        ("West Yorkshire CRC", "South Yorkshire CRC", "Humberside, Lincolnshire and North Yorkshire CRC")),
    Region("Wales", "wa", (
        "Cardiff and Vale", "Cwm Taf Morgannwg", "Dyfed-Powys", "Gwent", "North Wales",
        "Swansea, Neath and Port Talbot"), ("Wales CRC",)),
    Region("West Midlands", "wm", (
        "Birmingham Central and South", "Birmingham North, East and Solihull", "Coventry", "Dudley and Sandwell",
        "Herefordshire, Shropshire and Telford", "Staffordshire and Stoke", "Walsall and Wolverhampton",
        "Warwickshire", "Worcestershire"),
        ("Staffordshire and West Midlands CRC", "Warwickshire and West Mercia CRC")),
    Region("East Midlands", "em", (
        "Derby City", "Derbyshire", "Leicester", "Leicestershire and Rutland", "Lincolnshire", "Northamptonshire",
        "Nottingham City", "Nottinghamshire"),
        ("Derbyshire, Leicestershire, Nottinghamshire and Rutland CRC",)),
    Region("East of England", "ee", (
        "Bedfordshire", "Cambridgeshire and Peterborough", "Essex North", "Essex South", "Hertfordshire",
        "Norfolk", "Suffolk"),
        ("Bedfordshire, Northamptonshire, Cambridgeshire and Hertfordshire CRC", "Norfolk and Suffolk CRC",
         "Essex CRC")),
    Region("London", "ld", (
        "Barking, Dagenham and Havering", "Barnet, Brent and Harrow", "Camden and Islington", "Croydon",
        "Ealing and Hillingdon", "Enfield and Haringey", "Greenwich and Bexley", "Hackney and City",
        "Hammersmith, Fulham, Kensington, Chelsea and Westminster", "Lambeth", "Lewisham and Bromley", "Newham",
        "Redbridge and Waltham Forest", "Southwark", "Tower Hamlets", "Wandsworth, Merton, Kingston and Sutton"),
        ("London CRC",)),
    Region("Kent, Surrey and Sussex", "kss", (
        "Brighton and East Sussex", "East Kent", "North Kent", "Surrey", "West Kent", "West Sussex"),
        ("Kent, Surrey and Sussex CRC",)),
    Region("South West", "sw", (
        "Bath and North East Somerset", "Bristol and South Gloucestershire", "Cornwall and Isles of Scilly",
        "Devon and Torbay", "Dorset", "Gloucestershire", "Plymouth", "Somerset", "Swindon and Wiltshire"),
        ("Bristol, Gloucestershire, Somerset and Wiltshire CRC", "Dorset, Devon and Cornwall CRC")),
    Region("South Central", "sc", (
        "Buckinghamshire and Milton Keynes", "Hampshire North and East", "Hampshire South and Isle of Wight",
        "Oxfordshire", "Portsmouth", "Reading and West Berkshire", "Southampton", "Slough, Windsor and Maidenhead"),
        ("Thames Valley CRC", "Hampshire and Isle of Wight CRC")),
)

CRC_OWNERS = ("Purple Futures", "Sodexo Justice Services", "Interserve Justice", "MTCnovo", "Seetec", "ARCC")

# Abbreviations as the real plans define them (gm-2023, cgm-2019, nps-ne-2019).
ROLE_ALIASES = {
    "HoP&Q": "Head of Performance and Quality",
    "P&Q": "Performance and Quality",
    "HoPP": "Head of Public Protection",
    "HoCI": "Head of Community Integration",
    "HOCl": "Head of Community Integration",
    "HOI": "Head of Interventions",
    "BM": "Business Manager",
    "REM": "Regional Equalities Manager",
    "PM": "Performance Manager",
    "SPOs": "Senior Probation Officers",
    "QSPO": "Quality Senior Probation Officer",
    "QDOs": "Quality Development Officers",
    "SLT": "Senior Leadership Team",
    "HoOps": "Head of Operations",
    "Head of Ops": "Head of Operations",
    "HoP": "Head of Programmes",
    "HJL": "Health and Justice lead",
    "Head HR": "Head of Human Resources",
}
CRC_ALIASES = {
    "CD": "Community Directors",
    "CDs": "Community Directors",
    "TTG": "Through the Gate",
    "IMs": "Interchange Managers",
    "SCMs": "Senior Case Managers",
}
NATIONAL_ROLES = (
    "Deputy Director, Probation Workforce Programme",
    "Deputy Director for Business Strategy and Change",
    "Head of Personnel Security Vetting",
)

# Owner cells, one list per action, as the real plans write them. "{pdu}" is the PDU's name,
# "{abbr}" its abbreviation; "Head of PDU" means the head of the PDU addressed.
PDU_OWNERS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (18, ("Head of PDU",)),
    (14, ("Head of Performance and Quality", "Head of PDU")),
    (6, ("Head of PDU", "Head of Performance and Quality")),
    (5, ("Head of {abbr} PDU",)),
    (4, ("Head of {pdu} PDU",)),
    (3, ("Head of {abbr} PDU", "HoP&Q")),
    (3, ("Head of {pdu} PDU", "BM")),
    (3, ("Head of {pdu} PDU", "HOI")),
    (3, ("Head of Public Protection", "Head of PDU")),
    (3, ("Head of PDU", "Head of Public Protection")),
    (2, ("Head of PDU", "Regional Equalities Lead")),
    (2, ("SPOs",)),
    (2, ("Head of Performance & Quality",)),
    (2, ("HoCI",)),
    (1, ("HOCl",)),
    (1, ("Regional Learning & Development Team", "Head of PDU")),
    (1, ("Head of Interventions", "Head of Programmes", "Head of PDU")),
    (1, ("Quality team", "Regional Audit team", "SPOs")),
)
REGION_OWNERS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (10, ("Head of Performance and Quality",)),
    (8, ("Head of Performance & Quality",)),
    (6, ("Head of Operations",)),
    (5, ("Head of Public Protection",)),
    (4, ("HoPP", "HoP&Q")),
    (4, ("Head of Public Protection", "Head of Performance and Quality")),
    (3, ("REM",)),
    (3, ("Head of Ops", "HoP&Q")),
    (3, ("Head of Ops", "SLT")),
    (3, ("Head of Resettlement and Commissioned Rehabilitative Services",)),
    (3, ("Regional Equality Lead",)),
    (2, ("Heads of PDU", "Head of Performance & Quality")),
    (2, ("HoP&Q", "PM")),
    (2, ("HoCI", "HJL")),
    (2, ("Head of Stakeholder Engagement",)),
    (2, ("Regional Court Lead", "Head of Performance and Quality")),
    (2, ("Head of PDU",)),  # with the PDU named at the end of the recommendation
    (1, ("REM", "HoCI")),
)
NATIONAL_OWNERS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (12, ("Deputy Director, Probation Workforce Programme",)),
    (4, ("Deputy Director for Business Strategy and Change",)),
    (3, ("Head of Personnel Security Vetting",)),
    (2, ("Deputy Director, Probation Workforce Programme", "Head of Performance and Quality")),
)
NPS_OWNERS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (8, ("Head of Operations",)),
    (5, ("Head of Performance & Quality",)),
    (4, ("SLT",)),
    (3, ("Divisional Director", "MoJ Resourcing")),
    (3, ("Performance Manager",)),
    (3, ("Head of Stakeholder Engagement",)),
    (2, ("{region} strategic lead for Victim Services",)),
    (2, ("{region} strategic lead for Victim Services", "Head of Performance & Quality")),
)
CRC_OWNER_CELLS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (6, ("Community Directors",)),
    (4, ("All Community Directors",)),
    (4, ("TTG Lead Interchange Managers", "Strategic Managers")),
    (3, ("Risk and Quality Manager", "Business and Project Manager")),
    (3, ("Community Director", "Risk Lead")),
    (3, ("Quality, Policy and Performance Unit",)),
    (2, ("CDs", "Training lead")),
    (2, ("Chief Executive",)),
    (1, ("Strategic Managers", "Community Director", "TTG Lead")),
)

# Target dates as the real plans write them; {m} / {m2} are months in the plan's style.
TARGETS: tuple[tuple[float, str], ...] = (
    (52, "{m}"),                       # "September 2023", "May 19", "Sept 19", "July.19"
    (7, "Complete"),
    (5, "Completed"),
    (3, "Completed and ongoing"),
    (2, "Completed and Ongoing"),
    (1, "Complete and on-going"),
    (1.5, "Complete and monthly"),
    (0.5, "Complete and weekly"),
    (0.3, "Complete and as and when required"),
    (3, "Monthly from {m}"),
    (1.5, "Monthly"),
    (1.5, "Quarterly from {m}"),
    (1.5, "{m} and quarterly thereafter"),
    (1.5, "Ongoing"),
    (0.7, "Current and on-going"),
    (1, "From {m}"),
    (0.7, "{m} and on-going"),
    (2, "{m} – {m2}"),                 # "May19 – Aug 19", "April 19 – July 19"
    (0.6, "{m} TBC NB dependant on provision of framework from Central Team which is currently in development"),
    (0.6, "{m} (NB timing dependant on provision of framework from Central Team which is currently in development)"),
    (0.6, "{m} with checkpoint {m2}"),
    (0.3, "Wave {n} concluded {past}"),
    (0.15, "End of Q{q} {y}"),          # unreadable: flagged, never guessed
    (0.1, "TBC"),
    (0.05, ""),
)

RECOMMENDATIONS = (
    "Improve the quality of work to assess, plan for, manage and review risk of harm, ensuring that all available "
    "information is accessed and utilised.",
    "Ensure new and inexperienced staff are provided with robust management oversight to improve the quality of "
    "their work to keep people safe.",
    "Follow up on domestic abuse and child safeguarding checks and use the information provided by the police and "
    "children's social care to inform risk assessments, plans and work with people on probation.",
    "Increase their use of commissioned rehabilitative services (CRS) to support the desistance of people on "
    "probation.",
    "Take greater account of the views of people on probation to inform the provision of services.",
    "Ensure staff have sufficient knowledge, skills and resources to work effectively with people on probation "
    "from black, Asian and minority ethnic backgrounds.",
    "Improve contingency planning for risk of harm management to ensure protection of victims is prioritised.",
    "Increase middle management capacity to ensure sufficient resource is in place to provide enhanced management "
    "oversight.",
    "Manage workloads so that responsible officers are assigned cases for which they have the necessary skills and "
    "experience and have the time to manage each case according to its needs.",
    "Provide responsible officers with the time to participate in appropriate training and development activities "
    "that meet their learning needs and styles.",
    "Review recruitment processes to ensure that divisions are able to recruit staff to meet their local needs.",
    "Accurately identify all statutory victim cases and ensure that they are offered contact with the Victim "
    "Contact Scheme.",
    "Improve the quality of court reports to inform sentencing.",
    "Ensure the delivery of training is prioritised to enhance the skills of the workforce and put in place a "
    "blended offer of online and in-person staff training.",
    "Assist people on probation to know about and use the complaints process.",
    "Review the efficacy of work with people on probation both before leaving custody and upon release, including "
    "the efficacy and availability of services for this cohort.",
)
REASONS = (
    "Resourcing need and affordability will need to be balanced against other priorities across the region.",
    "The national framework sets the staffing model; the region will do what lies within its control.",
    "This recommendation is partly agreed as the middle management model is set nationally and is under review.",
    "This recommendation is not agreed: the service is commissioned nationally and its design is not a matter for "
    "the region.",
)
ACTIONS = (
    "A dedicated manager will be identified to support new and inexperienced staff, they will complete a monthly "
    "dip sample of their management oversight aimed at assessing the quality of this work in relation to keeping "
    "people safe.",
    "A robust regional report will be designed and implemented which identifies missed checks for domestic abuse "
    "and child safeguarding and build in follow up activity.",
    "This information will be delivered via monthly professional development sessions to enhance practice in "
    "relation to applying information from domestic abuse and safeguarding checks.",
    "A domestic abuse and child safeguarding specific audit will be carried out to assess the impact of the "
    "practice development activity. The findings will be shared to identify further activity needed and any follow "
    "up actions relevant to {pdu} PDU to take forward to embed practice.",
    "Awareness and use of the race engagement toolkit will be increased by relaunching it to the staff group via a "
    "local briefing session.",
    "Quarterly reports on mandated training completion levels within the PDU are being provided and monitored by "
    "the Head of PDU to ensure that all necessary training is undertaken and understood.",
    "The Quality SPO (QSPO) will attend PDU based Operational Performance & Quality (OPQ) meetings to raise "
    "awareness of all inspection and audit findings and regional quality improvement priorities.",
    "Court reports are now gatekept in accordance with national requirements, this is assured via a monthly report.",
    "The Regional Equalities Manager (REM) will be invited to attend PDU meetings, so that all staff have the "
    "opportunity to ask questions and hear messages on priority needs.",
    "Ringfenced time will be introduced for ViSOR single points of contact to update the system and commence "
    "monthly reporting and oversight to improve quality.",
    "The impact of the induction and training package will be monitored by the quality team, regional audit team "
    "and SPOs through:\n• Staff feedback from induction and training events,\n• The use of the Regional Case Audit "
    "Tool, RCAT,\n• Countersigning activity, and\n• Reflective supervision",
    "Working with middle managers and with support from Head of HR the Head of {pdu} PDU will oversee "
    "implementation of the PDU attendance management improvement plan, with progress monitored monthly.",
    "All practitioners will attend the good sentence management workshop offered by the regional Quality "
    "Development Team, followed up in the planned sentence planning PDU practice development day.",
    "Two regional CRS training sessions will be delivered to capture all new practitioners and provide a refresh "
    "for staff who attended the earlier session.",
    "The PDU will implement an Engaging People on Probation (EPOP) action plan, subject to quarterly review with "
    "the support of the regional EPOP lead.",
    "Management information will be developed to identify cases from black, Asian and minority ethnic backgrounds "
    "and a schedule implemented to share this with practitioners and SPOs.",
    "Complete an initial gap analysis of mental health services within the region which will inform gaps in "
    "provision.",
    "A register/tracker capturing all responsible officer staff training to be in place.",
    "Enforcement tracker communicated to managers on a fortnightly basis. Managers are expected to use this data "
    "to engage with staff regarding enforcement practice.",
    "Case Manager rolling recruitment established, with a waiting list in place, to ensure availability of new "
    "starters when required.",
    "Review of all risk delivery in accordance with the Risk of Harm strategic briefing, via a monthly review at "
    "the Senior Management Team meeting.",
    "The learning and development priorities and new product development are reviewed on a quarterly basis, with "
    "consideration given to the organisational priorities.",
    "HMPPS vetting will continue to monitor data to ensure that the case management process continues to support "
    "a reduction in time to hire as intended.",
    "Monthly interventions surgery sessions will be delivered to practitioners in {pdu} PDU.",
)
EVIDENCE = (
    "Evidence: QIP minutes", "Evidence: RCAT results shared with SPOs", "Evidence: briefing slides and attendance",
    "Evidence: audit report", "Evidence: SMT minutes", "Evidence: training completion report",
    "Delayed by staff absence; new date agreed", "Discussed at supervision",
)
STAFF = (
    "jsmith", "akhan", "mjones", "sbrown", "pwilliams", "rpatel", "ltaylor", "dedwards", "cevans", "nhughes",
    "owright", "kali", "hmorris", "gthomas", "fclarke",
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_SHORT = ("Jan", "Feb", "Mar", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")


_T = TypeVar("_T")


def _weighted(rng: random.Random, table: Sequence[tuple[float, _T]]) -> _T:
    """One value of the table, picked with the probability of its weight."""
    total = sum(w for w, _ in table)
    pick = rng.random() * total
    for weight, value in table:
        pick -= weight
        if pick < 0:
            return value
    return table[-1][1]


def _add_months(d: date, months: int) -> date:
    return Month.of(d).plus(months).first


def _abbreviation(pdu: str) -> str | None:
    """'Manchester North' -> 'M/C N' (as the real plan writes it); 'Bury and Rochdale' -> 'B&R'."""
    if pdu == "Manchester North":
        return "M/C N"
    words = pdu.replace(",", "").split()
    if len(words) < 2:
        return None
    letters = "".join("&" if w in ("and", "&") else w[0].lower() if w in ("with", "of", "upon") else w[0]
                      for w in words)
    return letters if len(letters) >= 2 else None


class _PlanMaker:
    """Makes one plan document; all randomness from the shared generator."""

    def __init__(self, rng: random.Random, region: Region, when: date, plan_id: str, size: int, round_no: int,
                 as_of: date, seed: int) -> None:
        self.rng = rng
        self.region = region
        self.when = when
        self.plan_id = plan_id
        self.size = size
        self.round_no = round_no
        self.as_of = as_of
        self.seed = seed
        self.unified = when >= UNIFICATION
        self.aliases: dict[str, str] = {}
        self.national: set[str] = set()
        self.abbr: dict[str, str] = {}

    # --- the whole plan -------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        rng = self.rng
        region = self.region
        if self.unified:
            pdus = self._inspected_pdus()
            addressees = self._unified_addressees(pdus)
            title = f"{region.name} region: response to the inspection of {_join(pdus)} PDUs"
            inspection = (f"HM Inspectorate of Probation inspection of the {region.name} region "
                          f"({_join(pdus)} PDUs), {self.when.year}")
            self.aliases.update(ROLE_ALIASES)
            for pdu in pdus:
                abbr = _abbreviation(pdu)
                if abbr and abbr not in self.aliases and abbr not in self.abbr.values():
                    self.abbr[pdu] = abbr
                    self.aliases[abbr] = pdu
        elif rng.random() < 0.5:
            crc = rng.choice(region.crcs)
            owner = rng.choice(CRC_OWNERS)
            addressees = [(crc, "provider", ""), (owner, "provider", "")]
            title = f"{crc}: response to the inspection of {crc}"
            inspection = f"HM Inspectorate of Probation inspection of {crc}, {self.when.year}"
            self.aliases.update(CRC_ALIASES)
            self.national.add("Quality, Policy and Performance Unit")
        else:
            addressees = [(f"NPS {region.name} Division", "region", ""), ("Ministry of Justice", "national", "")]
            title = f"NPS {region.name} Division: response to the inspection of the {region.name} Division"
            inspection = f"HM Inspectorate of Probation inspection of the NPS {region.name} Division, {self.when.year}"
            self.aliases.update({"NPS": "National Probation Service", "MoJ": "Ministry of Justice",
                                 "SLT": "Senior Leadership Team"})
            self.national.add("Ministry of Justice Resourcing")

        recs = self._recommendation_sizes()
        groups = _split(rng, len(recs), len(addressees))
        number = 0
        entries: list[dict[str, Any]] = []
        for (name, kind, rating), count in zip(addressees, groups, strict=True):
            if count == 0:
                continue
            rec_entries = []
            for _ in range(count):
                number += 1
                rec_entries.append(self._recommendation(str(number), name, kind, recs[number - 1]))
            entry: dict[str, Any] = {"name": name, "kind": kind}
            if rating:
                entry["rating"] = rating
            entry["recommendations"] = rec_entries
            entries.append(entry)

        published = self.when - timedelta(days=rng.randint(20, 60))
        header: dict[str, Any] = {
            "id": self.plan_id,
            "title": title,
            "region": region.name,
            "inspection": inspection,
            "report_published": published,
            "plan_submitted": self.when,
            "source": f"Synthetic: written by `actiontrack generate` (seed {self.seed})",
            "notes": "Synthetic data for trying out and benchmarking actiontrack: not transcribed from any "
                     "document. Its shapes follow the transcribed sample plans.",
        }
        if self.national:
            header["national_owners"] = sorted(self.national)
        document: dict[str, Any] = {"plan": header}
        if self.aliases:
            document["aliases"] = dict(sorted(self.aliases.items()))
        document["addressees"] = entries
        return document

    def _inspected_pdus(self) -> list[str]:
        pdus = self.region.pdus
        count = min(len(pdus), self.rng.randint(2, 5))
        start = (self.round_no * 3) % len(pdus)
        chosen = [pdus[(start + i) % len(pdus)] for i in range(count)]
        return sorted(chosen, key=pdus.index)

    def _unified_addressees(self, pdus: list[str]) -> list[tuple[str, str, str]]:
        rng = self.rng
        ratings = ("Good", "Requires improvement", "Requires improvement", "Inadequate", "Outstanding")
        found: list[tuple[str, str, str]] = [(f"{p} PDU", "pdu", rng.choice(ratings)) for p in pdus]
        if len(pdus) >= 2 and rng.random() < 0.25:
            found.append((f"{pdus[0]} PDU and {pdus[1]} PDU", "pdu", ""))
        found.append((f"{self.region.name} region", "region", ""))
        if rng.random() < 0.15:
            found.append((f"{self.region.name} region and His Majesty's Prison and Probation Service", "other", ""))
        if rng.random() < 0.4:
            found.append(("His Majesty's Prison and Probation Service", "national", ""))
        return found

    def _recommendation_sizes(self) -> list[int]:
        """Actions per recommendation, adding up to the plan's size; some recommendations not agreed (none)."""
        sizes: list[int] = []
        left = self.size
        while left > 0:
            if sizes and self.rng.random() < 0.03:
                sizes.append(0)  # not agreed: no action
                continue
            n = min(left, _weighted(self.rng, ((3, 1), (5, 2), (5, 3), (3, 4), (2, 5), (1, 6), (1, 8))))
            sizes.append(n)
            left -= n
        return sizes

    # --- a recommendation and its actions --------------------------------------------------------
    def _recommendation(self, number: str, addressee: str, kind: str, size: int) -> dict[str, Any]:
        rng = self.rng
        text = rng.choice(RECOMMENDATIONS)
        pdu = addressee.removesuffix(" PDU") if kind == "pdu" and " PDU and " not in addressee else ""
        if kind == "region" and self.unified and rng.random() < 0.3:
            pdu = rng.choice(self.region.pdus)
            text = f"{text} ({pdu} PDU)"
        entry: dict[str, Any] = {"number": number, "text": text}
        if size == 0:
            entry["agreement"] = "not_agreed"
            entry["reason"] = REASONS[3]
            return entry
        if rng.random() < 0.06:
            entry["agreement"] = "partly_agreed"
            entry["reason"] = rng.choice(REASONS[:3])
        else:
            entry["agreement"] = "agreed"
        entry["actions"] = [self._action(number, i, kind, pdu) for i in range(1, size + 1)]
        return entry

    def _owners(self, kind: str, pdu: str) -> list[str]:
        rng = self.rng
        if kind == "pdu":
            cell = _weighted(rng, PDU_OWNERS)
        elif kind == "region" and self.unified:
            cell = _weighted(rng, REGION_OWNERS)
            if "Head of PDU" in cell and not pdu:
                cell = ("Heads of PDU",)
        elif kind == "region":
            cell = _weighted(rng, NPS_OWNERS)
        elif kind == "provider":
            cell = _weighted(rng, CRC_OWNER_CELLS)
        elif kind == "other":
            cell = _weighted(rng, NATIONAL_OWNERS + REGION_OWNERS[:6])
        else:
            cell = _weighted(rng, NATIONAL_OWNERS if self.unified else (
                (3, ("MoJ Resourcing",)), (2, ("Ministry of Justice Resourcing",))))
        owners = []
        for written in cell:
            if "{abbr}" in written and not self.abbr.get(pdu):
                written = written.replace("{abbr}", "{pdu}")
            if ("{pdu}" in written or "{abbr}" in written) and not pdu:
                written = "Head of PDU"
            owner = written.format(pdu=pdu, abbr=self.abbr.get(pdu, pdu), region=self.region.name)
            if owner in NATIONAL_ROLES:
                self.national.add(owner)
            if owner not in owners:
                owners.append(owner)
        return owners

    def _target(self) -> str:
        rng = self.rng
        shape = _weighted(rng, TARGETS)
        soon = _add_months(self.when, rng.choice((1, 2, 3, 3, 4, 6, 6, 9, 12)))
        later = _add_months(soon, rng.choice((2, 3, 4, 6)))
        past = _add_months(self.when, -rng.randint(1, 6))
        return shape.format(
            m=self._month(soon), m2=self._month(later), past=self._month(past, full=True),
            n=rng.randint(1, 6), q=rng.randint(1, 4), y=soon.year,
        )

    def _month(self, d: date, *, full: bool = False) -> str:
        """A month in the plan's style: 'September 2023' since 2021; 'Sept 19', 'May19', 'July.19' before."""
        if self.unified or full:
            return f"{_MONTHS[d.month - 1]} {d.year}"
        yy = f"{d.year % 100:02d}"
        style = self.rng.random()
        if style < 0.7:
            return f"{_SHORT[d.month - 1]} {yy}"
        if style < 0.85:
            return f"{_MONTHS[d.month - 1]} {d.year}"
        if style < 0.95:
            return f"{_SHORT[d.month - 1]}{yy}"
        return f"{_MONTHS[d.month - 1]}.{yy}"

    def _action(self, number: str, position: int, kind: str, pdu: str) -> dict[str, Any]:
        rng = self.rng
        owners = self._owners(kind, pdu)
        target = self._target()
        text = rng.choice(ACTIONS).format(pdu=pdu or self.region.name)
        entry: dict[str, Any] = {}
        if kind == "provider":
            entry["ref"] = f"{number}.{position}"
        entry["text"] = text
        if target == "" and rng.random() < 0.5:
            owners = []
        entry["owners"] = owners
        entry["target"] = target
        if not owners:
            entry["note"] = "The document gives no owner for this action."
        status, ticked, history = self._progress(target)
        entry["status"] = status
        if ticked:
            entry["ticked"] = ticked
        if history:
            entry["history"] = history
        return entry

    # --- what happened since: status, ticks, history --------------------------------------------
    def _progress(self, written: str) -> tuple[str, list[str], list[dict[str, Any]]]:
        rng = self.rng
        reading = read_target(written, plan_date=self.when)
        status = reading.first_status
        start = datetime(self.when.year, self.when.month, self.when.day, 9, tzinfo=UTC)
        end = datetime(self.as_of.year, self.as_of.month, self.as_of.day, 9, tzinfo=UTC)
        clock = _Clock(rng, start, end)
        history: list[dict[str, Any]] = []
        ticked: list[str] = []
        age = (self.as_of - self.when).days

        def change(to: Status, *, limit: datetime | None = None) -> None:
            nonlocal status
            row: dict[str, Any] = {"at": clock.next(limit), "by": rng.choice(STAFF), "change": "status",
                                   "from": status.value, "to": to.value}
            if to is Status.COMPLETE and rng.random() < 0.5:
                row["note"] = rng.choice(EVIDENCE)
            history.append(row)
            status = to

        if reading.kind is TargetKind.COMPLETE:
            pass
        elif reading.every_months is not None and reading.start is not None:
            if status is Status.NOT_STARTED:
                change(Status.ONGOING)
            first = Month.of(reading.start).index
            last = Month.of(self.as_of).index
            months = range(first, min(last, first + 12 * reading.every_months) + 1, reading.every_months)
            for index in months:
                period = Month.from_index(index).period
                chance = 0.3 if index == last else 0.85
                if rng.random() < chance:
                    ticked.append(period)
                    moment = datetime(index // 12, index % 12 + 1, 1, 9, tzinfo=UTC) + timedelta(
                        days=rng.randint(0, 27), minutes=rng.randint(0, 600))
                    history.append({"at": clock.at_least(min(moment, end)), "by": rng.choice(STAFF),
                                    "change": "tick", "period": period})
            if last - first > 12 * reading.every_months and rng.random() < 0.8:
                change(Status.COMPLETE)  # the duty was closed after a year's occurrences
        elif reading.deadline is not None:
            overdue_days = (self.as_of - reading.deadline).days
            done_chance = 0.92 if overdue_days > 180 else 0.75 if overdue_days > 0 else 0.12
            if rng.random() < 0.6 or rng.random() < done_chance:
                change(Status.ONGOING)
            if rng.random() < done_chance:
                if status is Status.ONGOING and rng.random() < 0.05:
                    change(Status.COMPLETE)
                    history.append({"at": clock.next(), "by": history[-1]["by"], "change": "undo",
                                    "from": "complete", "to": "ongoing", "undoes": len(history)})
                    status = Status.ONGOING
                change(Status.COMPLETE)
        elif reading.kind is TargetKind.ONGOING or reading.kind is TargetKind.COMPLETE_RECURRING:
            if status is Status.NOT_STARTED and rng.random() < 0.7:
                change(Status.ONGOING)
            if age > 540 and rng.random() < 0.6:
                change(Status.COMPLETE)
        if history and rng.random() < 0.1:
            history.append({"at": clock.next(), "by": rng.choice(STAFF), "change": "note",
                            "note": rng.choice(EVIDENCE)})
        return status.value, ticked, history


class _Clock:
    """Hands out moments between the plan and the as-of day, always going forward."""

    def __init__(self, rng: random.Random, start: datetime, end: datetime) -> None:
        self.rng = rng
        self.now = start
        self.end = end

    def next(self, limit: datetime | None = None) -> datetime:
        room = max(int(((limit or self.end) - self.now).total_seconds()), 60)
        step = self.rng.randint(60, max(room // 3, 61))
        return self._move(min(self.now + timedelta(seconds=step), self.end))

    def at_least(self, moment: datetime) -> datetime:
        return self._move(min(max(self.now + timedelta(seconds=60), moment), self.end))

    def _move(self, moment: datetime) -> datetime:
        """On to `moment`, and always at least a second on: two changes of one action never share a moment
        (history is ordered by time, so the order the generator made them in is the order they keep)."""
        self.now = max(moment, self.now + timedelta(seconds=1))
        return self.now


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` recommendations over `parts` addressees, each getting one first while there are enough."""
    counts = [0] * parts
    for i in range(min(total, parts)):
        counts[i] = 1
    for _ in range(total - min(total, parts)):
        counts[min(int(rng.random() ** 1.3 * parts), parts - 1)] += 1
    return counts


def _plan_sizes(rng: random.Random, actions: int) -> list[list[int]]:
    """Actions per plan: rounds × regions, sizes around ACTIONS_PER_PLAN, adding up to exactly `actions`."""
    rounds = max(1, round(actions / (len(REGIONS) * ACTIONS_PER_PLAN)))
    weights = [[rng.uniform(0.6, 1.4) for _ in REGIONS] for _ in range(rounds)]
    total = sum(sum(row) for row in weights)
    sizes = [[int(w / total * actions) for w in row] for row in weights]
    short = actions - sum(sum(row) for row in sizes)
    cells = [(r, i) for r in range(rounds) for i in range(len(REGIONS))]
    for k in range(short):
        r, i = cells[k % len(cells)]
        sizes[r][i] += 1
    return sizes


def generate_plans(actions: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[dict[str, Any]]:
    """The plan documents (as plan files hold them) of a national data set of exactly `actions` actions."""
    if actions < 1:
        raise ValueError("the data set needs at least one action")
    rng = random.Random(seed)
    sizes = _plan_sizes(rng, actions)
    rounds = len(sizes)
    span = (as_of - timedelta(days=30) - FIRST_PLAN).days
    used: set[str] = set()
    for round_no, row in enumerate(sizes):
        for region, size in zip(REGIONS, row, strict=True):
            if size == 0:
                continue
            when = FIRST_PLAN + timedelta(days=int(span * (round_no + 0.6 + 0.4 * rng.random()) / rounds))
            plan_id = f"{region.code}-{when.year}-{when.month:02d}"
            suffix = 1
            while plan_id in used:
                suffix += 1
                plan_id = f"{region.code}-{when.year}-{when.month:02d}-{suffix}"
            used.add(plan_id)
            yield _PlanMaker(rng, region, when, plan_id, size, round_no, as_of, seed).document()


def plan_file_text(document: dict[str, Any]) -> str:
    """One plan document as plan-file TOML, as `actiontrack export` writes it."""
    return "# Synthetic plan written by `actiontrack generate`: made-up data, not a transcription.\n\n" + (
        tomli_w.dumps(document, multiline_strings=True)
    )


def write_plan_files(folder: Path | str, actions: int, seed: int = 1, *, as_of: date = AS_OF) -> list[Path]:
    """Write the data set as one plan file per plan into `folder` (created if need be); the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for document in generate_plans(actions, seed, as_of=as_of):
        path = folder / f"{document['plan']['id']}.toml"
        path.write_text(plan_file_text(document), encoding="utf-8")
        paths.append(path)
    return paths


def generate_into(db: Database, actions: int, seed: int = 1, *, as_of: date = AS_OF) -> list[ImportResult]:
    """Save the data set straight into an open database (one transaction), validated as files are."""
    from sqlalchemy import func, select

    from store.errors import StoreError
    from store.importing import save_plan
    from store.models import Plan
    from store.planfile import validate_plan

    with db.write(exclusive=True) as session:
        if session.execute(select(func.count()).select_from(Plan)).scalar_one():
            raise StoreError(f"{db.path} already holds plans: generate into a new database file")
        results = [save_plan(session, validate_plan(doc, doc["plan"]["id"]))
                   for doc in generate_plans(actions, seed, as_of=as_of)]
        session.connection().exec_driver_sql("ANALYZE")  # as an import does: SQLite's planner needs the sizes
        return results
