"""The user's settings (who they are, which owner they follow, the theme) and where files live."""

from __future__ import annotations

import getpass
import os
import tempfile
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import tomli_w
from platformdirs import user_config_path, user_data_path

from store.db import private_folder
from store.errors import StoreError

APP = "actiontrack"


def default_db_path() -> Path:
    """The database in the user's data directory."""
    return user_data_path(APP) / "actiontrack.sqlite"


def config_path() -> Path:
    """The config file in the user's config directory."""
    return user_config_path(APP) / "config.toml"


@dataclass(frozen=True, slots=True)
class Config:
    """What is remembered between runs."""

    user: str = ""
    owner: str = ""
    theme: str = ""

    @property
    def by(self) -> str:
        """Who changes are recorded as: the configured user, else the login name."""
        # Stripped: history rows carry it, and an exported file must import back as the same name.
        if self.user.strip():
            return " ".join(self.user.split())
        try:
            return " ".join(getpass.getuser().split()) or "unknown"
        except (OSError, KeyError):
            return "unknown"

    def with_(self, **changes: str) -> Config:
        """A copy with some settings changed."""
        return replace(self, **changes)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing one is the defaults, a broken one a StoreError."""
    path = path or config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"the config file {path} cannot be read ({exc}); fix or remove it") from None
    values = {k: v for k, v in raw.items() if k in ("user", "owner", "theme") and isinstance(v, str)}
    return Config(**values)


def save_config(config: Config, path: Path | None = None) -> None:
    """Write the config atomically, readable by the user alone (0600, folder 0700)."""
    path = path or config_path()
    data = {k: v for k, v in (("user", config.user), ("owner", config.owner), ("theme", config.theme)) if v}
    try:
        private_folder(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                tomli_w.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StoreError(f"cannot save the config file {path}: {exc.strerror or exc}") from None
