"""From a document on disk to a draft: which kind of input it is, then the table lined up."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from store.drafting.align import recommendation_of
from store.drafting.cover import cover_fields, defined_abbreviations, region_and_pdus, summary_counts
from store.drafting.grouping import group_rows, infer_agreements
from store.drafting.model import REC_NUMBER, Document, Draft, DraftAddressee, DraftError
from store.drafting.owner_cells import split_owners
from store.files import read_bounded

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_ENTRY = 300  # an owner or target entry longer than this is a paragraph in the wrong column
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # an encrypted .docx (or an old .doc) is an OLE compound file
_PDF = b"%PDF"


def draft_plan(path: Path | str, plan_id: str | None = None) -> Draft:
    """Read a published action plan (.docx, or text extracted from its PDF) into a draft."""
    path = Path(path)
    document = load_document(path)
    if not document.table_found:
        raise DraftError(f"{path}: no action-plan table found (the header 'Rec No · Recommendation · Agreed/ "
                         f"Partly Agreed/ Not Agreed · Response · Responsible Owner · Target Date'); "
                         "is it an action plan?")
    if not any(row.number or row.response for row in document.rows):
        raise DraftError(f"{path}: the action-plan table has no recommendations")
    for row in document.rows:
        if row.number and not REC_NUMBER.match(row.number):
            raise DraftError(f"{path}, {row.place}: the Rec No column holds {row.number[:40]!r}, not a recommendation "
                             f"number; are the table's columns in the template's order?")
        for column, entries in (("Responsible Owner", row.owners), ("Target Date", row.targets)):
            long = next((entry for entry in entries if len(entry) > MAX_ENTRY), None)
            if long is not None:
                raise DraftError(f"{path}, {row.place}: the {column} column holds {len(long)} characters of text "
                                 f"({long[:40]!r}...); are the table's columns in the template's order?")
    return build_draft(document, plan_id)


def load_document(path: Path) -> Document:
    """The document's cover, table rows and tail, whichever kind of file it is."""
    data = read_bounded(path, MAX_DOCUMENT_BYTES, what="a document", error=DraftError)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DraftError(f"{path}: the file is {path.stat().st_size / 1024 / 1024:.0f} MB; an action plan is under "
                         f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB, so this is not one")
    if data.startswith(_ZIP):
        from store.drafting.docx_input import read_docx

        return read_docx(path, data)
    if data.startswith(_OLE):
        raise DraftError(f"{path}: is an encrypted (password-protected) or old-format Word file; "
                         f"save it unprotected as .docx and draft from that")
    if data.startswith(_PDF):
        raise DraftError(f"{path}: is a PDF; draft from the .docx, or from the PDF's text "
                         f"(tables tab-separated, as the text extracts of published plans are)")
    if b"\x00" in data[:8192]:
        raise DraftError(f"{path}: is a binary file, neither a .docx nor text extracted from a plan")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftError(f"{path}: is not UTF-8 text (byte {exc.start}) nor a .docx") from None
    from store.drafting.extract_text import read_extract

    return read_extract(text)


_KINDS = (
    (re.compile(r"\bPDUs?\b|Probation Delivery Unit", re.I), "pdu"),
    (re.compile(r"\bregion\b|\bdivision\b", re.I), "region"),
    (re.compile(r"\bCRC\b|Rehabilitation Compan|Purple Futures|\bprovider\b", re.I), "provider"),
    (re.compile(r"HMPPS|Prison and Probation Service|Ministry of Justice|\bMoJ\b|National", re.I), "national"),
)


def addressee_kind(name: str) -> str:
    """pdu | region | national | provider | other, from the words of the name."""
    kinds = [kind for pattern, kind in _KINDS if pattern.search(name)]
    if len(set(kinds)) > 1 and not name.lower().endswith("pdu"):
        return "other"
    return kinds[0] if kinds else "other"


def addressee_name(heading: str, organisation: str) -> str:
    """'Manchester North Probation Delivery Unit (PDU)' -> 'Manchester North PDU'; 'The CRC' -> the cover's name."""
    name = re.sub(r"</?b>", "", heading).strip()
    name = re.sub(r"\s*Probation Delivery Unit\s*\(PDU\)", " PDU", name)
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE).strip()
    if name.upper() in ("CRC", "PDU", "REGION", "DIVISION") and organisation:
        return organisation
    return name


def build_draft(document: Document, plan_id: str | None) -> Draft:
    """The plan file's content: header from the cover, addressees and recommendations from the table."""
    fields = cover_fields(document.cover)
    response = str(fields.get("response", ""))
    subject = str(fields.get("subject", ""))
    region, pdus = region_and_pdus(subject, response)
    texts = [p.text for row in document.rows for p in row.response + row.recommendation] + document.cover
    organisation = _organisation(subject, response, texts)
    if len(organisation) > 200:  # a cover read wrongly
        organisation = organisation[:199] + "…"
    if organisation and not re.search(r"\bregion\b", subject, re.IGNORECASE):
        # a provider's or a division's plan: its region is its name without the organisation's words
        region = re.sub(r"^(?:NPS|CRC)\s+|\s+(?:CRC|Division)$", "", organisation).strip() or region
    summary = summary_counts(document.tail)
    plan_checks: list[str] = []
    first_heading = ""
    if document.rows and not document.rows[0].heading and not document.rows[0].number:
        first_heading = organisation or region
        plan_checks.append(f"the table starts part-way (its first page is missing): the addressee of the first "
                           f"recommendations is taken from the cover as {first_heading!r}.")
    groups = group_rows(document.rows, first_heading)
    infer_agreements(groups, summary)
    addressees: dict[str, DraftAddressee] = {}
    numbers: set[str] = set()
    known_roles = frozenset(entry for row in document.rows for entry in row.owners if split_owners(entry) == [entry])
    for group in groups:
        name = addressee_name(group.heading, organisation) if group.heading else (organisation or region)
        addressee = addressees.setdefault(name, DraftAddressee(name, addressee_kind(name)))
        rec = recommendation_of(group, known_roles)
        if rec.number in numbers:  # a plan file needs each number once
            first = rec.number
            rec.number = next(f"{first}-{n}" for n in range(2, 1000) if f"{first}-{n}" not in numbers)
            rec.checks.append(f"the document numbers two recommendations {first}; this one is drafted as {rec.number}.")
        numbers.add(rec.number)
        addressee.recommendations.append(rec)
    if not summary:
        plan_checks.append("the document prints no count of agreed / partly agreed / not agreed recommendations "
                           "to check the transcription against.")
    else:
        got: dict[str, int] = {}
        for addressee in addressees.values():
            for rec in addressee.recommendations:
                got[rec.agreement] = got.get(rec.agreement, 0) + 1
        if any(got.get(key, 0) != value for key, value in summary.items()):
            plan_checks.append(f"the plan's own count of agreements ({summary}) differs from the draft's ({got}).")
    year = next((str(d.year) for d in (fields.get("plan_submitted"), fields.get("report_published"))
                 if isinstance(d, date)), "")
    plan: dict[str, object] = {
        "id": plan_id or _plan_id(region, year),
        "title": _title(region, pdus, organisation),
        "region": region,
        "inspection": _inspection(region, pdus, organisation, year),
    }
    for key in ("report_published", "plan_submitted"):
        if key in fields:
            plan[key] = fields[key]
    for key in ("title", "region"):
        value = str(plan[key])
        if len(value) > 200 or value.endswith("…"):  # a cover read wrongly: keep the file valid and say so
            plan[key] = value[:199].rstrip("…") + "…"
            plan_checks.append(f"the {key} read from the cover is over 200 characters and is cut; write it.")
    submitted = fields.get("plan_submitted")
    plan["source"] = "HMPPS action plan" + (f" submitted {submitted.day} {submitted:%B %Y}"
                                            if isinstance(submitted, date) else "")
    return Draft(plan=plan, aliases=defined_abbreviations(texts), addressees=list(addressees.values()),
                 plan_checks=plan_checks)


def _organisation(subject: str, response: str, texts: list[str]) -> str:
    """The organisation a non-regional plan answers for, as the document itself names it:
    "Cheshire and Greater Manchester Community Rehabilitation Company" -> "... CRC"."""
    tail = response.split(":", 1)[1].strip() if ":" in response else ""
    words = re.sub(r"\s+", " ", f"{tail} {subject}" if tail and subject[:1].isupper() and not tail.endswith(
        ("Division", "Region")) else subject or tail).strip()
    if "region" in words.lower() or not words:
        return ""
    words = re.sub(r"Community Rehabilitation Company", "CRC", words)
    if tail.endswith("Division") and subject:
        short = "".join(w[0] for w in subject.split() if w[:1].isupper())  # National Probation Service -> NPS
        body = " ".join(texts)
        named = re.findall(rf"\b{short}((?:\s+[A-Z][a-z]+)+)\s+Division\b", body)
        if named:
            most = max(set(named), key=named.count)
            return f"{short}{most} Division"
        return f"{tail} ({subject})"
    return words


def _inspection(region: str, pdus: list[str], organisation: str, year: str) -> str:
    what = f"{_names(pdus)} ({region} region)" if pdus else (organisation or region)
    return f"HM Inspectorate of Probation inspection of {what}" + (f", {year}" if year else "")


def _names(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _title(region: str, pdus: list[str], organisation: str) -> str:
    if pdus:
        return f"{region} region: response to the inspection of {_names(pdus)}"
    return f"{organisation or region}: response to the HM Inspectorate of Probation inspection"


def _plan_id(region: str, year: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")
    while len(slug) > 30 and "-" in slug:  # whole words only
        slug = slug.rsplit("-", 1)[0]
    slug = slug[:30] or "plan"
    return f"{slug}-{year}" if year else slug
