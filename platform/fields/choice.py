"""Choice field types: boolean, select, multi-select."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.api_schemas import EntityRef, Schema, option_values
from jimu.platform.fields.base import Converter, FieldType, Problem, ValueConversionError
from jimu.platform.registry.model import FieldDef
from jimu.platform.storage.sqltypes import JsonType

if TYPE_CHECKING:
    from jimu.platform.registry.catalog import Catalog

_TRUE = {"true", "1", "yes", "y", "on", "t", "是", "真", "对"}
_FALSE = {"false", "0", "no", "n", "off", "f", "否", "假", "错"}

_OPTIONS: dict[str, Any] = {
    "options": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["value"],
            "additionalProperties": False,
            "properties": {
                "value": {"type": "string", "minLength": 1, "maxLength": 100},
                "label": {"$ref": "#/$defs/label"},
                "color": {"type": "string", "pattern": "^(#[0-9a-fA-F]{6}|[a-z]+)(?![\\s\\S])"},
            },
        },
    }
}


class BooleanType(FieldType):
    name = "boolean"
    cursor_kind = "bool"
    filter_ops = frozenset({"eq", "ne", "in", "not_in", "is_null", "is_not_null"})
    label = {"en": "Yes/No", "zh-CN": "是/否"}

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.BOOLEAN

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return {"type": "boolean"}

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return sa.Boolean(create_constraint=False)

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
        raise ValueConversionError("value.not_boolean")

    def to_text(self, field: FieldDef, value: Any) -> str:
        return "" if value is None else ("true" if value else "false")

    def is_blank(self, value: Any) -> bool:
        return value is None


def _match_option(field: FieldDef, value: Any) -> str:
    """An option's value from its value or, for imports, from one of its labels."""
    if not isinstance(value, str):
        if isinstance(value, (int,)) and not isinstance(value, bool):
            value = str(value)
        else:
            raise ValueConversionError("value.not_option", value=value, options=_values(field))
    text: str = value.strip()
    options = field.get("options") or []
    for option in options:
        if option["value"] == text:
            return text
    folded = text.casefold()
    for option in options:
        labels = option.get("label") or {}
        if option["value"].casefold() == folded or any(str(v).casefold() == folded for v in labels.values()):
            return str(option["value"])
    raise ValueConversionError("value.not_option", value=text, options=_values(field))


def _values(field: FieldDef) -> str:
    return ", ".join(o["value"] for o in field.get("options") or [])


def _duplicate_options(field: FieldDef) -> list[Problem]:
    values = [o["value"] for o in field.get("options") or []]
    dupes = sorted({v for v in values if values.count(v) > 1})
    return [Problem("definition.duplicate_option", {"value": v}) for v in dupes]


class SelectType(FieldType):
    name = "select"
    text_valued = True
    has_options = True
    label = {"en": "Select", "zh-CN": "单选"}
    properties: ClassVar[dict[str, Any]] = _OPTIONS
    required_properties = ("options",)

    def check_definition(self, field: FieldDef, entity: Any, catalog: Catalog) -> list[Problem]:
        return _duplicate_options(field)

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.TEXT

    def text_length(self, field: FieldDef) -> int | None:
        return 100  # the column's length

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return {"type": "string", "enum": option_values(field.get("options"))}

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return sa.String(100)

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == "":
            return None
        return _match_option(field, value)

    def choices(self, field: FieldDef) -> list[str] | None:
        return [str(o["value"]) for o in field.get("options") or []]

    def converter(self, field: FieldDef) -> Converter:
        if self.overrides(SelectType, "coerce"):
            return super().converter(field)
        coerce = self.coerce
        exact = {option["value"]: option["value"] for option in field.get("options") or []}

        def convert(value: Any) -> Any:
            if type(value) is str:  # an option's own value (the usual cell) without the label search
                found = exact.get(value.strip())
                if found is not None:
                    return found
            return coerce(field, value)

        return convert


class MultiSelectType(FieldType):
    """Several options; stored as a JSON array in option order."""

    name = "multi_select"
    sortable = False
    json_valued = True
    multi_valued = True
    has_options = True
    filter_ops = frozenset({"is_null", "is_not_null", "contains"})
    label = {"en": "Multi-select", "zh-CN": "多选"}
    properties: ClassVar[dict[str, Any]] = _OPTIONS
    required_properties = ("options",)
    indexable = False

    def check_definition(self, field: FieldDef, entity: Any, catalog: Catalog) -> list[Problem]:
        return _duplicate_options(field)

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.LIST

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return {"type": "array", "items": {"type": "string", "enum": option_values(field.get("options"))},
                "uniqueItems": True}

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return JsonType

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str):
            items = [p for p in (s.strip() for s in value.replace("，", ",").split(",")) if p]
        else:
            items = value
        if not isinstance(items, (list, tuple)):
            raise ValueConversionError("value.not_list")
        chosen = {_match_option(field, item) for item in items}
        return [o["value"] for o in field.get("options") or [] if o["value"] in chosen]

    def to_text(self, field: FieldDef, value: Any) -> str:
        return "" if not value else ", ".join(value)


TYPES: tuple[type[FieldType], ...] = (BooleanType, SelectType, MultiSelectType)
