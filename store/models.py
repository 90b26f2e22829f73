"""The tables: plans, addressees, recommendations, actions, owners, occurrences and the change history.

Plans, addressees, recommendations, actions and history events each carry a `uid` (a UUID as text):
their identity in files and on other machines. Integer ids are this database's own.

Derived values (deadline, recurrence, owner links) are computed when a plan is saved, so reads
never parse prose. Nothing is ever deleted: a withdrawn action is flagged, a change is a new row.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from store.identity import new_uid
from store.kinds import AddresseeKind, Agreement, ChangeKind
from store.owners import owner_label
from store.targets import Status, TargetKind

__all__ = [
    "Action",
    "ActionOwner",
    "Addressee",
    "AddresseeKind",
    "Agreement",
    "Change",
    "ChangeKind",
    "Checkpoint",
    "LoginRole",
    "Meta",
    "Occurrence",
    "Owner",
    "Plan",
    "Recommendation",
    "Status",
    "SyncState",
    "TargetKind",
]


def _stored(enum: type[StrEnum]) -> SAEnum:
    """Store an enum as its value ('not_started'), readable in plain SQL, checked by SQLite."""
    return SAEnum(enum, values_callable=lambda members: [m.value for m in members], native_enum=False,
                  validate_strings=True, length=24)


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself (schema version)."""

    key: str = Field(primary_key=True)
    value: str


class Plan(SQLModel, table=True):
    """One action plan: HMPPS's response to one inspection."""

    id: str = Field(primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)  # stable across files and machines
    title: str
    region: str = Field(index=True)
    inspection: str = ""
    report_published: date | None = None
    plan_submitted: date | None = None
    source: str = ""
    notes: str = ""
    aliases: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    national_owners: list[str] = Field(default_factory=list, sa_type=JSON)
    organisation: str = ""  # '' : the Probation Service of the region
    # When the plan's content (its text, records, targets: not statuses) last changed, on this
    # database's own clock (store.edits stamps it): sync sends and receives plans edited since it last did.
    edited: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Addressee(SQLModel, table=True):
    """Who a group of recommendations is addressed to: a PDU, the region, HMPPS, a provider."""

    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    plan_id: str = Field(foreign_key="plan.id", index=True)
    position: int
    name: str
    kind: AddresseeKind = Field(sa_type=_stored(AddresseeKind))
    rating: str = ""


class Recommendation(SQLModel, table=True):
    """A recommendation of the inspectorate and HMPPS's agreement with it."""

    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    plan_id: str = Field(foreign_key="plan.id", index=True)
    addressee_id: int = Field(foreign_key="addressee.id", index=True)
    position: int
    number: str
    text: str
    agreement: Agreement = Field(sa_type=_stored(Agreement))
    reason: str = ""
    inferred: bool = False
    note: str = ""
    withdrawn: bool = False


# An action not complete, as a partial index's condition: SQLite uses such an index for a statement that tests
# `action.status != <complete>` at its top level (a bound parameter counts as its value).
OPEN_ACTION = f"status != '{Status.COMPLETE.value}'"


class Action(SQLModel, table=True):
    """One action of a plan, with its target as written and as read."""

    __table_args__ = (
        Index("ix_action_due", "withdrawn", "status", "deadline"),
        Index("ix_action_recurring", "withdrawn", "status", "every_months"),
        Index("ix_action_rec", "recommendation_id", "position"),
        # every column the counts, ratings and date filters read of an action, by plan: counting everyone's actions
        # reads this index alone, not the actions' rows with their text
        Index("ix_action_counts", "plan_id", "withdrawn", "status", "deadline", "every_months", "start_month"),
        # the same columns of the open actions alone (about a quarter of them): everyone's counts under a filter that
        # keeps open actions only, and the due and overdue lists, read these instead of every action
        Index("ix_action_open", "plan_id", "withdrawn", "status", "deadline", "every_months", "start_month",
              sqlite_where=text(OPEN_ACTION), postgresql_where=text(OPEN_ACTION)),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)
    plan_id: str = Field(foreign_key="plan.id", index=True)
    recommendation_id: int = Field(foreign_key="recommendation.id")
    position: int
    ref: str
    reference: str = Field(unique=True)
    text: str
    owners_written: list[Any] = Field(default_factory=list, sa_type=JSON)  # strings, or tables (role + holders)
    owners_display: str = ""
    target: str
    target_kind: TargetKind = Field(sa_type=_stored(TargetKind))
    deadline: date | None = None
    start: date | None = None
    start_month: int | None = None
    every_months: int | None = None
    recurrence: str | None = None
    caveat: str | None = None
    target_reading: str = ""
    status: Status = Field(default=Status.NOT_STARTED, sa_type=_stored(Status))
    note: str = ""
    progress: str = ""  # what plans of other bodies print beside an action: a progress update,
    completed: str = ""  # a completion date
    review: str = ""  # and a review date, as printed
    withdrawn: bool = False
    version: int = 0


class Owner(SQLModel, table=True):
    """A role that owns actions, scoped to a region unless it is national (region ''), and to an
    organisation unless it is the Probation Service's (organisation '')."""

    __table_args__ = (UniqueConstraint("key", "region"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    key: str = Field(index=True)  # store.owners.scoped_key: the organisation is part of it
    region: str = ""
    organisation: str = ""

    @property
    def label(self) -> str:
        """The name with its organisation or region, as people pick it."""
        return owner_label(self.name, self.region, self.organisation)


class ActionOwner(SQLModel, table=True):
    """Links an action to each of its owners."""

    __table_args__ = (Index("ix_action_owner_owner", "owner_id", "action_id"),)

    action_id: int = Field(foreign_key="action.id", primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", primary_key=True)
    position: int = 0


class Checkpoint(SQLModel, table=True):
    """A further dated milestone of an action's target ("April 19 with checkpoint Sept 19"): it is due
    in its month and ticked off like an occurrence (an Occurrence row for its month)."""

    __table_args__ = (Index("ix_checkpoint_due", "due", "action_id"),)

    action_id: int = Field(foreign_key="action.id", primary_key=True)
    due: date = Field(primary_key=True)


class Occurrence(SQLModel, table=True):
    """Whether one period's occurrence of a recurring action is ticked off."""

    # an action's periods ticked off: a missed-period test counts them in this index alone, without reading each
    # occurrence's row for `done`
    __table_args__ = (Index("ix_occurrence_done", "action_id", "done", "period"),)

    action_id: int = Field(foreign_key="action.id", primary_key=True)
    period: str = Field(primary_key=True)
    done: bool = True


class Change(SQLModel, table=True):
    """One row of history: a status change, a tick, a note, an undo, a revised target, a plan closed or
    reopened. Never updated or deleted."""

    __table_args__ = (Index("ix_change_action", "action_id", "id"), Index("ix_change_kind", "kind", "action_id"))

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True)  # the event's identity: merges are keyed by it
    action_id: int = Field(foreign_key="action.id")
    at: datetime
    by: str
    kind: ChangeKind = Field(sa_type=_stored(ChangeKind))
    from_status: Status | None = Field(default=None, sa_type=_stored(Status))
    to_status: Status | None = Field(default=None, sa_type=_stored(Status))
    period: str | None = None
    note: str = ""
    undoes_id: int | None = Field(default=None, foreign_key="change.id")
    from_target: str | None = None  # for a target change: the target as written before and after
    to_target: str | None = None
    # Where the event was made: a laptop's machine id, or LOGIN@HOST on a server ('' : not known, as
    # for events from files written before origins were kept).
    origin: str = Field(default="", sa_column_kwargs={"server_default": ""})


class SyncState(SQLModel, table=True):
    """A laptop's sync with one server: how far each way has gone, and when it last completed.

    `pushed_upto` is the highest local history row id the server is known to hold; `pulled_upto` the
    highest server history row id this database is known to hold; `edits_pushed` and `edits_pulled`
    the same for plans' content edit stamps (Plan.edited). Each moves only after the commit it
    records, so a sync cut short anywhere resumes from where it stood. `refused_changes` (uids of local
    history events) and `refused_plans` (uids of plans whose content) the server refused this login:
    kept here and offered again at every sync."""

    server: str = Field(primary_key=True)  # the server's URL, without any password
    pushed_upto: int = 0
    pulled_upto: int = 0
    last_sync: datetime | None = None
    edits_pushed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    edits_pulled: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    refused_changes: list[str] = Field(default_factory=list, sa_type=JSON, sa_column_kwargs={"server_default": "[]"})
    refused_plans: list[str] = Field(default_factory=list, sa_type=JSON, sa_column_kwargs={"server_default": "[]"})


class LoginRole(SQLModel, table=True):
    """On a shared server: a database login and an owner role it holds (the region's lead keeps this
    table with `actiontrack logins`); the server lets a login change only its roles' actions."""

    login: str = Field(primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", primary_key=True)
