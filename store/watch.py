"""Noticing that another process changed the database, so an open screen can refresh."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class ChangeWatcher:
    """Watches `PRAGMA data_version` on one dedicated connection: it moves when any other connection commits."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=1.0)
        self._lock = threading.Lock()
        self._last = self._read()

    def _read(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        """Whether anything was committed elsewhere since the last call."""
        now = self._read()
        moved = now != self._last
        self._last = now
        return moved

    def close(self) -> None:
        """Close the watching connection."""
        with self._lock:
            self._conn.close()
