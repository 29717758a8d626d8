"""Saved list views (personal rows, shared ones in the app definition) and bulk actions with per-row refusals."""
from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_role, set_permission, set_user_roles
from jimu.web.assembly import assemble

from .conftest import FIXTURES, World

VIEW = {"label": {"en": "Open, by budget", "zh-CN": "未完成（按预算）"}, "columns": ["title", "budget"],
        "filter": {"and": [{"field": "status", "op": "eq", "value": "open"}]}, "sort": "-budget", "q": ""}


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = assemble(Kernel(engine))
    kernel.apply_app(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    kernel.apply_app(tasks_app)
    kernel.apply_app(json.loads((FIXTURES / "expenses.json").read_text(encoding="utf-8")))
    return kernel


def _task(world: World, user: str, title: str, **values: Any) -> int:
    response = world.client.post("/api/v1/records/task", json={"title": title, "owner": world.users[user], **values},
                                 headers=world.headers(user))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_personal_view_is_stored_on_the_server_for_its_owner_only(world: World) -> None:
    put = world.client.put("/api/v1/views/task/open_budget", json=VIEW, headers=world.headers("alice"))
    assert put.status_code == 200, put.text
    assert put.json() == {**VIEW, "key": "open_budget", "entity": "task", "shared": False, "app": None}
    mine = world.client.get("/api/v1/views/task", headers=world.headers("alice")).json()
    assert [v["key"] for v in mine["personal"]] == ["open_budget"] and mine["shared"] == []
    assert world.client.get("/api/v1/views/task", headers=world.headers("bob")).json()["personal"] == []
    changed = world.client.put("/api/v1/views/task/open_budget", json={**VIEW, "sort": "title"},
                               headers=world.headers("alice"))
    assert changed.json()["sort"] == "title"
    assert len(world.client.get("/api/v1/views/task", headers=world.headers("alice")).json()["personal"]) == 1
    assert world.client.delete("/api/v1/views/task/open_budget", headers=world.headers("bob")).status_code == 404
    assert world.client.delete("/api/v1/views/task/open_budget", headers=world.headers("alice")).status_code == 204
    assert world.client.get("/api/v1/views/task", headers=world.headers("alice")).json()["personal"] == []


@pytest.mark.parametrize(("body", "path", "code"), [
    ({**VIEW, "columns": ["title", "nope"]}, "columns/1", "views.unknown_field"),
    ({**VIEW, "columns": ["items"]}, "columns/0", "views.unlistable_field"),
    ({**VIEW, "filter": {"and": [{"field": "ghost", "op": "eq", "value": 1}]}}, "filter", "views.unknown_field"),
    ({**VIEW, "filter": {"and": [{"field": "title", "op": "like", "value": 1}]}}, "filter", "views.invalid_filter"),
    ({**VIEW, "sort": "-ghost"}, "sort", "views.unknown_field"),
    ({**VIEW, "columns": "title"}, "columns", "views.invalid_view"),
    ({"columns": ["title"]}, "", "views.invalid_view"),
    ({**VIEW, "colour": "red"}, "", "views.invalid_view"),
])
def test_a_bad_view_is_a_422_naming_the_property(world: World, body: dict[str, Any], path: str, code: str) -> None:
    response = world.client.put("/api/v1/views/task/bad", json=body,
                                headers=world.headers("alice", **{"Accept-Language": "zh-CN"}))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code
    assert problem["errors"][0]["path"] == path
    assert world.client.get("/api/v1/views/task", headers=world.headers("alice")).json()["personal"] == []


def test_views_need_read_permission_and_a_real_entity(world: World) -> None:
    assert world.client.get("/api/v1/views/task", headers=world.headers("nora")).status_code == 403
    assert world.client.put("/api/v1/views/task/x", json=VIEW, headers=world.headers("nora")).status_code == 403
    assert world.client.get("/api/v1/views/nothing", headers=world.headers("admin")).status_code == 404
    assert world.client.get("/api/v1/views/task_item", headers=world.headers("admin")).status_code == 404


def test_a_shared_view_is_part_of_the_app_definition(world: World) -> None:
    refused = world.client.put("/api/v1/views/task/team?shared=true", json=VIEW, headers=world.headers("alice"))
    assert refused.status_code == 403
    saved = world.client.put("/api/v1/views/task/team?shared=true", json=VIEW, headers=world.headers("dora"))
    assert saved.status_code == 200, saved.text
    assert saved.json()["shared"] is True and saved.json()["app"] == "tasks"
    seen = world.client.get("/api/v1/views/task", headers=world.headers("alice")).json()["shared"]
    assert [(v["key"], v["sort"], v["columns"]) for v in seen] == [("team", "-budget", ["title", "budget"])]
    definition = world.client.get("/api/v1/apps/tasks", headers=world.headers("dora")).json()
    assert definition["definition"]["views"] == [{"key": "team", "entity": "task", **VIEW}]
    gone = world.client.delete("/api/v1/views/task/team?shared=true", headers=world.headers("dora"))
    assert gone.status_code == 204
    assert world.client.get("/api/v1/views/task", headers=world.headers("alice")).json()["shared"] == []


def test_an_app_definition_with_a_bad_view_is_refused_at_its_path(kernel: Kernel, tasks_app: dict[str, Any]) -> None:
    tasks_app["views"] = [{"key": "a", "entity": "task", "label": "A", "columns": ["title"]},
                          {"key": "a", "entity": "task", "label": "A again", "sort": "-nope"},
                          {"key": "b", "entity": "ghost", "label": "B"}]
    with pytest.raises(DefinitionError) as caught:
        kernel.apply_app(tasks_app)
    paths = {(d.path, d.code) for d in caught.value.details}
    assert paths == {("/views/1/key", "views.duplicate_key"), ("/views/1/sort", "views.unknown_field"),
                     ("/views/2/entity", "views.unknown_entity")}
    tasks_app["views"] = [{"key": "a", "entity": "task", "label": "A", "colour": "red"}]
    with pytest.raises(DefinitionError) as caught:
        kernel.apply_app(tasks_app)
    assert caught.value.details[0].code == "definition.schema"


def test_bulk_edit_keeps_the_rows_it_may_change_and_reports_each_refusal(world: World) -> None:
    mine = [_task(world, "alice", f"A{n}") for n in range(3)]
    theirs = _task(world, "bob", "B0")
    response = world.client.post("/api/v1/records/task/bulk", headers=world.headers("alice"),
                                 json={"action": "update", "ids": [*mine, theirs], "values": {"status": "done"}})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["done"] == mine and report["refused_count"] == 1 and report["rolled_back"] is False
    assert report["refused"][0]["id"] == theirs and report["refused"][0]["code"] == "records.not_found"
    for record_id in mine:
        assert world.client.get(f"/api/v1/records/task/{record_id}", headers=world.headers("alice")).json()[
            "status"] == "done"
    assert world.client.get(f"/api/v1/records/task/{theirs}", headers=world.headers("bob")).json()["status"] == "open"


def test_bulk_field_errors_are_per_row_and_all_or_nothing_rolls_back(world: World) -> None:
    ids = [_task(world, "alice", f"A{n}") for n in range(2)]
    bad = world.client.post("/api/v1/records/task/bulk", headers=world.headers("alice"),
                            json={"action": "update", "ids": ids, "values": {"status": "nope"}})
    refused = bad.json()["refused"]
    assert [r["id"] for r in refused] == ids and refused[0]["errors"][0]["field"] == "status"
    world.client.delete(f"/api/v1/records/task/{ids[1]}", headers=world.headers("alice"))
    strict = world.client.post("/api/v1/records/task/bulk", headers=world.headers("alice"),
                               json={"action": "update", "ids": ids, "values": {"title": "Renamed"},
                                     "all_or_nothing": True})
    body = strict.json()
    assert body["rolled_back"] is True and body["done"] == [] and [r["id"] for r in body["refused"]] == [ids[1]]
    assert world.client.get(f"/api/v1/records/task/{ids[0]}", headers=world.headers("alice")).json()[
        "title"] == "A0"


def test_bulk_delete_and_its_permission(world: World) -> None:
    ids = [_task(world, "alice", f"A{n}") for n in range(2)]
    assert world.client.post("/api/v1/records/task/bulk", headers=world.headers("vera"),
                             json={"action": "delete", "ids": ids}).status_code == 403
    done = world.client.post("/api/v1/records/task/bulk", headers=world.headers("alice"),
                             json={"action": "delete", "ids": ids}).json()
    assert done["done"] == ids
    listed = world.client.get("/api/v1/records/task", headers=world.headers("alice")).json()["data"]
    assert [r["id"] for r in listed if r["id"] in ids] == []


def test_bulk_transition_runs_where_it_may_and_says_why_not_elsewhere(world: World) -> None:
    with world.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "employee")
        set_permission(ctx.conn, "employee", "claim", ["read", "create", "update"], catalog=ctx.catalog)
        set_user_roles(ctx.conn, world.users["alice"], ["employee"])
    ids = []
    for title in ("Hotel", "Taxi"):
        created = world.client.post("/api/v1/records/claim", json={"title": title, "amount": "80",
                                                                   "owner": world.users["alice"]},
                                    headers=world.headers("alice"))
        ids.append(created.json()["id"])
    first = world.client.post("/api/v1/records/claim/bulk", headers=world.headers("alice"),
                              json={"action": "transition", "ids": [ids[0]], "transition": "submit"}).json()
    assert first["done"] == [ids[0]]
    both = world.client.post("/api/v1/records/claim/bulk", headers=world.headers("alice"),
                             json={"action": "transition", "ids": ids, "transition": "submit"}).json()
    assert both["done"] == [ids[1]] and [r["id"] for r in both["refused"]] == [ids[0]]
    assert both["refused"][0]["code"].startswith("workflow.")


@pytest.mark.parametrize(("body", "path"), [
    ({"action": "explode", "ids": [1]}, "action"),
    ({"action": "delete", "ids": []}, "ids"),
    ({"action": "delete", "ids": ["1"]}, "ids"),
    ({"action": "delete", "ids": list(range(1, 502))}, "ids"),
    ({"action": "update", "ids": [1]}, "values"),
    ({"action": "update", "ids": [1], "values": {"a": 1}, "all_or_nothing": "yes"}, "all_or_nothing"),
    ({"action": "delete", "ids": [1], "values": {}}, "values"),
    ({"action": "transition", "ids": [1]}, "transition"),
])
def test_a_bad_bulk_request_is_a_422(world: World, body: dict[str, Any], path: str) -> None:
    response = world.client.post("/api/v1/records/task/bulk", json=body, headers=world.headers("alice"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["path"] == path
