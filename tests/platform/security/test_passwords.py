"""Passwords: argon2id hashes, verification, rehash detection and the length policy."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from jimu.platform.errors import ValidationError
from jimu.platform.security.passwords import check_policy, hash_password, needs_rehash, verify_password


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "correct horsE")
    assert hash_password("correct horse") != hashed  # salted


def test_verify_never_raises_on_bad_input() -> None:
    assert not verify_password(None, "whatever1")
    assert not verify_password("", "whatever1")
    assert not verify_password("not-a-hash", "whatever1")
    assert not verify_password(hash_password("x" * 20), "x" * 5000)


def test_needs_rehash_for_weaker_parameters() -> None:
    assert not needs_rehash(hash_password("correct horse"))
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    assert needs_rehash(weak)
    assert needs_rehash("garbage")


def test_policy_requires_eight_characters() -> None:
    check_policy("12345678")
    with pytest.raises(ValidationError) as caught:
        hash_password("1234567")
    assert caught.value.code == "security.password_too_short"
    assert caught.value.details[0].path == "password"
    assert caught.value.http_status == 422
