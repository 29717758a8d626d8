"""The shell's API: your own password change, the global search (permission-aware, record rules included)
and an administrator's view of a user's effective permissions on one entity."""
from __future__ import annotations

from jimu.engines.forms.records import create
from jimu.platform.security import Principal, bind_policy

from .conftest import PASSWORD, World

NEW = "a brand new secret"


def test_change_own_password_keeps_this_session_and_ends_the_others(world: World) -> None:
    this, other = world.token("alice"), world.token("alice")
    headers = {"Authorization": f"Bearer {this}"}
    wrong = world.client.post("/api/v1/auth/password", headers={**headers, "Accept-Language": "zh-CN"},
                              json={"current_password": "nope", "new_password": NEW})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    assert wrong.json()["errors"][0]["message"] == "当前密码不正确。"
    short = world.client.post("/api/v1/auth/password", headers=headers,
                              json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "new_password"
    same = world.client.post("/api/v1/auth/password", headers=headers,
                             json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422 and same.json()["code"] == "security.password_unchanged"
    done = world.client.post("/api/v1/auth/password", headers=headers,
                             json={"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 204, done.text
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert world.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    old = world.client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD})
    assert old.status_code == 401
    new = world.client.post("/api/v1/auth/token", json={"username": "alice", "password": NEW})
    assert new.status_code == 200
    audit = world.client.get("/api/v1/admin/audit", headers=world.headers("admin"),
                             params={"target_kind": "user", "target": str(world.users["alice"])}).json()["data"]
    assert audit[0]["action"] == "user.password_change"


def _seed_tasks(world: World) -> None:
    with world.kernel.unit_of_work() as ctx:
        bind_policy(ctx, Principal(world.users["admin"], "admin", is_superuser=True))
        create(ctx, "task", {"title": "Alpha report", "owner": world.users["alice"], "secret": "alpha"})
        create(ctx, "task", {"title": "Alpha review", "owner": world.users["bob"]})
        create(ctx, "task", {"title": "Beta", "owner": world.users["alice"]})
        create(ctx, "customer", {"name": "Alpha Corp"})


def _hits(world: World, user: str, q: str, **params: str) -> dict[str, list[str]]:
    response = world.client.get("/api/v1/search", params={"q": q, **params}, headers=world.headers(user))
    assert response.status_code == 200, response.text
    return {hit["entity"]: [r["title"] for r in hit["records"]] for hit in response.json()["data"]}


def test_global_search_follows_permissions_and_record_rules(world: World) -> None:
    _seed_tasks(world)
    assert _hits(world, "admin", "alpha") == {"customer": ["Alpha Corp"], "task": ["Alpha review", "Alpha report"]}
    assert _hits(world, "alice", "ALPHA") == {"customer": ["Alpha Corp"], "task": ["Alpha report"]}  # own rows only
    assert _hits(world, "vera", "alpha") == {"customer": ["Alpha Corp"], "task": ["Alpha review", "Alpha report"]}
    assert _hits(world, "nora", "alpha") == {}  # no role: nothing
    assert _hits(world, "admin", "alpha", app="tasks") == {"task": ["Alpha review", "Alpha report"]}
    limited = world.client.get("/api/v1/search", params={"q": "alpha", "limit": "1"}, headers=world.headers("admin"))
    task = next(h for h in limited.json()["data"] if h["entity"] == "task")
    assert len(task["records"]) == 1 and task["has_more"] is True
    assert _hits(world, "admin", "%") == {}  # wildcards are literal


def test_global_search_refuses_bad_terms(world: World) -> None:
    for params, field in (({"q": "  "}, "q"), ({"q": "x" * 101}, "q"), ({"q": "a", "limit": "0"}, "limit")):
        response = world.client.get("/api/v1/search", params=params, headers=world.headers("alice"))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field


def test_effective_permissions_of_a_user_on_an_entity(world: World) -> None:
    url = f"/api/v1/admin/users/{world.users['alice']}/permissions/task"
    body = world.client.get(url, headers=world.headers("admin")).json()
    actions = {a["action"]: a for a in body["actions"]}
    assert actions["read"]["allowed"] and actions["read"]["roles"] == ["rep"] and not actions["read"]["all_rows"]
    assert actions["read"]["record_rules"][0]["expression"] == "{owner} = CURRENT_USER()"
    assert actions["create"]["allowed"] and actions["create"]["all_rows"]
    assert not actions["design"]["allowed"]
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["secret"] == {**fields["secret"], "read": False, "write": False}
    assert fields["title"]["read"] and fields["title"]["write"]
    vera = world.client.get(f"/api/v1/admin/users/{world.users['vera']}/permissions/task",
                            headers=world.headers("admin")).json()
    assert [a["action"] for a in vera["actions"] if a["allowed"]] == ["read"]
    assert not any(f["write"] for f in vera["fields"])
    assert world.client.get(url, headers=world.headers("alice")).status_code == 403
    assert world.client.get(f"/api/v1/admin/users/{world.users['alice']}/permissions/nope",
                            headers=world.headers("admin")).status_code == 404
