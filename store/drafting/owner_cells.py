"""Splitting a printed owner entry into roles, one per string, as written.

"Head of M/C N PDU & HoP&Q" is two owners and "Head of Performance & Quality" one: a joining word
splits only where what follows it starts a role (a "Head of", or an abbreviation such as HoPP or
QDOs); roles printed side by side ("Head of PDU Head of Performance and Quality") split where the
next "Head of" begins.
"""

from __future__ import annotations

import re

_ROLE_START = r"(?:Heads?\b|HO[A-Za-z]|Ho[A-Z]|[A-Z][A-Za-z&]*[A-Z][A-Za-z&]*s?\b|Regional\b|Deputy\b|Senior\b|All\b)"
_JOIN = re.compile(rf"(?:\s+&\s*|\s*&\s+|\s+and\s+|\s*[,;]\s*)(?={_ROLE_START})|\s+with\s+(?=[A-Z])")
_SIDE_BY_SIDE = re.compile(r"(?<=[a-z)A-Z])\s+(?=(?:Heads?\s+of|Regional)\b)")
_SLASH = re.compile(r"(?<=[A-Za-z]{3})\s*/\s*(?=[A-Za-z]{3})")
_LISTED = re.compile(rf"\s*,\s+(?=[^,]*(?:\s&\s*|\sand\s){_ROLE_START})")


def split_owners(entry: str) -> list[str]:
    """The roles in one printed owner entry, in order, each as written."""
    parts = [entry]
    for pattern in (_LISTED, _SLASH, _JOIN, _SIDE_BY_SIDE):
        parts = [piece for part in parts for piece in pattern.split(part)]
    owners = [part.strip(" .,;&") for part in parts]
    return [owner for owner in owners if owner and owner.lower() not in ("and", "with")]


def runs_together(entry: str) -> bool:
    """Whether an entry prints roles side by side with no separator ("Head of PDU Head of ...")."""
    return len(_SIDE_BY_SIDE.split(entry)) > 1
