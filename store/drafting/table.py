"""The HMPPS action-plan table: its six columns, header row and addressee headings."""

from __future__ import annotations

import re

from store.drafting.cells import clean

COLUMNS = 6
# The header's words, column by column ("1. Rec No", "2. Recommendation", ...), in lower case.
HEADER_WORDS = ("rec no", "recommendation", "agreed", "response", "owner", "target")
_SHOULD = re.compile(r"^(?P<who>.+?)\s+should\s*:?$", re.IGNORECASE)


def is_header(cells: list[str]) -> bool:
    """Whether the cells are the table's header row (repeated on every page)."""
    if len(cells) < COLUMNS:
        return False
    words = [clean(cell).lower() for cell in cells[:COLUMNS]]
    return all(word in cell for word, cell in zip(HEADER_WORDS, words, strict=False))  # a row may have more cells


def header_mismatch(cells: list[str]) -> str:
    """For a table that looks like a plan table but is not: the first column that is not the template's."""
    words = [clean(cell) for cell in cells]
    for position, word in enumerate(HEADER_WORDS):
        if position >= len(words) or word not in words[position].lower():
            found = words[position] if position < len(words) else "nothing"
            return f"column {position + 1} is {found!r}, not the template's {word!r}"
    return ""


def heading_of(cells: list[str]) -> str:
    """The addressee an "X should:" row names, or ''."""
    first = clean(cells[0])
    if not first or any(clean(cell) for cell in cells[1:]):
        return ""
    found = _SHOULD.match(first)
    return found.group("who") if found else ""
