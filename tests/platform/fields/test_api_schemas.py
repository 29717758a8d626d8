"""Each field type gives the JSON Schema of its values in the API (`FieldType.json_schema`)."""
from __future__ import annotations

from typing import Any

import pytest

from jimu.platform.fields.api_schemas import DECIMAL_READ_PATTERN
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.catalog import Catalog

from .helpers import field

CATALOG = Catalog([])


def schema(type_name: str, *, write: bool = False, **props: Any) -> dict[str, Any]:
    def ref(entity: str, for_write: bool) -> dict[str, Any]:
        return {"$ref": f"{entity}{'_write' if for_write else ''}"}
    return FIELD_TYPES[type_name].json_schema(field(type_name, **props), CATALOG, write=write, ref=ref)


@pytest.mark.parametrize("type_name, expected", [
    ("integer", {"type": "integer", "format": "int64"}),
    ("boolean", {"type": "boolean"}),
    ("date", {"type": "string", "format": "date"}),
    ("datetime", {"type": "string", "format": "date-time"}),
    ("link", {"type": "integer", "format": "int64"}),
    ("user", {"type": "integer", "format": "int64"}),
    ("auto_number", {"type": "string"}),
    ("email", {"type": "string", "format": "email"}),
    ("url", {"type": "string", "format": "uri"}),
    ("text", {"type": "string"}),
])
def test_a_type_describes_the_values_it_reads(type_name: str, expected: dict[str, Any]) -> None:
    assert schema(type_name) == expected


def test_text_on_input_carries_its_length_and_a_portable_pattern() -> None:
    assert schema("text", write=True, max_length=20, pattern="[A-Z]+") == {
        "type": "string", "maxLength": 20, "pattern": "^(?:[A-Z]+)$"}
    assert schema("phone", write=True) == {"type": "string", "maxLength": 40}


def test_a_decimal_is_a_string_bounded_by_its_precision_and_scale_on_input() -> None:
    assert schema("money") == {"type": "string", "format": "decimal", "pattern": DECIMAL_READ_PATTERN}
    assert schema("decimal", write=True, precision=6, scale=2)["pattern"] == r"^-?[0-9]{1,4}(\.[0-9]{1,2})?$"
    assert schema("decimal", write=True, precision=4, scale=0)["pattern"] == r"^-?[0-9]{1,4}$"


def test_selects_list_their_options() -> None:
    options = [{"value": "a"}, {"value": "b"}]
    assert schema("select", options=options) == {"type": "string", "enum": ["a", "b"]}
    assert schema("multi_select", options=options) == {
        "type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "uniqueItems": True}


def test_a_child_table_refers_to_its_entity_in_the_shape_asked() -> None:
    assert schema("child_table", entity="line") == {"type": "array", "items": {"$ref": "line"}}
    assert schema("child_table", write=True, entity="line") == {"type": "array", "items": {"$ref": "line_write"}}


def test_an_attachment_is_a_list_of_files_with_a_name() -> None:
    described = schema("attachment")
    assert described["type"] == "array"
    assert described["items"]["required"] == ["name"]


def test_every_type_gives_a_fresh_schema() -> None:
    """value_schema adds a title to what it gets: no type may hand out a shared dict."""
    for field_type in FIELD_TYPES:
        if field_type.derived or field_type.owns_rows:
            continue
        first = schema(field_type.name, options=[{"value": "a"}])
        first["title"] = "changed"
        assert "title" not in schema(field_type.name, options=[{"value": "a"}]), field_type.name
