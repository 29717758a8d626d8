"""Pure Python value rules shared by the interpreter and the SQLite helper functions.

Keeping one implementation for both back-ends is what makes them agree.
"""
from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
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


class NumberOutOfRangeError(OverflowError):
    """A number result past the limits (a 64-bit integer, or a decimal of more than DECIMAL_MAX_DIGITS whole
    digits). An OverflowError so that a SQLite helper raising it fails the statement instead of giving NULL."""


DECIMAL_MAX_DIGITS = 38  # whole digits of a decimal a function may build (as many as a literal may have)
POWER_PLACES = 10  # POWER's decimal results are rounded half-up to this many places
_POWER_QUANTUM = Decimal(1).scaleb(-POWER_PLACES)
_DIGITS_LIMIT = 40  # places beyond which TRUNC has nothing left to cut (no stored value has that many)


def _int_checked(value: int) -> int:
    if not -(2**63) <= value <= 2**63 - 1:
        raise NumberOutOfRangeError(value)
    return value


def _to_multiple(value: Any, multiple: Any, up: bool) -> Any:
    """`value` moved to a multiple of |multiple|, up (toward +infinity) or down; a multiple of 0 gives 0."""
    if value is None or multiple is None:
        return None
    if isinstance(value, int) and isinstance(multiple, int):
        step = abs(multiple)
        if step == 0:
            return 0
        rest = value % step  # Python: the sign of the (positive) step, so 0 <= rest < step
        return _int_checked(value - rest + (step if up and rest else 0))
    number, step_d = to_decimal(value), abs(to_decimal(multiple))
    if step_d == 0:
        return Decimal(0)
    rest_d = number % step_d  # Decimal: the sign of the dividend, exact
    if rest_d < 0:
        rest_d += step_d
    return number - rest_d + (step_d if up and rest_d else 0)


def ceiling_to(value: Any, multiple: Any = 1) -> Any:
    """CEILING: the smallest multiple of |multiple| not below value (CEILING(12, 5) = 15, CEILING(-12, 5) = -10)."""
    return _to_multiple(value, multiple, up=True)


def floor_to(value: Any, multiple: Any = 1) -> Any:
    """FLOOR: the largest multiple of |multiple| not above value (FLOOR(12, 5) = 10, FLOOR(-12, 5) = -15)."""
    return _to_multiple(value, multiple, up=False)


def modulo(a: Any, b: Any) -> Any:
    """MOD: the remainder with the sign of the divisor (as Excel's MOD); null when dividing by zero."""
    rest = remainder(a, b)
    if rest is None or rest == 0 or (rest < 0) == (b < 0):
        return rest
    return rest + (b if isinstance(rest, int) and isinstance(b, int) else to_decimal(b))


def truncate(value: Any, digits: Any = 0) -> Any:
    """TRUNC: cut toward zero to `digits` places (negative: to tens, hundreds...); integers stay integers."""
    if value is None or digits is None:
        return None
    places = max(-_DIGITS_LIMIT, min(_DIGITS_LIMIT, int(digits)))
    if isinstance(value, int):
        if places >= 0:
            return value
        step = 10 ** -places
        return -(abs(value) // step * step) if value < 0 else value // step * step
    number = to_decimal(value)
    if not number.is_finite() or -int(number.as_tuple().exponent) <= places:
        return number  # no more places than `digits`: nothing to cut
    if number.adjusted() < -places:  # nothing left above the cut (also keeps quantize in range)
        return Decimal(0)
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN,
                           context=Context(prec=_DIGITS_LIMIT + DECIMAL_MAX_DIGITS))


def power(base: Any, exponent: Any, integer: bool) -> Any:
    """POWER with a whole exponent. `integer`: an integer result (a non-negative exponent of an integer),
    else a decimal rounded half-up to POWER_PLACES places. Null for 0 to a negative power. A result past
    the limits raises NumberOutOfRangeError, judged from its logarithm before anything large is built."""
    if base is None or exponent is None:
        return None
    n = int(exponent)
    number = to_decimal(base)
    if number == 0:
        return None if n < 0 else _power_result(Decimal(int(n == 0)), integer)
    magnitude = abs(number)
    if magnitude == 1:
        return _power_result(Decimal(-1 if number < 0 and n % 2 else 1), integer)
    digits = n * float(magnitude.log10())  # the result's magnitude, as a power of ten
    if digits > (19.5 if integer else DECIMAL_MAX_DIGITS + 0.5):
        raise NumberOutOfRangeError(base)
    if digits < -(POWER_PLACES + 2):  # rounds to 0 at POWER_PLACES places
        return _power_result(Decimal(0), integer)
    if integer:
        return _int_checked(int(base) ** n)
    context = Context(prec=DECIMAL_MAX_DIGITS + 2 * POWER_PLACES + 10, rounding=ROUND_HALF_UP)
    result = context.power(number, n).quantize(_POWER_QUANTUM, rounding=ROUND_HALF_UP, context=context)
    if result.adjusted() >= DECIMAL_MAX_DIGITS:
        raise NumberOutOfRangeError(base)
    return result


def _power_result(value: Decimal, integer: bool) -> Any:
    return int(value) if integer else value.quantize(_POWER_QUANTUM)
