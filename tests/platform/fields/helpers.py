"""Building field definitions for unit tests."""
from __future__ import annotations

from typing import Any

import pytest

from jimu.platform.fields.base import FieldType, ValueConversionError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.model import FieldDef


def field(type_name: str, **props: Any) -> FieldDef:
    """A field named `f` of a type, with properties."""
    return FieldDef(name="f", key="f", type=type_name, raw={"name": "f", "type": type_name, **props}, entity="e")


def coerce(type_name: str, value: Any, **props: Any) -> Any:
    return FIELD_TYPES[type_name].coerce(field(type_name, **props), value)


def refused(type_name: str, value: Any, **props: Any) -> ValueConversionError:
    """The conversion error a value raises."""
    with pytest.raises(ValueConversionError) as caught:
        coerce(type_name, value, **props)
    return caught.value


def problems(type_name: str, value: Any, **props: Any) -> list[str]:
    """Codes of the value checks failing for a (raw) value, after coercion."""
    field_type: FieldType = FIELD_TYPES[type_name]
    f = field(type_name, **props)
    return [p.code for p in field_type.check_value(f, field_type.coerce(f, value))]
