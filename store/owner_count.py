"""An owner with their numbers of actions, as the owner picker and the screen hold it.

Apart from `store.lists` so that the CLI's `due` and `overdue`, which only name the owner, make no
dataclass (importing `dataclasses` is a sixth of their run).
"""

from __future__ import annotations

from dataclasses import dataclass

from store.owners import owner_label


@dataclass(frozen=True, slots=True)
class OwnerCount:
    """An owner and how many open (not complete) actions they hold."""

    id: int
    name: str
    region: str
    open: int
    total: int
    organisation: str = ""

    @property
    def label(self) -> str:
        """The name with its organisation or region, as people pick it."""
        return owner_label(self.name, self.region, self.organisation)
