"""The columns of a report's action rows, shared by every format, and the one rule that keeps text inert.

The CSV's column names are the `key`s below: they are stable, and documented in the README.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter

from store.reports.content import ReportAction
from store.text import is_visible, status_word, visible

Cell = str | int | date | datetime | None


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its stable key, its heading, its value for an action, and a width in characters."""

    key: str
    heading: str
    value: Callable[[ReportAction], Cell]
    width: int
    kind: str = "text"  # text (always a str), date, number or moment (each may be None)


COLUMNS: tuple[Column, ...] = (
    Column("plan", "Plan", lambda a: a.plan_id, 12),
    Column("addressee", "Addressee", lambda a: a.addressee, 20),
    Column("recommendation", "Rec", lambda a: a.recommendation, 6),
    Column("reference", "Ref", lambda a: a.reference, 16),
    Column("action", "Action", lambda a: a.text, 60),
    Column("owners", "Owners", lambda a: a.owners, 28),
    Column("agreement", "Agreement", lambda a: a.agreement, 14),
    Column("agreement_reason", "Reason (partly / not agreed)", lambda a: a.agreement_reason, 30),
    Column("target", "Original target", lambda a: a.target, 20),
    Column("target_reading", "Read as", lambda a: a.target_reading, 22),
    Column("revised_target", "Revised target", lambda a: a.revised_target, 18),
    Column("revision_reason", "Revision reason", lambda a: a.revision_reason, 24),
    Column("deadline", "Deadline", lambda a: a.deadline, 11, "date"),
    Column("status", "Status", lambda a: status_word(a.status), 11),
    Column("rag", "RAG", lambda a: a.rag.value, 9),
    Column("days_overdue", "Days overdue", lambda a: a.days_overdue, 8, "number"),
    Column("missed_periods", "Missed periods", lambda a: " ".join(a.missed), 16),
    Column("last_changed_at", "Last change", lambda a: a.last_changed_at, 17, "moment"),
    Column("last_changed_by", "Changed by", lambda a: a.last_changed_by, 14),
    Column("latest_evidence", "Latest evidence", lambda a: a.evidence, 40),
)

# The RAG colours of every printed report (Excel's own "bad / neutral / good" fills and inks); the word
# is always printed too, so a report reads in black and white.
RAG_FILL = {"red": "#FFC7CE", "amber": "#FFEB9C", "green": "#C6EFCE", "complete": "#DDEBF7"}
RAG_INK = {"red": "#9C0006", "amber": "#7F6000", "green": "#006100", "complete": "#1F3864"}

# What a spreadsheet reads as the start of a formula (or of a command, in old versions of Excel).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Plan or user text as every report shows it: control characters made visible. The same function, not a
# wrapper around it: a national report shows a few million texts.
shown = visible


def guarded(text: str) -> str:
    """Shown text that a spreadsheet will show as text, never run: one that could start a formula gets a leading
    apostrophe, which Excel and LibreOffice read as "this cell is text" (OWASP's advice for CSV)."""
    return "'" + text if text.startswith(FORMULA_START) else text


_VALUES = tuple(column.value for column in COLUMNS)
_TEXTS = itemgetter(*(i for i, column in enumerate(COLUMNS) if column.kind == "text"))


def row_values(action: ReportAction) -> list[Cell]:
    """An action's value in each column, as stored."""
    return [value(action) for value in _VALUES]


def texts(values: list[Cell]) -> str:
    """The text cells of a row joined by line breaks: a whole row looked at once, which a national report's
    1.7 million texts need (a break is plain text to `shown`, and starts a line as the row's start does)."""
    return "\n".join(_TEXTS(values))


def shown_values(values: list[Cell]) -> list[Cell]:
    """The values with their text shown as every report shows it (`values` itself when no text needs it)."""
    if is_visible(texts(values)):  # nothing to replace
        return values
    return [shown(value) if isinstance(value, str) else value for value in values]
