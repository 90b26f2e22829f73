"""Showing plan text safely: control characters made visible, never sent to the terminal raw.

Plan files come from other people. Their text must not be able to move the cursor, retitle the
window, clear the screen or reorder what is shown, so every C0/C1 control character (ESC, BEL,
CSI ...) and every bidirectional control is replaced by a visible symbol before it is printed.
"""

from __future__ import annotations

# C0 controls but tab and newline; DEL and the C1 controls; bidi marks, embeddings, overrides
# and isolates; the Unicode line and paragraph separators. Replaced with str.translate: the same
# character class as a regular expression takes ~3 ms to compile, a third of a reading command's own work.
_BIDI_AND_SEPARATORS = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_CONTROLS = (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *_BIDI_AND_SEPARATORS)


def _picture(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL ...
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


_PICTURES = {code: _picture(code) for code in _CONTROLS}
_PICTURES_OF_LINE = {**_PICTURES, 0x09: _picture(0x09), 0x0A: _picture(0x0A)}


def visible(text: str) -> str:
    """The text with every control character (ESC, BEL, C1, bidi overrides) shown as a visible symbol."""
    # Every character replaced is one Python does not call printable: most text is, and is checked at C speed
    return text if text.isprintable() else text.translate(_PICTURES)


def is_visible(text: str) -> bool:
    """Whether `visible` surely leaves the text as it is, line breaks and all (at C speed, with no new string made:
    `visible` makes one for any text with a break). False for some texts it leaves, e.g. with a no-break space."""
    return text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable()


def visible_line(text: str) -> str:
    """Like `visible`, and tabs and newlines shown as symbols too, so the text stays one line."""
    return text if text.isprintable() else text.translate(_PICTURES_OF_LINE)


def one_line(text: str, width: int) -> str:
    """The text's first line, made visible and cut to `width` characters with an ellipsis."""
    line = visible(" ".join(text.split()))
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"


_RAW_IN_TOML = {code: f"\\u{code:04X}" for code in (*range(0x80, 0xA0), *_BIDI_AND_SEPARATORS)}


def escape_raw_controls(toml_text: str) -> str:
    """TOML (from tomli-w) or JSON (from json) with the C1 and bidi controls it leaves raw turned into \\uXXXX escapes.

    Both escape C0 controls but write C1 (e.g. CSI, U+009B) and bidi overrides as they are; a file
    shown in a terminal must not carry them. They only occur inside strings, where the escape means
    the same character in both languages, so the text reads back unchanged.
    """
    return toml_text.translate(_RAW_IN_TOML)


def status_word(status: str | None) -> str:
    """A stored status or agreement in words: 'not_started' -> 'not started'."""
    return (status or "?").replace("_", " ")


def describe_change(kind: str, from_status: str | None, to_status: str | None, period: str | None,
                    from_target: str | None = None, to_target: str | None = None) -> str:
    """One history row in words: 'not started → complete', 'ticked off 2023-09', 'note',
    'target “July 2023” → “September 2023”'."""
    if kind in ("target", "undo") and to_target is not None:
        prefix = "undo: " if kind == "undo" else ""
        return f"{prefix}target “{one_line(from_target or '', 60)}” → “{one_line(to_target, 60)}”"
    if kind == "target":
        return "target revised"
    if to_status:
        prefix = "undo: " if kind == "undo" else ""
        return f"{prefix}{status_word(from_status)} → {status_word(to_status)}"
    if kind in ("tick", "untick"):
        return f"{'ticked off' if kind == 'tick' else 'unticked'} {period}"
    if kind in ("close", "reopen"):
        return "plan closed" if kind == "close" else "plan reopened"
    if kind == "undo":
        return f"undo of tick {period}" if period else "note withdrawn"
    return "note"


def recommendation_number(number: str) -> str:
    """A recommendation's number as people read it: '6', or 'unnumbered' where the document prints none
    (its reference, made from its words, stays in its actions' references)."""
    from store.identity import is_unnumbered  # not at import: it loads uuid and hashlib, which lists never need

    return "unnumbered" if is_unnumbered(number) else number


def recommendation_title(number: str) -> str:
    """A recommendation as a heading names it: 'Recommendation 6', or 'Unnumbered recommendation'."""
    from store.identity import is_unnumbered

    return "Unnumbered recommendation" if is_unnumbered(number) else f"Recommendation {number}"


def agreement_words(agreement: str | None, inferred: bool = False) -> str:
    """HMPPS's answer to a recommendation in words, as everywhere it shows: 'partly agreed',
    'agreed, inferred' (the document's wording is lost and the answer is worked out), 'not stated'."""
    words = status_word(agreement)
    return f"{words}, inferred" if inferred else words


def counted(n: int, word: str) -> str:
    """A count with its word, plural unless one: '1 action', '3 actions'."""
    return f"{n} {word}{'s' if n != 1 else ''}"
