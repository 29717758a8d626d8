"""The permission matrix through the API: roles × entities × operations × endpoints.

alice and bob are reps (tasks: every action, but only their own rows for read/update/delete/export;
`secret` hidden; customers: read), vera a viewer (tasks and customers: read), nora has no role.
Nothing leaks (other rows, the hidden field) and nothing is written without the right.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .conftest import World

R = "/api/v1/records"
Op = Callable[[World, str, int, dict[str, str]], httpx.Response]


def _csv(entity: str) -> bytes:
    return b"title\r\nimported\r\n" if entity == "task" else b"name,sku,price\r\nimported,IMP-1,1\r\n"


def _new(entity: str, world: World) -> dict[str, Any]:
    if entity == "task":
        return {"title": "new", "owner": world.users["alice"]}
    return {"name": "new", "sku": "NEW-1", "price": "1"} if entity == "product" else {"name": "new"}


OPERATIONS: dict[str, Op] = {
    "list": lambda w, e, i, h: w.client.get(f"{R}/{e}", headers=h),
    "count": lambda w, e, i, h: w.client.get(f"{R}/{e}", params={"count": "true", "limit": "1"}, headers=h),
    "search": lambda w, e, i, h: w.client.get(f"{R}/{e}", params={"q": "s"}, headers=h),
    "get": lambda w, e, i, h: w.client.get(f"{R}/{e}/{i}", headers=h),
    "history": lambda w, e, i, h: w.client.get(f"{R}/{e}/{i}/history", headers=h),
    "export": lambda w, e, i, h: w.client.get(f"{R}/{e}/export", headers=h),
    "entity": lambda w, e, i, h: w.client.get(f"/api/v1/entities/{e}", headers=h),
    "create": lambda w, e, i, h: w.client.post(f"{R}/{e}", json=_new(e, w), headers=h),
    "update": lambda w, e, i, h: w.client.patch(f"{R}/{e}/{i}", json={"title" if e == "task" else "name": "x"},
                                                headers=h),
    "delete": lambda w, e, i, h: w.client.delete(f"{R}/{e}/{i}", headers=h),
    "restore": lambda w, e, i, h: w.client.post(f"{R}/{e}/{i}/restore", headers=h),
    "import": lambda w, e, i, h: w.client.post(f"{R}/{e}/import", files={"file": ("f.csv", _csv(e))}, headers=h),
}
READS = ("list", "count", "search", "get", "history", "entity")
WRITES = ("create", "update", "delete", "restore", "import")

# (user, entity) → {operation: expected status}; operations not named are 403.
OWN, OTHER = "own", "other"
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("alice", "task"): {**{op: 200 for op in READS}, "export": 200, "create": 201, "update": 200, "delete": 204,
                        "restore": 200, "import": 200},
    ("alice", "customer"): {op: 200 for op in READS},
    ("alice", "product"): {},
    ("vera", "task"): {op: 200 for op in READS},
    ("vera", "customer"): {op: 200 for op in READS},
    ("vera", "product"): {},
    ("nora", "task"): {},
    ("nora", "customer"): {},
    ("nora", "product"): {},
}


@pytest.fixture
def data(world: World, admin: dict[str, str]) -> dict[str, dict[str, int]]:
    c = world.client
    ids: dict[str, dict[str, int]] = {}
    for who in ("alice", "bob"):
        task = c.post(f"{R}/task", json={"title": f"{who}'s task", "owner": world.users[who], "secret": f"s3cret-{who}",
                                         "items": [{"label": f"{who} item"}]}, headers=admin).json()
        c.patch(f"{R}/task/{task['id']}", json={"secret": f"s3cret-{who}-v2"}, headers=admin)
        ids.setdefault("task", {})[who] = task["id"]
    ids["customer"] = {"alice": c.post(f"{R}/customer", json={"name": "ACME s"}, headers=admin).json()["id"]}
    ids["product"] = {"alice": c.post(f"{R}/product", json={"sku": "P-1", "name": "Ps", "price": "1"},
                                      headers=admin).json()["id"]}
    return ids


def _snapshot(world: World, admin: dict[str, str]) -> dict[str, Any]:
    return {e: world.client.get(f"{R}/{e}", params={"deleted": "include", "include_lines": "true"},
                                headers=admin).json()["data"] for e in ("task", "customer", "product")}


@pytest.mark.parametrize("user", ["alice", "vera", "nora"])
@pytest.mark.parametrize("entity", ["task", "customer", "product"])
def test_matrix(world: World, admin: dict[str, str], data: dict[str, dict[str, int]], user: str, entity: str) -> None:
    headers = world.headers(user)
    expected = EXPECTED[(user, entity)]
    before = _snapshot(world, admin)
    for name in ("entity", *READS, "export", *WRITES):
        op = OPERATIONS[name]
        response = op(world, entity, data[entity]["alice"], headers)
        status = expected.get(name, 403)
        assert response.status_code == status, (user, entity, name, response.text)
        if user == "alice":  # `secret` is hidden from reps (vera's role has no field rule)
            assert "s3cret" not in response.text, (user, entity, name)
    if not any(expected.get(op, 403) < 300 for op in WRITES):
        assert _snapshot(world, admin) == before, "a refused write changed something"


def test_rows_hidden_by_a_rule_are_not_found(world: World, data: dict[str, dict[str, int]]) -> None:
    alice = world.headers("alice")
    bobs = data["task"]["bob"]
    for name in ("get", "history", "update", "delete", "restore"):
        response = OPERATIONS[name](world, "task", bobs, alice)
        assert response.status_code == 404, (name, response.text)
        assert "bob" not in response.text
    for name in ("list", "count", "search", "export"):
        response = OPERATIONS[name](world, "task", bobs, alice)
        assert "bob" not in response.text, name
    counted = OPERATIONS["count"](world, "task", bobs, alice).json()
    assert counted["count"] == 1
    filtered = world.client.get(f"{R}/task", params={"filter": f'{{"field": "owner", "op": "eq", "value": '
                                                               f'{world.users["bob"]}}}'}, headers=alice).json()
    assert filtered["data"] == []


def test_hidden_field_never_leaves_the_server(world: World, data: dict[str, dict[str, int]]) -> None:
    alice = world.headers("alice")
    own = data["task"]["alice"]
    record = world.client.get(f"{R}/task/{own}", headers=alice).json()
    assert "secret" not in record and record["items"][0]["label"] == "alice item"
    listed = world.client.get(f"{R}/task", params={"include_lines": "true"}, headers=alice).json()["data"]
    assert own in [row["id"] for row in listed] and all("secret" not in row for row in listed)
    exported = world.client.get(f"{R}/task/export", headers=alice)
    assert exported.status_code == 200 and "secret" not in exported.text and "alice's task" in exported.text
    history = world.client.get(f"{R}/task/{own}/history", headers=alice).json()["data"]
    assert history and all(c["field"] != "secret" for entry in history for c in entry["changes"] or [])
    for query in ({"fields": "title,secret"}, {"sort": "secret"}, {"filter": '{"field": "secret", "value": "x"}'},
                  {"where": "secret = 'x'"}):
        response = world.client.get(f"{R}/task", params=query, headers=alice)
        assert "s3cret" not in response.text, query  # refused (4xx), or answered without the field
        assert 400 <= response.status_code < 500 or all("secret" not in r for r in response.json()["data"]), query
    write = world.client.patch(f"{R}/task/{own}", json={"secret": "guess"}, headers=alice)
    assert write.status_code == 422 and "s3cret" not in write.text
    created = world.client.post(f"{R}/task", json={"title": "t", "secret": "x"}, headers=alice)
    assert created.status_code == 422
    admin_view = world.client.get(f"{R}/task/{own}", headers=world.headers("admin")).json()
    assert admin_view["secret"] == "s3cret-alice-v2"
