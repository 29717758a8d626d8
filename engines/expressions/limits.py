"""Bounds that keep hostile or runaway expressions from hanging or crashing the process."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import ErrorCode, ExpressionLimitError


@dataclass(frozen=True)
class Limits:
    max_source_length: int = 10_000
    max_paren_depth: int = 64
    max_tree_depth: int = 100
    max_nodes: int = 2_000
    max_literal_digits: int = 38
    max_steps: int = 5_000_000
    max_string_length: int = 1_000_000
    max_text_bound: int = 4_000_000  # the longest text an expression may be able to build (bounds.py)


DEFAULT_LIMITS = Limits()

# The range of an integer the databases store and compute with (64-bit, as BIGINT).
INTEGER_MIN = -(2**63)
INTEGER_MAX = 2**63 - 1


def integer_in_range(value: int) -> bool:
    """Whether an integer fits the 64-bit range every back-end computes with."""
    return INTEGER_MIN <= value <= INTEGER_MAX


def check_source(source: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Reject over-long sources and deep parentheses before the parser sees them."""
    if len(source) > limits.max_source_length:
        raise ExpressionLimitError(
            f"The expression is {len(source)} characters long; the limit is {limits.max_source_length}.",
            code=ErrorCode.SOURCE_TOO_LONG,
            params={"length": len(source), "limit": limits.max_source_length},
        )
    depth = 0
    quote: str | None = None
    escaped = False
    line, column = 1, 0
    for char in source:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
            continue
        if char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
            if depth > limits.max_paren_depth:
                raise ExpressionLimitError(
                    f"Parentheses are nested more than {limits.max_paren_depth} levels deep.",
                    code=ErrorCode.TOO_DEEP,
                    params={"limit": limits.max_paren_depth},
                    line=line,
                    column=column,
                )
        elif char == ")":
            depth = max(depth - 1, 0)


def string_too_long(length: int, limits: Limits = DEFAULT_LIMITS) -> ExpressionLimitError:
    return ExpressionLimitError(
        f"A text value of {length} characters exceeds the limit of {limits.max_string_length}.",
        code=ErrorCode.STRING_TOO_LONG,
        params={"length": length, "limit": limits.max_string_length},
    )
