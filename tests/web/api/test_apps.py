"""Apps and entities over HTTP: definitions, dry runs, refused schema changes, versions, design rights."""
from __future__ import annotations

import copy
from typing import Any

from .conftest import World

A = "/api/v1/apps"


def test_list_and_get_apps(tasks_app: dict[str, Any], world: World, admin: dict[str, str]) -> None:
    c = world.client
    listed = c.get(A, headers=admin).json()["data"]
    assert [(a["key"], a["revision"]) for a in listed] == [("sales", 1), ("tasks", 1)]
    assert [a["key"] for a in c.get(A, headers=world.headers("vera")).json()["data"]] == ["sales", "tasks"]
    assert c.get(A, headers=world.headers("nora")).json()["data"] == []
    got = c.get(f"{A}/tasks", headers=admin).json()
    assert got["revision"] == 1 and got["definition"] == tasks_app
    assert c.get(f"{A}/tasks", headers=world.headers("dora")).status_code == 200  # design on every tasks entity
    assert c.get(f"{A}/tasks", headers=world.headers("vera")).status_code == 403
    assert c.get(f"{A}/nothing", headers=admin).status_code == 404


def test_put_with_dry_run_then_apply(tasks_app: dict[str, Any], world: World, admin: dict[str, str]) -> None:
    c = world.client
    changed = copy.deepcopy(tasks_app)
    changed["version"] = "1.1.0"
    changed["entities"][0]["fields"].append({"name": "due", "type": "date"})
    dry = c.put(f"{A}/tasks", params={"dry_run": "true"}, json=changed, headers=admin)
    assert dry.status_code == 200 and dry.json()["applied"] is False and dry.json()["changes"]
    assert c.get(f"{A}/tasks", headers=admin).json()["revision"] == 1
    applied = c.put(f"{A}/tasks", json=changed, headers=world.headers("dora"))
    assert applied.status_code == 200 and applied.json()["applied"] is True and applied.json()["revision"] == 2
    created = c.post("/api/v1/records/task", json={"title": "t", "due": "2025-05-01"}, headers=admin)
    assert created.status_code == 201 and created.json()["due"] == "2025-05-01"
    versions = c.get(f"{A}/tasks/versions", headers=admin).json()["data"]
    assert [(v["revision"], v["version"]) for v in versions] == [(1, "1.0.0"), (2, "1.1.0")]


def test_put_refusals(tasks_app: dict[str, Any], world: World, admin: dict[str, str]) -> None:
    c = world.client
    invalid = copy.deepcopy(tasks_app)
    invalid["entities"][0]["fields"].append({"type": "text"})
    problem = c.put(f"{A}/tasks", json=invalid, headers=admin)
    assert problem.status_code == 422 and problem.json()["code"] == "definition_invalid"
    assert [e["path"] for e in problem.json()["errors"]] == ["/entities/0/fields/6"]
    assert c.put(f"{A}/tasks", json={**tasks_app, "key": "other"}, headers=admin).status_code == 422
    assert c.put(f"{A}/tasks", json=tasks_app, headers=world.headers("vera")).status_code == 403
    assert c.put(f"{A}/newapp", json={**tasks_app, "key": "newapp"}, headers=world.headers("dora")).status_code == 403

    for title in ("one", "one"):
        c.post("/api/v1/records/task", json={"title": title}, headers=admin)
    unique = copy.deepcopy(tasks_app)
    unique["entities"][0]["fields"][0]["unique"] = True
    refused = c.put(f"{A}/tasks", json=unique, headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "schema.change_refused"
    assert refused.json()["errors"]
    assert c.get(f"{A}/tasks", headers=admin).json()["revision"] == 1


def test_entity_definition_shows_readable_fields_only(world: World, admin: dict[str, str]) -> None:
    c = world.client
    full = c.get("/api/v1/entities/task", headers=admin).json()
    assert "secret" in [f["name"] for f in full["fields"]]
    rep = c.get("/api/v1/entities/task", headers=world.headers("alice")).json()
    assert "secret" not in [f["name"] for f in rep["fields"]]
    items = next(f for f in rep["fields"] if f["name"] == "items")
    assert [f["name"] for f in items["entity_definition"]["fields"]] == ["label"]
    assert c.get("/api/v1/entities/task", headers=world.headers("nora")).status_code == 403
    assert c.get("/api/v1/entities/nothing", headers=admin).status_code == 404
