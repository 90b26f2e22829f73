"""Who may change what on a shared server, enforced by PostgreSQL itself (roles and row-level security).

- `actiontrack_member`: every login of the region. Reads the whole region's database; changes
  (status, ticks, notes, undo: an action's status and version, its occurrences, new history rows)
  only actions owned by an owner role the login holds in the `loginrole` table.
- `actiontrack_lead`: the region's lead. Imports plans and keeps the logins table.
- A region is one database: logins get CONNECT on it when they are added, PUBLIC does not.
Nothing here trusts the client: a login writing SQL by hand meets the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, text
from sqlmodel import Session, col

from store.db import rows_affected
from store.errors import StoreError
from store.models import LoginRole, Owner

MEMBER = "actiontrack_member"
LEAD = "actiontrack_lead"

_SETUP = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MEMBER}') THEN CREATE ROLE {MEMBER} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{LEAD}') THEN CREATE ROLE {LEAD} NOLOGIN; END IF;
END $$;
GRANT {MEMBER} TO {LEAD};
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {MEMBER};
GRANT INSERT ON "change", occurrence TO {MEMBER};
GRANT UPDATE (status, version) ON action TO {MEMBER};
GRANT UPDATE (done) ON occurrence TO {MEMBER};
GRANT USAGE, SELECT, UPDATE ON SEQUENCE change_id_seq TO {MEMBER};
GRANT ALL ON ALL TABLES IN SCHEMA public TO {LEAD};
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {LEAD};
CREATE OR REPLACE FUNCTION actiontrack_may_change(target integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT pg_has_role(current_user, '{LEAD}', 'MEMBER') OR EXISTS (
    SELECT 1 FROM actionowner ao JOIN loginrole l ON l.owner_id = ao.owner_id
    WHERE ao.action_id = target AND l.login = current_user)
$$;
ALTER TABLE action ENABLE ROW LEVEL SECURITY;
ALTER TABLE "change" ENABLE ROW LEVEL SECURITY;
ALTER TABLE occurrence ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_region ON action FOR SELECT USING (true);
CREATE POLICY change_own ON action FOR UPDATE
    USING (actiontrack_may_change(id)) WITH CHECK (actiontrack_may_change(id));
CREATE POLICY lead_all ON action FOR ALL TO {LEAD} USING (true) WITH CHECK (true);
CREATE POLICY read_region ON "change" FOR SELECT USING (true);
CREATE POLICY record_own ON "change" FOR INSERT WITH CHECK (actiontrack_may_change(action_id));
CREATE POLICY read_region ON occurrence FOR SELECT USING (true);
CREATE POLICY tick_own ON occurrence FOR INSERT WITH CHECK (actiontrack_may_change(action_id));
CREATE POLICY tick_own_update ON occurrence FOR UPDATE USING (actiontrack_may_change(action_id))
  WITH CHECK (actiontrack_may_change(action_id));
"""


def install_permissions(conn: Any) -> None:
    """Create the group roles (if missing), the grants and the row-level security policies."""
    conn.exec_driver_sql(_SETUP)
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    conn.exec_driver_sql(f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC')
    conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO {LEAD}')


@dataclass(frozen=True, slots=True)
class LoginGrant:
    """A login and one owner role it holds."""

    login: str
    owner: str  # the owner's label, e.g. "Head of Tameside PDU (Greater Manchester)"


def _quoted(session: Session, login: str) -> str:
    if not login or len(login) > 63 or any(c in login for c in '"\x00'):
        raise StoreError(f"{login!r} is not a login name PostgreSQL accepts")
    return str(session.execute(text("SELECT quote_ident(:n)"), {"n": login}).scalar_one())


def add_login(session: Session, login: str, owner_id: int | None, *, lead: bool = False) -> None:
    """Let `login` into this region's database, holding the owner role `owner_id` (and, if `lead`, the
    lead's rights).

    The login is created (without a password: set one with psql's \\password) if it does not exist."""
    name = _quoted(session, login)
    exists = session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login}).first()
    if not exists:
        session.execute(text(f"CREATE ROLE {name} LOGIN"))
    database = session.execute(text("SELECT quote_ident(current_database())")).scalar_one()
    session.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {name}"))
    session.execute(text(f"GRANT {LEAD if lead else MEMBER} TO {name}"))
    if owner_id is not None and session.get(LoginRole, (login, owner_id)) is None:
        session.add(LoginRole(login=login, owner_id=owner_id))
        session.flush()


def remove_login(session: Session, login: str, owner_id: int | None) -> int:
    """Take one owner role (or, with None, every one) from `login`; how many it held. The login keeps
    reading the region (revoke CONNECT in PostgreSQL to shut it out)."""
    query = delete(LoginRole).where(col(LoginRole.login) == login)
    if owner_id is not None:
        query = query.where(col(LoginRole.owner_id) == owner_id)
    return rows_affected(session, query)


def login_grants(session: Session) -> list[LoginGrant]:
    """Every login with the owner roles it holds, by login then owner."""
    rows = session.execute(select(col(LoginRole.login), Owner).join(Owner, col(Owner.id) == col(LoginRole.owner_id))
                           .order_by(col(LoginRole.login), col(Owner.name))).all()
    return [LoginGrant(login, owner.label) for login, owner in rows]


def may_edit_plans(session: Session) -> bool:
    """Whether this login may add plans and change their content on the server (the region's lead, or any
    login where the server has no permission rules)."""
    return bool(session.execute(text(
        "SELECT has_table_privilege('plan', 'INSERT') AND has_column_privilege('action', 'text', 'UPDATE')")).scalar())
