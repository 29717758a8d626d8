"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jimu.platform.errors import ErrorDetail, ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # bounds the hashing work an attacker can ask for


def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def check_policy(password: str) -> None:
    """Raise ValidationError unless the password satisfies the policy."""
    if len(password) < MIN_LENGTH:
        raise ValidationError("The password is too short.", code="security.password_too_short",
                              details=[ErrorDetail("password", "security.password_too_short", {"min": MIN_LENGTH})],
                              min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise ValidationError("The password is too long.", code="security.password_too_long",
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
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def burn_time(password: str) -> None:
    """Spend about the time of one verification, so unknown usernames are not told apart by timing."""
    verify_password(_DUMMY_HASH, password[:MAX_LENGTH])


# A fixed, valid argon2id hash of a random string (constant, not state).
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$GDuNYh1PXFYJV7nER4l9og$cfM8hXLtb2xOZfsY7yT6VG0idRmWZckLSeXLsei711E"
