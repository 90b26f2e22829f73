"""What a published plan's table holds (rows of cells) and the draft made from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store.errors import StoreError

CHECK = "check: "
REC_NUMBER = re.compile(r"^\d[A-Za-z0-9.\-]{0,15}$")  # what a Rec No cell holds: 1, 12, 3a, 1.2


def check_note(checks: list[str]) -> str:
    """'check: ' and the checks as sentences; '' when there are none."""
    if not checks:
        return ""
    return CHECK + " ".join([checks[0], *(c[:1].upper() + c[1:] for c in checks[1:])])


class DraftError(StoreError):
    """The document cannot be drafted from; nothing was written."""


@dataclass
class Paragraph:
    """One paragraph of a response cell, with the bullet list that belongs to it."""

    text: str
    bullets: list[str] = field(default_factory=list)
    opens: bool = True  # False: the text goes on from the paragraph before (cut by a page break)
    was_bullet: bool = False  # a bullet made an action of its own (bullets seldom end in a full stop)

    def render(self) -> str:
        """The paragraph as plan-file text: bullets as lines starting with '• '."""
        lines = [self.text] if self.text else []
        lines += [f"• {bullet}" for bullet in self.bullets]
        return "\n".join(lines)


@dataclass
class Row:
    """One row of the action table as printed (a page break starts a new row)."""

    number: str
    recommendation: list[Paragraph]
    agreement: str
    response: list[Paragraph]
    owners: list[str]
    targets: list[str]
    place: str  # where it is in the document, for notes and errors
    heading: str = ""  # an addressee heading row ("Cheshire West PDU should:")


@dataclass
class Document:
    """A published plan read into lines before the table, the table's rows and lines after it."""

    cover: list[str]
    rows: list[Row]
    tail: list[str]
    table_found: bool = True  # False: no table with the template's header


@dataclass
class DraftAction:
    """An action as drafted; `checks` say what a person must look at."""

    text: str
    owners: list[str]
    target: str
    ref: str | None = None
    checks: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        return check_note(self.checks)


@dataclass
class DraftRecommendation:
    """A recommendation as drafted, with its actions."""

    number: str
    text: str
    agreement: str
    reason: str = ""
    inferred: bool = False
    checks: list[str] = field(default_factory=list)
    actions: list[DraftAction] = field(default_factory=list)


@dataclass
class DraftAddressee:
    """Whom the recommendations under one heading ("Tameside PDU should:") are addressed to."""

    name: str
    kind: str
    recommendations: list[DraftRecommendation] = field(default_factory=list)


@dataclass
class Draft:
    """A plan file in the making: header fields, aliases, addressees; uncertain readings noted."""

    plan: dict[str, object]
    aliases: dict[str, str]
    addressees: list[DraftAddressee]
    plan_checks: list[str] = field(default_factory=list)

    def actions(self) -> list[DraftAction]:
        """Every action, in document order."""
        return [a for ad in self.addressees for r in ad.recommendations for a in r.actions]

    def to_check(self) -> int:
        """How many actions carry a check note."""
        return sum(1 for a in self.actions() if a.checks)
