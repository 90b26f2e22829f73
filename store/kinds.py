"""The stored words of a recommendation's agreement, an addressee's kind and a history row's kind
(the status and target kinds are in `store.targets`); free of any database library."""

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
