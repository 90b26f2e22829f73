"""Taking a test database back to the schema an older actiontrack wrote, to test the upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

UID_TABLES = ("plan", "addressee", "recommendation", "action", "change")


def make_schema_1(path: Path) -> None:
    """Schema 1, as actiontrack 0.1 wrote it: no uids, no revised-target columns in the history, no
    organisations, checkpoints, progress, completion or review dates; nor schema 4's event origins,
    content edit stamps and their triggers, edit clock and machine id."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                conn.execute(f'DROP TRIGGER "{trigger}"')
            conn.execute('ALTER TABLE "change" DROP COLUMN origin')
            conn.execute("ALTER TABLE plan DROP COLUMN edited")
            conn.execute("DELETE FROM meta WHERE key IN ('edit_clock', 'edit_ids', 'machine')")
            for table in UID_TABLES:
                conn.execute(f'DROP INDEX "ix_{table}_uid"')
                conn.execute(f'ALTER TABLE "{table}" DROP COLUMN uid')
            conn.execute('ALTER TABLE "change" DROP COLUMN from_target')
            conn.execute('ALTER TABLE "change" DROP COLUMN to_target')
            conn.execute("DROP TABLE checkpoint")
            conn.execute("ALTER TABLE plan DROP COLUMN organisation")
            conn.execute("ALTER TABLE owner DROP COLUMN organisation")
            for column in ("progress", "completed", "review"):
                conn.execute(f"ALTER TABLE action DROP COLUMN {column}")
            conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    finally:
        conn.close()


def server_at_schema(url: str, version: int, indexes: tuple[str, ...]) -> None:
    """A server taken back to schema `version` by dropping the indexes later steps added."""
    from store.server import open_server

    db = open_server(url)
    try:
        with db.engine.begin() as conn:
            for index in indexes:
                conn.exec_driver_sql(f"DROP INDEX {index}")
            conn.exec_driver_sql(f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version'")
    finally:
        db.dispose()
