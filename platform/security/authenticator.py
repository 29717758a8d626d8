"""Per-request authentication in one statement, with the loaded principal cached per credential.

    authenticator = Authenticator(settings, extra=(definitions_stamp,))    # one per process (the web app's)
    checked = authenticator.check(conn, token, now)     # ONE statement: the session/token row + security stamp
    principal = authenticator.principal(conn, checked)  # cached while the security stamp has not moved

The lookup of the presented session or token is never cached: a revoked, expired or unknown credential
is refused on the very next request. The principal (user, roles, departments, managed departments) is
reused only for the same credential at the same security stamp, which every change of users, roles,
departments, grants and rules bumps in the changing transaction (see `bump_security_stamp`).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.platform.read_ahead import Rider, Riding, riding
from jimu.platform.registry.caches import BoundedCache
from jimu.platform.security.api_tokens import check_token_row, token_query
from jimu.platform.security.config import DEFAULT_AUTH_SETTINGS, AuthSettings
from jimu.platform.security.errors import AuthenticationError
from jimu.platform.security.principal import Credential, Principal, load_principal
from jimu.platform.security.revision import security_stamp_column
from jimu.platform.security.sessions import check_session_row, session_query
from jimu.platform.security.tokens import API_TOKEN_PREFIX, SESSION_PREFIX, token_hash

STAMP_LABEL = "jimu_security_stamp"
MAX_PRINCIPALS = 10_000
MAX_RIDINGS = 256  # token queries combined with a rider (one per kind of credential and ready statement)

_RowCheck = Callable[[sa.Connection, Any, datetime, AuthSettings], tuple[int, Credential]]


@dataclass(frozen=True)
class CheckedToken:
    """A live credential: its user, the security stamp and the `extra` values read along with it."""

    user_id: int
    credential: Credential
    security_stamp: int
    extra: tuple[Any, ...] = ()
    rider_rows: list[tuple[Any, ...]] | None = None  # the rider's rows, when one was read along


@dataclass(frozen=True)
class _TokenKind:
    query: sa.Select[Any]
    check: _RowCheck


def _check_session(conn: sa.Connection, row: Any, now: datetime, settings: AuthSettings) -> tuple[int, Credential]:
    return check_session_row(conn, row, now=now, settings=settings)


def _check_api_token(conn: sa.Connection, row: Any, now: datetime, settings: AuthSettings) -> tuple[int, Credential]:
    return check_token_row(conn, row, now=now)


class Authenticator:
    """Checks bearer tokens (one statement each) and caches principals per credential and security stamp.

    `extra`: scalar columns (e.g. the definitions stamp as a scalar subquery) read in the same statement;
    their values come back in `CheckedToken.extra`. Statements are built once, here.
    """

    def __init__(self, settings: AuthSettings = DEFAULT_AUTH_SETTINGS, *, extra: Sequence[ColumnElement[Any]] = (),
                 max_principals: int = MAX_PRINCIPALS) -> None:
        self.settings = settings
        self.max_principals = max_principals
        self._extra_labels = tuple(f"jimu_extra_{n}" for n in range(len(extra)))
        columns = (security_stamp_column().label(STAMP_LABEL),
                   *(column.label(label) for column, label in zip(extra, self._extra_labels)))
        self._kinds = {SESSION_PREFIX: _TokenKind(session_query(*columns), _check_session),
                       API_TOKEN_PREFIX: _TokenKind(token_query(*columns), _check_api_token)}
        # (security stamp, principals loaded at it) as ONE attribute, so a reader never pairs a stamp with
        # another stamp's entries
        self._cached: tuple[int | None, dict[tuple[str, str], Principal]] = (None, {})
        self._lock = threading.Lock()
        # (the rider statement itself, kept so its id is not reused while cached; the combined query)
        self._ridings: BoundedCache[tuple[str, int], tuple[sa.Select[Any], Riding]] = BoundedCache(MAX_RIDINGS)

    def check(self, conn: sa.Connection, token: str | None, now: datetime, rider: Rider | None = None) -> CheckedToken:
        """The live credential of a token; AuthenticationError when missing, unknown, expired or revoked.

        `rider`: a one-row SELECT read in the same statement (platform/read_ahead.py); its rows come back in
        `CheckedToken.rider_rows`. Should the combined statement fail (say, a column the rider reads was
        just dropped by a definition change), the token is looked up alone and the rider left unread: riders
        are for read-only work, outside a transaction on PostgreSQL or in SQLite's, which a failed SELECT
        leaves intact."""
        if not token:
            raise AuthenticationError("Authentication required.", code="security.authentication_required")
        prefix, kind = next(((p, k) for p, k in self._kinds.items() if token.startswith(p)), ("", None))
        if kind is None:
            raise AuthenticationError("Authentication failed.")
        params: dict[str, Any] = {"token_hash": token_hash(token)}
        row, combined = None, self._riding(prefix, kind, rider) if rider is not None else None
        if combined is not None and rider is not None:
            try:
                row = conn.execute(combined.query, {**rider.params, **params}).first()
            except sa.exc.DBAPIError as error:
                if error.connection_invalidated:
                    raise
                combined = None
        if combined is None:
            row = conn.execute(kind.query, params).first()
        user_id, credential = kind.check(conn, row, now, self.settings)
        if row is None:  # the check refuses an unknown token; this only tells the type checker
            raise AuthenticationError("Authentication failed.")
        mapping = row._mapping
        return CheckedToken(user_id, credential, int(mapping[STAMP_LABEL] or 0),
                            tuple(mapping[label] for label in self._extra_labels),
                            None if combined is None else combined.rider_rows(row))

    def _riding(self, prefix: str, kind: _TokenKind, rider: Rider) -> Riding:
        """The token query of `kind` with `rider` joined, built once per rider statement (kept while cached)."""
        key = (prefix, id(rider.statement))
        found = self._ridings.get(key)
        if found is not None and found[0] is rider.statement:
            return found[1]
        return self._ridings.put(key, (rider.statement, riding(kind.query, rider.statement)))[1]

    def principal(self, conn: sa.Connection, checked: CheckedToken) -> Principal:
        """The principal of a checked credential: cached when loaded at the same security stamp."""
        key = (checked.credential.kind, checked.credential.id)
        stamp, principals = self._cached
        if stamp == checked.security_stamp:
            cached = principals.get(key)
            if cached is not None and cached.user_id == checked.user_id and cached.credential == checked.credential:
                return cached
        principal = load_principal(conn, checked.user_id, checked.credential)
        self._remember(key, checked.security_stamp, principal)
        return principal

    def authenticate(self, conn: sa.Connection, token: str | None, now: datetime) -> tuple[Principal, CheckedToken]:
        checked = self.check(conn, token, now)
        return self.principal(conn, checked), checked

    def _remember(self, key: tuple[str, str], stamp: int, principal: Principal) -> None:
        with self._lock:
            current, principals = self._cached
            if current != stamp:  # entries of another stamp are stale (or, for an older one, this is)
                principals = {}
                self._cached = (stamp, principals)
            elif len(principals) >= self.max_principals:
                principals.pop(next(iter(principals)))  # the oldest entry
            principals[key] = principal

    def forget(self) -> None:
        """Drop every cached principal (the next request of each credential loads it again)."""
        with self._lock:
            self._cached = (None, {})
