"""Running `actiontrack` in-process and as a separate process, and fingerprinting database files."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Root ignores file permissions; a read-only test run as root drops the capabilities that let it.
DROP_ROOT = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable"]


@dataclass(frozen=True, slots=True)
class Run:
    """What one run of the command did."""

    code: int
    out: str
    err: str
    out_bytes: bytes = b""

    @property
    def err_lines(self) -> list[str]:
        """The lines written to stderr."""
        return self.err.splitlines()


def run_inprocess(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """`actiontrack ARGS` through tui.cli.main, in this process."""
    from tui.cli import main

    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def needs_drop_root() -> bool:
    """Whether permission tests must drop root's capabilities to mean anything."""
    return os.geteuid() == 0


def run_process(*args: str, permissions_apply: bool = False, env: dict[str, str] | None = None,
                umask: int | None = None, max_file_bytes: int | None = None, timeout: float = 60) -> Run:
    """`actiontrack ARGS` as a separate process; with `permissions_apply`, as a user file modes bind;
    with `max_file_bytes`, unable to grow any file past that size (as on a full disk)."""
    command = [sys.executable, "-m", "tui", *args]
    if permissions_apply and needs_drop_root():
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: file permissions cannot be tested")
        command = DROP_ROOT + command
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH", "")]))
    full_env.setdefault("COLUMNS", "160")
    full_env.update(env or {})

    def in_child() -> None:
        if umask is not None:
            os.umask(umask)
        if max_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk

    special = umask is not None or max_file_bytes is not None
    done = subprocess.run(command, capture_output=True, env=full_env, timeout=timeout, cwd=ROOT,
                          preexec_fn=in_child if special else None)
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
               done.stdout)


def fingerprint(db: Path) -> dict[str, str | None]:
    """SHA-256 of the database file and of its -wal and -shm files (None where absent)."""
    result: dict[str, str | None] = {}
    for suffix in ("", "-wal", "-shm"):
        path = db.with_name(db.name + suffix)
        result[suffix or "db"] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    return result


def assert_one_clean_line(run: Run, *words: str) -> str:
    """The run failed with exit code 1 and exactly one line on stderr holding every word; returns it."""
    assert run.code == 1, f"exit code {run.code}, stderr: {run.err!r}"
    assert "Traceback" not in run.err, run.err
    assert len(run.err_lines) == 1, f"expected one line on stderr, got: {run.err!r}"
    line = run.err_lines[0]
    assert line.startswith("actiontrack: "), line
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"
    return line
