"""The administration API: superusers only, every change audited and seen by the next request (security stamp)."""
from __future__ import annotations

from typing import Any

import pytest

from .conftest import PASSWORD, World

A = "/api/v1/admin"
R = "/api/v1/records"


def test_only_superusers_may_administer(world: World) -> None:
    for user in ("alice", "vera", "nora", "dora"):
        headers = world.headers(user)
        for method, path, body in (("GET", f"{A}/users", None), ("POST", f"{A}/roles", {"key": "x"}),
                                   ("GET", f"{A}/roles", None), ("GET", f"{A}/departments", None),
                                   ("POST", f"{A}/users/{world.users['alice']}/password", {"password": "x" * 12}),
                                   ("GET", f"{A}/audit", None)):
            response = world.client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (user, path, response.text)
            assert response.json()["code"] == "admin.administrators_only"
    assert world.client.get(f"{A}/users").status_code == 401


def test_users_are_listed_a_page_at_a_time(world: World, admin: dict[str, str]) -> None:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = world.client.get(f"{A}/users", params=params, headers=admin).json()
        assert len(page["data"]) <= 2
        seen += [u["username"] for u in page["data"]]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            break
    assert seen == ["admin", "alice", "bob", "vera", "nora", "dora"]
    found = world.client.get(f"{A}/users", params={"q": "VER"}, headers=admin).json()["data"]
    assert [(u["username"], u["roles"]) for u in found] == [("vera", ["viewer"])]
    bad = world.client.get(f"{A}/users", params={"cursor": "abc"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    assert world.client.get(f"{A}/users", params={"limit": 0}, headers=admin).status_code == 422


def test_create_update_deactivate_and_reactivate_a_user(world: World, admin: dict[str, str]) -> None:
    c = world.client
    created = c.post(f"{A}/users", json={"username": "newbie", "password": PASSWORD, "display_name": "New Bie",
                                         "email": "nb@example.com", "locale": "zh-CN", "roles": ["viewer"]},
                     headers=admin)
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["username"], user["roles"], user["locale"], user["has_password"]) == ("newbie", ["viewer"],
                                                                                        "zh-CN", True)
    assert "password" not in user and "password_hash" not in user
    token = world.client.post("/api/v1/auth/token", json={"username": "newbie", "password": PASSWORD}).json()
    me = {"Authorization": f"Bearer {token['access_token']}"}
    assert c.get(f"{R}/task", headers=me).status_code == 200
    changed = c.patch(f"{A}/users/{user['id']}", json={"display_name": "N. Bie", "email": None}, headers=admin)
    assert changed.status_code == 200 and (changed.json()["display_name"], changed.json()["email"]) == ("N. Bie", None)
    assert c.post(f"{A}/users/{user['id']}/deactivate", headers=admin).json()["is_active"] is False
    assert c.get(f"{R}/task", headers=me).status_code == 401  # the session ended with the deactivation
    assert c.post("/api/v1/auth/token", json={"username": "newbie", "password": PASSWORD}).status_code == 401
    assert c.post(f"{A}/users/{user['id']}/reactivate", headers=admin).json()["is_active"] is True
    assert c.post("/api/v1/auth/token", json={"username": "newbie", "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"username": "bad name"}, "username", "security.username_invalid"),
    ({"username": "alice"}, None, "security.username_taken"),
    ({"username": "x", "password": "short"}, "password", "security.password_too_short"),
    ({"username": "x", "email": "not-an-email"}, "email", "admin.email_invalid"),
    ({"username": "x", "locale": "fr"}, "locale", "admin.locale_invalid"),
    ({"username": "x", "roles": ["nope"]}, None, "security.unknown_role"),
    ({"username": "x", "departments": [99]}, None, "security.unknown_department"),
    ({"username": "x", "is_admin": True}, "is_admin", "api.field_unknown"),
])
def test_bad_users_are_refused_field_by_field(world: World, admin: dict[str, str], body: dict[str, Any],
                                              field: str | None, code: str) -> None:
    response = world.client.post(f"{A}/users", json=body, headers=admin)
    assert 400 <= response.status_code < 500, response.text
    problem = response.json()
    codes = [problem["code"]] + [e["code"] for e in problem["errors"]]
    assert code in codes
    if field is not None:
        assert field in [e.get("field") for e in problem["errors"]]
    assert world.client.get(f"{A}/users", params={"q": "x"}, headers=admin).json()["data"] == []  # nothing written


def test_reset_password_ends_the_sessions_and_the_old_password(world: World, admin: dict[str, str]) -> None:
    c = world.client
    old = world.token("vera")
    short = c.post(f"{A}/users/{world.users['vera']}/password", json={"password": "short"}, headers=admin)
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "password"
    assert c.post(f"{A}/users/{world.users['vera']}/password", json={"password": "a new long password"},
                  headers=admin).status_code == 204
    assert c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert c.post("/api/v1/auth/token", json={"username": "vera", "password": PASSWORD}).status_code == 401
    assert c.post("/api/v1/auth/token", json={"username": "vera", "password": "a new long password"}
                  ).status_code == 200
    assert c.post(f"{A}/users/999/password", json={"password": "a new long password"},
                  headers=admin).status_code == 404


def test_the_last_administrator_stays(world: World, admin: dict[str, str]) -> None:
    me = world.users["admin"]
    for method, path, body in (("POST", f"{A}/users/{me}/deactivate", None),
                               ("PATCH", f"{A}/users/{me}", {"is_superuser": False})):
        response = world.client.request(method, path, json=body, headers=admin)
        assert response.status_code == 409 and response.json()["code"] == "admin.last_administrator"
    assert world.client.patch(f"{A}/users/{me}", json={"is_superuser": None}, headers=admin).status_code == 422
    second = world.client.patch(f"{A}/users/{world.users['nora']}", json={"is_superuser": True}, headers=admin)
    assert second.json()["is_superuser"] is True
    assert world.client.patch(f"{A}/users/{me}", json={"is_superuser": False}, headers=admin).status_code == 200


def test_role_grants_take_effect_on_the_next_request(world: World, admin: dict[str, str]) -> None:
    c = world.client
    nora = world.headers("nora")
    task = c.post(f"{R}/task", json={"title": "t", "secret": "s"}, headers=admin).json()
    assert c.get(f"{R}/task/{task['id']}", headers=nora).status_code == 403
    created = c.post(f"{A}/roles", json={"key": "auditor", "label": {"en": "Auditor", "zh-CN": "审计"}},
                     headers=admin)
    assert created.status_code == 201 and created.json()["label"] == {"en": "Auditor", "zh-CN": "审计"}
    granted = c.put(f"{A}/roles/auditor/permissions/task", json={"actions": ["read"]}, headers=admin)
    assert granted.json()["permissions"] == [{"entity": "task", "actions": ["read"]}]
    assert c.put(f"{A}/users/{world.users['nora']}/roles", json={"roles": ["auditor"]}, headers=admin
                 ).json()["roles"] == ["auditor"]
    assert c.get(f"{R}/task/{task['id']}", headers=nora).json()["secret"] == "s"
    hidden = c.put(f"{A}/roles/auditor/fields/task/secret", json={"read": False, "write": True}, headers=admin)
    assert hidden.json()["field_permissions"] == [{"entity": "task", "field": "secret", "read": False, "write": False}]
    assert "secret" not in c.get(f"{R}/task/{task['id']}", headers=nora).json()
    c.delete(f"{A}/roles/auditor/fields/task/secret", headers=admin)
    assert c.get(f"{R}/task/{task['id']}", headers=nora).json()["secret"] == "s"
    assert c.delete(f"{A}/roles/auditor/permissions/task", headers=admin).json()["permissions"] == []
    assert c.get(f"{R}/task/{task['id']}", headers=nora).status_code == 403
    assert c.patch(f"{A}/roles/auditor", json={"label": "Auditors"}, headers=admin).json()["label"] == {"en": "Auditors"}
    assert c.delete(f"{A}/roles/auditor", headers=admin).status_code == 204
    assert c.get(f"{A}/roles/auditor", headers=admin).status_code == 404
    assert c.get(f"{A}/users/{world.users['nora']}", headers=admin).json()["roles"] == []


@pytest.mark.parametrize(("body", "path"), [
    ({"entity": "task", "actions": ["read"], "rule": {"expression": "{owner} = "}}, "rule/expression"),
    ({"entity": "task", "actions": ["read"], "rule": {"expression": "{nope} = 1"}}, "rule/expression"),
    ({"entity": "task", "actions": ["read"], "rule": {"expression": "{title}"}}, "rule/expression"),
    ({"entity": "task", "actions": ["read"], "rule": {"field": "title", "is": "current_user"}}, "rule/field"),
    ({"entity": "task", "actions": ["read"], "rule": {"field": "owner", "is": "everyone"}}, "rule/is"),
    ({"entity": "task", "actions": ["read"], "rule": {"field": "owner"}}, "rule"),
    ({"entity": "task", "actions": ["fly"], "rule": {"field": "owner", "is": "current_user"}}, "actions"),
])
def test_a_bad_record_rule_is_a_422_naming_its_part(world: World, admin: dict[str, str], body: dict[str, Any],
                                                    path: str) -> None:
    response = world.client.post(f"{A}/roles/viewer/rules", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert path in [e["path"] for e in response.json()["errors"]]
    assert all(e["message"] and "{" not in e["message"] for e in response.json()["errors"])
    assert world.client.get(f"{A}/roles/viewer", headers=admin).json()["record_rules"] == []


def test_record_rules_and_departments(world: World, admin: dict[str, str]) -> None:
    c = world.client
    sales = c.post(f"{A}/departments", json={"name": "Sales", "manager_id": world.users["vera"]}, headers=admin).json()
    east = c.post(f"{A}/departments", json={"name": "East", "parent_id": sales["id"]}, headers=admin).json()
    assert c.put(f"{A}/users/{world.users['bob']}/departments", json={"departments": [east["id"]]},
                 headers=admin).json()["departments"] == [east["id"]]
    for who in ("alice", "bob"):
        c.post(f"{R}/task", json={"title": f"{who}'s", "owner": world.users[who]}, headers=admin)
    rule = c.post(f"{A}/roles/viewer/rules", json={"entity": "task", "actions": ["read"],
                                                    "rule": {"field": "owner", "is": "my_subordinates"}},
                  headers=admin)
    assert rule.status_code == 201 and rule.json()["rule"] == {"field": "owner", "is": "my_subordinates"}
    titles = [t["title"] for t in c.get(f"{R}/task", headers=world.headers("vera")).json()["data"]]
    assert titles == ["bob's"]  # vera manages Sales, East is below it, bob is in East
    moved = c.patch(f"{A}/departments/{east['id']}", json={"parent_id": None}, headers=admin).json()
    assert moved["parent_id"] is None and moved["members"] == [world.users["bob"]]
    assert c.get(f"{R}/task", headers=world.headers("vera")).json()["data"] == []
    loop = c.patch(f"{A}/departments/{sales['id']}", json={"parent_id": sales["id"]}, headers=admin)
    assert loop.status_code == 409
    assert c.delete(f"{A}/rules/{rule.json()['id']}", headers=admin).status_code == 204
    assert len(c.get(f"{R}/task", headers=world.headers("vera")).json()["data"]) == 2
    assert c.delete(f"{A}/departments/{east['id']}", headers=admin).status_code == 204
    assert c.get(f"{A}/users/{world.users['bob']}", headers=admin).json()["departments"] == []
    page = c.get(f"{A}/departments", headers=admin).json()
    assert [d["name"] for d in page["data"]] == ["Sales"]


def test_every_change_is_audited_with_its_actor(world: World, admin: dict[str, str]) -> None:
    c = world.client
    c.post(f"{A}/roles", json={"key": "clerk"}, headers=admin, params={})
    c.put(f"{A}/roles/clerk/permissions/task", json={"actions": ["read", "create"]}, headers=admin)
    c.post(f"{A}/users/{world.users['nora']}/password", json={"password": "another long one"},
           headers={**admin, "X-Request-ID": "req-42"})
    c.post(f"{A}/roles", json={"key": "Bad Key"}, headers=admin)  # refused: not audited
    trail = c.get(f"{A}/audit", headers=admin).json()["data"]
    assert [(e["action"], e["target"]) for e in trail] == [
        ("user.password_reset", str(world.users["nora"])), ("role.permission_set", "clerk"), ("role.create", "clerk")]
    assert all(e["actor_id"] == world.users["admin"] and e["source"] == "api" for e in trail)
    assert trail[0]["request_id"] == "req-42" and trail[0]["changes"] == {}  # never the password
    assert trail[1]["changes"] == {"entity": "task", "actions": ["read", "create"]}
    only = c.get(f"{A}/audit", params={"target_kind": "role", "target": "clerk", "limit": 1}, headers=admin).json()
    assert [e["action"] for e in only["data"]] == ["role.permission_set"] and only["has_more"]
