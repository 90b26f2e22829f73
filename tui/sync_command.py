"""The `sync` and `logins` commands: a laptop's database and the region's server."""

from __future__ import annotations

import os
from pathlib import Path

from store.errors import StoreError
from store.text import visible

SERVER_ENV = "ACTIONTRACK_SERVER"


def server_for(local: Path | str, given: str | None) -> str:
    """The server to sync with: --server, else ACTIONTRACK_SERVER, else the one last synced with."""
    from store.config import is_server_url

    if isinstance(local, str):
        raise StoreError("sync runs on a laptop's database file; --db names a server here (give the file with --db, "
                         "the server with --server)")
    url = given or os.environ.get(SERVER_ENV) or None
    if url is None and local.exists():
        from store.db import open_database
        from store.sync import sync_status

        db = open_database(local, read_only=True, check=False, init=False)
        try:
            with db.read() as session:
                url = sync_status(session).server
        finally:
            db.dispose()
    if url is None:
        raise StoreError("name the server to sync with: actiontrack sync --server postgresql://USER@HOST:PORT/DBNAME")
    if not is_server_url(url):
        raise StoreError(f"{url!r} is not a server's URL like postgresql://USER@HOST:PORT/DBNAME")
    return url


def run_sync(local: Path | str, given: str | None) -> int:
    """Sync the database file `local` with the server; say what moved, once it is committed."""
    from store.config import load_config
    from store.importing import open_or_create
    from store.server import open_server
    from store.sync import sync

    url = server_for(local, given)
    assert isinstance(local, Path)
    server = open_server(url)
    try:
        db = open_or_create(local)
        try:
            result = sync(db, server, by=load_config().by)
        finally:
            db.dispose()
    finally:
        server.dispose()
    print(visible(result.summary()))
    return 0


def run_logins(target: Path | str, what: str, login: str | None, owner: str | None, *, lead: bool) -> int:
    """List, add or remove the owner roles of a server's logins (the region's lead runs it)."""
    from store.permissions import add_login, login_grants, remove_login
    from store.queries import find_owner
    from store.server import open_server

    if not isinstance(target, str):
        raise StoreError("logins are kept on a server: give its URL with --db postgresql://USER@HOST:PORT/DBNAME")
    if what != "list" and not login:
        raise StoreError(f"say which login: actiontrack logins {what} LOGIN [OWNER]")
    if what == "add" and not owner and not lead:
        raise StoreError("say which owner role the login holds (as `actiontrack owners` lists it), or give --lead")
    server = open_server(target, init=what != "list")
    try:
        if what == "list":
            with server.read() as session:
                grants = login_grants(session)
            for grant in grants:
                print(visible(f"{grant.login}\t{grant.owner}"))
            if not grants:
                print("no login holds an owner role yet: actiontrack logins add LOGIN OWNER")
            return 0
        assert login is not None
        with server.write() as session:
            role = find_owner(session, owner) if owner else None
            if what == "add":
                add_login(session, login, role.id if role else None, lead=lead)
                said = (f"{login} may now read the region"
                        + (f" and change the actions of {role.label}" if role else "")
                        + (", import plans and keep the logins" if lead else ""))
            else:
                held = remove_login(session, login, role.id if role else None)
                if not held:
                    raise StoreError(f"{login} holds no such owner role here; nothing was changed")
                said = f"{login} no longer holds " + (role.label if role else "any owner role")
        print(visible(said))
        return 0
    finally:
        server.dispose()
