"""Sync: a laptop's SQLite database and the region's server exchange history events by uid.

One sync, each step its own transaction on one side, each idempotent:
1. plans the server lacks are sent whole (as an export of the plan, imported there);
2. for plans both hold, the history events written here since the last sync are sent: the server's
   own export of the plan, with these events added to its actions' history, is imported there;
3. plans and events the server has and this laptop lacks are received the same way, the other
   way round.
Every step goes through the import's change set (store.importing.plan_changes, then
store.applying.apply_changes): events merge as a set keyed by uid, an action's status and ticks are
derived from its whole merged history (the newest event wins), and an event already held is never
written twice. How far each way has gone is kept in `syncstate` (store.models.SyncState) and moved
only after the commit it records: a sync killed or cut off anywhere resumes on the next run, with
nothing lost and nothing doubled.

The server hands out history row ids under its write lock (store.server), so its ids grow in commit
order: "every server event above N" is exactly what this laptop has not yet received.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from store.applying import apply_changes
from store.db import Database
from store.errors import StoreError
from store.exporting import plan_document
from store.importing import plan_changes
from store.models import Action, Change, Plan, SyncState
from store.planfile import validate_plan


@dataclass(slots=True)
class SyncResult:
    """What one sync moved each way."""

    server: str
    plans_sent: int = 0
    plans_received: int = 0
    events_sent: int = 0
    events_received: int = 0
    not_allowed: int = 0  # local events of actions the server lets this login not change: kept here
    unknown: list[str] = field(default_factory=list)  # references of local actions the server's plan lacks

    def summary(self) -> str:
        """One line for the CLI and the screen."""
        parts = [f"sent {self.events_sent} change{'s' if self.events_sent != 1 else ''}",
                 f"received {self.events_received}"]
        if self.plans_sent:
            parts.append(f"{self.plans_sent} new plan{'s' if self.plans_sent != 1 else ''} sent")
        if self.plans_received:
            parts.append(f"{self.plans_received} new plan{'s' if self.plans_received != 1 else ''} received")
        line = f"synced with {self.server}: " + ", ".join(parts)
        if self.not_allowed:
            line += (f"; {self.not_allowed} change{'s' if self.not_allowed != 1 else ''} to actions your login "
                     "may not change were kept here, not sent")
        if self.unknown:
            line += f"; {len(self.unknown)} action{'s' if len(self.unknown) != 1 else ''} the server's plan lacks " \
                    f"kept here ({', '.join(self.unknown[:3])}{'…' if len(self.unknown) > 3 else ''})"
        return line


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the screen shows: the server, when the last sync completed, how many local changes wait."""

    server: str | None
    last_sync: datetime | None
    waiting: int


def sync_status(session: Session, server: str | None = None) -> SyncStatus:
    """The sync state with `server` (default: the server last synced with)."""
    query = select(SyncState)
    if server is not None:
        query = query.where(SyncState.server == server)
    state = session.execute(query.order_by(SyncState.last_sync.desc())).scalars().first()  # type: ignore[union-attr]
    pushed = state.pushed_upto if state is not None else 0
    waiting = int(session.execute(select(func.count()).select_from(Change).where(Change.id > pushed)).scalar_one())
    return SyncStatus(state.server if state else server, state.last_sync if state else None, waiting)


def _max_change(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(Change.id), 0))).scalar_one())


def _plans(session: Session) -> dict[str, str]:
    """Every plan's id by its uid."""
    return {uid: plan_id for uid, plan_id in session.execute(select(Plan.uid, Plan.id))}


def _plans_changed_after(session: Session, after: int, upto: int) -> set[str]:
    """The uids of the plans with history rows in (after, upto]."""
    return set(session.execute(
        select(Plan.uid).distinct().join(Action, Action.plan_id == Plan.id).join(Change, Change.action_id == Action.id)
        .where(Change.id > after, Change.id <= upto)).scalars())


def _import_document(session: Session, document: dict[str, Any], source: str, by: str) -> int:
    """Merge a plan document into the open write session through the import's change set; the
    number of history events it added."""
    changes = plan_changes(session, validate_plan(document, source), source=source, by=by)
    if not changes.certain:  # documents carry every uid: matching is never a guess
        raise StoreError(f"{source}: the plan does not match the stored one record for record; nothing was synced")
    return apply_changes(session, changes).history_added


def _actions(document: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for addressee in document.get("addressees", []):
        for rec in addressee.get("recommendations", []):
            yield from rec.get("actions", [])


def _with_events(base: dict[str, Any], extra: dict[str, Any], *, allowed: Callable[[str], bool],
                 result: SyncResult) -> dict[str, Any]:
    """`base` (one side's plan document) with the history events of `extra` (the other's) that it lacks
    added to the same actions, by uid."""
    by_uid = {a["uid"]: a for a in _actions(base)}
    for action in _actions(extra):
        events = action.get("history", [])
        if not events:
            continue
        target = by_uid.get(action["uid"])
        if target is None:
            result.unknown.append(action["ref"])
            continue
        have = {e["uid"] for e in target.get("history", [])}
        fresh = [e for e in events if e["uid"] not in have]
        if not fresh:
            continue
        if not allowed(action["uid"]):
            result.not_allowed += len(fresh)
            continue
        target["history"] = [*target.get("history", []), *fresh]
    return base


def _state(session: Session, server: str) -> SyncState:
    return session.get(SyncState, server) or SyncState(server=server)


def sync(local: Database, server: Database, *, by: str = "actiontrack",
         step: Callable[[str], None] | None = None) -> SyncResult:
    """Send this database's new plans and history events to `server`, receive its own, and record how
    far each way went. `step` is told of each step as it begins (progress; tests cut syncs there)."""
    key = server.where
    result = SyncResult(key)
    say = step or (lambda _: None)
    with local.read() as session:
        state = _state(session, key)
        pushed, pulled = state.pushed_upto, state.pulled_upto
        local_max = _max_change(session)
        local_plans = _plans(session)
        changed_here = _plans_changed_after(session, pushed, local_max)
    with server.read() as session:
        server_plans = _plans(session)

    # 1 and 2: send
    missing = sorted((plan_id, uid) for uid, plan_id in local_plans.items() if uid not in server_plans)
    for batch in _batches(local, missing):
        say(f"send plans {batch[0][0]}…")
        with server.write(exclusive=True) as session:
            before = _max_change(session)
            for plan_id, uid in batch:
                if session.execute(select(Plan.id).where(Plan.uid == uid)).scalar() is not None:
                    continue  # sent meanwhile (by another sync of this laptop)
                with local.read() as mine:
                    document = plan_document(mine, plan_id)
                result.events_sent += _import_document(session, document, f"{plan_id} from this laptop", by)
                result.plans_sent += 1
            pulled = _ours(session, pulled, before)
    for uid in sorted(changed_here & set(server_plans)):
        plan_id = local_plans[uid]
        say(f"send changes of {plan_id}")
        with local.read() as session:
            mine = plan_document(session, plan_id)
        with server.write(exclusive=True) as session:
            theirs = plan_document(session, server_plans[uid])
            refused = _refused(session, server_plans[uid])
            merged = _with_events(theirs, mine, allowed=lambda a, refused=refused: a not in refused, result=result)
            before = _max_change(session)
            result.events_sent += _import_document(session, merged, f"{plan_id} from this laptop", by)
            pulled = _ours(session, pulled, before)
    if local_max > pushed:
        with local.write() as session:
            row = _state(session, key)
            row.pushed_upto = max(row.pushed_upto, local_max)
            session.add(row)
        pushed = local_max

    # 3: receive
    with server.write(exclusive=True) as session:  # alone: every history row up to the max is committed
        server_max = _max_change(session)
        server_plans = _plans(session)
        changed_there = _plans_changed_after(session, pulled, server_max)
    wanted = [uid for uid in server_plans if uid not in local_plans] + sorted(changed_there & set(local_plans))
    for uid in wanted:
        plan_id = server_plans[uid]
        say(f"receive {plan_id}")
        with server.read() as session:
            document = plan_document(session, plan_id)
        with local.write() as session:
            if session.execute(select(Plan.id).where(Plan.uid == uid)).scalar() is None:
                result.plans_received += 1
            result.events_received += _import_document(session, document, f"{plan_id} from {key}", by)
    say("record")
    with local.write() as session:
        row = _state(session, key)
        # What was received was written here after `pushed`; if nothing of the user's came between
        # (we hold the write lock), it is on the server already: the next sync need not send it.
        if row.pushed_upto == pushed and _written_since(session, pushed) == result.events_received:
            row.pushed_upto = _max_change(session)
        row.pulled_upto = max(row.pulled_upto, server_max)
        row.last_sync = datetime.now(UTC)
        session.add(row)
    return result


SEND_BATCH_ACTIONS = 5000  # new plans sent in one server transaction: few commits, and a kill loses little


def _batches(local: Database, plans: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The plans (id, uid) in groups of about SEND_BATCH_ACTIONS actions."""
    if not plans:
        return []
    with local.read() as session:
        sizes = {plan_id: int(n) for plan_id, n in session.execute(
            select(Action.plan_id, func.count()).group_by(Action.plan_id))}
    batches: list[list[tuple[str, str]]] = [[]]
    held = 0
    for plan in plans:
        if batches[-1] and held + sizes.get(plan[0], 0) > SEND_BATCH_ACTIONS:
            batches.append([])
            held = 0
        batches[-1].append(plan)
        held += sizes.get(plan[0], 0)
    return batches


def _ours(session: Session, pulled: int, before: int) -> int:
    """How far this laptop holds the server's history once this push commits: if it held everything up
    to `before` (the server's max when the push began, under the lock), the rows the push wrote are its
    own, so it holds up to the new max; else as far as it did."""
    return _max_change(session) if before == pulled else pulled


def _written_since(session: Session, after: int) -> int:
    return int(session.execute(select(func.count()).select_from(Change).where(Change.id > after)).scalar_one())


def _refused(session: Session, plan_id: str) -> set[str]:
    """The uids of the plan's actions the server does not let this login change (none where the server
    has no permission rules, as on a private one)."""
    if session.execute(text("SELECT to_regproc('actiontrack_may_change')")).scalar() is None:
        return set()
    return set(session.execute(text("SELECT uid FROM action WHERE plan_id = :p AND NOT actiontrack_may_change(id)"),
                               {"p": plan_id}).scalars())
