"""Content edit stamps: each plan records when its content last changed, so sync can send and receive
plans reworded, revised or extended since it last did, history event or not.

A plan's content is everything a plan file defines (texts, records, owners as written, targets,
withdrawals), not statuses, ticks or history. `plan.edited` is stamped whenever a row of the plan, its
addressees, recommendations or actions is added or its content changes, whichever program writes it
(an import, a revision, a sync, SQL typed by hand):
- in an SQLite file, with the file's edit clock (`meta` 'edit_clock'), which a sync moves on when it
  takes its mark (`settled_edits`): edits made after that carry a later stamp. Triggers stamp a new
  plan and a changed row; rows added to a stored plan are found by id at the next mark (ids only grow,
  and a trigger on every added row would double an import's cost), from `meta` 'edit_ids';
- on a PostgreSQL server, by statement triggers, with one more than the largest stamp, under the write
  lock taken alone (WRITE_LOCK), so stamps grow in commit order as history row ids do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

# The columns of each table whose change is a change of the plan's content, and the column naming the plan.
CONTENT: dict[str, tuple[str, tuple[str, ...]]] = {
    "plan": ("id", ("title", "region", "inspection", "report_published", "plan_submitted", "source", "notes",
                    "aliases", "national_owners", "organisation")),
    "addressee": ("plan_id", ("position", "name", "kind", "rating")),
    "recommendation": ("plan_id", ("addressee_id", "position", "number", "text", "agreement", "reason", "inferred",
                                   "note", "withdrawn")),
    "action": ("plan_id", ("recommendation_id", "position", "ref", "reference", "text", "owners_written",
                           "owners_display", "target", "target_kind", "deadline", "start", "start_month",
                           "every_months", "recurrence", "caveat", "target_reading", "note", "progress", "completed",
                           "review", "withdrawn")),
}
# The key of the advisory lock every writing transaction on a server takes (any fixed number; this spells
# "actn"): store.server takes it, and the stamping triggers take it alone.
WRITE_LOCK = 0x6163746E
CLOCK_KEY = "edit_clock"
IDS_KEY = "edit_ids"  # the largest addressee, recommendation and action ids whose plans are stamped
MACHINE_KEY = "machine"
_CHILDREN = ("addressee", "recommendation", "action")

_SQLITE_CLOCK = f"(SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{CLOCK_KEY}')"


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, (plan, columns) in CONTENT.items():
        stale = f"(SELECT edited FROM plan WHERE id = NEW.{plan}) IS NOT {_SQLITE_CLOCK}"
        stamp = f"UPDATE plan SET edited = {_SQLITE_CLOCK} WHERE id = NEW.{plan};"
        differs = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns)
        if table == "plan":
            statements.append(f'CREATE TRIGGER IF NOT EXISTS actiontrack_edited_plan_insert AFTER INSERT ON "plan" '
                              f"WHEN {stale} BEGIN {stamp} END")
        statements.append(f'CREATE TRIGGER IF NOT EXISTS actiontrack_edited_{table}_update '
                          f'AFTER UPDATE OF {", ".join(columns)} ON "{table}" '
                          f"WHEN ({differs}) AND {stale} BEGIN {stamp} END")
    return statements


def _postgres_triggers(write_lock: int) -> list[str]:
    statements = []
    for table, (plan, columns) in CONTENT.items():
        old = ", ".join(f'o."{c}"::text' for c in columns)  # as text: json has no equality
        new = ", ".join(f'n."{c}"::text' for c in columns)
        statements.append(f"""
CREATE OR REPLACE FUNCTION actiontrack_edited_{table}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
DECLARE touched text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n.{plan}) INTO touched FROM added n;
  ELSE
    SELECT array_agg(DISTINCT n.{plan}) INTO touched FROM added n JOIN removed o ON o.id = n.id
     WHERE ({old}) IS DISTINCT FROM ({new});
  END IF;
  IF touched IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock({write_lock});
    UPDATE plan SET edited = (SELECT coalesce(max(edited), 0) + 1 FROM plan) WHERE id = ANY(touched);
  END IF;
  RETURN NULL;
END $$""")
        for name in ("insert", "update"):
            statements.append(f'DROP TRIGGER IF EXISTS actiontrack_edited_{name} ON "{table}"')
        statements.append(f'CREATE TRIGGER actiontrack_edited_insert AFTER INSERT ON "{table}" '
                          "REFERENCING NEW TABLE AS added "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION actiontrack_edited_{table}()")
        statements.append(f'CREATE TRIGGER actiontrack_edited_update AFTER UPDATE ON "{table}" '
                          "REFERENCING OLD TABLE AS removed NEW TABLE AS added "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION actiontrack_edited_{table}()")
    return statements


def new_machine_id() -> str:
    """A name for this machine, made once per laptop database: its host name and a random part."""
    import os
    import platform
    import re
    import uuid

    host = re.sub(r"[^A-Za-z0-9.-]+", "-", platform.node() or os.environ.get("COMPUTERNAME", "") or "laptop")
    return f"{host.strip('-.')[:40] or 'laptop'}-{uuid.uuid4().hex[:8]}"


def install(conn: Any) -> None:
    """The stamping triggers (and, in an SQLite file, its edit clock and machine id), in the caller's
    transaction; for a new database and for the upgrade of an older one."""
    if conn.dialect.name == "postgresql":
        for statement in _postgres_triggers(WRITE_LOCK):
            conn.exec_driver_sql(statement)
        return
    conn.exec_driver_sql(f"INSERT OR IGNORE INTO meta (key, value) VALUES ('{CLOCK_KEY}', '1')")
    top = [str(conn.exec_driver_sql(f'SELECT coalesce(max(id), 0) FROM "{t}"').scalar_one()) for t in _CHILDREN]
    conn.execute(text("INSERT OR IGNORE INTO meta (key, value) VALUES (:k, :v)"), {"k": IDS_KEY, "v": " ".join(top)})
    conn.execute(text("INSERT OR IGNORE INTO meta (key, value) VALUES (:k, :v)"),
                 {"k": MACHINE_KEY, "v": new_machine_id()})
    for statement in _sqlite_triggers():
        conn.exec_driver_sql(statement)


def _stamp_added(session: Session) -> None:
    """In an SQLite file (a write session): stamp the plans that rows were added to since the last time,
    and move the marks to the largest ids."""
    marks = [int(n) for n in session.execute(text(f"SELECT value FROM meta WHERE key = '{IDS_KEY}'")).scalar_one()
             .split()]
    added = " UNION ".join(f'SELECT plan_id FROM "{t}" WHERE id > {int(mark)}' for t, mark in zip(_CHILDREN, marks,
                                                                                                    strict=True))
    session.execute(text(f"UPDATE plan SET edited = {_SQLITE_CLOCK} WHERE id IN ({added}) "
                         f"AND edited IS NOT {_SQLITE_CLOCK}"))
    _move_id_marks(session)


def _move_id_marks(session: Session) -> None:
    top = [str(session.execute(text(f'SELECT coalesce(max(id), 0) FROM "{t}"')).scalar_one()) for t in _CHILDREN]
    session.execute(text(f"UPDATE meta SET value = :v WHERE key = '{IDS_KEY}'"), {"v": " ".join(top)})


def settled_edits(session: Session) -> int:
    """The stamp up to which every content edit is committed and none will come: in an SQLite file
    (a write session) the clock's value, moved on so that later edits carry a later stamp; on a server
    (a session holding the write lock alone) the largest stamp."""
    if session.connection().dialect.name == "postgresql":
        return int(session.execute(text("SELECT coalesce(max(edited), 0) FROM plan")).scalar_one())
    _stamp_added(session)
    clock = int(session.execute(text(f"SELECT value FROM meta WHERE key = '{CLOCK_KEY}'")).scalar_one())
    session.execute(text(f"UPDATE meta SET value = :v WHERE key = '{CLOCK_KEY}'"), {"v": str(clock + 1)})
    return clock


@contextmanager
def not_edited_here(session: Session, plan_uid: str) -> Iterator[None]:
    """What the block writes to the plan in this SQLite write session (what a sync received from the
    server) is not an edit of this database's own: the plan keeps the stamp it had."""
    _stamp_added(session)  # rows added before the block are edits here
    stamp = session.execute(text("SELECT edited FROM plan WHERE uid = :u"), {"u": plan_uid}).scalar()
    yield
    session.execute(text("UPDATE plan SET edited = :e WHERE uid = :u"), {"e": stamp or 0, "u": plan_uid})
    _move_id_marks(session)  # the block's own rows


def machine_id(conn: Any) -> str:
    """This SQLite file's machine id ('' if it has none yet: a file of an older schema, not yet upgraded)."""
    row = conn.exec_driver_sql(f"SELECT value FROM meta WHERE key = '{MACHINE_KEY}'").first()
    return str(row[0]) if row else ""
