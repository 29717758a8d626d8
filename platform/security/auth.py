"""Authentication: password login with lockout, logout, and bearer tokens to principals."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.meta import users
from jimu.platform.security.api_tokens import token_credential
from jimu.platform.security.config import DEFAULT_AUTH_SETTINGS, AuthSettings
from jimu.platform.security.errors import AuthenticationError
from jimu.platform.security.passwords import burn_time, hash_password, needs_rehash, verify_password
from jimu.platform.security.principal import Credential, Principal, load_principal
from jimu.platform.security.ratelimit import check_not_locked, record_attempt
from jimu.platform.security.sessions import Session, create_session, revoke_session, session_credential
from jimu.platform.security.tokens import API_TOKEN_PREFIX, SESSION_PREFIX

_Resolver = Callable[..., tuple[int, Credential]]


def _session_resolver(conn: sa.Connection, token: str, now: datetime, settings: AuthSettings) -> tuple[int, Credential]:
    return session_credential(conn, token, now=now, settings=settings)


def _api_token_resolver(conn: sa.Connection, token: str, now: datetime,
                        settings: AuthSettings) -> tuple[int, Credential]:
    return token_credential(conn, token, now=now)


TOKEN_KINDS: Mapping[str, _Resolver] = {SESSION_PREFIX: _session_resolver, API_TOKEN_PREFIX: _api_token_resolver}


def login(conn: sa.Connection, username: str, password: str, *, ip: str | None, now: datetime, kind: str = "browser",
          settings: AuthSettings = DEFAULT_AUTH_SETTINGS) -> Session:
    """Check a password and start a session.

    Raises TooManyAttemptsError while locked, AuthenticationError on a wrong username or password or an
    inactive user (one message for all). Every attempt is written on `conn`: commit it even when this
    raises, or lockout never triggers — `login_committed` does that for you.
    """
    name = username.strip().lower()[:150]
    _serialise_attempts(conn, name)
    check_not_locked(conn, name, ip, now=now, settings=settings)
    user = conn.execute(sa.select(users.c.id, users.c.password_hash, users.c.is_active)
                        .where(sa.func.lower(users.c.username) == name)).first()
    if user is None:
        burn_time(password)
    if user is None or not verify_password(user.password_hash, password) or not user.is_active:
        record_attempt(conn, name, ip, success=False, now=now)
        raise AuthenticationError("Wrong username or password.")
    record_attempt(conn, name, ip, success=True, now=now)
    if needs_rehash(user.password_hash):
        conn.execute(sa.update(users).where(users.c.id == user.id).values(password_hash=hash_password(password)))
    return create_session(conn, int(user.id), kind=kind, now=now, ip=ip, settings=settings)


def _serialise_attempts(conn: sa.Connection, name: str) -> None:
    """Attempts on one username take turns, so simultaneous guesses cannot all slip past the lockout.

    PostgreSQL: a transaction-scoped advisory lock per username. SQLite: the write transaction
    (BEGIN IMMEDIATE) already serialises every login.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("jimu.login:" + name))))


def login_committed(engine: Engine, username: str, password: str, *, ip: str | None, now: datetime,
                    kind: str = "browser", settings: AuthSettings = DEFAULT_AUTH_SETTINGS) -> Session:
    """`login` in its own transaction, committed whether it succeeds or raises (so failures count)."""
    with engine.connect() as conn:
        try:
            return login(conn, username, password, ip=ip, now=now, kind=kind, settings=settings)
        finally:
            conn.commit()


def logout(conn: sa.Connection, principal: Principal, *, now: datetime) -> None:
    """End the session the principal authenticated with (API tokens are revoked separately)."""
    credential = principal.credential
    if credential is not None and credential.kind in ("browser", "api"):
        revoke_session(conn, credential.id, now=now)


def authenticate_token(conn: sa.Connection, token: str | None, now: datetime, *,
                       settings: AuthSettings = DEFAULT_AUTH_SETTINGS) -> Principal:
    """The principal of a bearer token (a session token `jms_…` or a personal API token `jmt_…`).

    AuthenticationError for a missing, unknown, expired or revoked token, or an inactive user.
    """
    if not token:
        raise AuthenticationError("Authentication required.", code="security.authentication_required")
    resolver = next((r for prefix, r in TOKEN_KINDS.items() if token.startswith(prefix)), None)
    if resolver is None:
        raise AuthenticationError("Authentication failed.")
    user_id, credential = resolver(conn, token, now, settings)
    return load_principal(conn, user_id, credential)
