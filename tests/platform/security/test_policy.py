"""RolePolicy: the permission matrix (roles × entities × actions), design rights and field permissions."""
from __future__ import annotations

import pytest

from jimu.platform.errors import PermissionDeniedError, ValidationError
from jimu.platform.kernel import Kernel
from jimu.platform.security import (
    ACTIONS,
    Principal,
    RolePolicy,
    SecurityCache,
    bind_policy,
    clear_field_permission,
    create_role,
    load_snapshot,
    set_field_permission,
    set_permission,
)

ROLES = {
    "clerk": {"sales_order": ["read", "create", "update"], "customer": ["read"]},
    "manager": {"sales_order": ["read", "update", "delete", "export"], "customer": ["read", "update", "import"]},
    "auditor": {"*": ["read", "export"]},
    "designer": {"*": ["read", "design"]},
    "sales_designer": {"customer": ["design"], "product": ["design"], "sales_order": ["design"]},
}


@pytest.fixture
def policies(kernel: Kernel) -> dict[str, RolePolicy]:
    """One policy per role of ROLES (one role each), plus `clerk+manager` and `superuser`."""
    with kernel.unit_of_work() as ctx:
        for role, grants in ROLES.items():
            create_role(ctx.conn, role)
            for entity, actions in grants.items():
                set_permission(ctx.conn, role, entity, actions, catalog=ctx.catalog)
        snapshot = load_snapshot(ctx.conn)
        people = {role: Principal(1, role, roles=frozenset({role})) for role in ROLES}
        people["clerk+manager"] = Principal(1, "both", roles=frozenset({"clerk", "manager"}))
        people["superuser"] = Principal(1, "root", is_superuser=True)
        people["nobody"] = Principal(1, "nobody")
        return {name: RolePolicy(p, snapshot, ctx.catalog, ctx.tables, dialect=ctx.dialect) for name, p in people.items()}


def _allowed(policy: RolePolicy, entity: str) -> set[str]:
    allowed = set()
    for action in ACTIONS:
        try:
            policy.require(entity, action)
            allowed.add(action)
        except PermissionDeniedError as denied:
            assert denied.http_status == 403 and denied.code == "security.permission_denied"
            assert denied.params == {"entity": entity, "action": action}
    return allowed


@pytest.mark.parametrize(("who", "entity", "expected"), [
    ("clerk", "sales_order", {"read", "create", "update"}),
    ("clerk", "customer", {"read"}),
    ("clerk", "product", set()),
    ("manager", "sales_order", {"read", "update", "delete", "export"}),
    ("manager", "customer", {"read", "update", "import"}),
    ("clerk+manager", "sales_order", {"read", "create", "update", "delete", "export"}),
    ("clerk+manager", "customer", {"read", "update", "import"}),
    ("auditor", "product", {"read", "export"}),
    ("auditor", "task", {"read", "export"}),
    ("designer", "task", {"read", "design"}),
    ("superuser", "product", set(ACTIONS)),
    ("nobody", "customer", set()),
    # lines follow the entity owning them
    ("clerk", "sales_order_line", {"read", "create", "update"}),
    ("manager", "sales_order_line", {"read", "update", "delete", "export"}),
])
def test_permission_matrix(policies: dict[str, RolePolicy], who: str, entity: str, expected: set[str]) -> None:
    assert _allowed(policies[who], entity) == expected
    assert {a for a in ACTIONS if policies[who].can(entity, a)} == expected


def test_unknown_actions_are_denied(policies: dict[str, RolePolicy]) -> None:
    assert not policies["auditor"].can("customer", "drop")
    assert not policies["superuser"].can("customer", "drop")


def test_rows_without_permission_are_all_hidden(kernel: Kernel, policies: dict[str, RolePolicy]) -> None:
    with kernel.unit_of_work() as ctx:
        table = ctx.tables["product"]
        assert str(policies["clerk"].row_condition("product", table, "read")) == "false"
        assert policies["clerk"].row_condition("sales_order", ctx.tables["sales_order"], "read") is None
        assert policies["superuser"].row_condition("product", table, "delete") is None


@pytest.mark.parametrize(("who", "app", "allowed"), [
    ("designer", "sales", True), ("designer", "tasks", True), ("designer", "new_app", True),
    ("sales_designer", "sales", True), ("sales_designer", "tasks", False), ("sales_designer", "new_app", False),
    ("manager", "sales", False), ("superuser", "new_app", True),
])
def test_design_needs_design_on_every_entity_of_the_app(policies: dict[str, RolePolicy], who: str, app: str,
                                                        allowed: bool) -> None:
    if allowed:
        policies[who].require_design(app)
    else:
        with pytest.raises(PermissionDeniedError) as caught:
            policies[who].require_design(app)
        assert caught.value.code == "security.design_denied"


def test_permissions_on_child_entities_are_refused(kernel: Kernel) -> None:
    with kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "clerk")
        with pytest.raises(ValidationError) as caught:
            set_permission(ctx.conn, "clerk", "sales_order_line", ["read"], catalog=ctx.catalog)
        assert caught.value.code == "security.child_entity"
        with pytest.raises(ValidationError):
            set_permission(ctx.conn, "clerk", "customer", ["read", "fly"], catalog=ctx.catalog)


def test_field_permissions(kernel: Kernel) -> None:
    with kernel.unit_of_work() as ctx:
        for role in ("clerk", "manager", "auditor"):
            create_role(ctx.conn, role)
            set_permission(ctx.conn, role, "customer", ["read", "update"], catalog=ctx.catalog)
        set_field_permission(ctx.conn, ctx.catalog, "clerk", "customer", "credit_limit", read=True, write=False)
        set_field_permission(ctx.conn, ctx.catalog, "clerk", "customer", "order_total", read=False, write=True)
        set_field_permission(ctx.conn, ctx.catalog, "auditor", "customer", "order_total", read=False, write=False)
        snapshot = load_snapshot(ctx.conn)
        every = frozenset(f.name for f in ctx.catalog.require_entity("customer").fields)

        def policy(*roles: str) -> RolePolicy:
            return RolePolicy(Principal(1, "u", roles=frozenset(roles)), snapshot, ctx.catalog, ctx.tables,
                              dialect=ctx.dialect)

        clerk = policy("clerk")
        assert clerk.readable_fields("customer") == every - {"order_total"}
        assert clerk.writable_fields("customer") == every - {"order_total", "credit_limit"}  # denied read ⇒ no write
        assert policy("manager").readable_fields("customer") is None
        assert policy("clerk", "manager").readable_fields("customer") is None  # any role allowing wins
        assert policy("clerk", "auditor").readable_fields("customer") == every - {"order_total"}
        assert policy("clerk").readable_fields("product") == frozenset()  # no read permission at all
        clear_field_permission(ctx.conn, ctx.catalog, "clerk", "customer", "order_total")
        assert policy("clerk").readable_fields("customer") == every - {"order_total"}  # old snapshot
        fresh = RolePolicy(Principal(1, "u", roles=frozenset({"clerk"})), load_snapshot(ctx.conn), ctx.catalog,
                           ctx.tables, dialect=ctx.dialect)
        assert fresh.readable_fields("customer") is None


def test_security_cache_reloads_when_the_stamp_moves(kernel: Kernel) -> None:
    cache = SecurityCache()
    principal = Principal(1, "u", roles=frozenset({"clerk"}))
    with kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "clerk")
        first = cache.snapshot(ctx.conn)
        assert cache.snapshot(ctx.conn) is first
        set_permission(ctx.conn, "clerk", "customer", ["read"])
        policy = bind_policy(ctx, principal, cache)
        assert ctx.access is policy and ctx.user_id == 1
        assert cache.snapshot(ctx.conn) is not first
        policy.require("customer", "read")
