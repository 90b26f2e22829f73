"""The user's settings (who they are, which owner they follow, the theme) and where files live."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from platformdirs import user_config_path, user_data_path

from store.errors import StoreError
from store.files import write_atomically
from store.patterns import LazyPattern

APP = "actiontrack"


def default_db_path() -> Path:
    """The database in the user's data directory."""
    return user_data_path(APP) / "actiontrack.sqlite"


def config_path() -> Path:
    """The config file in the user's config directory."""
    return user_config_path(APP) / "config.toml"


class Config(NamedTuple):
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
            import getpass  # only when a change is recorded

            return " ".join(getpass.getuser().split()) or "unknown"
        except (OSError, KeyError):
            return "unknown"

    def with_(self, **changes: str) -> Config:
        """A copy with some settings changed."""
        return self._replace(**changes)


MAX_CONFIG_BYTES = 64 * 1024
MAX_USER = 200  # history rows carry it, and an exported file must import back (names hold at most 500)
KEYS = ("user", "owner", "theme")


def _read_config_text(path: Path) -> str | None:
    """The config file's text, or None if there is none; refused at once if it is not a regular file
    (a FIFO would hang, a device never end) or larger than a config can be."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"the config file {path} cannot be read ({exc.strerror or exc}); fix or remove it") from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"the config file {path} is not a regular file; remove it or replace it with a file")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise StoreError(f"the config file {path} cannot be read ({exc.strerror or exc}); fix or remove it") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise StoreError(f"the config file {path} is larger than {MAX_CONFIG_BYTES // 1024} KB; "
                         "a config is a few lines")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is fine
    except UnicodeDecodeError:
        raise StoreError(f"the config file {path} is not UTF-8 text; fix or remove it") from None


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing one is the defaults, a broken one a StoreError."""
    path = path or config_path()
    text = _read_config_text(path)
    if text is None:
        return Config()
    import tomllib  # only when there is a config to read

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(f"the config file {path} cannot be read ({exc}); fix or remove it") from None
    except RecursionError:
        raise StoreError(f"the config file {path} is nested too deeply to be a config; fix or remove it") from None
    values = {k: v for k, v in raw.items() if k in KEYS and isinstance(v, str)}
    if len(" ".join(values.get("user", "").split())) > MAX_USER:
        raise StoreError(f"the config file {path}: user is longer than {MAX_USER} characters")
    return Config(**values)


_TABLE = LazyPattern(r"^\s*\[")


def _config_lines(old: str, config: Config) -> str:
    """The config text with our keys set and every other line (comments, keys added by hand) kept."""
    import tomli_w  # only when a config is saved

    wanted = {k: v for k, v in (("user", config.user), ("owner", config.owner), ("theme", config.theme))}
    lines = old.splitlines()
    top = next((i for i, line in enumerate(lines) if _TABLE.match(line)), len(lines))  # keys before any [table]
    done: set[str] = set()
    out: list[str] = []
    for i, line in enumerate(lines):
        found = _KEY.match(line) if i < top else None
        key = found.group(1) if found else None
        if key in wanted:
            if key not in done and wanted[key]:
                out.append(tomli_w.dumps({key: wanted[key]}).rstrip("\n"))
            done.add(key)
            continue
        out.append(line)
    added = [tomli_w.dumps({k: v}).rstrip("\n") for k, v in wanted.items() if v and k not in done]
    at = next((i for i, line in enumerate(out) if _TABLE.match(line)), len(out))
    out[at:at] = added  # new keys go before any [table]: after one they would belong to it
    return "\n".join(out) + "\n" if out else ""


_KEY = LazyPattern(r"^\s*\"?(user|owner|theme)\"?\s*=")


def save_config(config: Config, path: Path | None = None) -> None:
    """Write the config atomically, readable by the user alone (0600, folder 0700); lines it does not
    set (comments, settings added by hand) are kept as they are."""
    path = path or config_path()
    try:
        old = _read_config_text(path) or ""
    except StoreError:
        old = ""  # a broken config is replaced by a working one
    import tomllib

    try:
        tomllib.loads(old)
    except (tomllib.TOMLDecodeError, RecursionError):
        old = ""
    text = _config_lines(old, config)
    from store.files import private_folder

    try:
        private_folder(path.parent)
        write_atomically(path, text.encode("utf-8"), private=True)
    except OSError as exc:
        raise StoreError(f"cannot save the config file {path}: {exc.strerror or exc}") from None


SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_url(text: str | Path) -> bool:
    """Whether a --db value names a PostgreSQL server rather than a file."""
    return str(text).split(":", 1)[0].lower() in SERVER_SCHEMES and "://" in str(text)


BUSY_TIMEOUT_MS = 5000
BUSY_TIMEOUT_ENV = "ACTIONTRACK_BUSY_TIMEOUT_MS"


def busy_timeout_ms() -> int:
    """How long to wait for another writer's lock, in ms: ACTIONTRACK_BUSY_TIMEOUT_MS, else 5000."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return BUSY_TIMEOUT_MS
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 3_600_000:
        raise StoreError(f"{BUSY_TIMEOUT_ENV} must be a whole number of milliseconds (0 to 3600000), not {raw!r}")
    return value
