"""Sessions: a random token per login (only its hash stored), idle and absolute expiry, revocation, CSRF."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.platform.security.config import AuthSettings
from jimu.platform.security.errors import AuthenticationError, CsrfError
from jimu.platform.security.principal import Credential, Principal
from jimu.platform.security.tables import sessions
from jimu.platform.security.tokens import SESSION_PREFIX, matches_hash, new_token, token_hash, touch

SESSION_KINDS = ("browser", "api")


@dataclass(frozen=True)
class Session:
    """A new session. `token` and `csrf_token` exist only here: the database keeps their hashes."""

    id: str
    token: str
    user_id: int
    kind: str
    created_at: datetime
    expires_at: datetime
    csrf_token: str | None = None


def create_session(conn: sa.Connection, user_id: int, *, kind: str, now: datetime, ip: str | None,
                   settings: AuthSettings) -> Session:
    """Start a session; browser sessions get a CSRF token."""
    if kind not in SESSION_KINDS:
        raise ValueError(f"session kind must be one of {SESSION_KINDS}")
    token = new_token(SESSION_PREFIX)
    csrf = new_token() if kind == "browser" else None
    session = Session(id=token_hash(token), token=token, user_id=user_id, kind=kind, created_at=now,
                      expires_at=now + settings.absolute_timeout, csrf_token=csrf)
    conn.execute(sa.insert(sessions).values(
        id=session.id, user_id=user_id, kind=kind, created_at=now, last_seen_at=now, expires_at=session.expires_at,
        csrf_hash=token_hash(csrf) if csrf else None, ip=ip))
    return session


_CHECKED = ("id", "user_id", "kind", "last_seen_at", "expires_at", "revoked_at", "csrf_hash")  # check_session_row


def session_query(*extra: ColumnElement[Any]) -> sa.Select[Any]:
    """The lookup of a session by token hash (bind `token_hash`), with `extra` columns read in the same statement."""
    return sa.select(*(sessions.c[name] for name in _CHECKED), *extra).where(
        sessions.c.id == sa.bindparam("token_hash"))


_SESSION_QUERY = session_query()


def session_credential(conn: sa.Connection, token: str, *, now: datetime,
                       settings: AuthSettings) -> tuple[int, Credential]:
    """The user and credential of a live session token; AuthenticationError otherwise. Slides the idle timer."""
    row = conn.execute(_SESSION_QUERY, {"token_hash": token_hash(token)}).first()
    return check_session_row(conn, row, now=now, settings=settings)


def check_session_row(conn: sa.Connection, row: Any, *, now: datetime,
                      settings: AuthSettings) -> tuple[int, Credential]:
    """The user and credential of a looked-up session row (None: unknown token); AuthenticationError unless live."""
    if row is None or row.revoked_at is not None:
        raise AuthenticationError("Authentication failed.")
    if now >= row.expires_at or now >= row.last_seen_at + settings.idle_timeout:
        raise AuthenticationError("The session has expired.", code="security.session_expired")
    if now - row.last_seen_at >= settings.touch_interval:
        touch(conn, sa.update(sessions).where(sessions.c.id == row.id).values(last_seen_at=now))
    return int(row.user_id), Credential(kind=row.kind, id=row.id, csrf_hash=row.csrf_hash)


def revoke_session(conn: sa.Connection, session_id: str, *, now: datetime) -> None:
    """End one session (logout); idempotent."""
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
                 .values(revoked_at=now))


def revoke_user_sessions(conn: sa.Connection, user_id: int, *, now: datetime) -> int:
    """End every session of a user; returns how many were live."""
    result = conn.execute(sa.update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return int(result.rowcount)


def prune_sessions(conn: sa.Connection, *, before: datetime) -> int:
    """Delete sessions that expired or were revoked before `before` (a periodic job)."""
    stale = sa.or_(sessions.c.expires_at < before, sessions.c.revoked_at < before)
    result = conn.execute(sa.delete(sessions).where(stale))
    return int(result.rowcount)


def verify_csrf(principal: Principal, csrf_token: str | None) -> None:
    """For a browser session, the request's CSRF token must match the session's (constant-time); else CsrfError."""
    credential = principal.credential
    if credential is None or credential.kind != "browser":
        return
    if not matches_hash(csrf_token, credential.csrf_hash):
        raise CsrfError("The CSRF token is missing or wrong.")
