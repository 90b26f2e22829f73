"""A real PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder, on a loopback port.

The server runs as an unprivileged account (PostgreSQL refuses to run as root): the current user,
or, when the tests run as root, the `postgres` account Debian's package makes (created if missing).
Without PostgreSQL's programs the tests that need it are skipped, unless ACTIONTRACK_PG_REQUIRED=1
(as CI sets it): then a missing server is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_ENV = "ACTIONTRACK_PG_REQUIRED"
SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, else PATH."""
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                      if Path(p).parent.name.isdigit() else 0)
    for folder in reversed(versions):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """One running server: its port, its folder and the account it runs as."""

    bindir: Path
    folder: Path
    port: int
    account: str | None  # the OS account it runs as when we are root
    databases: list[str] = field(default_factory=list)

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(argv)
        if self.account is not None:
            command = ["runuser", "-u", self.account, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def url(self, database: str, user: str = SUPERUSER) -> str:
        """The URL actiontrack takes for a database on this server, as `user`."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres", user: str = SUPERUSER) -> str:
        """Run SQL as `user` (no password: the test server trusts loopback); its output."""
        done = subprocess.run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", database, "-c", sql],
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(done.stderr.strip())
        return done.stdout.strip()

    def new_database(self) -> str:
        """A fresh, empty database's name."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name}")
        self.databases.append(name)
        return name

    def start(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
                  "-w", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop",
                  check=False)


def _account() -> str | None:
    """The account to run the server as: None if we are not root, else `postgres` (made if missing)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    if subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", "postgres"], check=True)
    return "postgres"


def start_server() -> PgServer | str:
    """Start a server; or, if PostgreSQL's programs are missing, the reason (a sentence)."""
    bindir = find_bindir()
    if bindir is None:
        return "PostgreSQL's programs (initdb, pg_ctl) are not installed"
    account = _account()
    folder = Path(tempfile.mkdtemp(prefix="actiontrack-pg-"))
    if account is not None:
        shutil.chown(folder, account)
    folder.chmod(0o700)
    server = PgServer(bindir, folder, _free_port(), account)
    server._run(str(bindir / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER, "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C")
    with open(folder / "data" / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("fsync = off\nmax_connections = 100\nshared_buffers = 64MB\n")
    server.start()
    return server


def remove(server: PgServer) -> None:
    """Stop the server and remove its folder."""
    server.stop("immediate")
    shutil.rmtree(server.folder, ignore_errors=True)
