"""Login attempts: recorded per username and address; too many failures lock login for a while."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa

from jimu.platform.security.config import AuthSettings, LockoutRule
from jimu.platform.security.errors import TooManyAttemptsError
from jimu.platform.security.tables import login_attempts


def record_attempt(conn: sa.Connection, username: str, ip: str | None, *, success: bool, now: datetime) -> None:
    conn.execute(sa.insert(login_attempts).values(username=username, ip=ip, at=now, success=success))


def _locked_until(times: list[datetime], rule: LockoutRule) -> datetime | None:
    """End of the latest lockout that `rule.failures` failures within `rule.window` started (times ascending)."""
    n = rule.failures
    end = None
    for i in range(n - 1, len(times)):
        if times[i] - times[i - n + 1] < rule.window:
            end = times[i] + rule.lockout
    return end


def _failures(conn: sa.Connection, column: sa.Column[str], value: str, since: datetime,
              now: datetime) -> list[datetime]:
    query = (sa.select(login_attempts.c.at)
             .where(column == value, login_attempts.c.success.is_(False), login_attempts.c.at > since,
                    login_attempts.c.at <= now)
             .order_by(login_attempts.c.at))
    return list(conn.execute(query).scalars())


def lock_remaining(conn: sa.Connection, username: str, ip: str | None, *, now: datetime,
                   settings: AuthSettings) -> timedelta | None:
    """How long login stays locked for this username or address; None when it is not locked.

    A success clears the username's failures (not the address's: one good account must not reset
    an address that is guessing others).
    """
    remaining: list[timedelta] = []
    rule = settings.per_username
    last_success = conn.execute(sa.select(sa.func.max(login_attempts.c.at)).where(
        login_attempts.c.username == username, login_attempts.c.success.is_(True))).scalar()
    since = now - rule.window - rule.lockout
    if last_success is not None and last_success > since:
        since = last_success
    end = _locked_until(_failures(conn, login_attempts.c.username, username, since, now), rule)
    if end is not None and end > now:
        remaining.append(end - now)
    if ip:
        rule = settings.per_ip
        end = _locked_until(_failures(conn, login_attempts.c.ip, ip, now - rule.window - rule.lockout, now), rule)
        if end is not None and end > now:
            remaining.append(end - now)
    return max(remaining) if remaining else None


def check_not_locked(conn: sa.Connection, username: str, ip: str | None, *, now: datetime,
                     settings: AuthSettings) -> None:
    """Raise TooManyAttemptsError (with retry_after in seconds) while login is locked."""
    remaining = lock_remaining(conn, username, ip, now=now, settings=settings)
    if remaining is not None:
        retry_after = max(1, math.ceil(remaining.total_seconds()))
        raise TooManyAttemptsError("Too many failed logins; try again later.", retry_after=retry_after)


def prune_attempts(conn: sa.Connection, *, before: datetime) -> int:
    """Delete attempts older than `before` (a periodic job); returns how many."""
    return int(conn.execute(sa.delete(login_attempts).where(login_attempts.c.at < before)).rowcount)
