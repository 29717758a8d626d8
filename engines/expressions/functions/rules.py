"""Helpers for writing type rules and null-propagating implementations."""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from ..env import EvalEnv
from ..errors import ErrorCode
from ..types import NUMERIC_TYPES, ExprType, unify_all
from .registry import Arg, SignatureError

NUMBER = NUMERIC_TYPES
TEXT = frozenset({ExprType.TEXT})
INTEGER = frozenset({ExprType.INTEGER})
BOOLEAN = frozenset({ExprType.BOOLEAN})
DATE = frozenset({ExprType.DATE})
DATETIME = frozenset({ExprType.DATETIME})
DATES = frozenset({ExprType.DATE, ExprType.DATETIME})
TEXTUAL = frozenset({ExprType.TEXT, ExprType.INTEGER, ExprType.DECIMAL, ExprType.BOOLEAN, ExprType.DATE})

_NAMES = {
    NUMBER: "a number", TEXT: "text", INTEGER: "a whole number", BOOLEAN: "a true/false value",
    DATE: "a date", DATETIME: "a date-time",
    DATES: "a date or date-time", TEXTUAL: "text, a number, a true/false value or a date",
}


def hint(args: Sequence[Arg], t: ExprType, indexes: Sequence[int] | None = None) -> None:
    """Tell null-typed arguments which type they stand for."""
    for i in range(len(args)) if indexes is None else indexes:
        if args[i].type is ExprType.NULL and t is not ExprType.NULL:
            args[i].null_type = t


_PREFERRED = (ExprType.TEXT, ExprType.DECIMAL, ExprType.INTEGER, ExprType.DATE, ExprType.BOOLEAN)


def describe(allowed: Collection[ExprType]) -> str:
    return _NAMES.get(frozenset(allowed), " or ".join(sorted(t.value for t in allowed)))


def expect(name: str, args: Sequence[Arg], index: int, allowed: Collection[ExprType]) -> ExprType:
    """The argument's type, after checking it is one of `allowed` (null is always accepted)."""
    t = args[index].type
    if t is ExprType.NULL:
        hint(args, next(p for p in (*_PREFERRED, *allowed) if p in allowed), [index])
    elif t not in allowed:
        raise SignatureError(
            f"{name} expects {describe(allowed)} as argument {index + 1}, got {t.value}.",
            ErrorCode.WRONG_ARGUMENT_TYPE,
            {"function": name, "index": index + 1, "expected": sorted(x.value for x in allowed), "actual": t.value},
            index,
        )
    return t


def common(name: str, args: Sequence[Arg], indexes: Sequence[int]) -> ExprType:
    """The common type of the given arguments, or a type error naming them."""
    joined = unify_all(args[i].type for i in indexes)
    if joined is None:
        types = [args[i].type.value for i in indexes]
        raise SignatureError(
            f"{name} cannot mix values of types {', '.join(types)}.",
            ErrorCode.INCOMPATIBLE_TYPES, {"function": name, "types": types}, indexes[-1],
        )
    hint(args, joined, indexes)
    return joined


def literal_text(name: str, args: Sequence[Arg], index: int, choices: Collection[str] | None = None) -> str:
    """A string-literal argument (e.g. a DATEADD unit), checked against `choices`."""
    from ..ast import Literal  # local: rules only need it here

    node = args[index].node
    if not isinstance(node, Literal) or not isinstance(node.value, str):
        raise SignatureError(
            f"{name} needs a text literal as argument {index + 1}.",
            ErrorCode.LITERAL_REQUIRED, {"function": name, "index": index + 1}, index,
        )
    value = node.value.lower()
    if choices is not None and value not in choices:
        raise SignatureError(
            f"{name}: unknown unit {node.value!r}; use one of {', '.join(choices)}.",
            ErrorCode.INVALID_UNIT, {"function": name, "unit": node.value, "choices": list(choices)}, index,
        )
    return value


def strict(fn: Callable[..., Any]) -> Callable[[Sequence[Any], EvalEnv], Any]:
    """A Python implementation that returns null when any argument is null."""

    def impl(args: Sequence[Any], env: EvalEnv) -> Any:
        if any(a is None for a in args):
            return None
        return fn(*args)

    return impl


def returns(t: ExprType) -> Callable[[Sequence[Arg]], ExprType]:
    return lambda args: t
