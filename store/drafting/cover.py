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
_WORD = r"(?:[A-Z][\w'&-]*|of|and|for|the|&)"
_DEFINED = re.compile(rf"\b({_WORD}(?:\s+{_WORD}){{1,7}})\s*,?\s*\(([A-Z][A-Za-z&/]{{1,9}})\)")
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
            fields["subject"] = re.sub(r"^Recommendations:\s*", "", " ".join(after))
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


_SHORT = re.compile(r"\(([A-Z][A-Za-z&/]{0,9}[A-Z][A-Za-z]?)\)")
_MINOR = {"of", "and", "for", "the", "&", "in", "on", "to"}


def _initials(words: list[str], keep_minor: bool) -> str:
    letters = []
    for word in words:
        for part in word.split("-"):
            if not part or (not keep_minor and part.lower() in _MINOR):
                continue
            letters.append("a" if part == "&" else part[0].lower())
    return "".join(letters)


def _spells(short: str, words: list[str]) -> bool:
    """Whether the words' initials spell the abbreviation ("Head of Interventions" -> HOI, HoI, HI)."""
    letters = re.sub(r"s$", "", short) if re.search(r"[A-Z]s$", short) else short
    every = letters.replace("&", "a").replace("/", "").lower()
    capitals = "".join(ch for ch in letters if ch.isupper()).lower()
    return every in (_initials(words, True), _initials(words, False)) or capitals == _initials(words, False)


def defined_abbreviations(texts: list[str]) -> dict[str, str]:
    """Abbreviations the document defines in passing: "Head of Interventions (HOI)" -> HOI; the
    words kept are the fewest before the brackets whose initials spell it."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _SHORT.finditer(text):
            short = match.group(1)
            if short in found:
                continue
            before = text[max(0, match.start() - 200):match.start()].rstrip(" ,").split()
            for count in range(1, min(len(before), 9) + 1):
                words = [w.strip("(),.;:") for w in before[-count:]]
                if words[0][:1].isupper() and _spells(short, words):
                    found[short] = " ".join(words)
                    break
    return found
