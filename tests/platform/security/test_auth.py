"""Login, lockout, sessions, API tokens and CSRF, with an injected clock."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.security import (
    AuthenticationError,
    CsrfError,
    TooManyAttemptsError,
    authenticate_token,
    create_api_token,
    create_user,
    deactivate_user,
    list_api_tokens,
    login,
    login_committed,
    logout,
    revoke_api_token,
    set_password,
    verify_csrf,
)
from jimu.platform.security.principal import Credential
from jimu.platform.security.tables import api_tokens, sessions
from jimu.platform.security.tokens import token_hash

from .conftest import NOW

PASSWORD = "s3cret-pass"


@pytest.fixture
def alice(db: Engine) -> int:
    with db.begin() as conn:
        return create_user(conn, "Alice", password=PASSWORD, now=NOW)


def _fail(db: Engine, username: str = "alice", *, ip: str = "10.0.0.1", minutes: float = 0) -> str:
    """One failed login, committed; returns the error code."""
    with pytest.raises((AuthenticationError, TooManyAttemptsError)) as caught:
        login_committed(db, username, "wrong-password", ip=ip, now=NOW + timedelta(minutes=minutes))
    return caught.value.code


def test_login_gives_a_session_whose_token_authenticates(db: Engine, alice: int) -> None:
    with db.begin() as conn:
        session = login(conn, "ALICE ", PASSWORD, ip="10.0.0.1", now=NOW)
        assert session.token.startswith("jms_") and session.csrf_token
        assert session.expires_at == NOW + timedelta(hours=12)
        stored = conn.execute(sa.select(sessions)).one()
        assert stored.id == token_hash(session.token) != session.token
        assert stored.csrf_hash == token_hash(session.csrf_token)
        principal = authenticate_token(conn, session.token, NOW + timedelta(minutes=5))
    assert (principal.user_id, principal.username) == (alice, "Alice")
    assert principal.credential is not None and principal.credential.kind == "browser"


def test_wrong_password_unknown_user_and_inactive_user_fail_alike(db: Engine, alice: int) -> None:
    assert _fail(db) == "security.authentication_failed"
    assert _fail(db, "nobody") == "security.authentication_failed"
    with db.begin() as conn:
        deactivate_user(conn, alice, now=NOW)
    with pytest.raises(AuthenticationError) as caught:
        login_committed(db, "alice", PASSWORD, ip="10.0.0.1", now=NOW)
    assert caught.value.http_status == 401


def test_five_failures_lock_the_username_for_fifteen_minutes(db: Engine, alice: int) -> None:
    for minute in range(5):
        assert _fail(db, minutes=minute) == "security.authentication_failed"
    # locked from the 5th failure (minute 4) until minute 19, even with the right password
    with pytest.raises(TooManyAttemptsError) as caught:
        login_committed(db, "alice", PASSWORD, ip="10.9.9.9", now=NOW + timedelta(minutes=10))
    assert caught.value.http_status == 429 and caught.value.retry_after == 9 * 60
    assert caught.value.params["retry_after"] == 540
    with pytest.raises(TooManyAttemptsError):
        login_committed(db, "alice", PASSWORD, ip="10.9.9.9", now=NOW + timedelta(minutes=18, seconds=59))
    session = login_committed(db, "alice", PASSWORD, ip="10.9.9.9", now=NOW + timedelta(minutes=19))
    assert session.user_id == alice


def test_simultaneous_guesses_cannot_slip_past_the_lockout(db: Engine, alice: int) -> None:
    barrier = threading.Barrier(8)

    def guess(n: int) -> str:
        barrier.wait(timeout=30)
        return _fail(db, ip=f"10.0.1.{n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(guess, range(8)))
    assert codes.count("security.authentication_failed") == 5
    assert codes.count("security.too_many_attempts") == 3


def test_failures_spread_over_more_than_the_window_do_not_lock(db: Engine, alice: int) -> None:
    for minute in (0, 4, 8, 12, 16, 20):
        assert _fail(db, minutes=minute) == "security.authentication_failed"
    assert login_committed(db, "alice", PASSWORD, ip="10.0.0.1", now=NOW + timedelta(minutes=21)).user_id == alice


def test_a_success_clears_the_username_failures(db: Engine, alice: int) -> None:
    for minute in range(4):
        _fail(db, minutes=minute)
    login_committed(db, "alice", PASSWORD, ip="10.0.0.1", now=NOW + timedelta(minutes=5))
    assert _fail(db, minutes=6) == "security.authentication_failed"  # 1 failure since the success


def test_one_address_guessing_many_usernames_is_locked(db: Engine, alice: int) -> None:
    for n in range(50):
        assert _fail(db, f"user{n}", ip="203.0.113.7", minutes=n / 10) == "security.authentication_failed"
    assert _fail(db, "alice", ip="203.0.113.7", minutes=5) == "security.too_many_attempts"
    # another address is not affected
    assert login_committed(db, "alice", PASSWORD, ip="10.0.0.1", now=NOW + timedelta(minutes=5)).user_id == alice


def test_sessions_expire_when_idle_and_absolutely(db: Engine, alice: int) -> None:
    with db.begin() as conn:
        session = login(conn, "alice", PASSWORD, ip=None, now=NOW)
        # used every 100 minutes: the idle timer (2 h) slides, the absolute limit (12 h) does not
        for step in range(1, 7):
            authenticate_token(conn, session.token, NOW + timedelta(minutes=100 * step))
        with pytest.raises(AuthenticationError) as caught:
            authenticate_token(conn, session.token, NOW + timedelta(hours=12))
        assert caught.value.code == "security.session_expired"
        idle = login(conn, "alice", PASSWORD, ip=None, now=NOW)
        authenticate_token(conn, idle.token, NOW + timedelta(hours=1, minutes=59))
        with pytest.raises(AuthenticationError):
            authenticate_token(conn, idle.token, NOW + timedelta(hours=3, minutes=59))


def test_logout_and_password_change_revoke_sessions(db: Engine, alice: int) -> None:
    with db.begin() as conn:
        first = login(conn, "alice", PASSWORD, ip=None, now=NOW)
        second = login(conn, "alice", PASSWORD, ip=None, now=NOW, kind="api")
        assert second.csrf_token is None
        logout(conn, authenticate_token(conn, first.token, NOW), now=NOW)
        with pytest.raises(AuthenticationError):
            authenticate_token(conn, first.token, NOW)
        authenticate_token(conn, second.token, NOW)
        set_password(conn, alice, "new-s3cret-pass", now=NOW)
        with pytest.raises(AuthenticationError):
            authenticate_token(conn, second.token, NOW)
        login(conn, "alice", "new-s3cret-pass", ip=None, now=NOW)


def test_api_tokens_store_only_a_hash_and_can_be_revoked(db: Engine, alice: int) -> None:
    with db.begin() as conn:
        info, token = create_api_token(conn, alice, "nightly export", now=NOW, expires_at=NOW + timedelta(days=30))
        assert token.startswith("jmt_") and info.hint == token[:8]
        row = conn.execute(sa.select(api_tokens)).one()
        assert row.token_hash == token_hash(token)
        assert token not in [str(v) for v in row]
        principal = authenticate_token(conn, token, NOW + timedelta(days=1))
        assert principal.user_id == alice
        assert principal.credential == Credential(kind="token", id=str(info.id))
        assert list_api_tokens(conn, alice)[0].last_used_at == NOW + timedelta(days=1)
        with pytest.raises(AuthenticationError) as caught:
            authenticate_token(conn, token, NOW + timedelta(days=30))
        assert caught.value.code == "security.token_expired"
        revoke_api_token(conn, info.id, now=NOW, user_id=alice)
        with pytest.raises(AuthenticationError):
            authenticate_token(conn, token, NOW + timedelta(days=1))


@pytest.mark.parametrize("token", [None, "", "Bearer x", "jms_unknown", "jmt_unknown", "other"])
def test_bad_tokens_are_refused(db: Engine, token: str | None) -> None:
    with db.begin() as conn, pytest.raises(AuthenticationError):
        authenticate_token(conn, token, NOW)


def test_csrf_token_must_match_for_browser_sessions_only(db: Engine, alice: int) -> None:
    with db.begin() as conn:
        browser = login(conn, "alice", PASSWORD, ip=None, now=NOW)
        api = login(conn, "alice", PASSWORD, ip=None, now=NOW, kind="api")
        principal = authenticate_token(conn, browser.token, NOW)
        verify_csrf(principal, browser.csrf_token)
        for wrong in (None, "", browser.token, browser.csrf_token + "x"):  # type: ignore[operator]
            with pytest.raises(CsrfError) as caught:
                verify_csrf(principal, wrong)
            assert caught.value.http_status == 403 and caught.value.code == "security.csrf_failed"
        verify_csrf(authenticate_token(conn, api.token, NOW), None)
