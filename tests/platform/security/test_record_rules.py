"""Record rules compiled to SQL and applied to SELECTs on real entity tables (both databases)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.errors import ValidationError
from jimu.platform.kernel import Kernel
from jimu.platform.security import (
    Principal,
    RolePolicy,
    add_record_rule,
    create_department,
    create_role,
    create_user,
    load_principal,
    load_snapshot,
    set_permission,
    set_user_departments,
    set_user_roles,
)
from jimu.platform.security.tables import record_rules

from .conftest import insert_row

ROLE_RULES: dict[str, list[dict[str, Any]]] = {
    "own": [{"expression": "{owner} = CURRENT_USER()"}],
    "team": [{"field": "owner", "is": "my_department_members"}],
    "lead": [{"field": "owner", "is": "my_subordinates"}],
    "open_only": [{"expression": "status = 'open'"}],
    "own_open": [{"field": "owner", "is": "current_user", "expression": "status = 'open'"}],
    "all": [],
}


@dataclass
class World:
    ctx: Context
    users: dict[str, int]
    tasks: dict[str, int]  # title → id; titles name the owner

    def policy(self, user: str, *roles: str) -> RolePolicy:
        set_user_roles(self.ctx.conn, self.users[user], roles)
        principal = load_principal(self.ctx.conn, self.users[user])
        return RolePolicy(principal, load_snapshot(self.ctx.conn), self.ctx.catalog, self.ctx.tables,
                          now=self.ctx.now(), dialect=self.ctx.dialect)

    def visible(self, policy: RolePolicy, action: str = "read", entity: str = "task",
                table: sa.FromClause | None = None) -> set[str]:
        table = table if table is not None else self.ctx.tables[entity]
        query = sa.select(table.c.title if entity == "task" else table.c.label)
        condition = policy.row_condition(entity, table, action)
        if condition is not None:
            query = query.where(condition)
        return set(self.ctx.conn.execute(query).scalars())


@pytest.fixture
def world(kernel: Kernel) -> Iterator[World]:
    """company (managed by boss) ⊃ east {alice, bob}, west {carol}; boss is in company; dave in none."""
    with kernel.unit_of_work() as ctx:
        conn = ctx.conn
        users = {name: create_user(conn, name) for name in ("alice", "bob", "carol", "boss", "dave")}
        company = create_department(conn, "Company", manager_id=users["boss"])
        east = create_department(conn, "East", parent_id=company)
        west = create_department(conn, "West", parent_id=company)
        for name, department in (("alice", east), ("bob", east), ("carol", west), ("boss", company)):
            set_user_departments(conn, users[name], [department])
        table = ctx.tables["task"]
        tasks = {}
        for owner, status in (("alice", "open"), ("bob", "open"), ("carol", "done"), ("boss", "open"),
                              ("dave", "done"), (None, "open")):
            title = f"{owner or 'nobody'}-{status}"
            tasks[title] = insert_row(conn, table, title=title, owner=users.get(owner or ""), status=status)
        for role, rules in ROLE_RULES.items():
            create_role(conn, role)
            set_permission(conn, role, "task", ["read", "update"], catalog=ctx.catalog)
            for rule in rules:
                add_record_rule(conn, ctx.catalog, role, "task", ["read", "update"], rule)
        yield World(ctx, users, tasks)


ALL = {"alice-open", "bob-open", "carol-done", "boss-open", "dave-done", "nobody-open"}


@pytest.mark.parametrize(("user", "roles", "expected"), [
    ("alice", ["own"], {"alice-open"}),
    ("carol", ["own"], {"carol-done"}),
    ("alice", ["team"], {"alice-open", "bob-open"}),
    ("dave", ["team"], set()),  # in no department
    ("boss", ["lead"], {"alice-open", "bob-open", "carol-done", "boss-open"}),
    ("alice", ["lead"], set()),  # manages nothing
    ("alice", ["open_only"], {"alice-open", "bob-open", "boss-open", "nobody-open"}),
    ("carol", ["own_open"], set()),  # both parts must hold
    ("alice", ["own_open"], {"alice-open"}),
    ("carol", ["own", "open_only"], {"carol-done", "alice-open", "bob-open", "boss-open", "nobody-open"}),
    ("alice", ["own", "all"], ALL),  # a role without a rule is unrestricted
    ("alice", [], set()),
])
def test_rules_limit_the_rows_a_select_sees(world: World, user: str, roles: list[str], expected: set[str]) -> None:
    policy = world.policy(user, *roles)
    assert world.visible(policy) == expected
    assert world.visible(policy, "update") == expected
    assert world.visible(policy, "delete") == set()  # no role grants delete


def test_rules_bind_to_an_alias_and_count_through_joins(world: World) -> None:
    policy = world.policy("alice", "team")
    task = world.ctx.tables["task"].alias("tk")
    condition = policy.row_condition("task", task, "read")
    assert condition is not None
    sql = str(condition.compile(dialect=world.ctx.conn.dialect))
    assert "tk.owner" in sql and "t_task.owner" not in sql
    assert world.visible(policy, table=task) == {"alice-open", "bob-open"}
    # a self-join: each side limited by its own alias
    other = world.ctx.tables["task"].alias("other")
    count = sa.select(sa.func.count()).select_from(task.join(other, task.c.status == other.c.status)).where(
        policy.row_condition("task", task, "read"), policy.row_condition("task", other, "read"))
    assert world.ctx.conn.execute(count).scalar_one() == 4  # {alice, bob} × {alice, bob}, all open


def test_compiled_rule_is_parameterised(world: World) -> None:
    policy = world.policy("alice", "own")
    compiled = policy.row_condition("task", world.ctx.tables["task"], "read").compile(  # type: ignore[union-attr]
        dialect=world.ctx.conn.dialect)
    assert world.users["alice"] in compiled.params.values()


def test_child_rows_follow_the_visibility_of_their_parent(world: World) -> None:
    items = world.ctx.tables["task_item"]
    for title, task_id in world.tasks.items():
        insert_row(world.ctx.conn, items, _parent_id=task_id, label=f"item of {title}")
    policy = world.policy("alice", "team")
    assert world.visible(policy, entity="task_item") == {"item of alice-open", "item of bob-open"}
    assert world.visible(world.policy("alice", "all"), entity="task_item") == {f"item of {t}" for t in ALL}


def test_a_rule_that_no_longer_compiles_hides_everything(world: World) -> None:
    create_role(world.ctx.conn, "broken")
    set_permission(world.ctx.conn, "broken", "task", ["read"])
    world.ctx.conn.execute(sa.insert(record_rules).values(
        role_key="broken", entity="task", actions=["read"], rule={"expression": "removed_field = 1"},
        created_at=world.ctx.now()))
    assert world.visible(world.policy("alice", "broken")) == set()


@pytest.mark.parametrize(("entity", "rule", "code"), [
    ("task", {"expression": "nope = 1"}, "security.rule_expression_invalid"),
    ("task", {"expression": "title"}, "security.rule_expression_invalid"),  # not a boolean
    ("task", {"field": "title", "is": "current_user"}, "security.rule_field_not_user"),
    ("task", {"field": "owner", "is": "my_cousins"}, "security.rule_unknown_user_set"),
    ("task", {"field": "owner"}, "security.rule_invalid"),
    ("task", {"where": "x"}, "security.rule_invalid"),
])
def test_invalid_rules_are_refused(world: World, entity: str, rule: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add_record_rule(world.ctx.conn, world.ctx.catalog, "own", entity, ["read"], rule)
    assert code in [d.code for d in caught.value.details]


def test_rules_on_child_entities_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        add_record_rule(world.ctx.conn, world.ctx.catalog, "own", "task_item", ["read"], {"expression": "true"})
    assert caught.value.code == "security.child_entity"


def test_sales_orders_by_creator_and_customer_tier(kernel: Kernel) -> None:
    """A sales rep sees the orders they created, and every order of a gold customer (through the link)."""
    with kernel.unit_of_work() as ctx:
        conn, tables = ctx.conn, ctx.tables
        rep, other = create_user(conn, "rep"), create_user(conn, "other")
        gold = insert_row(conn, tables["customer"], name="Gold Ltd", tier="gold")
        plain = insert_row(conn, tables["customer"], name="Plain Ltd", tier="standard")
        orders = {
            "mine-plain": insert_row(conn, tables["sales_order"], customer=plain, _created_by=rep, notes="a"),
            "other-plain": insert_row(conn, tables["sales_order"], customer=plain, _created_by=other, notes="b"),
            "other-gold": insert_row(conn, tables["sales_order"], customer=gold, _created_by=other, notes="c"),
        }
        create_role(conn, "rep")
        set_permission(conn, "rep", "sales_order", ["read", "export"], catalog=ctx.catalog)
        add_record_rule(conn, ctx.catalog, "rep", "sales_order", ["read", "export"],
                        {"field": "_created_by", "is": "current_user"})
        add_record_rule(conn, ctx.catalog, "rep", "sales_order", ["read"], {"expression": "customer.tier = 'gold'"})
        principal = Principal(rep, "rep", roles=frozenset({"rep"}))
        policy = RolePolicy(principal, load_snapshot(conn), ctx.catalog, tables, dialect=ctx.dialect)
        table = tables["sales_order"]

        def ids(action: str) -> set[int]:
            condition = policy.row_condition("sales_order", table, action)
            return set(conn.execute(sa.select(table.c.id).where(condition)).scalars())

        assert ids("read") == {orders["mine-plain"], orders["other-gold"]}
        assert ids("export") == {orders["mine-plain"]}
