"""The transitions API: what a user may run now and why not, running one, dry runs, bad input as 4xx."""
from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_role, set_permission, set_user_roles
from jimu.web.assembly import assemble

from .conftest import FIXTURES, World


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = assemble(Kernel(engine))
    kernel.apply_app(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    kernel.apply_app(tasks_app)
    kernel.apply_app(json.loads((FIXTURES / "expenses.json").read_text(encoding="utf-8")))
    return kernel


@pytest.fixture
def claims(world: World) -> World:
    with world.kernel.unit_of_work() as ctx:
        for role in ("employee", "manager"):
            create_role(ctx.conn, role)
            set_permission(ctx.conn, role, "claim", ["read", "create", "update"], catalog=ctx.catalog)
        set_user_roles(ctx.conn, world.users["alice"], ["employee"])
        set_user_roles(ctx.conn, world.users["bob"], ["employee", "manager"])
    return world


def _create(world: World, user: str, **values: Any) -> dict[str, Any]:
    response = world.client.post("/api/v1/records/claim", json={"title": "Hotel", **values},
                                 headers=world.headers(user))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _run(world: World, user: str, record_id: int, transition: str, body: Any = None, **params: Any) -> Any:
    return world.client.post(f"/api/v1/records/claim/{record_id}/transitions/{transition}", json=body,
                             params=params, headers=world.headers(user))


def test_a_user_sees_what_they_may_run_and_why_not(claims: World) -> None:
    claim = _create(claims, "alice", amount="80", owner=claims.users["alice"])
    assert _run(claims, "alice", claim["id"], "submit").status_code == 200
    shown = claims.client.get(f"/api/v1/records/claim/{claim['id']}/transitions",
                              headers=claims.headers("alice", **{"Accept-Language": "zh-CN"})).json()
    assert shown["state"] == "submitted"
    by_key = {t["key"]: t for t in shown["transitions"]}
    assert by_key["approve"]["allowed"] is False
    assert by_key["cancel"]["allowed"] is True
    denied = _run(claims, "alice", claim["id"], "approve")
    assert denied.status_code == 403
    assert denied.json()["code"] == "workflow.not_allowed"
    assert _run(claims, "bob", claim["id"], "approve").json()["to"] == "approved"


def test_dry_run_commits_nothing_and_shows_the_effects(claims: World) -> None:
    claim = _create(claims, "alice", amount="80")
    dry = _run(claims, "alice", claim["id"], "submit", dry_run="true")
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"] is True
    assert {(c["field"], c["new"]) for e in body["effects"] for c in e["changes"]} == {("state", "submitted")}
    after = claims.client.get(f"/api/v1/records/claim/{claim['id']}", headers=claims.headers("alice")).json()
    assert (after["state"], after["_version"]) == ("draft", claim["_version"])


def test_bad_input_is_a_4xx_with_a_stable_code_and_nothing_written(claims: World) -> None:
    claim = _create(claims, "alice")
    cases = [
        (_run(claims, "alice", claim["id"], "explode"), 404, "workflow.transition_not_found"),
        (_run(claims, "alice", claim["id"], "submit"), 409, "workflow.blocked"),
        (_run(claims, "alice", claim["id"], "submit", {"comment": 5}), 422, "api.comment_invalid"),
        (_run(claims, "alice", claim["id"], "submit", {"surprise": 1}), 422, "api.unknown_property"),
        (_run(claims, "alice", claim["id"], "submit", {"_version": 99}), 409, "records.version_conflict"),
        (_run(claims, "alice", 10**6, "submit"), 404, "records.not_found"),
        (_run(claims, "alice", claim["id"], "Bad-Key"), 422, None),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        if code is not None:
            assert response.json()["code"] == code
    with claims.kernel.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM jimu_wf_run")).scalar_one() == 0


def test_an_idempotency_key_makes_a_retry_return_the_first_result(claims: World) -> None:
    claim = _create(claims, "alice", amount="10")
    headers = claims.headers("alice", **{"Idempotency-Key": "click-1"})
    url = f"/api/v1/records/claim/{claim['id']}/transitions/submit"
    first = claims.client.post(url, headers=headers)
    second = claims.client.post(url, headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["repeated"] is True
    assert second.json()["record"]["_version"] == first.json()["record"]["_version"]


def test_a_cancelled_claim_is_amended_over_http(claims: World) -> None:
    claim = _create(claims, "bob", amount="10")
    for transition, body in (("submit", None), ("cancel", {"comment": "typo"})):
        assert _run(claims, "bob", claim["id"], transition, body).status_code == 200
    copy = claims.client.post(f"/api/v1/records/claim/{claim['id']}/amend", headers=claims.headers("bob"))
    assert copy.status_code == 201, copy.text
    assert (copy.json()["state"], copy.json()["amended_from"]) == ("draft", claim["id"])
    again = claims.client.post(f"/api/v1/records/claim/{copy.json()['id']}/amend", headers=claims.headers("bob"))
    assert (again.status_code, again.json()["code"]) == (409, "workflow.amend_not_cancelled")


def test_comments_and_transitions_appear_in_the_timeline_beside_field_changes(claims: World) -> None:
    claim = _create(claims, "alice", amount="10")
    url = f"/api/v1/records/claim/{claim['id']}"
    assert claims.client.post(f"{url}/comments", json={"text": "receipt follows"},
                              headers=claims.headers("alice")).status_code == 201
    assert _run(claims, "alice", claim["id"], "submit").status_code == 200
    bad = claims.client.post(f"{url}/comments", json={"text": ""}, headers=claims.headers("alice"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "text")
    stranger = claims.client.post(f"{url}/comments", json={"text": "hi"}, headers=claims.headers("nora"))
    assert stranger.status_code == 403
    timeline = claims.client.get(f"{url}/history", headers=claims.headers("alice")).json()["data"]
    assert [entry["action"] for entry in timeline] == ["transition", "update", "comment", "create"]
    assert timeline[2]["changes"] == [{"field": "_comment", "text": "receipt follows"}]


def test_the_entity_view_marks_the_state_field_and_describes_the_process(claims: World) -> None:
    view = claims.client.get("/api/v1/entities/claim", headers=claims.headers("alice")).json()
    state = next(f for f in view["fields"] if f["name"] == "state")
    assert (state["writable"], state["read_only"]) == (False, True)
    assert view["process"]["state_field"] == "state"
    assert [(s["key"], s["phase"]) for s in view["process"]["states"]] == [
        ("draft", "draft"), ("submitted", "submitted"), ("approved", "submitted"), ("paid", "submitted"),
        ("cancelled", "cancelled")]
    tasks = claims.client.get("/api/v1/entities/task", headers=claims.headers("admin")).json()
    assert "process" not in tasks
