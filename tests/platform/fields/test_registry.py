"""Every registered field type: labels in both locales and a valid JSON Schema of its properties."""
from __future__ import annotations

import jsonschema
import pytest

from jimu.platform.fields.base import COMMON_PROPERTIES, FieldType
from jimu.platform.fields.registry import FIELD_TYPES, FieldTypeRegistry
from jimu.platform.fields.text import TextType
from jimu.platform.registry.validation import app_schema

DOCUMENTED = [
    "text", "long_text", "integer", "decimal", "money", "percent", "boolean", "date", "datetime", "select",
    "multi_select", "email", "phone", "url", "link", "child_table", "attachment", "user", "auto_number",
    "formula", "rollup", "lookup",
]
TYPES = list(FIELD_TYPES)


def test_the_documented_types_are_registered() -> None:
    assert sorted(FIELD_TYPES.names()) == sorted(DOCUMENTED)


@pytest.mark.parametrize("field_type", TYPES, ids=lambda t: t.name)
def test_labels_in_both_locales(field_type: FieldType) -> None:
    assert set(field_type.label) == {"en", "zh-CN"}
    assert all(text.strip() for text in field_type.label.values())


def test_labels_are_distinct() -> None:
    for locale in ("en", "zh-CN"):
        labels = [t.label[locale] for t in TYPES]
        assert len(set(labels)) == len(labels), locale


@pytest.mark.parametrize("field_type", TYPES, ids=lambda t: t.name)
def test_properties_are_a_valid_json_schema(field_type: FieldType) -> None:
    schema = {
        "type": "object",
        "required": ["name", "type", *field_type.required_properties],
        "properties": {**COMMON_PROPERTIES, **field_type.properties},
        "$defs": {"label": app_schema()["$defs"]["label"]},
    }
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(field_type.required_properties) <= set(field_type.properties)
    # a type's own properties never silently redefine a common one
    assert not set(field_type.properties) & {"name", "key", "type", "required", "label"}


def test_registering_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        FieldTypeRegistry([TextType, TextType])


def test_lookup_by_name() -> None:
    assert FIELD_TYPES.get("money") is FIELD_TYPES["money"]
    assert FIELD_TYPES.get("nope") is None
    computed = {t.name for t in TYPES if t.computed}
    assert computed == {"formula", "rollup", "lookup", "auto_number"}
