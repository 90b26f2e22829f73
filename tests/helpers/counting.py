"""A store Run that records the statements it runs, for tests that count what a read asks of the database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from store.run import Run


class Counting:
    """A Run that counts the statements it runs by name."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.names: list[str] = []

    def __call__(self, name: str, params: Mapping[str, Any], /) -> Iterable[Any]:
        self.names.append(name)
        return self.run(name, params)
