"""Values written as expression-language literals, so a condition is one expression text: compiled to SQL
(where every literal is a bound parameter) and handed to the records-list API as its `where` (drill-down)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return f"DATETIME('{moment.strftime('%Y-%m-%dT%H:%M:%S')}+00:00')"
    if isinstance(value, date):
        return f"DATE('{value.isoformat()}')"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def equals(source: str, value: Any) -> str:
    """`source` equals `value` (IN, so decimals compare as the list filters do); a null value: ISBLANK."""
    if value is None:
        return f"ISBLANK({source})"
    return f"({source}) IN ({literal(value)})"


def one_of(source: str, values: Iterable[Any]) -> str:
    items = list(values)
    return f"({source}) IN ({', '.join(literal(v) for v in items)})" if items else "false"


def in_range(source: str, start: Any, end: Any) -> str:
    """start <= source < end."""
    return f"({source}) >= {literal(start)} and ({source}) < {literal(end)}"


def all_of(conditions: Iterable[str]) -> str | None:
    parts = [c for c in conditions if c]
    if not parts:
        return None
    return " and ".join(f"({c})" for c in parts)
