"""/openapi.json shows each caller only what they may read; /docs is served from vendored assets."""
from __future__ import annotations

from typing import Any

from .conftest import World

DOC = "/api/v1/openapi.json"


def document(world: World, user: str | None) -> dict[str, Any]:
    response = world.client.get(DOC, headers=world.headers(user) if user else {})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def entity_paths(doc: dict[str, Any]) -> set[str]:
    return {p.split("/")[4] for p in doc["paths"] if p.startswith("/api/v1/records/") and "{entity}" not in p}


def test_anonymous_callers_get_the_generic_endpoints_only(world: World) -> None:
    doc = document(world, None)
    assert "/api/v1/records/{entity}" in doc["paths"] and entity_paths(doc) == set()
    schemas = doc["components"]["schemas"]
    assert not {"task", "customer", "task_write", "product"} & set(schemas)
    assert not any(p.startswith("/api/v1/admin") for p in doc["paths"])
    assert world.client.get("/openapi.json").json() == doc


def test_a_user_sees_the_entities_they_may_read_and_only_their_fields(world: World) -> None:
    alice = document(world, "alice")  # rep: task (secret hidden) and customer
    assert entity_paths(alice) == {"task", "customer"}
    schemas = alice["components"]["schemas"]
    assert "secret" not in schemas["task"]["properties"] and "title" in schemas["task"]["properties"]
    assert "secret" not in schemas["task_write"]["properties"]
    assert "task_item" in schemas  # the lines of a readable entity
    assert "product" not in schemas and "sales_order" not in schemas
    sort = next(p for p in alice["paths"]["/api/v1/records/task"]["get"]["parameters"] if p["name"] == "sort")
    assert "secret" not in sort["description"]
    assert not any(p.startswith("/api/v1/admin") for p in alice["paths"])
    assert entity_paths(document(world, "nora")) == set()
    admin = document(world, "admin")
    assert {"task", "customer", "product", "sales_order"} <= entity_paths(admin)
    assert "secret" in admin["components"]["schemas"]["task"]["properties"]
    assert "/api/v1/admin/users" in admin["paths"]


def test_documents_follow_a_change_of_rights(world: World, admin: dict[str, str]) -> None:
    assert entity_paths(document(world, "vera")) == {"task", "customer"}
    world.client.put("/api/v1/admin/roles/viewer/permissions/customer", json={"actions": []}, headers=admin)
    assert entity_paths(document(world, "vera")) == {"task"}
    world.client.put("/api/v1/admin/roles/viewer/fields/task/budget", json={"read": False, "write": False},
                     headers=admin)
    assert "budget" not in document(world, "vera")["components"]["schemas"]["task"]["properties"]


def test_a_bad_credential_is_refused(world: World) -> None:
    response = world.client.get(DOC, headers={"Authorization": "Bearer jmt_nope"})
    assert response.status_code == 401


def test_the_entity_view_marks_what_cannot_be_written(world: World, admin: dict[str, str]) -> None:
    fields = {f["name"]: f for f in world.client.get("/api/v1/entities/sales_order", headers=admin).json()["fields"]}
    computed = [name for name, f in fields.items() if f["type"] in ("formula", "rollup", "lookup", "auto_number")]
    assert computed and all(fields[name]["writable"] is False and fields[name]["read_only"] for name in computed)
    assert fields["customer"]["writable"] is True and not fields["customer"].get("read_only")


def test_docs_are_served_from_vendored_assets(world: World) -> None:
    page = world.client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "/docs/assets/swagger-ui-bundle.js" in html and "/docs/assets/swagger-ui.css" in html
    assert DOC in html
    assert "cdn" not in html.lower() and "https://" not in html.replace("https://swagger.io", "")
    for asset, kind in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css"),
                        ("favicon-32x32.png", "image/png")):
        response = world.client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200 and kind in response.headers["content-type"], asset
        assert len(response.content) > 500
    assert world.client.get("/api/docs").text == html
    assert world.client.get("/docs/assets/../../config.py").status_code == 404
