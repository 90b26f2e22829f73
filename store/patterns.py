"""Regular expressions compiled on first use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any


class LazyPattern:
    """A regular expression compiled when first used, for a module whose import must stay cheap: the
    target grammar takes ~7 ms to compile, and one owner pattern ~3 ms, which a command that reads no
    target or owner cell (the CLI's `due`) should not pay."""

    __slots__ = ("_compiled", "_source")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def _pattern(self) -> re.Pattern[str]:
        compiled = self._compiled
        if compiled is None:  # two threads may both compile: harmless
            compiled = self._compiled = re.compile(*self._source)
        return compiled

    def fullmatch(self, string: str) -> re.Match[str] | None:
        return self._pattern().fullmatch(string)

    def match(self, string: str) -> re.Match[str] | None:
        return self._pattern().match(string)

    def search(self, string: str) -> re.Match[str] | None:
        return self._pattern().search(string)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        return self._pattern().finditer(string)

    def split(self, string: str) -> list[str | Any]:
        return self._pattern().split(string)

    def sub(self, repl: str, string: str) -> str:
        return self._pattern().sub(repl, string)
