"""Owners: turning the roles a plan writes ("Head of M/C N PDU", "HoP&Q") into the roles they name."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_AMPERSAND = re.compile(r"\s+&\s+")
_ANY_AMPERSAND = re.compile(r"\s*&\s*")
_GENERIC_HEAD = re.compile(r"^(?:the\s+)?head\s+of\s+(?:the\s+)?pdu$", re.IGNORECASE)
# Words that mark a role as national (it spans regions) when the plan does not say so. They are
# looked for in the owner as written: an alias may expand "NPS NE" to "National Probation Service
# North East", a regional role. A role that calls itself regional stays regional.
_NATIONAL = re.compile(r"\b(HMPPS|MoJ|Ministry of Justice|National|Probation Workforce Programme)\b")
_REGIONAL = re.compile(r"\bregion(?:al)?\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ResolvedOwner:
    """A role as resolved: its name, its matching key, and its region ('' when national)."""

    name: str
    key: str
    region: str


@lru_cache(maxsize=8192)
def owner_key(name: str) -> str:
    """The form two spellings of one role share: case, spacing and '&' / 'and' ignored."""
    if "&" in name:
        name = _ANY_AMPERSAND.sub(" and ", name)
    return _SPACE.sub(" ", name).strip().casefold()


@lru_cache(maxsize=256)
def _alias_pattern(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keys:
        return None
    ordered = sorted(keys, key=len, reverse=True)
    alternatives = "|".join(re.escape(k) for k in ordered)
    return re.compile(rf"(?<![\w&/])(?:{alternatives})(?![\w&/])")


def expand_aliases(written: str, aliases: Mapping[str, str]) -> str:
    """Replace each abbreviation the plan defines, wherever it stands as a whole word."""
    text = _SPACE.sub(" ", written).strip()
    if not aliases:
        return text
    if text in aliases:
        return aliases[text]
    pattern = _alias_pattern(tuple(aliases))
    assert pattern is not None
    return pattern.sub(lambda m: aliases[m.group(0)], text)


_PDU_NOTE = re.compile(r"\(([^()]*?\bPDU)\)\s*$")
# Where a list of PDUs splits: after a name ending in "PDU", at a comma, "and" or "&". Only there: the
# names themselves hold them ("Bury and Rochdale PDU", "Redcar, Cleveland and Middlesbrough PDU").
_PDU_LIST = re.compile(r"(?<=\bPDU)(?:\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+)", re.IGNORECASE)


def pdus_addressed(addressee: str, addressee_kind: str, recommendation_text: str = "") -> list[str]:
    """The PDUs whose head a generic "Head of PDU" means here.

    A PDU addressee names one PDU or several ("Knowsley & St Helens PDU and Liverpool North PDU",
    "Bury and Rochdale PDU and Oldham PDU": a list splits only after a name ending in "PDU");
    a recommendation to the region may end with the PDU it came from: "... (Cumbria PDU)".
    """
    if addressee_kind == "pdu":
        parts = [p.strip() for p in _PDU_LIST.split(addressee) if p.strip()]
        if len(parts) > 1 and all(p.casefold().endswith("pdu") for p in parts):
            return parts
        return [addressee if addressee.casefold().endswith("pdu") else f"{addressee} PDU"]
    note = _PDU_NOTE.search(recommendation_text.strip())
    if note:
        parts = [p.strip() for p in _PDU_LIST.split(note.group(1)) if p.strip()]
        if all(p.casefold().endswith("pdu") for p in parts):
            return parts
    return []


class OwnerResolver:
    """Resolves the owners written in one plan: its aliases, its region, its national roles."""

    def __init__(self, *, aliases: Mapping[str, str], region: str, national_owners: Sequence[str] = ()) -> None:
        self.aliases = dict(aliases)
        self.region = region
        self._national = {owner_key(self._expand(n)) for n in national_owners}
        self._cache: dict[tuple[str, tuple[str, ...]], list[ResolvedOwner]] = {}

    def _expand(self, written: str) -> str:
        return _AMPERSAND.sub(" and ", expand_aliases(written, self.aliases))

    def _owner(self, name: str, written: str = "") -> ResolvedOwner:
        key = owner_key(name)
        hinted = bool(_NATIONAL.search(written)) and not _REGIONAL.search(written)
        national = key in self._national or hinted
        return ResolvedOwner(name=name, key=key, region="" if national else self.region)

    def resolve(self, written: str, *, pdus: Sequence[str] = ()) -> list[ResolvedOwner]:
        """Resolve one owner as written; a generic "Head of PDU" names the head of each PDU in `pdus`."""
        cache_key = (written, tuple(pdus))
        found = self._cache.get(cache_key)
        if found is None:
            name = self._expand(written)
            if pdus and _GENERIC_HEAD.match(name):
                found = [self._owner(f"Head of {pdu}") for pdu in pdus]
            else:
                found = [self._owner(name, written)]
            self._cache[cache_key] = found
        return found
