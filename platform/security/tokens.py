"""Secret tokens: random, recognisable by prefix, stored only as their SHA-256."""
from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa

from jimu.platform.transactions import savepoint

SESSION_PREFIX = "jms_"  # session tokens (browser cookie or API login)
API_TOKEN_PREFIX = "jmt_"  # personal API tokens
TOKEN_BYTES = 32


def new_token(prefix: str = "") -> str:
    """A fresh random token (256 bits), with an optional prefix telling its kind."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a token: the only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def matches_hash(token: str | None, stored_hash: str | None) -> bool:
    """Constant-time check that a presented token has the stored hash."""
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)


def touch(conn: sa.Connection, statement: sa.Update) -> None:
    """A best-effort bookkeeping write (last seen / last used): it never fails the request.

    Inside a read-mostly SQLite transaction the write may find the database busy; it is then
    skipped (the next request records the use) instead of turning a read into an error. In
    PostgreSQL read-only work (no transaction) the one UPDATE is atomic by itself.
    """
    try:
        with savepoint(conn):
            conn.execute(statement)
    except sa.exc.OperationalError:
        return
