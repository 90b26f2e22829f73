"""Helpers for Pilot tests of the screen: wait for it to settle, read what it shows, spy on its messages."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerFailed

SIZES = {"laptop": (80, 24), "medium": (100, 30), "wide": (160, 48)}


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker has reported back and the screen has repainted."""
    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the screen reports a failed worker itself (on_worker_state_changed); tests check that
        await pilot.pause()


def screen_lines(app: App[Any]) -> list[str]:
    """The text of every line the terminal shows now, as a user reads it (the same render as a screenshot)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


class NotifySpy:
    """Records every message the app shows (`app.notify`), passing each on as before."""

    def __init__(self, app: App[Any]) -> None:
        self.messages: list[str] = []
        self._notify: Callable[..., None] = app.notify

        def notify(message: str, *args: Any, **kwargs: Any) -> None:
            self.messages.append(message)
            self._notify(message, *args, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    def said(self, words: str) -> bool:
        """Whether a message containing `words` was shown."""
        return any(words in message for message in self.messages)

    @property
    def last(self) -> str:
        """The latest message, or '' if none."""
        return self.messages[-1] if self.messages else ""
