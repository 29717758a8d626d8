"""Authentication over HTTP: tokens, logout, lockout, cookie sessions with CSRF, personal API tokens, me."""
from __future__ import annotations

from .conftest import PASSWORD, World

TOKEN = "/api/v1/auth/token"


def test_token_from_json_or_form_and_me(world: World) -> None:
    c = world.client
    by_json = c.post(TOKEN, json={"username": "alice", "password": PASSWORD})
    by_form = c.post(TOKEN, data={"username": "alice", "password": PASSWORD})
    for response in (by_json, by_form):
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer" and body["access_token"].startswith("jms_") and body["expires_at"]
    me = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {by_json.json()['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "alice" and me.json()["roles"] == ["rep"] and me.json()["auth"] == "api"


def test_wrong_password_missing_fields_and_no_token(world: World) -> None:
    c = world.client
    wrong = c.post(TOKEN, json={"username": "alice", "password": "nope nope"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["code"] == "security.authentication_failed"
    missing = c.post(TOKEN, json={"username": "alice"})
    assert missing.status_code == 422 and [e["path"] for e in missing.json()["errors"]] == ["password"]
    assert c.post(TOKEN, content=b"username=x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert c.post(TOKEN, content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    assert c.get("/api/v1/auth/me").status_code == 401
    assert c.get("/api/v1/auth/me", headers={"Authorization": "Bearer jms_forged"}).status_code == 401


def test_logout_revokes_the_token(world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token('alice')}"}
    assert world.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_lockout_answers_429_with_retry_after(world: World) -> None:
    c = world.client
    for _ in range(5):
        assert c.post(TOKEN, json={"username": "bob", "password": "wrong password"}).status_code == 401
    locked = c.post(TOKEN, json={"username": "bob", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.json()["code"] == "security.too_many_attempts" and locked.json()["retry_after"] > 0
    assert c.post(TOKEN, json={"username": "alice", "password": PASSWORD}).status_code == 200


def test_cookie_session_needs_csrf_on_unsafe_methods(world: World) -> None:
    c = world.client
    opened = c.post("/api/v1/auth/session", json={"username": "alice", "password": PASSWORD})
    assert opened.status_code == 200
    cookie = opened.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie  # http://testserver
    csrf = opened.json()["csrf_token"]
    assert c.get("/api/v1/auth/me").json()["auth"] == "browser"  # safe method: the cookie alone is enough
    task = {"title": "from the browser", "owner": world.users["alice"]}
    refused = c.post("/api/v1/records/task", json=task)
    assert refused.status_code == 403 and refused.json()["code"] == "security.csrf_failed"
    assert c.post("/api/v1/records/task", json=task, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert c.post("/api/v1/records/task", json=task, headers={"X-CSRF-Token": csrf}).status_code == 201
    listed = c.get("/api/v1/records/task", headers=world.headers("admin")).json()
    assert [t["title"] for t in listed["data"]] == ["from the browser"]  # the refused ones wrote nothing
    assert c.post("/api/v1/auth/logout").status_code == 403  # logout is unsafe too
    assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert c.get("/api/v1/auth/me").status_code == 401


def test_secure_cookie_over_https(world: World) -> None:
    opened = world.client.post("https://testserver/api/v1/auth/session",
                               json={"username": "alice", "password": PASSWORD})
    assert "secure" in opened.headers["set-cookie"].lower()


def test_bearer_requests_need_no_csrf(world: World) -> None:
    response = world.client.post("/api/v1/records/task", json={"title": "scripted"}, headers=world.headers("alice"))
    assert response.status_code == 201


def test_personal_api_tokens(world: World) -> None:
    c = world.client
    session = {"Authorization": f"Bearer {world.token('alice')}"}
    created = c.post("/api/v1/auth/tokens", json={"name": "ci"}, headers=session)
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("jmt_") and created.json()["hint"] == secret[:8]
    listed = c.get("/api/v1/auth/tokens", headers=session).json()["data"]
    assert [(t["name"], "token" in t) for t in listed] == [("tests", False), ("ci", False)]  # the secret is shown once
    bearer = {"Authorization": f"Bearer {secret}"}
    assert c.get("/api/v1/auth/me", headers=bearer).json()["auth"] == "token"
    other = c.delete(f"/api/v1/auth/tokens/{created.json()['id']}", headers=world.headers("bob"))
    assert other.status_code == 404  # users revoke only their own tokens
    assert c.delete(f"/api/v1/auth/tokens/{created.json()['id']}", headers=session).status_code == 204
    assert c.get("/api/v1/auth/me", headers=bearer).status_code == 401
    assert c.post("/api/v1/auth/tokens", json={"name": "x", "scope": "all"}, headers=session).status_code == 422
