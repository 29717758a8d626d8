"""The API caches principals and rules per credential, yet sees revocations and security changes at once."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.security import (
    create_department,
    deactivate_user,
    set_permission,
    set_user_departments,
    set_user_roles,
    update_user,
)

from .conftest import World

ME = "/api/v1/auth/me"
TASKS = "/api/v1/records/task"


def test_revoking_a_token_takes_effect_immediately_even_with_the_cache(world: World) -> None:
    c = world.client
    session = {"Authorization": f"Bearer {world.token('alice')}"}
    created = c.post("/api/v1/auth/tokens", json={"name": "ci"}, headers=session).json()
    bearer = {"Authorization": f"Bearer {created['token']}"}
    for _ in range(2):  # the second request is served from the cached principal
        assert c.get(ME, headers=bearer).status_code == 200
    assert c.delete(f"/api/v1/auth/tokens/{created['id']}", headers=session).status_code == 204
    assert c.get(ME, headers=bearer).status_code == 401
    assert c.get(ME, headers=session).status_code == 200
    assert c.post("/api/v1/auth/logout", headers=session).status_code == 204
    assert c.get(ME, headers=session).status_code == 401


def test_deactivating_a_user_takes_effect_on_the_next_request(world: World) -> None:
    headers = world.headers("bob")
    assert world.client.get(TASKS, headers=headers).status_code == 200
    with world.kernel.unit_of_work() as ctx:
        deactivate_user(ctx.conn, world.users["bob"], now=ctx.now())
    assert world.client.get(TASKS, headers=headers).status_code == 401


def test_role_changes_take_effect_on_the_next_request(world: World) -> None:
    headers = world.headers("nora")  # no role
    assert world.client.get(TASKS, headers=headers).status_code == 403
    with world.kernel.unit_of_work() as ctx:
        set_user_roles(ctx.conn, world.users["nora"], ["viewer"])
    assert world.client.get(TASKS, headers=headers).status_code == 200
    assert world.client.get(ME, headers=headers).json()["roles"] == ["viewer"]
    with world.kernel.unit_of_work() as ctx:
        set_permission(ctx.conn, "viewer", "task", [], catalog=ctx.catalog)  # the role loses the grant
    assert world.client.get(TASKS, headers=headers).status_code == 403
    with world.kernel.unit_of_work() as ctx:
        update_user(ctx.conn, world.users["nora"], is_superuser=True)
    assert world.client.get(TASKS, headers=headers).status_code == 200


def test_department_changes_take_effect_on_the_next_request(world: World) -> None:
    headers = world.headers("vera")
    assert world.client.get(ME, headers=headers).json()["departments"] == []
    with world.kernel.unit_of_work() as ctx:
        sales = create_department(ctx.conn, "Sales", now=ctx.now())
        set_user_departments(ctx.conn, world.users["vera"], [sales])
    assert world.client.get(ME, headers=headers).json()["departments"] == [sales]


def test_a_cached_request_runs_one_statement_besides_its_own(world: World) -> None:
    """The token lookup (with both stamps) and the read: no principal, rules or stamp queries."""
    headers = world.headers("alice")
    created = world.client.post(TASKS, json={"title": "mine", "owner": world.users["alice"]}, headers=headers).json()
    world.client.get(f"{TASKS}/{created['id']}", headers=headers)  # warm the caches
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(world.kernel.engine, "before_cursor_execute", record)
    try:
        assert world.client.get(f"{TASKS}/{created['id']}", headers=headers).status_code == 200
    finally:
        sa.event.remove(world.kernel.engine, "before_cursor_execute", record)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) <= 3, statements  # the token lookup, the record (and its lines)
    assert "jimu_security_revision" in queries[0] and "jimu_definition_version" in queries[0]
    assert not any("jimu_user_role" in s or "jimu_permission" in s for s in queries)
