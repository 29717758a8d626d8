"""Labels written as plain strings (the docs allow them) are normalised when the definition is read: the
OpenAPI document, imports by label and the definitions API all see {"en": ...} dicts."""
from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from jimu.platform.kernel import Kernel
from jimu.platform.registry.model import AppDef

PLAIN: dict[str, Any] = {
    "key": "plain", "label": "Plain app", "description": "Labels as strings",
    "entities": [{"key": "ticket", "label": "Ticket", "label_plural": "Tickets", "description": "A ticket",
                  "fields": [
                      {"name": "subject", "type": "text", "label": "Subject line", "help": "What it is about"},
                      {"name": "level", "type": "select", "label": "Level",
                       "options": [{"value": "low", "label": "Low"}, {"value": "high", "label": {"en": "High"}}]},
                  ],
                  "rules": [{"expression": "LEN(subject) < 100", "message": "Keep it short"}],
                  "layout": {"tabs": [{"label": "Main", "sections": [{"label": "Head", "fields": ["subject"]}]}]}}],
}


def test_every_label_is_a_dict_once_the_definition_is_read() -> None:
    app = AppDef.build(PLAIN)
    entity = app.entities[0]
    assert app.label == {"en": "Plain app"} and app.raw["description"] == {"en": "Labels as strings"}
    assert entity.label == {"en": "Ticket"} and entity.raw["label_plural"] == {"en": "Tickets"}
    subject, level = entity.fields
    assert subject.label == {"en": "Subject line"} and subject.raw["help"] == {"en": "What it is about"}
    assert [o["label"] for o in level.raw["options"]] == [{"en": "Low"}, {"en": "High"}]
    assert entity.rules[0].message == {"en": "Keep it short"}
    tab = entity.raw["layout"]["tabs"][0]
    assert tab["label"] == {"en": "Main"} and tab["sections"][0]["label"] == {"en": "Head"}
    assert PLAIN["label"] == "Plain app"  # the caller's definition is left as it was
    assert AppDef.build(app.raw).raw == app.raw


def test_openapi_and_import_by_label_work_with_string_labels(kernel: Kernel, client: TestClient, token: str) -> None:
    kernel.apply_app(PLAIN)
    headers = {"Authorization": f"Bearer {token}"}
    document = client.get("/api/v1/openapi.json", headers=headers)
    assert document.status_code == 200, document.text
    schemas = document.json()["components"]["schemas"]
    ticket = schemas["ticket"]
    assert ticket["properties"]["subject"]["title"] == "Subject line"
    csv = b"Subject line,Level\nPrinter jam,Low\n"
    imported = client.post("/api/v1/records/ticket/import", files={"file": ("t.csv", csv, "text/csv")},
                           headers=headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 1
    listed = client.get("/api/v1/records/ticket", headers=headers).json()
    assert [(r["subject"], r["level"]) for r in listed["data"]] == [("Printer jam", "low")]
