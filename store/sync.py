"""Sync: a laptop's SQLite database and the region's server exchange history events by uid, and plans'
content where it changed.

One sync, each step its own transaction on one side, each idempotent:
1. plans the server lacks are sent whole: their rows copied as they are (store.plan_copy);
2. for plans both hold, what changed here since the last sync is sent: the history events written
   here (and those the server refused before, offered again), and the plan's content (texts, records,
   targets) if it was edited here. The server's own export of the plan, with these events added to its
   actions' history (and this laptop's content in place of its own), is imported there;
3. plans, events and content the server has and this laptop lacks are received the same way, the
   other way round.
Steps 2 and 3 go through the import's change set (store.importing.plan_changes, then
store.applying.apply_changes): events merge as a set keyed by uid, an action's status and ticks are
derived from its whole merged history (the newest event wins), and an event already held is never
written twice. A plan's content edited on both sides since the last sync keeps the server's (the
region's record), and the sync says so. How far each way has gone is kept in `syncstate`
(store.models.SyncState) and moved only after the commit it records: a sync killed or cut off anywhere
resumes on the next run, with nothing lost and nothing doubled.

The server hands out history row ids and content edit stamps (store.edits) under its write lock
(store.server), so they grow in commit order: "every server event above N" is exactly what this laptop
has not yet received.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session, col

from store.applying import apply_changes
from store.db import Database
from store.edits import not_edited_here, settled_edits
from store.errors import StoreError
from store.exporting import plan_document
from store.importing import plan_changes
from store.models import Action, Change, Plan, SyncState
from store.permissions import may_edit_plans
from store.plan_copy import copy_plans, may_copy, may_load_empty
from store.planfile import validate_plan
from store.text import counted


@dataclass(slots=True)
class SyncResult:
    """What one sync moved each way."""

    server: str
    plans_sent: int = 0
    plans_received: int = 0
    events_sent: int = 0
    events_received: int = 0
    content_sent: list[str] = field(default_factory=list)  # ids of plans whose edited content was sent
    content_received: list[str] = field(default_factory=list)  # and received
    refused: list[str] = field(default_factory=list)  # uids of local events the server does not let this login send
    plans_refused: list[str] = field(default_factory=list)  # ids of plans whose content (or the plan) it refused
    conflicts: list[str] = field(default_factory=list)  # ids of plans edited on both sides: the server's kept
    unknown: list[str] = field(default_factory=list)  # references of local actions the server's plan lacks

    @property
    def not_allowed(self) -> int:
        """How many local events the server refused (kept here, offered again at the next sync)."""
        return len(self.refused)

    def summary(self) -> str:
        """One line for the CLI and the screen."""
        parts = [f"sent {counted(self.events_sent, 'change')}", f"received {self.events_received}"]
        if self.plans_sent:
            parts.append(f"{counted(self.plans_sent, 'new plan')} sent")
        if self.plans_received:
            parts.append(f"{counted(self.plans_received, 'new plan')} received")
        if self.content_sent:
            parts.append(f"the edited text of {_named(self.content_sent)} sent")
        if self.content_received:
            parts.append(f"the edited text of {_named(self.content_received)} received")
        line = f"synced with {self.server}: " + ", ".join(parts)
        if self.refused:
            line += (f"; {counted(self.not_allowed, 'change')} to actions your login may not change were kept here, "
                     "not sent (they are offered again at each sync)")
        if self.plans_refused:
            line += (f"; {_named(self.plans_refused)}: your login may not add plans or change their text on the "
                     "server, so the plan's text here was kept here, not sent")
        if self.conflicts:
            line += (f"; {_named(self.conflicts)} had its text edited both here and on the server since the last "
                     "sync: the server's was kept")
        if self.unknown:
            line += (f"; {counted(len(self.unknown), 'action')} the server's plan lacks kept here "
                     f"({', '.join(self.unknown[:3])}{'…' if len(self.unknown) > 3 else ''})")
        return line


def _named(plan_ids: list[str]) -> str:
    shown = ", ".join(plan_ids[:3]) + ("…" if len(plan_ids) > 3 else "")
    return f"plan {shown}" if len(plan_ids) == 1 else f"{len(plan_ids)} plans ({shown})"


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the screen shows: the server, when the last sync completed, how many local changes wait
    (of them, how many the server refused), and how many plans' text the server refused."""

    server: str | None
    last_sync: datetime | None
    waiting: int
    refused: int = 0
    plans_refused: int = 0

    def describe(self) -> str:
        """The waiting changes in words, as the sync line and `sync` show them."""
        line = f"{counted(self.waiting, 'local change')} waiting"
        if self.refused:
            line += f" ({self.refused} refused by the server)"
        if self.plans_refused:
            line += f" · {counted(self.plans_refused, 'plan')}' text refused by the server"
        return line


def sync_status(session: Session, server: str | None = None) -> SyncStatus:
    """The sync state with `server` (default: the server last synced with)."""
    query = select(SyncState)
    if server is not None:
        query = query.where(col(SyncState.server) == server)
    state = session.execute(query.order_by(col(SyncState.last_sync).desc())).scalars().first()
    pushed = state.pushed_upto if state is not None else 0
    refused = len(state.refused_changes) if state is not None else 0
    waiting = _written_since(session, pushed)
    return SyncStatus(state.server if state else server, state.last_sync if state else None, waiting + refused,
                      refused, len(state.refused_plans) if state is not None else 0)


def _max_change(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(col(Change.id)), 0))).scalar_one())


def _plans(session: Session) -> dict[str, str]:
    """Every plan's id by its uid."""
    return {uid: plan_id for uid, plan_id in session.execute(select(col(Plan.uid), col(Plan.id)))}


def _plans_changed_after(session: Session, after: int, upto: int) -> set[str]:
    """The uids of the plans with history rows in (after, upto]."""
    return set(session.execute(
        select(col(Plan.uid)).distinct().join(Action, col(Action.plan_id) == col(Plan.id))
        .join(Change, col(Change.action_id) == col(Action.id))
        .where(col(Change.id) > after, col(Change.id) <= upto)).scalars())


def _plans_edited_after(session: Session, after: int, upto: int) -> set[str]:
    """The uids of the plans whose content was edited in (after, upto] (store.edits)."""
    edited = col(Plan.edited)
    return set(session.execute(select(col(Plan.uid)).where(edited > after, edited <= upto)).scalars())


def _plans_of_events(session: Session, uids: Iterable[str]) -> set[str]:
    """The uids of the plans holding these history events."""
    wanted = list(uids)
    found: set[str] = set()
    for chunk in range(0, len(wanted), 500):
        found.update(session.execute(
            select(col(Plan.uid)).distinct().join(Action, col(Action.plan_id) == col(Plan.id))
            .join(Change, col(Change.action_id) == col(Action.id))
            .where(col(Change.uid).in_(wanted[chunk:chunk + 500]))).scalars())
    return found


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


_STATE = ("history", "status", "ticked")  # what an action's history decides, not its plan's content


def _content(document: dict[str, Any]) -> dict[str, Any]:
    """A plan document without its actions' history and state: what a plan file defines."""
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k not in _STATE}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value
    return plain(document)  # type: ignore[no-any-return]


def _with_events(base: dict[str, Any], extra: dict[str, Any], *,
                 allowed: Callable[[str, dict[str, Any]], bool] = lambda _a, _e: True,
                 result: SyncResult | None = None) -> dict[str, Any]:
    """`base` (one side's plan document) with the history events of `extra` (the other's) that it lacks
    added to the same actions, by uid; events `allowed` (given the action's uid and the event) refuses
    are left out (and counted)."""
    by_uid = {a["uid"]: a for a in _actions(base)}
    for action in _actions(extra):
        events = action.get("history", [])
        if not events:
            continue
        target = by_uid.get(action["uid"])
        if target is None:
            if result is not None:
                result.unknown.append(action["ref"])
            continue
        have = {e["uid"] for e in target.get("history", [])}
        fresh = [e for e in events if e["uid"] not in have]
        kept = [e for e in fresh if allowed(action["uid"], e)]
        if result is not None:
            result.refused.extend(e["uid"] for e in fresh if e not in kept)
        if kept:
            target["history"] = [*target.get("history", []), *kept]
    return base


def _state(session: Session, server: str) -> SyncState:
    return session.get(SyncState, server) or SyncState(server=server)


@dataclass(slots=True)
class _Marks:
    """How far this laptop holds the server's history (`pulled`, row ids) and content (`edits`, stamps)."""

    pulled: int
    edits: int

    def after_push(self, session: Session, before: tuple[int, int]) -> None:
        """Once a push in this server session commits: if this laptop held everything up to `before` (the
        server's marks when the push began, under the lock), what the push wrote is its own, so it holds up
        to the server's marks now; else as far as it did."""
        now = _server_marks(session)
        if before[0] == self.pulled:
            self.pulled = now[0]
        if before[1] == self.edits:
            self.edits = now[1]


def _server_marks(session: Session) -> tuple[int, int]:
    """The server's largest history row id and content edit stamp (its write lock held alone)."""
    return _max_change(session), settled_edits(session)


def sync(local: Database, server: Database, *, by: str = "actiontrack",
         step: Callable[[str], None] | None = None) -> SyncResult:
    """Send this database's new plans, history events and edited content to `server`, receive its own,
    and record how far each way went. `step` is told of each step as it begins (progress; tests cut
    syncs there)."""
    key = server.where
    result = SyncResult(key)
    say = step or (lambda _: None)
    with local.write() as session:  # a write: the edit clock moves on (later edits are the next sync's)
        state = _state(session, key)
        pushed = state.pushed_upto
        marks = _Marks(state.pulled_upto, state.edits_pulled)
        local_max = _max_change(session)
        local_edits = settled_edits(session)
        local_plans = _plans(session)
        events_here = (_plans_changed_after(session, pushed, local_max)
                       | _plans_of_events(session, state.refused_changes))
        content_here = _plans_edited_after(session, state.edits_pushed, local_edits) | set(state.refused_plans)
    with server.read() as session:
        server_plans = _plans(session)
        may_edit = may_edit_plans(session)

    # 1: plans the server lacks
    missing = sorted((plan_id, uid) for uid, plan_id in local_plans.items() if uid not in server_plans)
    refused_plans = {uid for _, uid in missing} if not may_edit else set()
    result.plans_refused += [plan_id for plan_id, _ in missing] if not may_edit else []
    if missing and may_edit and not server_plans:
        say("send every plan")
        with server.write(exclusive=True) as session:
            if may_load_empty(session):  # an empty server: nothing to match, every row goes as it is
                before = _server_marks(session)
                result.events_sent += copy_plans(local, session, None)
                result.plans_sent += len(missing)
                marks.after_push(session, before)
                missing = []
    for batch in _batches(local, missing if may_edit else []):
        say(f"send plans {batch[0][0]}…")
        with server.write(exclusive=True) as session:
            before = _server_marks(session)
            fresh = _not_there(session, batch)
            if may_copy(session):
                result.events_sent += copy_plans(local, session, fresh)
            else:  # row-level security applies to this login: through the import, row by row
                for plan_id in fresh:
                    with local.read() as reading:
                        document = plan_document(reading, plan_id)
                    result.events_sent += _import_document(session, document, f"{plan_id} from this laptop", by)
            result.plans_sent += len(fresh)
            marks.after_push(session, before)

    # 2: what changed here in plans both hold
    for uid in sorted((events_here | content_here) & set(server_plans)):
        plan_id = local_plans[uid]
        say(f"send changes of {plan_id}")
        with local.read() as session:
            mine = plan_document(session, plan_id)
        with server.write(exclusive=True) as session:
            theirs = plan_document(session, server_plans[uid])
            base, text_kept = theirs, False
            if uid in content_here and _content(mine) != _content(theirs):
                edited = session.execute(select(col(Plan.edited)).where(col(Plan.uid) == uid)).scalar_one()
                edited_there = edited > marks.edits
                if edited_there:
                    result.conflicts.append(plan_id)
                elif not may_edit:
                    result.plans_refused.append(plan_id)
                    refused_plans.add(uid)
                    text_kept = True
                else:
                    base = _with_events(mine, theirs)
                    result.content_sent.append(plan_id)
            refused = _refused(session, server_plans[uid])

            def allowed(action: str, event: dict[str, Any], refused: set[str] = refused, text_kept: bool = text_kept
                        ) -> bool:  # a revised target goes with the plan's text, or waits with it
                return action not in refused and not (text_kept and event.get("to_target") is not None)

            merged = _with_events(base, mine, allowed=allowed, result=result)
            before = _server_marks(session)
            result.events_sent += _import_document(session, merged, f"{plan_id} from this laptop", by)
            marks.after_push(session, before)
    with local.write() as session:
        row = _state(session, key)
        row.pushed_upto = max(row.pushed_upto, local_max)
        row.edits_pushed = max(row.edits_pushed, local_edits)
        row.refused_changes = sorted(set(result.refused))
        row.refused_plans = sorted(refused_plans)
        row.pulled_upto, row.edits_pulled = max(row.pulled_upto, marks.pulled), max(row.edits_pulled, marks.edits)
        session.add(row)
    pushed = max(pushed, local_max)

    # 3: receive
    with server.write(exclusive=True) as session:  # alone: every history row and stamp up to the marks is committed
        server_max, server_edits = _server_marks(session)
        server_plans = _plans(session)
        edited_there = _plans_edited_after(session, marks.edits, server_edits)
        changed_there = _plans_changed_after(session, marks.pulled, server_max) | edited_there
    wanted = [uid for uid in server_plans if uid not in local_plans] + sorted(changed_there & set(local_plans))
    for uid in wanted:
        plan_id = server_plans[uid]
        say(f"receive {plan_id}")
        with server.read() as session:
            document = plan_document(session, plan_id)
        with local.write() as session, not_edited_here(session, uid):  # not to be sent back
            if uid not in local_plans:
                result.plans_received += 1
            elif uid in refused_plans or uid in edited_there:
                mine = plan_document(session, local_plans[uid])
                if uid in refused_plans:  # the server would not take this plan's text: keep it here
                    document = _with_events(mine, document)
                elif _content(mine) != _content(document):
                    result.content_received.append(plan_id)
            result.events_received += _import_document(session, document, f"{plan_id} from {key}", by)
    say("record")
    with local.write() as session:
        row = _state(session, key)
        # What was received was written here after `pushed`; if nothing of the user's came between
        # (we hold the write lock), it is on the server already: the next sync need not send it.
        if row.pushed_upto == pushed and _written_since(session, pushed) == result.events_received:
            row.pushed_upto = _max_change(session)
        row.pulled_upto = max(row.pulled_upto, server_max)
        row.edits_pulled = max(row.edits_pulled, server_edits)
        row.last_sync = datetime.now(UTC)
        session.add(row)
    return result


SEND_BATCH_ACTIONS = 20_000  # new plans sent in one server transaction: few commits, and a kill loses little


def _batches(local: Database, plans: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The plans (id, uid) in groups of about SEND_BATCH_ACTIONS actions."""
    if not plans:
        return []
    with local.read() as session:
        sizes = {plan_id: int(n) for plan_id, n in session.execute(
            select(col(Action.plan_id), func.count()).group_by(col(Action.plan_id)))}
    batches: list[list[tuple[str, str]]] = [[]]
    held = 0
    for plan in plans:
        if batches[-1] and held + sizes.get(plan[0], 0) > SEND_BATCH_ACTIONS:
            batches.append([])
            held = 0
        batches[-1].append(plan)
        held += sizes.get(plan[0], 0)
    return batches


def _not_there(session: Session, batch: list[tuple[str, str]]) -> list[str]:
    """The ids of the plans (id, uid) the server still lacks (another sync of this laptop may have sent
    some meanwhile); a plan of another uid under one of these ids is refused in one sentence."""
    taken = set(session.execute(select(col(Plan.uid)).where(col(Plan.uid).in_([uid for _, uid in batch]))).scalars())
    fresh = [plan_id for plan_id, uid in batch if uid not in taken]
    clash = sorted(session.execute(select(col(Plan.id)).where(col(Plan.id).in_(fresh))).scalars())
    if clash:
        raise StoreError(f"the server holds another plan under the id {clash[0]}: give one of them another id "
                         "(the plan file's id) and sync again")
    return fresh


def _written_since(session: Session, after: int) -> int:
    return int(session.execute(select(func.count()).select_from(Change).where(col(Change.id) > after)).scalar_one())


def _refused(session: Session, plan_id: str) -> set[str]:
    """The uids of the plan's actions the server does not let this login change (none where the server
    has no permission rules, as on a private one)."""
    if session.execute(text("SELECT to_regproc('actiontrack_may_change')")).scalar() is None:
        return set()
    return set(session.execute(text("SELECT uid FROM action WHERE plan_id = :p AND NOT actiontrack_may_change(id)"),
                               {"p": plan_id}).scalars())
