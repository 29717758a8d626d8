"""A GET by id reads its record in the credential's statement, yet authorises it exactly as before.

The record read along is used only when the real policy, checked after authentication, would run that
very statement (no record rule, read permission, fields then limited); otherwise it is read again the
usual way and the credential is not read ahead for that entity any more.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from jimu.platform.security import (
    add_record_rule,
    create_role,
    revoke_api_token,
    set_field_permission,
    set_permission,
    set_user_roles,
)
from jimu.platform.security.tables import api_tokens

from .conftest import FIXTURES, World

CUSTOMERS = "/api/v1/records/customer"


@contextmanager
def selects(world: World) -> Iterator[list[str]]:
    """The SELECT statements the app runs inside the block."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(world.kernel.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(world.kernel.engine, "before_cursor_execute", record)


def _customer(world: World, name: str, **values: Any) -> int:
    created = world.client.post(CUSTOMERS, json={"name": name, **values}, headers=world.headers("admin"))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _read_separately(statements: list[str]) -> bool:
    """Whether the record was read by a statement of its own (not along the token lookup)."""
    return any("t_customer" in s and "jimu_api_token" not in s for s in statements)


def test_a_get_by_id_is_one_statement_with_the_same_answer(world: World) -> None:
    headers = world.headers("admin")
    first = _customer(world, "ACME", credit_limit="12.50", active=True)
    missing = first + 1000
    cold = world.client.get(f"{CUSTOMERS}/{first}", headers=headers)  # builds the read plan
    with selects(world) as statements:
        warm = world.client.get(f"{CUSTOMERS}/{first}", headers=headers)
    assert warm.status_code == 200 and warm.json() == cold.json()
    assert warm.headers["ETag"] == cold.headers["ETag"] == f'"{cold.json()["_version"]}"'
    assert warm.json()["credit_limit"] == "12.50" and warm.json()["active"] is True
    assert len(statements) == 1, statements
    assert "jimu_api_token" in statements[0] and "t_customer" in statements[0]
    with selects(world) as statements:
        absent = world.client.get(f"{CUSTOMERS}/{missing}", headers=headers)
    assert absent.status_code == 404 and len(statements) == 1, statements


def test_a_revoked_token_gets_nothing_though_the_record_travels_with_its_check(world: World) -> None:
    record = _customer(world, "Revoked Co")
    headers = world.headers("vera")
    for _ in range(2):
        assert world.client.get(f"{CUSTOMERS}/{record}", headers=headers).status_code == 200
    with world.kernel.unit_of_work() as ctx:
        token_id = ctx.conn.execute(sa.select(api_tokens.c.id).where(
            api_tokens.c.user_id == world.users["vera"])).scalar_one()
        revoke_api_token(ctx.conn, token_id, now=ctx.now())
    refused = world.client.get(f"{CUSTOMERS}/{record}", headers=headers)
    assert refused.status_code == 401 and "Revoked Co" not in refused.text


def test_without_the_permission_the_record_read_along_is_not_used_nor_read_ahead_again(world: World) -> None:
    record = _customer(world, "Hidden Co")
    world.client.get(f"{CUSTOMERS}/{record}", headers=world.headers("admin"))  # the plan is ready
    headers = world.headers("nora")  # no role
    with selects(world) as statements:
        refused = world.client.get(f"{CUSTOMERS}/{record}", headers=headers)
    assert refused.status_code == 403 and "Hidden Co" not in refused.text
    assert "t_customer" in statements[0]  # read along, then not used
    with selects(world) as statements:
        again = world.client.get(f"{CUSTOMERS}/{record}", headers=headers)
    assert again.status_code == 403 and not any("t_customer" in s for s in statements), statements


def test_record_rules_and_field_rules_decide_as_before(world: World) -> None:
    admin = world.headers("admin")
    gold, basic = _customer(world, "Gold Co", tier="gold"), _customer(world, "Basic Co", tier="standard")
    world.client.get(f"{CUSTOMERS}/{gold}", headers=admin)
    headers = world.headers("vera")  # viewer: every customer
    assert world.client.get(f"{CUSTOMERS}/{basic}", headers=headers).json()["name"] == "Basic Co"
    with world.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "gold_only")
        set_permission(ctx.conn, "gold_only", "customer", ["read"], catalog=ctx.catalog)
        add_record_rule(ctx.conn, ctx.catalog, "gold_only", "customer", ["read"], {"expression": "{tier} = 'gold'"})
        set_field_permission(ctx.conn, ctx.catalog, "gold_only", "customer", "email", read=False, write=False)
        set_user_roles(ctx.conn, world.users["vera"], ["gold_only"])
    with selects(world) as statements:
        hidden = world.client.get(f"{CUSTOMERS}/{basic}", headers=headers)
    assert hidden.status_code == 404 and "Basic Co" not in hidden.text
    assert _read_separately(statements), statements  # the rule's own statement decided
    shown = world.client.get(f"{CUSTOMERS}/{gold}", headers=headers)
    assert shown.status_code == 200 and shown.json()["name"] == "Gold Co" and "email" not in shown.json()
    with world.kernel.unit_of_work() as ctx:  # back to the viewer role: everything, read along again later
        set_user_roles(ctx.conn, world.users["vera"], ["viewer"])
    assert world.client.get(f"{CUSTOMERS}/{basic}", headers=headers).json()["name"] == "Basic Co"


def test_a_definition_change_is_seen_on_the_next_get(world: World) -> None:
    headers = world.headers("admin")
    record = _customer(world, "Changing Co")
    for _ in range(2):
        assert "nickname" not in world.client.get(f"{CUSTOMERS}/{record}", headers=headers).json()
    sales = json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8"))
    customer = next(e for e in sales["entities"] if e["key"] == "customer")
    customer["fields"].append({"name": "nickname", "type": "text"})
    world.kernel.apply_app({**sales, "version": "9.9.9"})
    changed = world.client.get(f"{CUSTOMERS}/{record}", headers=headers)
    assert changed.status_code == 200 and "nickname" in changed.json() and changed.json()["name"] == "Changing Co"
    again = world.client.get(f"{CUSTOMERS}/{record}", headers=headers)
    assert again.json() == changed.json()
