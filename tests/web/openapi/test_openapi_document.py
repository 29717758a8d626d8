"""/openapi.json names each entity's real fields and types, and follows applied definitions without a restart."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from jsonschema import Draft202012Validator

from jimu.platform.kernel import Kernel
from jimu.web.api.openapi import OpenApiDocument

from .conftest import TestClient, sales_app


def document(client: TestClient, app: FastAPI) -> dict[str, Any]:
    response = client.get(app.openapi_url or "")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def without_null(values: list[Any]) -> list[Any]:
    return [v for v in values if v is not None]


def test_the_app_serves_the_entity_aware_document(app: FastAPI) -> None:
    assert isinstance(app.openapi, OpenApiDocument)


def test_customer_schema_has_its_fields_and_types(client: TestClient, app: FastAPI) -> None:
    schemas = document(client, app)["components"]["schemas"]
    customer = schemas["customer"]["properties"]
    assert customer["credit_limit"]["type"] == ["string", "null"]
    assert customer["credit_limit"]["format"] == "decimal" and customer["credit_limit"]["pattern"]
    assert without_null(customer["tier"]["enum"]) == ["standard", "gold"]
    assert customer["active"]["type"] == ["boolean", "null"]
    assert customer["order_total"]["readOnly"] is True and customer["order_count"]["type"][0] == "integer"
    assert {"id", "_version", "_created_at", "_updated_at", "_deleted_at"} <= set(customer)
    write = schemas["customer_write"]
    assert write["required"] == ["name"]
    assert "order_total" not in write["properties"] and "id" not in write["properties"]
    assert write["properties"]["tier"]["enum"] == ["standard", "gold", None]
    assert write["properties"]["credit_limit"]["pattern"] == r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$"


def test_order_schema_nests_lines_and_types_every_kind_of_field(client: TestClient, app: FastAPI) -> None:
    schemas = document(client, app)["components"]["schemas"]
    order = schemas["sales_order"]["properties"]
    assert order["lines"]["type"] == "array"
    assert order["lines"]["items"] == {"$ref": "#/components/schemas/sales_order_line"}
    assert schemas["sales_order_line"]["properties"]["amount"]["readOnly"] is True
    assert order["customer"]["type"] == ["integer", "null"]
    assert order["order_date"]["format"] == "date" and order["_created_at"]["format"] == "date-time"
    assert order["number"]["readOnly"] is True and order["total"]["format"] == "decimal"
    assert order["over_limit"]["type"] == ["boolean", "null"]
    assert order["customer_email"]["format"] == "email"  # a lookup shows the type of the field it shows
    tags = schemas["product"]["properties"]["tags"]
    assert tags["items"]["enum"] == ["new", "sale", "bulk"]
    write = schemas["sales_order_write"]
    assert write["properties"]["lines"]["items"] == {"$ref": "#/components/schemas/sales_order_line_write"}
    assert set(schemas["sales_order_line_write"]["required"]) == {"product", "qty", "price"}
    assert "_version" in schemas["sales_order_update"]["properties"]
    assert "required" not in schemas["sales_order_update"]


def test_concrete_paths_replace_the_generic_ones(client: TestClient, app: FastAPI) -> None:
    doc = document(client, app)
    paths = doc["paths"]
    assert not [p for p in paths if p.startswith("/api/v1/records/{entity}")]
    assert "/api/v1/records/sales_order_line" not in paths  # lines live inside their order
    collection = paths["/api/v1/records/customer"]
    assert collection["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/customer_write"}
    assert collection["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/customer"}
    page = doc["components"]["schemas"]["customer_page"]
    assert page["properties"]["data"]["items"] == {"$ref": "#/components/schemas/customer"}
    one = paths["/api/v1/records/customer/{record_id}"]
    assert one["patch"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/customer_update"}
    assert all(p["name"] != "entity" for p in one["get"].get("parameters", []))
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values() if "operationId" in op]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_schema_is_valid_and_every_reference_resolves(client: TestClient, app: FastAPI) -> None:
    doc = document(client, app)
    schemas = doc["components"]["schemas"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(doc)
    assert refs
    missing = {r for r in refs if r.rsplit("/", 1)[1] not in schemas}
    assert missing == set()


def test_an_applied_definition_shows_on_the_next_request(client: TestClient, app: FastAPI, kernel: Kernel) -> None:
    before = document(client, app)
    assert "loyalty_points" not in before["components"]["schemas"]["customer"]["properties"]
    assert document(client, app) == before  # unchanged stamp: the same document
    changed = sales_app()
    changed["version"] = "1.1.0"
    changed["entities"][0]["fields"].append({"name": "loyalty_points", "type": "integer", "required": True,
                                             "default": 0})
    changed["entities"].append({"key": "warehouse", "fields": [{"name": "code", "type": "text", "required": True}]})
    assert kernel.apply_app(changed).applied
    after = document(client, app)
    points = after["components"]["schemas"]["customer"]["properties"]["loyalty_points"]
    assert points["type"] == ["integer", "null"]
    assert "loyalty_points" in after["components"]["schemas"]["customer_write"]["properties"]
    assert "/api/v1/records/warehouse" in after["paths"]
    assert after["components"]["schemas"]["warehouse_write"]["required"] == ["code"]


def test_a_definition_applied_elsewhere_is_seen_through_the_stamp(client: TestClient, app: FastAPI,
                                                                  kernel: Kernel) -> None:
    document(client, app)
    other = Kernel(kernel.engine)  # another worker: this app's kernel is not told
    changed = sales_app()
    changed["entities"][1]["fields"].append({"name": "barcode", "type": "text"})
    assert other.apply_app(changed).applied
    assert "barcode" in document(client, app)["components"]["schemas"]["product"]["properties"]


def test_the_document_also_answers_at_the_root_address(client: TestClient, app: FastAPI) -> None:
    root = client.get("/openapi.json")
    assert root.status_code == 200
    assert root.json() == document(client, app)
    assert "customer" in root.json()["components"]["schemas"]
