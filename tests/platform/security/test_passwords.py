"""Passwords: argon2id hashes, verification, rehash detection and the length policy."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from jimu.platform.errors import ValidationError
from jimu.platform.security.passwords import (
    PasswordHashing,
    burn_time,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)

REAL_COST = "$m=65536,t=3,p=4$"  # argon2-cffi's recommended parameters (RFC 9106, low memory)
TEST_COST = "$m=8,t=1,p=1$"  # tests/conftest.py sets these through the environment


def _parameters(password_hash: str) -> str:
    return "$" + password_hash.split("$")[3] + "$"


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


def test_needs_rehash_for_other_parameters() -> None:
    assert not needs_rehash(hash_password("correct horse"))
    other = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    assert needs_rehash(other)
    assert needs_rehash("garbage")


def test_hashes_use_the_cost_set_in_the_environment() -> None:
    assert _parameters(hash_password("correct horse")) == TEST_COST


def test_the_real_cost_when_the_environment_sets_none(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = hash_password("correct horse")
    for name in ("JIMU_ARGON2_TIME_COST", "JIMU_ARGON2_MEMORY_KIB", "JIMU_ARGON2_PARALLELISM"):
        monkeypatch.delenv(name)
    assert PasswordHashing.from_env() == PasswordHashing(time_cost=3, memory_kib=65536, parallelism=4)
    real = hash_password("correct horse")
    assert _parameters(real) == REAL_COST
    assert verify_password(real, "correct horse") and not verify_password(real, "correct horsE")
    assert not needs_rehash(real)
    assert needs_rehash(cheap) and verify_password(cheap, "correct horse")  # rehashed at the next login
    burn_time("correct horse")


def test_unusable_costs_in_the_environment_are_refused() -> None:
    assert PasswordHashing.from_env({"JIMU_ARGON2_TIME_COST": " 2 "}).time_cost == 2
    with pytest.raises(ValueError, match="JIMU_ARGON2_MEMORY_KIB must be a whole number, not '64M'"):
        PasswordHashing.from_env({"JIMU_ARGON2_MEMORY_KIB": "64M"})
    with pytest.raises(ValueError, match="memory_kib >= 8 x parallelism"):
        PasswordHashing.from_env({"JIMU_ARGON2_MEMORY_KIB": "16", "JIMU_ARGON2_PARALLELISM": "4"})
    with pytest.raises(ValueError, match="time_cost >= 1"):
        PasswordHashing(time_cost=0)


def test_policy_requires_eight_characters() -> None:
    check_policy("12345678")
    with pytest.raises(ValidationError) as caught:
        hash_password("1234567")
    assert caught.value.code == "security.password_too_short"
    assert caught.value.details[0].path == "password"
    assert caught.value.http_status == 422
