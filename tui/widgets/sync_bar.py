"""The sync line: when this laptop last synced with the region's server, how many changes wait to
be sent; the screen's sync key asks it to sync now."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from store.errors import StoreError

if TYPE_CHECKING:
    from store.sync import SyncStatus
    from tui.loading import OpenDatabase

REFRESH_SECONDS = 10.0


class SyncBar(Static):
    """One line about sync; hidden where there is no server to sync with (or the screen is on one)."""

    DEFAULT_CSS = """
    SyncBar { height: 1; padding: 0 1; color: $text-muted; }
    """

    class Synced(Message):
        """A sync finished (`summary`) or failed (`error`)."""

        def __init__(self, summary: str = "", error: str = "") -> None:
            super().__init__()
            self.summary = summary
            self.error = error

    def __init__(self, db: OpenDatabase, *, by: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.db = db
        self.by = by
        self.server: str | None = None
        self.running = False

    @property
    def available(self) -> bool:
        """Whether a sync can run from here: a laptop's file, and a server named or synced with."""
        return self.server is not None and not self.db.read_only

    def on_mount(self) -> None:
        self.display = False
        self.refresh_status()
        self.set_interval(REFRESH_SECONDS, self.refresh_status)

    @work(thread=True, group="sync-status", exclusive=True)
    def refresh_status(self) -> None:
        """Read the sync state (a small indexed count) and show it."""
        from tui.loading import full_database

        try:
            db = full_database(self.db)  # a file opened for the screen: once its first view is shown
        except StoreError:
            return
        from store.server import ServerDatabase
        from store.sync import sync_status

        if isinstance(db, ServerDatabase):
            return
        try:
            with db.read() as session:
                status = sync_status(session, os.environ.get("ACTIONTRACK_SERVER") or None)
        except StoreError:
            return
        self.app.call_from_thread(self._show, status)

    def _show(self, status: SyncStatus) -> None:
        self.server = server = status.server
        self.display = server is not None
        if server is None or self.running:
            return
        last = status.last_sync
        when = f"last sync {last.astimezone():%d %b %H:%M}" if last else "never synced"
        self.update(Text(f"{when} · {status.describe()} · S syncs with {server}"))

    def start(self) -> None:
        """Sync now, in a worker; the screen hears of the end through `Synced`."""
        if self.running or not self.available:
            return
        self.running = True
        self.update(Text(f"syncing with {self.server}…"))
        self._sync()

    @work(thread=True, group="sync", exclusive=True)
    def _sync(self) -> None:
        from store.server import open_server
        from store.sync import sync
        from tui.loading import full_database

        assert self.server is not None
        message: SyncBar.Synced
        try:
            server = open_server(self.server)
            try:
                message = self.Synced(summary=sync(full_database(self.db), server, by=self.by).summary())
            finally:
                server.dispose()
        except StoreError as exc:
            message = self.Synced(error=str(exc))
        self.app.call_from_thread(self._finished, message)

    def _finished(self, message: Synced) -> None:
        self.running = False
        self.post_message(message)
        self.refresh_status()
