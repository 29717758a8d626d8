"""Deterministic helper functions Jimu registers on every SQLite connection.

They reuse the interpreter's own value rules (values.py), so SQLite agrees with Python where
SQLite's built-ins would not: half-up rounding, calendar months, decimal remainders, Unicode case.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .values import (
    ceiling_to,
    date_add,
    date_diff,
    datetime_add,
    datetime_diff,
    decimal_text,
    floor_to,
    modulo,
    parse_date,
    parse_datetime,
    power,
    remainder,
    round_half_up,
    sqlite_datetime_text,
    to_decimal,
    truncate,
)


def _number_out(value: Any) -> Any:
    """Decimal → float (SQLite's REAL); ints stay ints."""
    return float(value) if value is not None and not isinstance(value, int) else value


class DateOutOfRangeError(Exception):
    """Raised inside a helper: SQLite fails the statement with "user-defined function raised exception"."""


def _null_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """NULL in, NULL out; a value the helper cannot read gives NULL. A date moved out of range raises
    (the statement fails), as the interpreter and PostgreSQL refuse it, instead of passing as NULL."""

    def wrapper(*args: Any) -> Any:
        if any(a is None for a in args):
            return None
        try:
            return fn(*args)
        except OverflowError:  # a date moved out of range, a number past the limits (NumberOutOfRangeError)
            raise DateOutOfRangeError from None  # sqlite3 reports an OverflowError as "string or blob too big"
        except (ValueError, ArithmeticError):
            return None

    return wrapper


def _round(value: Any, places: Any) -> Any:
    return _number_out(round_half_up(value, int(places)))


def _mod(a: Any, b: Any) -> Any:
    return _number_out(remainder(a, b))


def _number_fn(fn: Callable[..., Any]) -> Callable[..., Any]:
    return lambda *args: _number_out(fn(*args))


def _dateadd(d: Any, n: Any, unit: str) -> str:
    return date_add(parse_date(d), int(n), unit.lower()).isoformat()  # type: ignore[arg-type]


def _datediff(a: Any, b: Any, unit: str) -> int:
    return date_diff(parse_date(a), parse_date(b), unit.lower())  # type: ignore[arg-type]


def _datetime_add(dt: Any, n: Any, unit: str) -> str:
    return sqlite_datetime_text(datetime_add(parse_datetime(dt), int(n), unit.lower()))  # type: ignore[arg-type]


def _datetime_diff(a: Any, b: Any, unit: str) -> int:
    return datetime_diff(parse_datetime(a), parse_datetime(b), unit.lower())  # type: ignore[arg-type]


def _list_contains(items: Any, item: Any) -> int | None:
    values = json.loads(items) if isinstance(items, str) else items
    return None if values is None else int(item in values)


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        present = [a for a in args if a is not None]
        return pick(present) if present else None

    return impl


_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "jimu_round": (2, _null_safe(_round)),
    "jimu_mod": (2, _null_safe(_mod)),
    "jimu_ceiling": (2, _null_safe(_number_fn(ceiling_to))),
    "jimu_floor": (2, _null_safe(_number_fn(floor_to))),
    "jimu_modulo": (2, _null_safe(_number_fn(modulo))),
    "jimu_trunc": (2, _null_safe(_number_fn(truncate))),
    "jimu_power": (3, _null_safe(lambda x, n, integer: _number_out(power(x, n, bool(integer))))),
    "jimu_dateadd": (3, _null_safe(_dateadd)),
    "jimu_datediff": (3, _null_safe(_datediff)),
    "jimu_datetime_add": (3, _null_safe(_datetime_add)),
    "jimu_datetime_diff": (3, _null_safe(_datetime_diff)),
    "jimu_decimal_text": (1, _null_safe(lambda x: decimal_text(to_decimal(x)))),
    "jimu_upper": (1, _null_safe(str.upper)),
    "jimu_lower": (1, _null_safe(str.lower)),
    "jimu_list_contains": (2, _null_safe(_list_contains)),
    "jimu_min": (-1, _extreme(min)),
    "jimu_max": (-1, _extreme(max)),
}


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Register Jimu's deterministic helper functions on a sqlite3 connection."""
    for name, (nargs, fn) in _FUNCTIONS.items():
        dbapi_connection.create_function(name, nargs, fn, deterministic=True)
