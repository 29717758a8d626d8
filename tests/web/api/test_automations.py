"""The automation runs API: the history of a rule's runs, a failed one retried, designers and admins only."""
from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.workflow import automation
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_role, set_permission, set_user_roles
from jimu.web.assembly import assemble

from .conftest import FIXTURES, World

FAILING = {"key": "retitle", "entity": "ticket", "mode": "queued",
           "trigger": {"on": "field_changed", "fields": ["priority"]},
           "actions": [{"key": "copy", "type": "set", "values": {"title": "IF(ISBLANK(note), '', note)"}}]}


def _service() -> dict[str, Any]:
    app: dict[str, Any] = json.loads((FIXTURES / "service.json").read_text(encoding="utf-8"))
    app["automations"].append(FAILING)
    return app


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = assemble(Kernel(engine))
    kernel.apply_app(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    kernel.apply_app(tasks_app)
    kernel.apply_app(_service())
    return kernel


@pytest.fixture
def desk(world: World) -> World:
    with world.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "desk")
        set_permission(ctx.conn, "desk", "ticket", ["read", "create", "update", "design"], catalog=ctx.catalog)
        set_user_roles(ctx.conn, world.users["alice"], ["rep", "desk"])
    return world


def _failed_run(world: World) -> int:
    created = world.client.post("/api/v1/records/ticket", json={"title": "Laptop"}, headers=world.headers("alice"))
    assert created.status_code == 201, created.text
    ticket = created.json()["id"]
    changed = world.client.patch(f"/api/v1/records/ticket/{ticket}", json={"priority": "high"},
                                 headers=world.headers("alice"))
    assert changed.status_code == 200, changed.text
    with world.kernel.unit_of_work() as ctx:
        [queued] = automation.list_runs(ctx, rule="retitle")
        assert automation.run_queued(ctx, queued["id"]) == "failed"
    return int(queued["id"])


def test_a_designer_lists_failed_runs_and_retries_one(desk: World) -> None:
    run_id = _failed_run(desk)
    listed = desk.client.get("/api/v1/automations/runs", params={"rule": "retitle", "status": "failed"},
                             headers=desk.headers("alice", **{"Accept-Language": "zh-CN"}))
    assert listed.status_code == 200, listed.text
    [run] = listed.json()["runs"]
    assert (run["id"], run["status"], run["trigger"], run["error"]["code"]) == (
        run_id, "failed", "field_changed", "workflow.action_failed")
    assert run["steps"][-1]["status"] == "failed"
    assert desk.client.get("/api/v1/automations/runs", params={"status": "ok", "rule": "retitle"},
                           headers=desk.headers("alice")).json()["runs"] == []
    retried = desk.client.post(f"/api/v1/automations/runs/{run_id}/retry", headers=desk.headers("alice"))
    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "queued"
    again = desk.client.post(f"/api/v1/automations/runs/{run_id}/retry", headers=desk.headers("alice"))
    assert again.status_code == 409
    assert again.json()["code"] == "automation.run_not_retryable"


def test_runs_are_for_admins_and_designers_only(desk: World) -> None:
    run_id = _failed_run(desk)
    assert desk.client.get("/api/v1/automations/runs", headers=desk.headers("admin")).status_code == 200
    assert desk.client.get("/api/v1/automations/runs", headers=desk.headers("vera")).status_code == 403
    assert desk.client.post(f"/api/v1/automations/runs/{run_id}/retry",
                            headers=desk.headers("vera")).status_code == 403
    # dora designs the tasks app, not the service desk: she sees none of its runs
    assert desk.client.get("/api/v1/automations/runs", headers=desk.headers("dora")).json()["runs"] == []
    assert desk.client.get(f"/api/v1/automations/runs/{run_id}", headers=desk.headers("dora")).status_code == 403


def test_bad_filters_and_unknown_runs_are_4xx(desk: World) -> None:
    bad = desk.client.get("/api/v1/automations/runs", params={"status": "sideways"}, headers=desk.headers("admin"))
    assert bad.status_code == 422 and bad.json()["code"] == "automation.bad_status"
    missing = desk.client.post("/api/v1/automations/runs/999/retry", headers=desk.headers("admin"))
    assert missing.status_code == 404 and missing.json()["code"] == "automation.run_not_found"
