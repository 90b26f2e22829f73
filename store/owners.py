"""Owners: turning the roles a plan writes ("Head of M/C N PDU", "HoP&Q", "BM") into the roles they name.

An owner is a role scoped by organisation and place: the same title in two organisations (a 2019
CRC and today's Probation Service) or two regions is two owners; a PDU-level role ("Business
Manager", "SPOs", "Head of PDU") written in a PDU's section, or with its PDU named, is that PDU's
holder; a plural role ("Heads of PDU") is every holder in scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from store.patterns import LazyPattern

# Characters that show as nothing: zero-width space/joiners, word joiner, invisible operators,
# byte-order mark, soft hyphen, Mongolian vowel separator. A name holding them looks like another.
# A str.translate table that drops them (a regular expression of them takes longer to compile than
# the CLI's `due` takes to match an owner among thousands). None is ASCII: ASCII text skips the table.
_INVISIBLE = dict.fromkeys((0x00AD, 0x180E, *range(0x200B, 0x200E), *range(0x2060, 0x2065), 0xFEFF))


def _visible_only(text: str) -> str:
    return text if text.isascii() else text.translate(_INVISIBLE)


_AMPERSAND = LazyPattern(r"\s+&\s+")
_ANY_AMPERSAND = LazyPattern(r"\s*&\s*")
_GENERIC_HEAD = LazyPattern(r"^(?:the\s+)?(?:head\s+of\s+(?:the\s+)?pdu|pdu\s+head)$", re.IGNORECASE)
_PLURAL_HEAD = LazyPattern(r"^(?:the\s+|all\s+)?(?:heads\s+of\s+(?:the\s+)?pdus?|pdu\s+heads)$", re.IGNORECASE)
# Roles held in each PDU (a PDU has its own business manager and senior probation officers). The plural
# forms mean every holder in scope; the singular ones the holder of each PDU in scope.
_PDU_ROLE = LazyPattern(
    r"^(?:the\s+)?(?:pdu\s+)?(?P<role>business\s+managers?|senior\s+probation\s+officers?|spos?"
    r"|(?:spo|senior\s+probation\s+officer)\s+complaints\s+lead|pdu\s+management\s+team|management\s+team)$",
    re.IGNORECASE,
)
_ALL = LazyPattern(r"^all\s+(?:the\s+)?(.+s)$", re.IGNORECASE)
_PLURAL_ROLE = LazyPattern(r"(?:s|team)$", re.IGNORECASE)
# Words that mark a role as national (it spans regions) when the plan does not say so. They are
# looked for in the owner as written: an alias may expand "NPS NE" to "National Probation Service
# North East", a regional role. A role that calls itself regional stays regional.
_NATIONAL = LazyPattern(r"\b(HMPPS|MoJ|Ministry of Justice|National|Probation Workforce Programme)\b")
_REGIONAL = LazyPattern(r"\bregion(?:al)?\b", re.IGNORECASE)

NEAR_DUPLICATE_RATIO = 0.9


class ResolvedOwner(NamedTuple):
    """A role as resolved: its name, its matching key, its region ('' when national) and its
    organisation ('' for the Probation Service of the region)."""

    name: str
    key: str
    region: str
    organisation: str = ""

    def __reduce__(self) -> tuple[type[ResolvedOwner], tuple[str, str, str, str]]:
        # An import's reading processes hand owners to the writer: pickled as a call with their fields, about
        # twice as fast as a named tuple's own way (copyreg's __newobj__ and __getnewargs__)
        return (ResolvedOwner, (self.name, self.key, self.region, self.organisation))


@lru_cache(maxsize=8192)  # a plan file names the same few roles on thousands of actions
def is_blank(written: str) -> bool:
    """Whether a name shows nothing: empty, spaces, or only invisible characters."""
    return not normalise_name(written)


def normalise_name(written: str) -> str:
    """An owner's name with invisible characters removed and any run of spaces (no-break too) as one."""
    # str.split() splits on exactly the characters `\s` matches in a str pattern (Unicode white space)
    return " ".join(_visible_only(written).split())


@lru_cache(maxsize=8192)
def owner_key(name: str) -> str:
    """The form two spellings of one role share: case, spacing, invisible characters and '&' / 'and'
    ignored."""
    name = _visible_only(name)
    if "&" in name:
        name = _ANY_AMPERSAND.sub(" and ", name)
    return " ".join(name.split()).casefold()


def scoped_key(name: str, organisation: str = "") -> str:
    """The stored key of an owner: its name's key, qualified by its organisation when it is not the
    Probation Service (the CRC's 'Head of Operations' is not today's)."""
    key = owner_key(name)
    return f"{key} @ {owner_key(organisation)}" if organisation else key


def owner_label(name: str, region: str, organisation: str = "") -> str:
    """An owner as people pick it: 'Head of Tameside PDU (Greater Manchester)',
    'Head of Operations (Cheshire and Greater Manchester CRC)', 'Deputy Director, ... (national)', and an
    owner that is an organisation 'MPS (organisation)'."""
    if organisation and organisation == name:
        return f"{name} (organisation)"
    return f"{name} ({organisation or region or 'national'})"


def written_owner(stored: str | Mapping[str, object]) -> str:
    """An owner as the plan printed it, from what is stored: a string, or a table of role and holders
    ('Operations Managers (SF, CD)') or of an organisation."""
    if isinstance(stored, str):
        return stored
    if "organisation" in stored:
        return str(stored["organisation"])
    holders = stored.get("holders") or []
    role = str(stored.get("role", ""))
    return f"{role} ({', '.join(map(str, holders))})" if holders else role  # type: ignore[call-overload]


@lru_cache(maxsize=256)
def _alias_pattern(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keys:
        return None
    ordered = sorted(keys, key=len, reverse=True)
    alternatives = "|".join(re.escape(k) for k in ordered)
    return re.compile(rf"(?<![\w&/])(?:{alternatives})(?![\w&/])")


def expand_aliases(written: str, aliases: Mapping[str, str]) -> str:
    """Replace each abbreviation the plan defines, wherever it stands as a whole word."""
    text = normalise_name(written)
    if not aliases:
        return text
    if text in aliases:
        return aliases[text]
    pattern = _alias_pattern(tuple(aliases))
    assert pattern is not None
    return pattern.sub(lambda m: aliases[m.group(0)], text)


_PDU_NOTE = LazyPattern(r"\(([^()]*?\bPDU)\)")
# Where a list of PDUs splits: after a name ending in "PDU", at a comma, "and" or "&". Only there: the
# names themselves hold them ("Bury and Rochdale PDU", "Redcar, Cleveland and Middlesbrough PDU").
_PDU_LIST = LazyPattern(r"(?<=\bPDU)(?:\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+)", re.IGNORECASE)


def pdus_addressed(addressee: str, addressee_kind: str, recommendation_text: str = "") -> list[str]:
    """The PDUs a recommendation's section is about, whose holders its PDU-level roles name.

    A PDU addressee names one PDU or several ("Knowsley & St Helens PDU and Liverpool North PDU",
    "Bury and Rochdale PDU and Oldham PDU": a list splits only after a name ending in "PDU");
    a recommendation to the region notes the PDUs it came from: "... (Cheshire West PDU) and ...
    (Cumbria PDU)".
    """
    if addressee_kind == "pdu":
        parts = [p.strip() for p in _PDU_LIST.split(addressee) if p.strip()]
        if len(parts) > 1 and all(p.casefold().endswith("pdu") for p in parts):
            return parts
        return [addressee if addressee.casefold().endswith("pdu") else f"{addressee} PDU"]
    found: dict[str, None] = {}
    for note in _PDU_NOTE.finditer(recommendation_text):
        parts = [p.strip() for p in _PDU_LIST.split(note.group(1)) if p.strip()]
        if all(p.casefold().endswith("pdu") for p in parts):
            found.update(dict.fromkeys(parts))
    return list(found)


def plan_pdus(addressees: Iterable[tuple[str, str]]) -> list[str]:
    """Every PDU a plan covers, from its (name, kind) addressees, in plan order."""
    found: dict[str, None] = {}
    for name, kind in addressees:
        if kind == "pdu":
            found.update(dict.fromkeys(pdus_addressed(name, kind)))
    return list(found)


@lru_cache(maxsize=1024)
def _place_patterns(pdus: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    places = ((pdu, re.sub(r"\s+PDU$", "", pdu, flags=re.IGNORECASE)) for pdu in pdus)
    return tuple((pdu, re.compile(rf"(?<!\w){re.escape(place)}(?!\w)")) for pdu, place in places)


def pdus_named(text: str, pdus: Sequence[str]) -> list[str]:
    """The plan's PDUs that `text` names ("... Wigan children's social care ...": Wigan PDU)."""
    return [pdu for pdu, pattern in _place_patterns(tuple(pdus)) if pattern.search(text)]


def section_pdus(addressee: str, addressee_kind: str, recommendation_text: str, covered: Sequence[str]) -> list[str]:
    """The PDUs a recommendation is about: its section's, else those it names (of the PDUs the plan covers)."""
    return pdus_addressed(addressee, addressee_kind, recommendation_text) or pdus_named(recommendation_text, covered)


class OwnerResolver:
    """Resolves the owners written in one plan: its aliases, region, organisation, PDUs and national roles."""

    def __init__(
        self, *, aliases: Mapping[str, str], region: str, national_owners: Sequence[str] = (),
        organisation: str = "", pdus: Sequence[str] = (), roles: Callable[[], Iterable[str]] = tuple,
    ) -> None:
        self.aliases = dict(aliases)
        self.region = region
        self.organisation = normalise_name(organisation)
        self.pdus = list(pdus)
        self._expanded: dict[str, str] = {}
        self._national = {owner_key(self._expand(n)) for n in national_owners}
        # `roles` gives the roles the plan writes: a plural ("Community Directors") whose one holder the plan
        # also names ("Community Director") means every holder of that role. Looked at once, when a plural
        # is first met.
        self._written_roles = roles
        self._roles: dict[str, str] | None = None
        self._cache: dict[tuple[str, tuple[str, ...]], list[ResolvedOwner]] = {}

    def _expand(self, written: str) -> str:
        found = self._expanded.get(written)
        if found is None:
            found = self._expanded[written] = _AMPERSAND.sub(" and ", expand_aliases(written, self.aliases))
        return found

    def _owner(self, name: str, written: str = "") -> ResolvedOwner:
        hinted = bool(_NATIONAL.search(written)) and not _REGIONAL.search(written)
        national = owner_key(name) in self._national or hinted
        # HMPPS and the Ministry of Justice are one body before and after 2021: their roles belong to
        # no plan's organisation.
        organisation = "" if hinted else self.organisation
        return ResolvedOwner(name=name, key=scoped_key(name, organisation),
                             region="" if national else self.region, organisation=organisation)

    def resolve_entry(self, entry: str | Mapping[str, object], *, pdus: Sequence[str] = ()) -> list[ResolvedOwner]:
        """Resolve an owner as the plan file gives it: a string (`resolve`), a role with its holders
        (the role is the owner: holders are who hold it), or an organisation (an owner of its own)."""
        if isinstance(entry, str):
            return self.resolve(entry, pdus=pdus)
        if "organisation" in entry:
            name = normalise_name(str(entry["organisation"]))
            return [ResolvedOwner(name=name, key=scoped_key(name, name), region=self.region, organisation=name)]
        return self.resolve(str(entry["role"]), pdus=pdus)

    def resolve(self, written: str, *, pdus: Sequence[str] = ()) -> list[ResolvedOwner]:
        """Resolve one owner as written, where `pdus` are the PDUs in scope (its section's PDUs, else those the
        recommendation or the action names).

        "Head of PDU" names the head of each PDU in scope; "Heads of PDU" those, else the head of every
        PDU the plan covers; a PDU-level role ("BM", "SPOs") is each PDU's holder (a plural one, with no
        PDU in scope, every PDU's).
        """
        cache_key = (written, tuple(pdus))
        found = self._cache.get(cache_key)
        if found is None:
            found = self._cache[cache_key] = self._resolve(written, list(pdus))
        return found

    def _plain(self, written: str) -> str:
        """A role as written, abbreviations expanded and any 'All' dropped."""
        name = self._expand(written)
        every = _ALL.match(name)
        return name if every is None else every.group(1)  # "All Community Directors" are the Community Directors

    def _holder(self, name: str) -> str:
        """The one-holder form of a plural role the plan also names so ("Community Directors": the
        "Community Director"), else the role itself."""
        key = owner_key(name)
        if not key.endswith("s"):
            return name
        if self._roles is None:
            self._roles = {owner_key(role): role for role in map(self._plain, set(self._written_roles()))}
        for suffix in ("s", "es"):
            if (single := self._roles.get(key[: -len(suffix)])) is not None:
                return single
        return name

    def _resolve(self, written: str, pdus: list[str]) -> list[ResolvedOwner]:
        name = self._plain(written)
        if _PLURAL_HEAD.match(name):
            return [self._owner(f"Head of {pdu}") for pdu in (pdus or self.pdus)] or [self._owner(name)]
        if pdus and _GENERIC_HEAD.match(name):
            return [self._owner(f"Head of {pdu}") for pdu in pdus]
        role = _PDU_ROLE.match(name)
        if role is not None:
            words = role.group("role")
            holders = pdus or (self.pdus if _PLURAL_ROLE.search(words) else [])
            if holders:
                return [self._owner(f"{pdu} {words}") for pdu in holders]
        return [self._owner(self._holder(name), written)]


def near_duplicates(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of owner names that differ so little they are likely one role spelt two ways
    ("Regional Equality Lead" / "Regional Equalities Lead"); names that differ only in the PDU they
    name are not near-duplicates."""
    from difflib import SequenceMatcher  # not at import: reading commands never compare names

    unique = sorted({owner_key(n): n for n in names}.items())
    pairs = []
    for i, (key_a, a) in enumerate(unique):
        for key_b, b in unique[i + 1:]:
            if _only_place_differs(key_a, key_b) or _one_and_all(key_a, key_b):
                continue
            alike = SequenceMatcher(None, key_a, key_b).ratio() >= NEAR_DUPLICATE_RATIO
            if alike or _letters(key_a) == _letters(key_b):
                pairs.append((a, b))
    return pairs


def _letters(key: str) -> str:
    return re.sub(r"[^\w]", "", key)


_PLACE = LazyPattern(r"\b[\w &'-]+ pdu\b")


def _only_place_differs(a: str, b: str) -> bool:
    """'head of tameside pdu' / 'head of wigan pdu': two PDUs' holders of one role."""
    return "pdu" in a and "pdu" in b and _PLACE.sub("PDU", a) == _PLACE.sub("PDU", b)


def _one_and_all(a: str, b: str) -> bool:
    """'community director' / 'community directors': one holder, and all of them."""
    return b in (f"{a}s", f"{a}es") or a in (f"{b}s", f"{b}es")


_SCOPE = LazyPattern(r"\s*\([^()]*\)\s*$")


def closest_names(wanted: str, names: Sequence[str], limit: int = 3) -> list[str]:
    """The names most like `wanted`, best first, for a 'did you mean' (by key, so case and spacing
    do not count; a label's '(scope)' counts only when `wanted` names one)."""
    from difflib import get_close_matches

    scoped = "(" in wanted
    keyed = {owner_key(n if scoped else _SCOPE.sub("", n)): n for n in names}
    target = owner_key(wanted)
    hits = get_close_matches(target, list(keyed), n=limit, cutoff=0.6)
    contained = [k for k in keyed if target and target in k and k not in hits]
    return [keyed[k] for k in [*hits, *contained][:limit]]
