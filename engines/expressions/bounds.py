"""How long a text an expression can build, judged before it runs from its fields' declared lengths.

The interpreter checks every text it builds against `Limits.max_string_length`, but a database
cannot stop a value half-way: `CONCAT(notes, notes, ...)` over 1 MB notes makes tens of megabytes per
row before anything looks at them. So the checker gives every node an upper bound on the length of
its text (or of its text form, for CONCAT), and refuses an expression where any node could pass
`Limits.max_text_bound`. Each function entry says how its bound follows from its arguments'
(`FunctionDef.text_bound`); without one, a function's text is at most its longest argument's
(IF, COALESCE, SWITCH, TRIM, MIN...).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import ErrorCode, ExpressionLimitError
from .limits import Limits
from .types import ExprType

# The longest text form of a value of each type (as CONCAT writes it).
TEXT_FORM_LENGTH: dict[ExprType, int] = {
    ExprType.INTEGER: 20, ExprType.DECIMAL: 100, ExprType.DATE: 10, ExprType.DATETIME: 40,
    ExprType.BOOLEAN: 5, ExprType.NULL: 0, ExprType.LIST: 0,
}


def value_bound(value: Any, t: ExprType) -> int:
    """The bound of a literal."""
    if t is ExprType.TEXT:
        return len(value) if isinstance(value, str) else 0
    return TEXT_FORM_LENGTH.get(t, 0)


def field_bound(t: ExprType, max_length: int | None, limits: Limits) -> int:
    """A field's bound: its declared length; a text of unknown length is as long as any text may be."""
    if t is not ExprType.TEXT:
        return TEXT_FORM_LENGTH.get(t, 0)
    return limits.max_string_length if max_length is None else max_length


def widest(bounds: Sequence[int], result: ExprType) -> int:
    """The default rule: a text result is at most the longest argument; other results their type's text form."""
    if result is not ExprType.TEXT:
        return TEXT_FORM_LENGTH.get(result, 0)
    return max(bounds, default=0)


def joined(bounds: Sequence[int], args: Sequence[Any]) -> int:
    """CONCAT and `&`: the arguments' bounds added up."""
    return sum(bounds)


def scaled(factor: int) -> Any:
    """UPPER / LOWER: Unicode case mapping makes at most `factor` characters of one ('ß' → 'SS')."""
    return lambda bounds, args: bounds[0] * factor if bounds else 0


def cut(bounds: Sequence[int], args: Sequence[Any]) -> int:
    """LEFT / RIGHT: at most the text, and at most n when n is a literal."""
    count = getattr(args[1], "value", None) if len(args) > 1 else None
    if isinstance(count, int) and not isinstance(count, bool):
        return max(0, min(bounds[0], count))
    return bounds[0]


def check_bound(bound: int, limits: Limits, line: int | None, column: int | None) -> None:
    if bound > limits.max_text_bound:
        raise ExpressionLimitError(
            f"This part of the expression can make a text of up to {bound} characters; the limit is "
            f"{limits.max_text_bound}. Give the fields a max_length, or shorten the text with LEFT.",
            code=ErrorCode.TEXT_MAY_BE_TOO_LONG, params={"length": bound, "limit": limits.max_text_bound},
            line=line, column=column)
