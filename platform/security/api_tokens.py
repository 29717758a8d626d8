"""Personal API tokens: created by a user for scripts, shown once, stored as a hash, revocable."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.platform.errors import NotFoundError
from jimu.platform.security.errors import AuthenticationError
from jimu.platform.security.principal import Credential
from jimu.platform.security.tables import api_tokens
from jimu.platform.security.tokens import API_TOKEN_PREFIX, new_token, token_hash, touch
from jimu.platform.security.users import require_user

HINT_LENGTH = 8
TOUCH_SECONDS = 60


@dataclass(frozen=True)
class ApiToken:
    """A token's metadata (never the token itself)."""

    id: int
    user_id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


def _token(row: Any) -> ApiToken:
    return ApiToken(row.id, row.user_id, row.name, row.hint, row.created_at, row.last_used_at, row.expires_at,
                    row.revoked_at)


def create_api_token(conn: sa.Connection, user_id: int, name: str, *, now: datetime,
                     expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for a user: its metadata and the plain token (show it once; it cannot be recovered)."""
    require_user(conn, user_id)
    token = new_token(API_TOKEN_PREFIX)
    name, hint = name[:100], token[:HINT_LENGTH]
    values = {"user_id": user_id, "name": name, "token_hash": token_hash(token), "hint": hint,
              "created_at": now, "expires_at": expires_at}
    token_id = conn.execute(sa.insert(api_tokens).values(**values).returning(api_tokens.c.id)).scalar_one()
    return ApiToken(int(token_id), user_id, name, hint, now, None, expires_at, None), token


def list_api_tokens(conn: sa.Connection, user_id: int) -> list[ApiToken]:
    rows = conn.execute(sa.select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id))
    return [_token(row) for row in rows]


def revoke_api_token(conn: sa.Connection, token_id: int, *, now: datetime, user_id: int | None = None) -> None:
    """Revoke a token (of `user_id` when given: users revoke only their own)."""
    query = sa.update(api_tokens).where(api_tokens.c.id == token_id)
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    if conn.execute(query.values(revoked_at=sa.func.coalesce(api_tokens.c.revoked_at, now))).rowcount == 0:
        raise NotFoundError(f"No API token {token_id}.", code="security.unknown_token", token=token_id)


_CHECKED = ("id", "user_id", "last_used_at", "expires_at", "revoked_at")  # what `check_token_row` reads


def token_query(*extra: ColumnElement[Any]) -> sa.Select[Any]:
    """The lookup of an API token by hash (bind `token_hash`): the columns `check_token_row` reads, and
    `extra` columns read in the same statement."""
    return sa.select(*(api_tokens.c[name] for name in _CHECKED), *extra).where(
        api_tokens.c.token_hash == sa.bindparam("token_hash"))


_TOKEN_QUERY = token_query()


def token_credential(conn: sa.Connection, token: str, *, now: datetime) -> tuple[int, Credential]:
    """The user and credential of a live API token; AuthenticationError otherwise. Records its use."""
    row = conn.execute(_TOKEN_QUERY, {"token_hash": token_hash(token)}).first()
    return check_token_row(conn, row, now=now)


def check_token_row(conn: sa.Connection, row: Any, *, now: datetime) -> tuple[int, Credential]:
    """The user and credential of a looked-up token row (None: unknown token); AuthenticationError unless live."""
    if row is None or row.revoked_at is not None:
        raise AuthenticationError("Authentication failed.")
    if row.expires_at is not None and now >= row.expires_at:
        raise AuthenticationError("The token has expired.", code="security.token_expired")
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= TOUCH_SECONDS:
        touch(conn, sa.update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    return int(row.user_id), Credential(kind="token", id=str(row.id))
