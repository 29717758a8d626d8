"""Users, roles and departments: creation, updates, deactivation, memberships and the department tree."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.errors import ConflictError, NotFoundError, ValidationError
from jimu.platform.meta import users
from jimu.platform.security import (
    create_api_token,
    create_department,
    create_role,
    create_user,
    deactivate_user,
    delete_department,
    load_principal,
    set_user_departments,
    set_user_roles,
    update_department,
    update_user,
)
from jimu.platform.security.departments import list_departments
from jimu.platform.security.errors import AuthenticationError
from jimu.platform.security.tables import api_tokens

from .conftest import NOW


def test_create_and_update_user(db: Engine) -> None:
    with db.begin() as conn:
        alice = create_user(conn, "alice", password="s3cret-pass", email="a@example.com", now=NOW)
        row = conn.execute(sa.select(users).where(users.c.id == alice)).one()
        assert (row.username, row.display_name, row.is_active, row.is_superuser) == ("alice", "alice", True, False)
        assert row.password_hash.startswith("$argon2id$")
        update_user(conn, alice, display_name="Alice Liddell", locale="zh-CN")
        row = conn.execute(sa.select(users).where(users.c.id == alice)).one()
        assert (row.display_name, row.locale) == ("Alice Liddell", "zh-CN")


def test_usernames_are_unique_ignoring_case_and_checked(db: Engine) -> None:
    with db.begin() as conn:
        create_user(conn, "alice", now=NOW)
        with pytest.raises(ConflictError) as caught:
            create_user(conn, "ALICE", now=NOW)
        assert caught.value.code == "security.username_taken"
        with pytest.raises(ValidationError):
            create_user(conn, "has space", now=NOW)
        with pytest.raises(ValidationError):
            update_user(conn, 1, password_hash="x")


def test_deactivation_revokes_tokens_and_blocks_the_principal(db: Engine) -> None:
    with db.begin() as conn:
        bob = create_user(conn, "bob", password="s3cret-pass", now=NOW)
        create_api_token(conn, bob, "script", now=NOW)
        deactivate_user(conn, bob, now=NOW)
        assert conn.execute(sa.select(api_tokens.c.revoked_at)).scalar_one() == NOW
        with pytest.raises(AuthenticationError):
            load_principal(conn, bob)


def test_roles_and_departments_reach_the_principal(db: Engine) -> None:
    with db.begin() as conn:
        boss = create_user(conn, "boss", now=NOW)
        clerk = create_user(conn, "clerk", now=NOW)
        create_role(conn, "sales", {"en": "Sales", "zh-CN": "销售"}, now=NOW)
        create_role(conn, "viewer", now=NOW)
        company = create_department(conn, "Company", manager_id=boss, now=NOW)
        east = create_department(conn, "East", parent_id=company, now=NOW)
        east_shop = create_department(conn, "East shop", parent_id=east, now=NOW)
        set_user_roles(conn, clerk, ["sales", "viewer"])
        set_user_departments(conn, clerk, [east_shop])
        clerk_principal = load_principal(conn, clerk)
        assert clerk_principal.roles == {"sales", "viewer"}
        assert clerk_principal.departments == {east_shop}
        assert clerk_principal.managed_departments == frozenset()
        assert load_principal(conn, boss).managed_departments == {company, east, east_shop}
        with pytest.raises(NotFoundError):
            set_user_roles(conn, clerk, ["nope"])


def test_department_tree_refuses_loops_and_non_empty_deletes(db: Engine) -> None:
    with db.begin() as conn:
        root = create_department(conn, "Root", now=NOW)
        child = create_department(conn, "Child", parent_id=root, now=NOW)
        with pytest.raises(ConflictError) as caught:
            update_department(conn, root, parent_id=child)
        assert caught.value.code == "security.department_cycle"
        with pytest.raises(ConflictError):
            update_department(conn, root, parent_id=root)
        with pytest.raises(ConflictError):
            delete_department(conn, root)
        update_department(conn, child, parent_id=None, name="Independent")
        delete_department(conn, root)
        assert [(d.name, d.parent_id) for d in list_departments(conn)] == [("Independent", None)]
