"""Themes: the TOML files in themes/ turned into Textual themes, and the app's own colour variables."""

from __future__ import annotations

from textual.theme import Theme

from themes import ORDER, theme_data

DEFAULT_THEME = ORDER[0]

# Colours the app itself uses; a theme may override each under [variables].
VARIABLE_DEFAULTS: dict[str, str] = {
    "overdue": "#FF6B6B",
    "due-soon": "#F2C14E",
    "complete": "#5BBA6F",
    "ongoing": "#5FA8D3",
    "muted": "#8A8F98",
    # RAG marks: the letter (R, A, G, C) in `rag-letter` on the rating's colour
    "rag-red": "#E5484D",
    "rag-amber": "#F2C14E",
    "rag-green": "#5BBA6F",
    "rag-complete": "#8A8F98",
    "rag-letter": "#000000",
}

_FIELDS = {"name", "dark", "primary", "secondary", "accent", "warning", "error", "success",
           "foreground", "background", "surface", "panel", "boost", "luminosity_spread", "text_alpha", "variables"}


def bundled_themes() -> list[Theme]:
    """Every theme shipped in themes/, in the order the theme key cycles through them."""
    return [Theme(**{k: v for k, v in data.items() if k in _FIELDS}) for data in theme_data()]
