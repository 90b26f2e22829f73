"""How a read runs a statement: the one interface of both read paths (`store.queries` through sqlmodel,
`store.fastread` through the standard library's sqlite3), so that a read is written once for both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol


class Run(Protocol):
    """Runs the named statement with these parameters; rows whose columns are attributes."""

    def __call__(self, name: str, params: Mapping[str, Any], /) -> Iterable[Any]: ...
