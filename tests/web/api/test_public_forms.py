"""Public forms over HTTP: an administrator switches a form on, a visitor without an account opens it at its
unguessable link and submits it; too fast, the honeypot, a forged ticket, a bad value, the limits per address
and per form, switching off and rotating the token all refuse as they should; the definition is checked."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jimu.engines.forms.records import get
from jimu.platform.errors import DefinitionError
from jimu.platform.security import Principal, bind_policy, create_role, set_permission, set_user_roles

from .conftest import World

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def leads_app(**form: Any) -> dict[str, Any]:
    return {
        "key": "crm", "version": "1.0.0",
        "entities": [{"key": "lead", "title_field": "name", "fields": [
            {"name": "name", "type": "text", "required": True, "label": {"en": "Name", "zh-CN": "姓名"}},
            {"name": "email", "type": "text", "max_length": 100},
            {"name": "seats", "type": "integer", "min": 1},
            {"name": "source", "type": "select", "options": [{"value": "web"}, {"value": "phone"}]},
            {"name": "owner", "type": "user"},
        ]}],
        "public_forms": [{"key": "contact", "entity": "lead", "label": {"en": "Contact us", "zh-CN": "联系我们"},
                          "fields": ["name", {"field": "email", "required": True}, "seats"],
                          "values": {"source": "web"}, "thank_you": {"en": "Thanks!", "zh-CN": "谢谢！"},
                          "min_seconds": 3, "limits": {"per_ip": 3, "per_form": 4, "window_minutes": 10},
                          **form}],
    }


@pytest.fixture
def crm(world: World) -> World:
    world.kernel.apply_app(leads_app())
    world.kernel.clock = lambda: NOW
    return world


def later(world: World, seconds: float) -> None:
    at = NOW + timedelta(seconds=seconds)
    world.kernel.clock = lambda: at


def enable(world: World) -> str:
    response = world.client.post("/api/v1/admin/public-forms/crm/contact/enable", headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def grant_public(world: World) -> None:
    with world.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "web_forms")
        set_permission(ctx.conn, "web_forms", "lead", ["create"], catalog=ctx.catalog)
        user_id = ctx.conn.exec_driver_sql("SELECT id FROM jimu_user WHERE username = 'public'").scalar_one()
        set_user_roles(ctx.conn, user_id, ["web_forms"])


def send(world: World, token: str, values: dict[str, Any], ticket: str, **extra: Any) -> Any:
    return world.client.post(f"/api/v1/public/forms/{token}", json={"values": values, "ticket": ticket, **extra})


def test_a_visitor_submits_a_public_form(crm: World) -> None:
    token = enable(crm)
    assert len(token) >= 40
    grant_public(crm)
    opened = crm.client.get(f"/api/v1/public/forms/{token}", headers={"Accept-Language": "zh-CN"})
    assert opened.status_code == 200 and opened.headers["cache-control"] == "no-store"
    view = opened.json()
    assert [f["name"] for f in view["fields"]] == ["name", "email", "seats"]
    assert view["fields"][1]["required"] is True and view["fields"][0]["label"]["zh-CN"] == "姓名"
    later(crm, 1)
    too_fast = send(crm, token, {"name": "Ann", "email": "a@x.cn"}, view["ticket"])
    assert too_fast.status_code == 422 and too_fast.json()["code"] == "public_forms.too_fast"
    later(crm, 5)
    assert send(crm, token, {"name": "Ann", "email": "a@x.cn"}, view["ticket"], website="http://spam").json()[
        "code"] == "public_forms.refused"
    forged = view["ticket"].split(".")[0] + ".deadbeef"
    assert send(crm, token, {"name": "Ann", "email": "a@x.cn"}, forged).json()["code"] == "public_forms.refused"
    crm.kernel.clock = lambda: NOW + timedelta(minutes=20)  # a new window; the form was opened 20 minutes ago
    bad = send(crm, token, {"name": "Ann", "seats": 0}, view["ticket"])
    assert bad.status_code == 422, bad.text
    assert {e["field"] for e in bad.json()["errors"]} == {"email"}  # the form's own required mark
    invalid = send(crm, token, {"name": "Ann", "email": "a@x.cn", "seats": 0}, view["ticket"])
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "seats"  # the entity's rule
    sneaky = send(crm, token, {"name": "Ann", "email": "a@x.cn", "owner": 1}, view["ticket"])
    assert sneaky.status_code == 422 and sneaky.json()["errors"][0]["field"] == "owner"  # not on the form
    crm.kernel.clock = lambda: NOW + timedelta(minutes=40)
    done = send(crm, token, {"name": "Ann", "email": "a@x.cn", "seats": 2}, view["ticket"])
    assert done.status_code == 201, done.text
    assert done.json() == {"thank_you": {"en": "Thanks!", "zh-CN": "谢谢！"}}
    with crm.kernel.unit_of_work() as ctx:
        bind_policy(ctx, Principal(crm.users["admin"], "admin", is_superuser=True))
        lead = get(ctx, "lead", 1)
    assert (lead["name"], lead["email"], lead["seats"], lead["source"]) == ("Ann", "a@x.cn", 2, "web")
    history = crm.client.get("/api/v1/records/lead/1/history", headers=crm.headers("admin")).json()["data"]
    assert history[-1]["user_id"] is not None  # written as the public account, in the record's history


def test_without_a_grant_the_public_account_is_refused(crm: World) -> None:
    token = enable(crm)
    view = crm.client.get(f"/api/v1/public/forms/{token}").json()
    later(crm, 5)
    refused = send(crm, token, {"name": "Ann", "email": "a@x.cn"}, view["ticket"])
    assert refused.status_code == 403 and refused.json()["code"] == "security.permission_denied"


def test_limits_per_address_and_per_form(crm: World) -> None:
    token = enable(crm)
    grant_public(crm)
    view = crm.client.get(f"/api/v1/public/forms/{token}").json()
    later(crm, 5)
    for n in range(3):
        assert send(crm, token, {"name": f"L{n}", "email": "a@x.cn"}, view["ticket"]).status_code == 201
    limited = send(crm, token, {"name": "L4", "email": "a@x.cn"}, view["ticket"])
    assert limited.status_code == 429 and limited.headers["retry-after"] == "600"
    assert limited.json()["code"] == "public_forms.too_many"
    crm.kernel.clock = lambda: NOW + timedelta(minutes=11)
    assert send(crm, token, {"name": "L5", "email": "a@x.cn"}, view["ticket"]).status_code == 201


def test_switching_off_and_rotating(crm: World) -> None:
    token = enable(crm)
    assert crm.client.post("/api/v1/admin/public-forms/crm/contact/disable",
                           headers=crm.headers("admin")).json()["enabled"] is False
    closed = crm.client.get(f"/api/v1/public/forms/{token}")
    assert closed.status_code == 404 and closed.json()["code"] == "public_forms.closed"
    assert enable(crm) == token  # on again: the same link
    rotated = crm.client.post("/api/v1/admin/public-forms/crm/contact/rotate", headers=crm.headers("admin")).json()
    assert rotated["token"] != token and rotated["enabled"] is True
    assert crm.client.get(f"/api/v1/public/forms/{token}").status_code == 404
    assert crm.client.get(f"/api/v1/public/forms/{rotated['token']}").status_code == 200
    listed = crm.client.get("/api/v1/admin/public-forms", headers=crm.headers("admin")).json()["data"]
    assert [(f["app"], f["key"], f["enabled"], f["actor"]["username"]) for f in listed] == [
        ("crm", "contact", True, "public")]
    assert crm.client.get("/api/v1/admin/public-forms", headers=crm.headers("alice")).status_code == 403
    audit = crm.client.get("/api/v1/admin/audit", headers=crm.headers("admin"),
                           params={"target_kind": "public_form"}).json()["data"]
    assert [a["action"] for a in audit] == ["public_form.rotate", "public_form.enable", "public_form.disable",
                                            "public_form.enable"]
    assert crm.client.get("/api/v1/public/forms/nope").status_code == 404


@pytest.mark.parametrize(("form", "path", "code"), [
    ({"entity": "nope"}, "/public_forms/0/entity", "public_forms.unknown_entity"),
    ({"fields": ["name", "nope"]}, "/public_forms/0/fields/1", "public_forms.unknown_field"),
    ({"fields": ["name", "owner"]}, "/public_forms/0/fields/1", "public_forms.field_not_fillable"),
    ({"values": {"nope": 1}}, "/public_forms/0/values/nope", "public_forms.unknown_field"),
    ({"min_seconds": -1}, "/public_forms/0/min_seconds", "definition.schema"),
])
def test_the_definition_is_checked(world: World, form: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(DefinitionError) as refused:
        world.kernel.apply_app(leads_app(**form))
    assert (path, code) in [(d.path, d.code) for d in refused.value.details]


def test_the_page_is_served_with_a_strict_policy(crm: World) -> None:
    page = crm.client.get("/f/some-token")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
