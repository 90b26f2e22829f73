"""Stable identity: the UUIDs of plans, addressees, recommendations, actions and history events.

A record keeps its uid for life: exports write it, imports honour it, and a merge of two databases
(or, later, a sync) pairs records by it. A plan file without uids (hand-written, or a newly published
plan) gets uids derived from what names each record there (UUID version 5): the plan's id, an
addressee's name, a recommendation's number, an action's reference, an event's content. So two
machines that import the same file give its records the same uids, and an export made before uids
existed imports onto the records it came from.

A recommendation printed without a number (plans of councils and health trusts) is known by a
reference made from its words, `u` and seven hex digits (`unnumbered_ref`), in its actions' references
and uids as a number would be; a file keeps it through a rewording by giving it as `ref`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import sha1

# The root of every derived uid (itself derived from the project's name, so it never changes).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "actiontrack:identity")

UID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def new_uid() -> str:
    """A fresh random uid, for a record made here (a status change, a note)."""
    return str(uuid.uuid4())


@lru_cache(maxsize=1024)  # an action's events are derived one after another from its uid
def _space(uid: str) -> bytes:
    """A uid's 16 bytes (uuid.UUID(uid).bytes of a well-formed uid, without building the object)."""
    space = bytes.fromhex(uid.replace("-", ""))
    if len(space) != 16:
        raise ValueError(f"not a uid: {uid!r}")
    return space


# The first hex digit of a UUID's clock_seq with the RFC 4122 variant bits set (10xx).
_VARIANT = {f"{n:x}": f"{(n & 0x3) | 0x8:x}" for n in range(16)}


def _uuid5(space: bytes, name: str) -> str:
    """str(uuid.uuid5(UUID(bytes=space), name)), without building UUID objects (a national import
    derives hundreds of thousands)."""
    return _as_uid(sha1(space + name.encode("utf-8")).hexdigest())


def _as_uid(h: str) -> str:
    """A SHA-1 hex digest as the text of the version 5 UUID it gives (its version and variant bits set)."""
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def plan_uid(plan_id: str) -> str:
    """The uid of a plan whose file gives none: derived from its short id."""
    return _uuid5(NAMESPACE.bytes, f"plan/{plan_id}")


def addressee_uid(plan: str, name: str) -> str:
    """The derived uid of an addressee of the plan with uid `plan` (names compare without case)."""
    return _uuid5(_space(plan), f"addressee/{name.casefold()}")


UNNUMBERED_REF = r"^u[0-9a-f]{7}$"
_UNNUMBERED = re.compile(UNNUMBERED_REF)


def unnumbered_ref(text: str, nth: int = 1) -> str:
    """The reference of a recommendation its document prints without a number: made from its words (case
    and spacing aside) and which occurrence of those words in the plan it is, so that every machine and
    every re-import of the same words gives the same one."""
    words = " ".join(text.split()).casefold()
    return "u" + sha1(f"recommendation/{nth}/{words}".encode()).hexdigest()[:7]


def is_unnumbered(number: str) -> bool:
    """Whether a recommendation's stored number is the reference of one printed without a number."""
    return _UNNUMBERED.match(number) is not None


def recommendation_uid(plan: str, number: str) -> str:
    """The derived uid of a recommendation, by its number in the plan."""
    return _uuid5(_space(plan), f"recommendation/{number}")


def action_uid(plan: str, number: str, ref: str) -> str:
    """The derived uid of an action, by its recommendation's number and its ref."""
    return _uuid5(_space(plan), f"action/{number}/{ref}")


def event_uid(action: str, content: str, nth: int = 1) -> str:
    """The derived uid of a history event of the action with uid `action`, from its content
    (`event_content`); `nth` tells apart events identical in every field."""
    return event_uids(action)(content, nth)


def event_uids(action: str) -> Callable[[str, int], str]:
    """event_uid of the action with uid `action`, for its events one after another: the action's part
    of the hash is taken once, not once per event."""
    copy = sha1(_space(action) + b"event/").copy

    def derive(content: str, nth: int = 1) -> str:
        h = copy()
        h.update(f"{nth}/{content}".encode())
        return _as_uid(h.hexdigest())

    return derive


def event_content(at: str, by: str, kind: str, from_status: str | None, to_status: str | None,
                  period: str | None, note: str, from_target: str | None = None,
                  to_target: str | None = None) -> str:
    """What tells a history event from another of the same action: every field, the time to the
    microsecond (as `utc_text` writes it), the statuses before and after included."""
    return (f"{at}\x1f{by}\x1f{kind}\x1f{from_status or ''}\x1f{to_status or ''}\x1f{period or ''}\x1f{note}"
            f"\x1f{from_target or ''}\x1f{to_target or ''}")



def as_utc(moment: datetime) -> datetime:
    """The moment in UTC (a naive one is taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_text(moment: datetime) -> str:
    """A datetime as the database stores it (UTC, 'YYYY-MM-DD HH:MM:SS.ffffff', as sqlmodel writes it)."""
    if moment.utcoffset():  # an offset other than UTC's (a naive time is taken as UTC already)
        moment = as_utc(moment)
    # isoformat(" ", "microseconds") without its offset, written at about a third of its cost (a national import
    # writes hundreds of thousands, with rtoml's offset asked for again by isoformat)
    return _STORED_TIME % (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                           moment.microsecond)


_STORED_TIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
