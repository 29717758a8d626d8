"""Tunable limits of authentication: session lifetimes and login lockout."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class LockoutRule:
    """`failures` failed logins within `window` lock further attempts for `lockout` after the last one."""

    failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class AuthSettings:
    idle_timeout: timedelta = timedelta(hours=2)  # a session unused this long expires
    absolute_timeout: timedelta = timedelta(hours=12)  # and every session expires this long after login
    touch_interval: timedelta = timedelta(minutes=1)  # last_seen_at is written at most this often
    per_username: LockoutRule = LockoutRule(5, timedelta(minutes=15), timedelta(minutes=15))
    per_ip: LockoutRule = LockoutRule(50, timedelta(minutes=15), timedelta(minutes=15))


DEFAULT_AUTH_SETTINGS = AuthSettings()
