"""A form's live preview over HTTP, and the user directory for pickers and @mentions."""
from __future__ import annotations

from typing import Any

from .conftest import World

R = "/api/v1/records"


def _sales(world: World, admin: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    c = world.client
    customer = c.post(f"{R}/customer", json={"name": "ACME", "credit_limit": "100"}, headers=admin).json()
    product = c.post(f"{R}/product", json={"sku": "P-1", "name": "Part", "price": "9.90"}, headers=admin).json()
    return customer, product


def test_a_new_orders_preview_computes_and_refuses_like_a_save(world: World, admin: dict[str, str]) -> None:
    c = world.client
    customer, product = _sales(world, admin)
    body = {"customer": customer["id"], "status": "cancelled",
            "lines": [{"product": product["id"], "qty": "20", "price": "9.90"}, {"product": product["id"], "qty": "y"}]}
    shown = c.post(f"{R}/sales_order/preview", json=body, headers={**admin, "Accept-Language": "zh-CN"})
    assert shown.status_code == 200, shown.text
    result = shown.json()
    assert result["record"]["lines"][0]["amount"] == "198.00" and result["record"]["total"] == "198.00"
    assert result["record"]["id"] is None and result["record"]["over_limit"] is True
    errors = {e["path"]: e for e in result["errors"]}
    assert set(errors) >= {"lines/1/qty", "lines/1/price", "cancel_reason"}
    assert errors["cancel_reason"]["code"] == "value.required" and errors["cancel_reason"]["message"]
    assert result["fields"]["cancel_reason"] == {"visible": True, "required": True, "read_only": False}
    assert result["fields"]["notes"]["visible"] is True
    assert result["lines"]["lines"][1]["amount"]["read_only"] is True
    assert c.get(f"{R}/sales_order", headers=admin).json()["data"] == []


def test_a_changes_preview_keeps_the_stored_record(world: World, admin: dict[str, str]) -> None:
    c = world.client
    customer, product = _sales(world, admin)
    order = c.post(f"{R}/sales_order", json={"customer": customer["id"], "lines": [
        {"product": product["id"], "qty": "1", "price": "9.90"}]}, headers=admin).json()
    lines = [{"id": order["lines"][0]["id"], "product": product["id"], "qty": "2", "price": "9.90"}]
    result = c.post(f"{R}/sales_order/{order['id']}/preview", json={"lines": lines}, headers=admin).json()
    assert result["record"]["total"] == "19.80" and result["errors"] == []
    assert c.get(f"{R}/sales_order/{order['id']}", headers=admin).json() == order
    assert c.post(f"{R}/sales_order/999999/preview", json={}, headers=admin).status_code == 404
    assert c.post(f"{R}/sales_order/preview", json=[1], headers=admin).status_code == 422


def test_the_preview_needs_the_right_to_write(world: World) -> None:
    assert world.client.post(f"{R}/task/preview", json={}, headers=world.headers("vera")).status_code == 403
    assert world.client.post(f"{R}/task/preview", json={"title": "x"}, headers=world.headers("alice")).status_code == 200


def test_any_user_finds_active_users_by_name_and_by_id(world: World) -> None:
    c = world.client
    found = c.get("/api/v1/users", params={"q": "AL"}, headers=world.headers("nora"))
    assert found.status_code == 200
    assert found.json()["data"] == [{"id": world.users["alice"], "display_name": "alice"}]
    ids = f"{world.users['bob']},{world.users['vera']}"
    assert [u["display_name"] for u in c.get("/api/v1/users", params={"ids": ids}, headers=world.headers("nora"))
            .json()["data"]] == ["bob", "vera"]
    assert len(c.get("/api/v1/users", headers=world.headers("nora")).json()["data"]) == 6
    assert c.get("/api/v1/users", params={"q": "%"}, headers=world.headers("nora")).json()["data"] == []
    bad = c.get("/api/v1/users", params={"ids": "1,x"}, headers=world.headers("nora"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "ids"
    assert c.get("/api/v1/users").status_code == 401


def test_a_customers_page_lists_what_links_to_it(world: World, admin: dict[str, str]) -> None:
    c = world.client
    customer, product = _sales(world, admin)
    for _ in range(3):
        c.post(f"{R}/sales_order", json={"customer": customer["id"]}, headers=admin)
    panels = c.get(f"{R}/customer/{customer['id']}/related", params={"limit": 2}, headers=admin).json()["data"]
    orders = next(p for p in panels if p["entity"] == "sales_order" and p["field"] == "customer")
    assert orders["count"] == 3 and orders["has_more"] is True and len(orders["records"]) == 2
    assert orders["records"][0]["id"] > orders["records"][1]["id"]
    assert all(p["entity"] != "sales_order_line" for p in panels)  # lines are not listed
    assert c.get(f"{R}/customer/999/related", headers=admin).status_code == 404
    assert c.get(f"{R}/customer/{customer['id']}/related", params={"limit": 0}, headers=admin).status_code == 422


def test_a_mention_tells_the_mentioned_user_who_may_read_the_record(world: World, admin: dict[str, str]) -> None:
    c = world.client
    task = c.post(f"{R}/task", json={"title": "Call ACME", "owner": world.users["alice"]}, headers=admin).json()
    users = world.users
    body = {"text": "@alice and @vera and @nora, look", "mentions": [users["alice"], users["vera"], users["nora"], users["bob"]]}
    added = c.post(f"{R}/task/{task['id']}/comments", json=body, headers=admin)
    assert added.status_code == 201, added.text
    assert added.json()["changes"][0]["mentions"] == [users["alice"], users["vera"]]  # nora may not read; bob not named
    inbox = c.get("/api/v1/notifications", headers=world.headers("alice")).json()["data"]
    assert inbox[0]["body"] == body["text"] and "admin" in inbox[0]["title"] and inbox[0]["link"] == {"entity": "task", "record_id": task["id"]}
    assert c.get("/api/v1/notifications", headers=world.headers("nora")).json()["data"] == []
    assert c.get("/api/v1/notifications", headers=world.headers("bob")).json()["data"] == []
    bad = c.post(f"{R}/task/{task['id']}/comments", json={"text": "x", "mentions": ["alice"]}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "mentions"
