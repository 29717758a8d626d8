"""Shared pieces of the JSON Schemas that field types give their values in the API (`FieldType.json_schema`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.engines.expressions.types import ExprType

Schema = dict[str, Any]
# A reference to an entity's record schema in the document: the read shape, or with write=True the input one.
EntityRef = Callable[[str, bool], Schema]
DECIMAL_READ_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
INT64: Schema = {"type": "integer", "format": "int64"}
DATE: Schema = {"type": "string", "format": "date"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
DECIMAL_READ: Schema = {"type": "string", "format": "decimal", "pattern": DECIMAL_READ_PATTERN}

_BY_EXPR_TYPE: dict[ExprType, Schema] = {
    ExprType.TEXT: {"type": "string"},
    ExprType.INTEGER: INT64,
    ExprType.DECIMAL: DECIMAL_READ,
    ExprType.BOOLEAN: {"type": "boolean"},
    ExprType.DATE: DATE,
    ExprType.DATETIME: DATE_TIME,
    ExprType.LIST: {"type": "array", "items": {"type": "string"}},
}


def expr_type_schema(kind: ExprType | None) -> Schema:
    """The schema of a computed value of expression type `kind` ({}: any JSON value)."""
    return dict(_BY_EXPR_TYPE.get(kind, {})) if kind is not None else {}


def option_values(options: Any) -> list[str]:
    """The values of a select's options, as the API writes them."""
    return [str(option["value"]) for option in options or []]
