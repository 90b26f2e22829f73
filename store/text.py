"""Showing plan text safely: control characters made visible, never sent to the terminal raw."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL ...
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """The text with every control character (ESC, BEL, C1, bidi overrides) shown as a visible symbol."""
    return _CONTROL.sub(_picture, text)


def one_line(text: str, width: int) -> str:
    """The text's first line, made visible and cut to `width` characters with an ellipsis."""
    line = visible(" ".join(text.split()))
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"
