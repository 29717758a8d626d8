"""The approvals API: the inbox with record titles and links, approve/reject/delegate/signers/recall, dry
runs, and bad input as 4xx problems with stable codes in the caller's language."""
from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_department, create_role, set_permission, set_user_departments, set_user_roles
from jimu.web.assembly import assemble

from .conftest import FIXTURES, World


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = assemble(Kernel(engine))
    kernel.apply_app(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    kernel.apply_app(tasks_app)
    kernel.apply_app(json.loads((FIXTURES / "purchasing.json").read_text(encoding="utf-8")))
    return kernel


@pytest.fixture
def office(world: World) -> World:
    """Alice works in Ops, managed by Bob; Vera and Nora are in finance."""
    with world.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "staff")
        create_role(ctx.conn, "finance")
        set_permission(ctx.conn, "staff", "request", ["read", "create", "update"], catalog=ctx.catalog)
        ops = create_department(ctx.conn, "Ops", manager_id=world.users["bob"])
        set_user_departments(ctx.conn, world.users["alice"], [ops])
        set_user_roles(ctx.conn, world.users["alice"], ["staff"])
        set_user_roles(ctx.conn, world.users["bob"], ["staff"])
        for name in ("vera", "nora"):
            set_user_roles(ctx.conn, world.users[name], ["finance"])
    return world


def _submitted(world: World, amount: str = "500", title: str = "Chairs") -> dict[str, Any]:
    created = world.client.post("/api/v1/records/request", json={"title": title, "amount": amount},
                                headers=world.headers("alice"))
    assert created.status_code == 201, created.text
    started = world.client.post(f"/api/v1/records/request/{created.json()['id']}/transitions/submit",
                                headers=world.headers("alice"))
    assert started.status_code == 200, started.text
    return dict(started.json())


def _inbox(world: World, user: str, **params: Any) -> dict[str, Any]:
    response = world.client.get("/api/v1/approvals", params=params, headers=world.headers(user))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _act(world: World, user: str, task: int, what: str, body: Any = None, **headers: str) -> Any:
    return world.client.post(f"/api/v1/approvals/{task}/{what}", json=body, headers=world.headers(user, **headers))


def test_the_manager_finds_the_request_in_the_inbox_and_approves_it(office: World) -> None:
    started = _submitted(office)
    assert (started["pending"], started["record"]["state"]) == (True, "draft")
    record_id = started["id"]
    listing = office.client.get(f"/api/v1/records/request/{record_id}/transitions",
                                headers=office.headers("alice")).json()
    assert [p["id"] for p in listing["pending_approval"]["waiting_for"]] == [office.users["bob"]]
    assert _inbox(office, "alice")["data"] == []
    [item] = _inbox(office, "bob")["data"]
    assert (item["title"], item["link"], item["level"]) == ("Chairs", f"/api/v1/records/request/{record_id}", "lead")
    done = _act(office, "bob", item["task"], "approve", {"comment": "ok"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["approval"]["status"], body["record"]["state"]) == ("approved", "approved")
    history = office.client.get(f"/api/v1/records/request/{record_id}/history", headers=office.headers("alice"))
    assert history.status_code == 200, history.text
    assert [h["changes"][0]["event"] for h in history.json()["data"] if h["action"] == "approval"] == \
        ["completed", "approved", "level_opened", "started"]


def test_a_dry_run_approval_commits_nothing(office: World) -> None:
    started = _submitted(office)
    task = _inbox(office, "bob")["data"][0]["task"]
    dry = office.client.post(f"/api/v1/approvals/{task}/approve", params={"dry_run": "true"},
                             headers=office.headers("bob"))
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["record"]["state"] == "approved"
    after = office.client.get(f"/api/v1/records/request/{started['id']}", headers=office.headers("alice")).json()
    assert after["state"] == "draft"
    assert [i["task"] for i in _inbox(office, "bob")["data"]] == [task]


def test_large_requests_reach_finance_and_the_inbox_pages(office: World) -> None:
    for n in range(3):
        _submitted(office, amount="60000", title=f"Server {n}")
    for item in _inbox(office, "bob")["data"]:
        assert _act(office, "bob", item["task"], "approve").status_code == 200
    first = _inbox(office, "vera", limit=2)
    assert [i["title"] for i in first["data"]] == ["Server 0", "Server 1"] and first["has_more"] is True
    rest = _inbox(office, "vera", limit=2, cursor=first["next_cursor"])
    assert [i["title"] for i in rest["data"]] == ["Server 2"] and rest["has_more"] is False


def test_delegate_add_signer_and_recall(office: World) -> None:
    started = _submitted(office)
    task = _inbox(office, "bob")["data"][0]["task"]
    signed = _act(office, "bob", task, "signers", {"user": office.users["vera"], "comment": "co-sign"})
    assert signed.status_code == 200, signed.text
    handed = _act(office, "vera", _inbox(office, "vera")["data"][0]["task"], "delegate", {"user": office.users["nora"]})
    assert {p["id"] for p in handed.json()["approval"]["waiting_for"]} == {office.users["bob"], office.users["nora"]}
    not_submitter = office.client.post(f"/api/v1/approvals/requests/{started['approval']}/recall",
                                       headers=office.headers("bob"))
    assert (not_submitter.status_code, not_submitter.json()["code"]) == (403, "approval.not_submitter")
    recalled = office.client.post(f"/api/v1/approvals/requests/{started['approval']}/recall",
                                  json={"comment": "later"}, headers=office.headers("alice"))
    assert recalled.status_code == 200 and recalled.json()["approval"]["status"] == "recalled"
    assert _inbox(office, "bob")["data"] == [] and _inbox(office, "nora")["data"] == []
    shown = office.client.get(f"/api/v1/approvals/requests/{started['approval']}", headers=office.headers("alice"))
    assert [t["status"] for t in shown.json()["tasks"]] == ["closed", "delegated", "closed"]
    hidden = office.client.get(f"/api/v1/approvals/requests/{started['approval']}", headers=office.headers("dora"))
    assert hidden.status_code == 404


def test_bad_input_is_a_4xx_with_a_stable_code_and_nothing_written(office: World) -> None:
    _submitted(office)
    task = _inbox(office, "bob")["data"][0]["task"]
    zh = {"Accept-Language": "zh-CN"}
    cases = [
        (_act(office, "alice", task, "approve"), 403, "approval.not_yours"),
        (_act(office, "bob", task, "reject", {"comment": ""}, **zh), 422, "approval.comment_required"),
        (_act(office, "bob", 10**9, "approve"), 404, "approval.task_not_found"),
        (_act(office, "bob", task, "delegate", {"user": "bob"}), 422, "approval.user_invalid"),
        (_act(office, "bob", task, "delegate", {"user": 10**9}), 422, "approval.unknown_user"),
        (_act(office, "bob", task, "signers", {"user": office.users["bob"]}), 422, "approval.self"),
        (_act(office, "bob", task, "approve", {"surprise": 1}), 422, "api.unknown_property"),
        (_act(office, "bob", task, "approve", {"comment": 5}), 422, "api.comment_invalid"),
        (office.client.post("/api/v1/approvals/requests/999999/recall", headers=office.headers("alice")), 404,
         "approval.not_found"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.json()["code"] == code
    assert "驳回时必须填写意见。" in cases[1][0].text
    with office.kernel.engine.connect() as conn:
        statuses = conn.execute(sa.text("SELECT status FROM jimu_wf_approval_task")).scalars().all()
    assert statuses == ["pending"]
    assert _act(office, "bob", task, "approve").status_code == 200
    again = _act(office, "bob", task, "approve")
    assert (again.status_code, again.json()["code"]) == (409, "approval.closed")


def test_the_rejector_chooses_the_state_the_record_goes_back_to(office: World) -> None:
    _submitted(office)
    [item] = _inbox(office, "bob")["data"]
    shown = office.client.get(f"/api/v1/approvals/requests/{item['approval']}", headers=office.headers("bob"))
    assert shown.status_code == 200, shown.text
    assert [t["key"] for t in shown.json()["reject_targets"]] == ["returned", "draft"]  # the default first
    bad = _act(office, "bob", item["task"], "reject", {"comment": "no", "to": "approved"})
    assert bad.status_code == 422, bad.text
    assert [(e["path"], e["code"]) for e in bad.json()["errors"]] == [("to", "approval.reject_target")]
    assert _act(office, "bob", item["task"], "reject", {"comment": "no", "to": 7}).status_code == 422
    dry = _act(office, "bob", item["task"], "reject?dry_run=true", {"comment": "no", "to": "draft"})
    assert dry.status_code == 200 and dry.json()["record"]["state"] == "draft", dry.text
    done = _act(office, "bob", item["task"], "reject", {"comment": "start again", "to": "draft"})
    assert done.status_code == 200, done.text
    assert (done.json()["approval"]["status"], done.json()["record"]["state"]) == ("rejected", "draft")
    assert done.json()["approval"]["reject_targets"] == []
