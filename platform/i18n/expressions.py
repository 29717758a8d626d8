"""Expression-language errors as catalogue messages (`expressions.json`).

The expression package stays free of Jimu imports: its errors carry a stable `code`
(`expression.type.unknown_field`...) and plain `params`. This turns one into a `Message`
whose type names and argument counts are themselves translated, so the zh-CN text reads
naturally instead of echoing English words such as `integer` or `at least 2`.
"""
from __future__ import annotations

import re
from typing import Any, Protocol

from jimu.platform.i18n import Message

# Params holding expression type names (ExprType values), and the codes that use them that way.
_TYPE_PARAMS = ("types", "actual", "expected")
_TYPE_NAMES = frozenset({"text", "integer", "decimal", "boolean", "date", "datetime", "list", "null", "collection"})
_ALIASES = {"a collection": "collection"}  # aggregate rules report a missing collection this way
_ARITY_CODE = "expression.type.wrong_arity"
_AT_LEAST = re.compile(r"at least ([0-9]+)")
_BETWEEN = re.compile(r"([0-9]+) to ([0-9]+)")


class _ExpressionErrorLike(Protocol):
    code: str
    params: dict[str, Any]
    line: int | None
    column: int | None


def _type_name(value: Any) -> Any:
    if isinstance(value, list):
        return [_type_name(item) for item in value]
    name = _ALIASES.get(value, value) if isinstance(value, str) else value
    return Message(f"expression.value_type.{name}") if name in _TYPE_NAMES else value


def _arity(expected: Any) -> Any:
    text = str(expected)
    if match := _AT_LEAST.fullmatch(text):
        return Message("expression.arity.at_least", min=int(match[1]))
    if match := _BETWEEN.fullmatch(text):
        return Message("expression.arity.between", min=int(match[1]), max=int(match[2]))
    return expected


def expression_message(error: _ExpressionErrorLike) -> Message:
    """The error's own message (no position), ready to render in any locale."""
    params = dict(error.params)
    if error.code == _ARITY_CODE:
        params["expected"] = _arity(params.get("expected"))
    else:
        for key in _TYPE_PARAMS:
            if key in params:
                params[key] = _type_name(params[key])
    return Message(error.code, **params)


def expression_position(error: _ExpressionErrorLike) -> tuple[int, int]:
    """Line and column of the error; errors found before parsing (e.g. a source over the
    length limit) concern the whole expression and are placed at its start."""
    return error.line or 1, error.column or 1


def located_expression_message(error: _ExpressionErrorLike) -> Message:
    """`Line 2, column 3: Unknown field 'x'.` — the error's message with its position."""
    line, column = expression_position(error)
    return Message("expression.at", line=line, column=column, detail=expression_message(error))


def expression_problem_params(error: _ExpressionErrorLike) -> dict[str, Any]:
    """Params of `definition.expression_invalid`: where the error is, its code and its message."""
    line, column = expression_position(error)
    return {"line": line, "column": column, "expression_code": error.code, "detail": expression_message(error)}
