"""What a plan's cover page and closing summary say: title, region, PDUs, dates, counts, abbreviations."""

from __future__ import annotations

import re
from datetime import date

from store.drafting.cells import clean

_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
_WORDY_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_DEFINED = re.compile(r"\b((?:[A-Z][\w'&-]*|of|and|for|the|&)(?:\s+(?:[A-Z][\w'&-]*|of|and|for|the|&)){1,7})\s*,?\s*\(([A-Z][A-Za-z&/]{1,9})\)")
_PDU = re.compile(r"([A-Z][A-Za-z'&]*(?:\s+(?:[A-Z][A-Za-z'&]*|and|with|&))*?\s+PDU)\b")


def read_date(text: str) -> date | None:
    """'22nd June 2023', '12/4/2019' (day first, as UK documents write it) -> a date; else None."""
    text = clean(text)
    found = _WORDY_DATE.search(text)
    try:
        if found and found.group(2).lower() in _MONTHS:
            return date(int(found.group(3)), _MONTHS[found.group(2).lower()], int(found.group(1)))
        found = _NUMERIC_DATE.search(text)
        if found:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    except ValueError:
        return None
    return None


def cover_fields(lines: list[str]) -> dict[str, object]:
    """The plan header as far as the cover says it; missing fields are left out."""
    texts = [clean(line) for line in lines]
    texts = [t.strip("*# ").strip() for t in texts if t.strip("*# ").strip()]
    fields: dict[str, object] = {}
    for index, text in enumerate(texts):
        lowered = text.lower()
        if "plan submitted" in lowered and "plan_submitted" not in fields:
            when = read_date(text)
            if when:
                fields["plan_submitted"] = when
        elif "published" in lowered and "report_published" not in fields:
            when = read_date(text)
            if when:
                fields["report_published"] = when
        elif lowered.startswith("a response to") and "response" not in fields:
            fields["response"] = text.rstrip(":* ")
            after = []
            for follow in texts[index + 1:]:
                if re.search(r"published|introduction|submitted", follow, re.IGNORECASE):
                    break
                after.append(follow.strip("*").strip())
            fields["subject"] = " ".join(after)
        elif lowered.startswith("action plan:") and "table_title" not in fields:
            fields["table_title"] = text.split(":", 1)[1].strip()
    return fields


def region_and_pdus(subject: str, response: str) -> tuple[str, list[str]]:
    """The region and PDUs a cover's subject line names ("North West region - Cumbria PDU, ...")."""
    pdus = [p.strip() for p in _PDU.findall(subject) if p.strip() != "PDU"]
    pdus = [re.sub(r"^(?:and|&)\s+", "", p) for p in pdus]
    found = re.search(r"([A-Z][A-Za-z ]+?)\s+region\b", subject)
    if found:
        return found.group(1).strip(), pdus
    tail = response.split(":", 1)[1].strip() if ":" in response else ""
    return (tail or subject or "unknown").strip(), pdus


def summary_counts(lines: list[str]) -> dict[str, int]:
    """The plan's closing count of Agreed / Partly Agreed / Not Agreed recommendations, if printed."""
    counts: dict[str, int] = {}
    for line in lines:
        cells = [clean(cell) for cell in line.split("\t")]
        if len(cells) >= 2 and cells[1].isdigit():
            key = cells[0].lower()
            if key == "agreed":
                counts["agreed"] = int(cells[1])
            elif key == "partly agreed":
                counts["partly_agreed"] = int(cells[1])
            elif key == "not agreed":
                counts["not_agreed"] = int(cells[1])
    return counts


def defined_abbreviations(texts: list[str]) -> dict[str, str]:
    """Abbreviations the document defines in passing: "Head of Interventions (HOI)" -> HOI."""
    found: dict[str, str] = {}
    for text in texts:
        for long_form, short in _DEFINED.findall(text):
            words = long_form.split()
            while words and words[0].lower() in ("the", "of", "and", "for", "&"):
                words = words[1:]
            initials = [w for w in words if w[:1].isupper()]
            # keep as many trailing words as the abbreviation has capitals (at least the words it can stand for)
            capitals = sum(1 for ch in short if ch.isupper())
            if capitals and len(initials) > capitals:
                keep, seen = [], 0
                for word in reversed(words):
                    keep.insert(0, word)
                    if word[:1].isupper():
                        seen += 1
                    if seen >= capitals:
                        break
                words = keep
            if words and short not in found and short.lower() != " ".join(words).lower():
                found[short] = " ".join(words)
    return found
