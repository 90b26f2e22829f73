"""The `actiontrack` command's entry point (`python -m tui` and the installed script)."""

from __future__ import annotations

from store.collector import CollectorPaused


def main() -> int:
    """Run the command line (`tui.cli.main`), its modules loaded with the garbage collector off: what they
    make lives for the whole run, so the passes the collector makes over it while they load free nothing."""
    with CollectorPaused():
        from tui.cli import main as run
    return run(exiting=True)
