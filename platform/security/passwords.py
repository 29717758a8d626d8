"""Password hashing (argon2id) and the password policy.

The cost of new hashes comes from the environment (`JIMU_ARGON2_TIME_COST`, `JIMU_ARGON2_MEMORY_KIB`,
`JIMU_ARGON2_PARALLELISM`), read when a password is hashed; unset, argon2-cffi's recommended
parameters (RFC 9106's low-memory profile). A hash carries its own parameters, so one made with
other settings still verifies, and is rehashed at the next login.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate

MIN_LENGTH = 8
MAX_LENGTH = 1024  # bounds the hashing work an attacker can ask for


@dataclass(frozen=True)
class PasswordHashing:
    """The argon2id cost of new hashes: passes over memory, memory in KiB, lanes."""

    time_cost: int = RFC_9106_LOW_MEMORY.time_cost
    memory_kib: int = RFC_9106_LOW_MEMORY.memory_cost
    parallelism: int = RFC_9106_LOW_MEMORY.parallelism

    def __post_init__(self) -> None:
        if self.time_cost < 1 or self.parallelism < 1 or self.memory_kib < 8 * self.parallelism:
            raise ValueError(f"argon2 needs time_cost >= 1, parallelism >= 1 and memory_kib >= 8 x parallelism; "
                             f"got {self.time_cost}, {self.parallelism} and {self.memory_kib}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> PasswordHashing:
        """The parameters set in the environment; the defaults for those not set."""
        default = cls()
        return cls(time_cost=_number(environ, "JIMU_ARGON2_TIME_COST", default.time_cost),
                   memory_kib=_number(environ, "JIMU_ARGON2_MEMORY_KIB", default.memory_kib),
                   parallelism=_number(environ, "JIMU_ARGON2_PARALLELISM", default.parallelism))

    def hasher(self) -> PasswordHasher:
        return PasswordHasher(time_cost=self.time_cost, memory_cost=self.memory_kib, parallelism=self.parallelism)


def _number(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _hasher() -> PasswordHasher:
    return PasswordHashing.from_env().hasher()


def check_policy(password: str) -> None:
    """Raise ValidationError unless the password satisfies the policy."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(translate("security.password_too_short", "en", min=MIN_LENGTH),
                              code="security.password_too_short",
                              details=[ErrorDetail("password", "security.password_too_short", {"min": MIN_LENGTH})],
                              min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise ValidationError(translate("security.password_too_long", "en", max=MAX_LENGTH),
                              code="security.password_too_long",
                              details=[ErrorDetail("password", "security.password_too_long", {"max": MAX_LENGTH})],
                              max=MAX_LENGTH)


def hash_password(password: str) -> str:
    """The argon2id hash of a password that satisfies the policy."""
    check_policy(password)
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; False for a missing or malformed hash (never raises on bad input)."""
    if not password_hash or len(password) > MAX_LENGTH:
        return False
    try:
        return PasswordHasher().verify(password_hash, password)  # the cost is the one stored in the hash
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the configured ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def burn_time(password: str) -> None:
    """Spend the time of one verification, so unknown usernames are not told apart by timing."""
    verify_password(_dummy_hash(PasswordHashing.from_env()), password[:MAX_LENGTH])


@cache
def _dummy_hash(hashing: PasswordHashing) -> str:
    """A hash of a random string at the configured cost (made once per set of parameters)."""
    return hashing.hasher().hash(secrets.token_urlsafe(16))
