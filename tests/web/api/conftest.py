"""Fixtures of the API tests: a migrated database with the sales and tasks apps, users, roles, a client."""
from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform import meta
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.security import (
    add_record_rule,
    create_api_token,
    create_role,
    create_user,
    hash_password,
    set_field_permission,
    set_permission,
    set_user_roles,
)
from jimu.web.api import create_app
from jimu.web.api.config import ApiSettings

with warnings.catch_warnings():  # Starlette asks for httpx2; the venv has httpx, which still works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"
PASSWORD = "correct horse battery"

@dataclass
class World:
    kernel: Kernel
    client: TestClient
    users: dict[str, int]
    tokens: dict[str, str]  # a personal API token per user (no password hashing: fast)

    def token(self, username: str) -> str:
        """A session token from a real password login."""
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def headers(self, username: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}", **extra}


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for every test user


def setup_security(kernel: Kernel) -> dict[str, int]:
    """admin (superuser); alice and bob (rep: own tasks only, `secret` hidden); vera (viewer: read only);
    nora (no role); dora (designer of tasks)."""
    with kernel.unit_of_work() as ctx:
        conn, catalog = ctx.conn, ctx.catalog
        users = {"admin": create_user(conn, "admin", is_superuser=True)}
        for name in ("alice", "bob", "vera", "nora", "dora"):
            users[name] = create_user(conn, name)
        conn.execute(sa.update(meta.users).values(password_hash=password_hash()))
        create_role(conn, "rep")
        set_permission(conn, "rep", "task", ["read", "create", "update", "delete", "import", "export"], catalog=catalog)
        set_permission(conn, "rep", "customer", ["read"], catalog=catalog)
        add_record_rule(conn, catalog, "rep", "task", ["read", "update", "delete", "export"],
                        {"expression": "{owner} = CURRENT_USER()"})
        set_field_permission(conn, catalog, "rep", "task", "secret", read=False, write=False)
        create_role(conn, "viewer")
        set_permission(conn, "viewer", "task", ["read"], catalog=catalog)
        set_permission(conn, "viewer", "customer", ["read"], catalog=catalog)
        create_role(conn, "designer")
        set_permission(conn, "designer", "task", ["read", "design"], catalog=catalog)
        set_user_roles(conn, users["alice"], ["rep"])
        set_user_roles(conn, users["bob"], ["rep"])
        set_user_roles(conn, users["vera"], ["viewer"])
        set_user_roles(conn, users["dora"], ["designer"])
    return users


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    kernel.apply_app(tasks_app)
    return kernel


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(max_json_bytes=64 * 1024, max_upload_bytes=256 * 1024)


@pytest.fixture
def world(kernel: Kernel, api_settings: ApiSettings) -> Iterator[World]:
    users = setup_security(kernel)
    with kernel.unit_of_work() as ctx:
        tokens = {name: create_api_token(ctx.conn, user_id, "tests", now=ctx.now())[1]
                  for name, user_id in users.items()}
    with TestClient(create_app(kernel, api_settings=api_settings)) as client:
        yield World(kernel, client, users, tokens)


@pytest.fixture
def admin(world: World) -> dict[str, str]:
    return world.headers("admin")
