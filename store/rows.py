"""The plain rows the store's reads return: tree nodes, action rows, details, owners (the action rows are
made in `store.lists` and the owners in `store.owner_count`, apart so that a list can be printed without making
the rest).

They hold values only and import no database library, so both ways of reading (sqlmodel in
`store.queries`, the stored SQL run by `store.fastread`) return the same types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from store.kinds import Status
from store.lists import ActionRow as ActionRow
from store.owner_count import OwnerCount as OwnerCount
from store.rag import Rag
from store.text import status_word

When = Literal["overdue", "due", "missed"]
WHEN_WORDS: dict[When, str] = {"overdue": "overdue", "due": "due this month", "missed": "missed a period"}
Order = Literal["plan", "due"]


@dataclass(frozen=True, slots=True)
class View:
    """What the user is looking at: one owner's actions or everyone's, filters, and the order of a
    recommendation's actions."""

    owner_id: int | None = None
    hide_complete: bool = False
    search: str = ""
    status: Status | None = None  # only actions of this status
    when: When | None = None  # only overdue ones, those due this month, or those that missed a period
    order: Order = "plan"  # a recommendation's actions in plan order (by reference) or by due date
    include_closed: bool = False  # closed plans too (store.closing)

    @property
    def filter_words(self) -> list[str]:
        """The status and date filters in words ('not started', 'overdue'), none when there are none."""
        words = [status_word(self.status)] if self.status is not None else []
        return words + ([WHEN_WORDS[self.when]] if self.when is not None else [])


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts under one node of the tree."""

    done: int
    total: int
    overdue: int  # red: past a deadline, or a period of a recurring duty missed
    amber: int = 0  # due this month or next, or revised more than once

    @property
    def label(self) -> str:
        """E.g. '3/5'."""
        return f"{self.done}/{self.total}"

    @property
    def rag(self) -> Rag:
        """The branch's rating: the worst of its actions' (store.rag.branch_rag, from the counts)."""
        if self.overdue:
            return Rag.RED
        if self.amber:
            return Rag.AMBER
        return Rag.COMPLETE if self.done == self.total else Rag.GREEN


@dataclass(frozen=True, slots=True)
class RegionNode:
    """A region and the progress of the actions in view under it."""

    region: str
    progress: Progress


@dataclass(frozen=True, slots=True)
class AddresseeNode:
    """An addressee of one plan (plans never mix)."""

    id: int
    name: str
    kind: str
    rating: str
    plan_id: str
    plan_year: str
    progress: Progress
    closed: bool = False  # its plan is closed (shown only when closed plans are)


@dataclass(frozen=True, slots=True)
class RecommendationNode:
    """A recommendation with its agreement."""

    id: int
    number: str
    text: str
    agreement: str
    inferred: bool
    progress: Progress


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One change of an action, for the detail pane and export."""

    id: int
    at: Any
    by: str
    kind: str
    from_status: str | None
    to_status: str | None
    period: str | None
    note: str
    undoes_id: int | None
    undone: bool
    from_target: str | None = None  # for a target revised by a new version of the plan
    to_target: str | None = None
    origin: str = ""  # where it was made, if not on this machine: another laptop's id, or LOGIN@HOST of a server


@dataclass(frozen=True, slots=True)
class Revision:
    """An action's target as first agreed and as revised since (empty when never revised)."""

    original: str
    revised: str = ""
    reason: str = ""
    count: int = 0


@dataclass(frozen=True, slots=True)
class ActionDetail:
    """Everything the detail pane shows of one action."""

    action: ActionRow
    plan_id: str
    plan_title: str
    region: str
    addressee: str
    recommendation_number: str
    recommendation_text: str
    agreement: str
    owners_written: list[str]
    caveat: str | None
    start: date | None
    recurrence: str | None
    note: str
    withdrawn: bool
    ticked: list[str] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    inferred: bool = False  # the recommendation's agreement is worked out, not printed
    progress: str = ""  # as printed by plans that have a progress column
    completed: str = ""
    review: str = ""
    checkpoints: list[date] = field(default_factory=list)
    revision: Revision | None = None  # the target first agreed and its revisions, if it was revised


@dataclass(frozen=True, slots=True)
class ViewTree:
    """Every level of a view at once: regions, then each level's nodes by their parent."""

    regions: list[RegionNode]
    addressees: dict[str, list[AddresseeNode]]  # by region
    recommendations: dict[int, list[RecommendationNode]]  # by addressee id
    actions: dict[int, list[ActionRow]]  # by recommendation id


@dataclass(frozen=True, slots=True)
class RecommendationDetail:
    """Everything the detail pane shows of one recommendation."""

    id: int
    number: str
    text: str
    agreement: str
    reason: str
    note: str
    inferred: bool
    addressee: str
    plan_id: str
    plan_title: str


@dataclass(frozen=True, slots=True)
class ActionPath:
    """Where an action sits in the tree."""

    region: str
    addressee_id: int
    recommendation_id: int
    action_id: int
