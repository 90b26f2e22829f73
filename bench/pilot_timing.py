"""Timing a key press to a finished repaint in a headless Textual app, without Pilot's idle sleeps.

Pilot's `press()` and `pause()` wait for the process to look idle in 20 ms slices, which would bury
a 5 ms operation. Here a key event goes straight to the driver; then we wait, with no sleeping,
until every widget has handled its messages, every worker has finished (a superseded worker counts
as finished) and the screen has been laid out and rendered (`Screen._on_timer_update`, what the
screen's refresh timer calls; headless, only the write to the terminal is skipped). `background` names worker
groups not waited for (a read-ahead that runs on after the repaint).
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any


def send_key(app: Any, key: str) -> None:
    """Post one key event as the terminal driver would."""
    from textual import events
    from textual.keys import _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


def _dirty(screen: Any) -> bool:
    return bool(screen._dirty_widgets or screen._layout_required or screen._repaint_required
                or screen._scroll_required)


def _pending(app: Any) -> bool:
    """Whether any message pump (app, screen, widget) still has messages queued."""
    pumps = [app, *app.screen.walk_children(with_self=True)]
    return any(not pump._message_queue.empty() for pump in pumps)


async def settle(app: Any, pilot: Any, background: tuple[str, ...] = ()) -> None:
    """Return when no message is queued, no worker runs (but those of the `background` groups) and the screen is
    repainted, three checks in a row (a handled message may post another, a finished worker may start one)."""
    quiet = 0
    for _ in range(5000):
        await pilot._wait_for_screen()
        busy = [w for w in app.workers if not w.is_finished and w.group not in background]
        if busy:
            quiet = 0
            await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
            continue
        writes = [s.writes for s in app.screen_stack if getattr(s, "writes", None) is not None and s.writes.busy]
        if writes:  # the screen's own write thread (tui.writes.WriteThread)
            quiet = 0
            await asyncio.gather(*(w.wait() for w in writes))
            continue
        screen = app.screen
        if _dirty(screen):
            quiet = 0
            screen._on_timer_update()
            continue
        await asyncio.sleep(0)  # let call_soon / call_after_refresh callbacks run
        if _pending(app):
            quiet = 0
            continue
        quiet += 1
        if quiet >= 3:
            return
    raise TimeoutError("the app never settled")


async def timed(app: Any, pilot: Any, act: Callable[[], Awaitable[None] | None],
                background: tuple[str, ...] = ()) -> float:
    """Seconds from `act` (a key press, a call) to the settled, repainted screen (`background`: as `settle`)."""
    start = time.perf_counter()
    result = act()
    if result is not None:
        await result
    await settle(app, pilot, background)
    return time.perf_counter() - start
