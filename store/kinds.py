"""The stored words of an action's status and target kind, a recommendation's agreement, an addressee's
kind and a history row's kind; free of any database library (and of the target reader, which a reading
command does not need)."""

from __future__ import annotations

from enum import StrEnum


class Agreement(StrEnum):
    """HMPPS's answer to a recommendation."""

    AGREED = "agreed"
    PARTLY_AGREED = "partly_agreed"
    NOT_AGREED = "not_agreed"
    NOT_STATED = "not_stated"  # plans of other bodies often have no agreement column


class AddresseeKind(StrEnum):
    """Who a recommendation is addressed to."""

    PDU = "pdu"
    REGION = "region"
    NATIONAL = "national"
    PROVIDER = "provider"
    OTHER = "other"


class ChangeKind(StrEnum):
    """What a history row records."""

    STATUS = "status"
    TICK = "tick"
    UNTICK = "untick"
    NOTE = "note"
    UNDO = "undo"
    TARGET = "target"  # a revision of the plan changed the action's target (from_target -> to_target)
    CLOSE = "close"  # the action's plan was closed (signed off): one row on each of its actions
    REOPEN = "reopen"  # the action's plan was opened again


class TargetKind(StrEnum):
    """How a target date reads."""

    ONE_OFF = "one-off"
    RECURRING = "recurring"
    COMPLETE = "complete"
    COMPLETE_RECURRING = "complete-recurring"
    ONGOING = "ongoing"
    DEADLINE_ONGOING = "deadline-ongoing"  # due by a date, then continuing ("September 2019 and on-going")
    PERIOD = "period"
    UNREADABLE = "unreadable"


class Status(StrEnum):
    """Progress of an action."""

    NOT_STARTED = "not_started"
    ONGOING = "ongoing"
    COMPLETE = "complete"
