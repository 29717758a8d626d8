"""Pure Python value rules shared by the interpreter and the SQLite helper functions.

Keeping one implementation for both back-ends is what makes them agree.
"""
from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

D = TypeVar("D", date, datetime)

_TEN_PLACES = Decimal("1e-10")


def to_decimal(value: Any) -> Decimal:
    """int / Decimal / float (as SQLite returns it) → Decimal, floats cut to 10 places."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        exact = Decimal(repr(value))
        try:
            return exact.quantize(_TEN_PLACES, rounding=ROUND_HALF_EVEN)
        except InvalidOperation:
            return exact
    return Decimal(value)


def divide(a: Any, b: Any) -> Decimal | None:
    if a is None or b is None or b == 0:
        return None
    return to_decimal(a) / to_decimal(b)


def remainder(a: Any, b: Any) -> Any:
    """Remainder with the sign of the dividend (SQL's %), null when dividing by zero."""
    if a is None or b is None or b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        result = abs(a) % abs(b)
        return -result if a < 0 else result
    return to_decimal(a) % to_decimal(b)


def round_half_up(value: Any, places: int) -> Any:
    """Round half away from zero; integers stay integers."""
    if value is None or places is None:
        return None
    if isinstance(value, int) and places >= 0:
        return value
    number = to_decimal(value)
    try:
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return value
    return int(rounded) if isinstance(value, int) else rounded


def decimal_text(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 12.50 → '12.5', 10.00 → '10'."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def add_months(d: D, months: int) -> D:
    """Calendar month arithmetic, clamping to the month end (Jan 31 + 1 month = Feb 28/29).

    A date-time keeps its time of day.
    """
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return d.replace(year=year, month=month + 1, day=day)


def date_add(d: date, amount: int, unit: str) -> date:
    if unit == "day":
        return d + timedelta(days=amount)
    if unit == "week":
        return d + timedelta(weeks=amount)
    if unit == "month":
        return add_months(d, amount)
    if unit == "year":
        return add_months(d, amount * 12)
    raise ValueError(unit)


def months_between(a: D, b: D) -> int:
    """Whole months from a to b: the k of largest magnitude with a + k months not past b."""
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and add_months(a, months) > b:
        months -= 1
    elif months < 0 and add_months(a, months) < b:
        months += 1
    return months


def _trunc_div(a: int, b: int) -> int:
    quotient = abs(a) // b
    return -quotient if a < 0 else quotient


def date_diff(a: date, b: date, unit: str) -> int:
    """Whole units from a to b (b - a), truncated toward zero."""
    if unit == "day":
        return (b - a).days
    if unit == "week":
        return _trunc_div((b - a).days, 7)
    if unit == "month":
        return months_between(a, b)
    if unit == "year":
        return _trunc_div(months_between(a, b), 12)
    raise ValueError(unit)


def parse_date(value: Any) -> date | None:
    """A date from a date object or ISO text (as SQLite stores it)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


DATE_UNITS = ("day", "week", "month", "year")
DATETIME_UNITS = ("second", "minute", "hour", *DATE_UNITS)
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400, "week": 604_800}
_MICROSECONDS = 1_000_000


def as_utc(value: datetime) -> datetime:
    """An aware UTC date-time (naive values are taken as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def datetime_add(dt: datetime, amount: int, unit: str) -> datetime:
    """dt moved by `amount` units; months and years clamp to the month end and keep the time of day."""
    dt = as_utc(dt)
    if unit in ("month", "year"):
        return add_months(dt, amount * (12 if unit == "year" else 1))
    return dt + timedelta(seconds=amount * _SECONDS[unit])


def datetime_diff(a: datetime, b: datetime, unit: str) -> int:
    """Whole units from a to b, truncated toward zero.

    Fixed-length units (second ... week) divide the elapsed time, microseconds included;
    months and years count calendar months like dates do (a whole month is reached when
    DATEADD(a, k, 'month') is not past b).
    """
    a, b = as_utc(a), as_utc(b)
    if unit in ("month", "year"):
        months = months_between(a, b)
        return months if unit == "month" else _trunc_div(months, 12)
    elapsed = b - a
    micros = (elapsed.days * 86_400 + elapsed.seconds) * _MICROSECONDS + elapsed.microseconds
    return _trunc_div(micros, _SECONDS[unit] * _MICROSECONDS)


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC date-time from a datetime or from text as SQLite stores it (UTC, naive)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


def sqlite_datetime_text(value: datetime) -> str:
    """The text SQLite stores for a date-time: 'YYYY-MM-DD HH:MM:SS.ffffff', UTC, always six decimals."""
    v = as_utc(value)
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}")
