"""Themes: the TOML files in themes/ turned into Textual themes, and the app's own colour variables."""

from __future__ import annotations

import tomllib
from importlib import resources

from textual.theme import Theme

DEFAULT_THEME = "actiontrack-dark"

# Colours the app itself uses; a theme may override each under [variables].
VARIABLE_DEFAULTS: dict[str, str] = {
    "overdue": "#FF6B6B",
    "due-soon": "#F2C14E",
    "complete": "#5BBA6F",
    "ongoing": "#5FA8D3",
    "muted": "#8A8F98",
}

_FIELDS = {"name", "dark", "primary", "secondary", "accent", "warning", "error", "success",
           "foreground", "background", "surface", "panel", "boost", "luminosity_spread", "text_alpha", "variables"}


def bundled_themes() -> list[Theme]:
    """Every theme file shipped in themes/, in name order."""
    themes = []
    for entry in sorted(resources.files("themes").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            themes.append(Theme(**{k: v for k, v in data.items() if k in _FIELDS}))
    return themes
