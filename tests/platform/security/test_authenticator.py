"""The Authenticator: one statement per check, principals cached per credential only while the stamp holds."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.kernel import Kernel, definitions_stamp_column
from jimu.platform.meta import users
from jimu.platform.read_ahead import ReadyRows, Rider
from jimu.platform.security import (
    AuthenticationError,
    Authenticator,
    SecurityCache,
    create_api_token,
    create_department,
    create_role,
    create_user,
    deactivate_user,
    delete_department,
    login,
    logout,
    reactivate_user,
    revoke_api_token,
    set_password,
    set_user_departments,
    set_user_roles,
    update_department,
    update_user,
)
from jimu.platform.security.revision import security_stamp
from jimu.platform.transactions import work_mode

from .conftest import NOW


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@dataclass(frozen=True)
class Bob:
    id: int
    token: str
    token_id: int


@pytest.fixture
def bob(db: Engine) -> Bob:
    """A user with a role and a personal API token."""
    with db.begin() as conn:
        create_role(conn, "rep", now=NOW)
        create_role(conn, "boss", now=NOW)
        user = create_user(conn, "bob", password="s3cret-pass", now=NOW)
        set_user_roles(conn, user, ["rep"])
        token, secret = create_api_token(conn, user, "script", now=NOW)
        return Bob(user, secret, token.id)


def test_a_check_is_one_statement_with_both_stamps_and_the_principal_is_cached(db: Engine,
                                                                               bob: Bob) -> None:
    authenticator = Authenticator(extra=(definitions_stamp_column(),))
    with db.begin() as conn:
        first, checked = authenticator.authenticate(conn, bob.token, NOW)
        assert first.roles == {"rep"} and checked.security_stamp == security_stamp(conn)
        assert checked.extra == (conn.execute(sa.text("SELECT max(id) FROM jimu_definition_version")).scalar() or 0,)
    with db.begin() as conn, counted(db) as statements:
        again, _ = authenticator.authenticate(conn, bob.token, NOW)
    assert again is first
    assert len(statements) == 1 and "jimu_security_revision" in statements[0]


def test_revoking_a_token_takes_effect_immediately_even_with_the_cache(db: Engine, bob: Bob) -> None:
    authenticator = Authenticator()
    with db.begin() as conn:
        authenticator.authenticate(conn, bob.token, NOW)  # cached
        revoke_api_token(conn, bob.token_id, now=NOW)
        with pytest.raises(AuthenticationError):
            authenticator.authenticate(conn, bob.token, NOW)


def test_logout_and_deactivation_take_effect_immediately(db: Engine, bob: Bob) -> None:
    authenticator = Authenticator()
    with db.begin() as conn:
        session = login(conn, "bob", "s3cret-pass", ip=None, now=NOW, kind="api")
        principal, _ = authenticator.authenticate(conn, session.token, NOW)
        logout(conn, principal, now=NOW)
        with pytest.raises(AuthenticationError):
            authenticator.authenticate(conn, session.token, NOW)
        authenticator.authenticate(conn, bob.token, NOW)
        deactivate_user(conn, bob.id, now=NOW)
        with pytest.raises(AuthenticationError):
            authenticator.authenticate(conn, bob.token, NOW)


def test_role_and_department_changes_are_seen_on_the_next_check(db: Engine, bob: Bob) -> None:
    authenticator = Authenticator()
    with db.begin() as conn:
        assert authenticator.authenticate(conn, bob.token, NOW)[0].roles == {"rep"}
        set_user_roles(conn, bob.id, ["boss"])
        assert authenticator.authenticate(conn, bob.token, NOW)[0].roles == {"boss"}
        sales = create_department(conn, "Sales", now=NOW)
        set_user_departments(conn, bob.id, [sales])
        assert authenticator.authenticate(conn, bob.token, NOW)[0].departments == {sales}
        update_department(conn, sales, manager_id=bob.id)
        assert authenticator.authenticate(conn, bob.token, NOW)[0].managed_departments == {sales}
        east = create_department(conn, "East", parent_id=sales, now=NOW)
        assert authenticator.authenticate(conn, bob.token, NOW)[0].managed_departments == {sales, east}
        update_user(conn, bob.id, is_superuser=True)
        assert authenticator.authenticate(conn, bob.token, NOW)[0].is_superuser


def _changes(user: int, department: int) -> dict[str, Callable[[sa.Connection], object]]:
    return {
        "set_user_roles": lambda c: set_user_roles(c, user, ["boss"]),
        "set_user_departments": lambda c: set_user_departments(c, user, [department]),
        "update_user (superuser)": lambda c: update_user(c, user, is_superuser=True),
        "update_user (username)": lambda c: update_user(c, user, username="robert"),
        "set_password": lambda c: set_password(c, user, "n3w-password", now=NOW),
        "deactivate_user": lambda c: deactivate_user(c, user, now=NOW),
        "reactivate_user": lambda c: reactivate_user(c, user),
        "create_department": lambda c: create_department(c, "Sub", parent_id=department, now=NOW),
        "update_department": lambda c: update_department(c, department, manager_id=user),
        "delete_department": lambda c: delete_department(c, create_department(c, "Leaf", now=NOW)),
    }


def test_every_change_a_principal_depends_on_bumps_the_security_stamp(db: Engine, bob: Bob) -> None:
    with db.begin() as conn:
        department = create_department(conn, "Sales", now=NOW)
        for name, change in _changes(bob.id, department).items():
            before = security_stamp(conn)
            change(conn)
            assert security_stamp(conn) > before, name


def test_security_cache_shares_role_grants_until_the_stamp_moves(kernel: Kernel, db: Engine) -> None:
    cache = SecurityCache()
    with db.begin() as conn:
        create_role(conn, "rep", now=NOW)
        snapshot = cache.snapshot(conn)
        catalog = kernel.definitions(conn).catalog
        grants = cache.grants(snapshot, catalog, frozenset({"rep"}))
        assert cache.grants(cache.snapshot(conn, security_stamp(conn)), catalog, frozenset({"rep"})) is grants
        create_role(conn, "boss", now=NOW)
        fresh = cache.snapshot(conn, security_stamp(conn))
        assert fresh is not snapshot and cache.grants(fresh, catalog, frozenset({"rep"})) is not grants


def test_a_rider_is_read_in_the_same_statement_and_handed_out_once(db: Engine, bob: Bob) -> None:

    by_id = sa.select(users.c.id, users.c.username).where(users.c.id == sa.bindparam("user_id"))
    authenticator = Authenticator()
    with db.begin() as conn, counted(db) as statements:
        found = authenticator.check(conn, bob.token, NOW, Rider(by_id, {"user_id": bob.id}))
        nothing = authenticator.check(conn, bob.token, NOW, Rider(by_id, {"user_id": bob.id + 999}))
    reads = [s for s in statements if s.startswith("SELECT")]  # (the first check touches last_used_at too)
    assert len(reads) == 2 and all("jimu_user" in s and "jimu_api_token" in s for s in reads), statements
    assert found.rider_rows == [(bob.id, "bob")] and nothing.rider_rows == []
    ready = ReadyRows()
    ready.put(Rider(by_id, {"user_id": bob.id}), found.rider_rows)
    same_shape = sa.select(users.c.id, users.c.username).where(users.c.id == sa.bindparam("user_id"))
    assert ready.take(same_shape, {"user_id": bob.id}) is None  # another statement object: not its rows
    assert ready.take(by_id, {"user_id": bob.id + 1}) is None  # other parameters
    assert ready.take(by_id, {"user_id": bob.id}) == [(bob.id, "bob")]
    assert ready.take(by_id, {"user_id": bob.id}) is None and len(ready) == 0  # once


def test_a_failing_rider_leaves_the_check_alone_and_a_revoked_token_is_refused_with_one(db: Engine,
                                                                                      bob: Bob) -> None:

    gone = sa.table("t_no_such_table", sa.column("id"))
    rider = Rider(sa.select(gone.c.id).where(gone.c.id == sa.bindparam("record_id")), {"record_id": 1})
    authenticator = Authenticator()
    with db.connect().execution_options(**work_mode(db.dialect, read_only=True).options) as conn:  # as GETs run
        checked = authenticator.check(conn, bob.token, NOW, rider)
        assert checked.user_id == bob.id and checked.rider_rows is None
        conn.rollback()
    with db.begin() as conn:
        revoke_api_token(conn, bob.token_id, now=NOW)
    users_rider = Rider(sa.select(sa.literal_column("1").label("one")), {})
    with db.begin() as conn, pytest.raises(AuthenticationError):
        authenticator.check(conn, bob.token, NOW, users_rider)
