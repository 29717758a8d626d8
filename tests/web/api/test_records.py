"""Records over HTTP: CRUD with lines, optimistic locking, lists, history, import and export, bad input."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from .conftest import World

R = "/api/v1/records"


@pytest.fixture
def sales(world: World, admin: dict[str, str]) -> dict[str, Any]:
    c = world.client
    customer = c.post(f"{R}/customer", json={"name": "ACME", "credit_limit": "100000"}, headers=admin).json()
    products = [c.post(f"{R}/product", json={"sku": f"P-{n}", "name": f"Part {n}", "price": "9.90"},
                       headers=admin).json() for n in range(1, 4)]
    return {"customer": customer, "products": products}


def order_body(sales: dict[str, Any], *qtys: str) -> dict[str, Any]:
    lines = [{"product": p["id"], "qty": q, "price": p["price"]} for p, q in zip(sales["products"], qtys, strict=False)]
    return {"customer": sales["customer"]["id"], "order_date": "2025-03-01", "lines": lines}


def test_crud_with_lines_and_optimistic_locking(world: World, admin: dict[str, str], sales: dict[str, Any]) -> None:
    c = world.client
    created = c.post(f"{R}/sales_order", json=order_body(sales, "2", "1.5"), headers=admin)
    assert created.status_code == 201, created.text
    order = created.json()
    assert created.headers["ETag"] == '"1"' and created.headers["Location"] == f"{R}/sales_order/{order['id']}"
    assert order["subtotal"] == "34.65" and order["total"] == "34.65" and order["order_date"] == "2025-03-01"
    assert [(line["qty"], line["amount"]) for line in order["lines"]] == [("2.000", "19.80"), ("1.500", "14.85")]
    assert order["_created_at"].endswith("+00:00")

    read = c.get(f"{R}/sales_order/{order['id']}", headers=admin)
    assert read.json() == order and read.headers["ETag"] == '"1"'

    changed = c.patch(f"{R}/sales_order/{order['id']}", json={"discount": "10"}, headers={**admin, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["total"] == "31.19" and changed.headers["ETag"] == '"2"'
    stale = c.patch(f"{R}/sales_order/{order['id']}", json={"discount": "20"}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2 and "2" in stale.json()["detail"]
    stale_body = c.patch(f"{R}/sales_order/{order['id']}", json={"discount": "20", "_version": 1}, headers=admin)
    assert stale_body.status_code == 409
    assert c.get(f"{R}/sales_order/{order['id']}", headers=admin).json()["discount"] == "10.00"

    lines = [{"id": order["lines"][0]["id"], "qty": "3"}]  # lines sent as a list replace the lines
    replaced = c.patch(f"{R}/sales_order/{order['id']}", json={"lines": lines, "_version": 2}, headers=admin).json()
    assert [line["qty"] for line in replaced["lines"]] == ["3.000"] and replaced["_version"] == 3

    assert c.delete(f"{R}/sales_order/{order['id']}", headers={**admin, "If-Match": '"1"'}).status_code == 409
    assert c.delete(f"{R}/sales_order/{order['id']}", headers={**admin, "If-Match": '"3"'}).status_code == 204
    assert c.get(f"{R}/sales_order/{order['id']}", headers=admin).status_code == 404
    restored = c.post(f"{R}/sales_order/{order['id']}/restore", headers=admin)
    assert restored.status_code == 200 and restored.json()["_deleted_at"] is None

    history = c.get(f"{R}/sales_order/{order['id']}/history", headers={**admin, "X-Request-ID": "req-42"}).json()
    assert [e["action"] for e in history["data"]] == ["restore", "delete", "update", "update", "create"]
    request_ids = [e["request_id"] for e in history["data"]]
    assert request_ids[0] == restored.headers["X-Request-ID"]  # each entry names the request that wrote it
    assert len(set(request_ids)) == 5 and all(re.fullmatch("[0-9a-f]{32}", i) for i in request_ids)


def test_deleting_a_linked_record_is_refused_with_the_linking_records(world: World, admin: dict[str, str],
                                                                       sales: dict[str, Any]) -> None:
    c = world.client
    order = c.post(f"{R}/sales_order", json=order_body(sales, "1"), headers=admin).json()
    refused = c.delete(f"{R}/customer/{sales['customer']['id']}", headers={**admin, "Accept-Language": "zh-CN"})
    assert refused.status_code == 409 and refused.json()["code"] == "records.delete_restricted"
    paths = {d["path"]: d for d in refused.json()["errors"]}
    linked = paths["$linked_from/sales_order/customer"]
    assert len(paths) == 1 and f"#{order['id']}" in linked["message"] and "关联" in linked["message"]
    product = c.delete(f"{R}/product/{sales['products'][0]['id']}", headers=admin)
    assert product.status_code == 409 and [d["path"] for d in product.json()["errors"]] == [
        "$linked_from/sales_order_line/product"]
    assert c.delete(f"{R}/sales_order/{order['id']}", headers=admin).status_code == 204
    assert c.delete(f"{R}/customer/{sales['customer']['id']}", headers=admin).status_code == 204


def test_request_id_reaches_the_audit_trail(world: World, admin: dict[str, str]) -> None:
    created = world.client.post(f"{R}/customer", json={"name": "Traced"}, headers={**admin, "X-Request-ID": "abc-123"})
    assert created.headers["X-Request-ID"] == "abc-123"
    history = world.client.get(f"{R}/customer/{created.json()['id']}/history", headers=admin).json()["data"]
    assert history[0]["request_id"] == "abc-123"
    generated = world.client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 32


def test_list_filter_sort_cursor_search_count(world: World, admin: dict[str, str]) -> None:
    c = world.client
    for n, tier in enumerate(["gold", "standard", "gold", "gold", "standard"], start=1):
        c.post(f"{R}/customer", json={"name": f"Customer {n}", "tier": tier, "credit_limit": str(n * 1000)},
               headers=admin)
    gold = '{"field": "tier", "op": "eq", "value": "gold"}'
    first = c.get(f"{R}/customer", params={"filter": gold, "sort": "-credit_limit", "limit": "2", "count": "true"},
                  headers=admin).json()
    assert [r["name"] for r in first["data"]] == ["Customer 4", "Customer 3"]
    assert first["has_more"] is True and first["count"] == 3 and first["count_exact"] is True
    second = c.get(f"{R}/customer", params={"filter": gold, "sort": "-credit_limit", "limit": "2",
                                            "cursor": first["next_cursor"]}, headers=admin).json()
    assert [r["name"] for r in second["data"]] == ["Customer 1"] and second["has_more"] is False
    assert "count" not in second
    searched = c.get(f"{R}/customer", params={"q": "Customer 5", "fields": "name,tier"}, headers=admin).json()
    found = [(r["name"], r["tier"], "credit_limit" in r) for r in searched["data"]]
    assert found == [("Customer 5", "standard", False)]
    where = c.get(f"{R}/customer", params={"where": "credit_limit >= 4000", "sort": "name"}, headers=admin).json()
    assert [r["name"] for r in where["data"]] == ["Customer 4", "Customer 5"]
    for bad in ({"filter": "{nope"}, {"filter": '{"field": "nope", "op": "eq", "value": 1}'}, {"sort": "nope"},
                {"limit": "0"}, {"limit": "x"}, {"cursor": "garbage"}, {"where": "credit_limit >>"}):
        response = c.get(f"{R}/customer", params=bad, headers=admin)
        assert 400 <= response.status_code < 500 and response.json()["errors"], (bad, response.text)


def test_import_with_row_errors_and_export(world: World, admin: dict[str, str]) -> None:
    c = world.client
    good = b"name,tier,credit_limit\r\nAlpha,gold,100.50\r\nBeta,standard,200\r\n"
    bad = b"name,tier,credit_limit\r\nGamma,gold,abc\r\nDelta,platinum,5\r\nEpsilon,gold,1\r\n"
    imported = c.post(f"{R}/customer/import", files={"file": ("c.csv", good, "text/csv")}, headers=admin)
    assert imported.status_code == 200 and imported.json()["created"] == 2
    rejected = c.post(f"{R}/customer/import", files={"file": ("c.csv", bad, "text/csv")}, headers=admin)
    assert rejected.status_code == 422
    problem = rejected.json()
    assert problem["code"] == "api.import_rejected" and problem["report"]["error_count"] == 2
    assert [e["path"] for e in problem["errors"]] == ["rows/2/credit_limit", "rows/3/tier"]
    partial = c.post(f"{R}/customer/import", files={"file": ("c.csv", bad, "text/csv")},
                     data={"all_or_nothing": "false"}, headers=admin)
    assert partial.status_code == 200
    assert partial.json()["created"] == 1 and [e["row"] for e in partial.json()["errors"]] == [2, 3]

    sheet = Workbook()
    sheet.active.append(["name", "credit_limit"])
    sheet.active.append(["Zeta", 7])
    xlsx = io.BytesIO()
    sheet.save(xlsx)
    from_xlsx = c.post(f"{R}/customer/import?all_or_nothing=true",
                       files={"file": ("c.xlsx", xlsx.getvalue(), "application/octet-stream")}, headers=admin)
    assert from_xlsx.status_code == 200 and from_xlsx.json()["created"] == 1

    csv_export = c.get(f"{R}/customer/export", params={"format": "csv", "sort": "name", "fields": "name,credit_limit"},
                       headers=admin)
    assert csv_export.status_code == 200 and csv_export.headers["content-type"].startswith("text/csv")
    assert csv_export.content.decode("utf-8-sig").splitlines() == [
        "name,credit_limit", "Alpha,100.50", "Beta,200.00", "Epsilon,1.00", "Zeta,7.00"]
    xlsx_export = c.get(f"{R}/customer/export", params={"format": "xlsx", "sort": "name"}, headers=admin)
    rows = list(load_workbook(io.BytesIO(xlsx_export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "name" and [r[0] for r in rows[1:]] == ["Alpha", "Beta", "Epsilon", "Zeta"]
    assert c.get(f"{R}/customer/export", params={"format": "pdf"}, headers=admin).status_code == 422
    assert c.post(f"{R}/customer/import", headers=admin).status_code == 422  # no file


def test_bad_input_changes_nothing(world: World, admin: dict[str, str], sales: dict[str, Any]) -> None:
    c = world.client
    customer = sales["customer"]
    url = f"{R}/customer/{customer['id']}"
    json_headers = {**admin, "Content-Type": "application/json"}
    cases = [
        ("post", f"{R}/customer", {"json": {"name": "X", "nope": 1}}, 422, "nope"),
        ("post", f"{R}/customer", {"json": {"name": "Y", "credit_limit": "lots"}}, 422, "credit_limit"),
        ("post", f"{R}/customer", {"json": {"name": "Y", "credit_limit": "-1"}}, 422, "credit_limit"),
        ("post", f"{R}/customer", {"json": ["not", "an", "object"]}, 422, None),
        ("post", f"{R}/customer", {"content": b"{oops", "headers": json_headers}, 400, None),
        ("post", f"{R}/customer", {"json": {"name": "Z", "id": 99}}, 422, "id"),
        ("patch", url, {"json": {"active": "maybe"}}, 422, "active"),
        ("patch", url, {"json": {"name": "W", "_version": "one"}}, 422, "_version"),
        ("patch", url, {"json": {"name": "W"}, "headers": {**admin, "If-Match": "garbage"}}, 400, None),
        ("patch", f"{R}/customer/abc", {"json": {"name": "W"}}, 422, "record_id"),
        ("patch", f"{R}/customer/9999", {"json": {"name": "W"}}, 404, None),
        ("post", f"{R}/nothing", {"json": {"name": "W"}}, 404, None),
        ("get", f"{R}/nothing", {}, 404, None),
        ("get", f"{R}/nothing/1", {}, 404, None),
        ("get", f"{R}/sales_order_line", {}, 422, None),
        ("post", f"{R}/sales_order_line", {"json": {"qty": "1"}}, 422, None),
        ("get", f"{R}/sales_order_line/1", {}, 422, None),
        ("delete", f"{R}/customer/9999", {}, 404, None),
        ("post", f"{R}/customer/{customer['id']}/restore", {}, 404, None),
        ("post", f"{R}/customer", {"content": b'{"name": "' + b"x" * 70000 + b'"}', "headers": json_headers}, 413,
         None),
        ("put", "/api/v1/apps/sales", {"content": b"[" * 70000, "headers": json_headers}, 413, None),
        ("post", f"{R}/customer/import", {"files": {"file": ("big.csv", b"name\r\n" + b"x\r\n" * 100000)}}, 413, None),
        ("get", "/api/v1/nowhere", {}, 404, None),
        ("put", f"{R}/customer", {"json": {}}, 405, None),
    ]
    before = c.get(f"{R}/customer", params={"count": "true"}, headers=admin).json()
    for method, path, kwargs, status, field in cases:
        kwargs.setdefault("headers", admin)
        response = getattr(c, method)(path, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == status and body["title"] and body["detail"] and "type" in body
        if field is not None:
            assert field in [e.get("field") for e in body["errors"]], body
    after = c.get(f"{R}/customer", params={"count": "true"}, headers=admin).json()
    assert after == before


def test_problems_in_chinese(world: World, admin: dict[str, str]) -> None:
    c = world.client
    zh = {**admin, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    response = c.post(f"{R}/customer", json={"nope": 1}, headers=zh)
    body = response.json()
    assert response.status_code == 422 and body["title"] == "无法处理的内容"
    messages = {e["path"]: e["message"] for e in body["errors"]}
    assert messages["nope"] == "没有字段 'nope'。" or "nope" in messages["nope"]
    assert all(not m.isascii() for m in messages.values())
    assert c.get("/api/v1/auth/me", headers={"Accept-Language": "zh-CN"}).json()["detail"] == "请先登录。"
    assert c.get(f"{R}/nothing", headers=zh).json()["detail"] != c.get(f"{R}/nothing", headers=admin).json()["detail"]
    malformed = c.post(f"{R}/customer", content=b"{", headers={**zh, "Content-Type": "application/json"}).json()
    assert malformed["detail"] == "请求体不是有效的 JSON。"
