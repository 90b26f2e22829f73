"""The bundled themes: one TOML file each, in the order the theme key cycles through them.

Reading the names needs no Textual, so the command line can check `--theme` before the screen starts.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

# The cycle of the theme key and the order the README lists them in.
ORDER = ("actiontrack-dark", "actiontrack-light", "actiontrack-high-contrast")
PREFIX = "actiontrack-"


def short_name(name: str) -> str:
    """The name a user types and reads: 'actiontrack-high-contrast' -> 'high-contrast'."""
    return name.removeprefix(PREFIX)


def title(name: str) -> str:
    """The human name: 'actiontrack-high-contrast' -> 'High contrast'."""
    return short_name(name).replace("-", " ").capitalize()


def theme_name(text: str) -> str:
    """The bundled theme `text` names ('light' or 'actiontrack-light'); ValueError naming the themes if none."""
    wanted = text.strip().casefold()
    for name in ORDER:
        if wanted in (name, short_name(name)):
            return name
    choices = ", ".join(short_name(n) for n in ORDER)
    raise ValueError(f"there is no theme {text!r}; the themes are {choices}")


def theme_data() -> list[dict[str, Any]]:
    """Every bundled theme file as parsed TOML, in ORDER."""
    files = {entry.name: entry for entry in resources.files(__name__).iterdir()}
    return [tomllib.loads(files[f"{name}.toml"].read_text(encoding="utf-8")) for name in ORDER]
