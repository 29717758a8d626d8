"""The report engine's deterministic SQLite helpers, registered on the connection a report runs on.

SQLite has no time-zone database and stores decimals as REAL, so: `jimu_bucket(value, grain, zone, kind)`
buckets a UTC datetime (or a date) in the company's zone with zoneinfo (grains.py), and the aggregate
`jimu_dsum(value, scale)` reads each value back as the Decimal it was stored as, rounded half-up to
`scale`, and sums exactly, returning the total as text (read back as a Decimal).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from .grains import sqlite_bucket
from .sqlite_sums import decimal_total

REGISTERED = "jimu_reports_functions"  # marks a DBAPI connection that has them


SAFE_FLOAT = 1e12  # below this, round(value * 10**scale) of a stored REAL is the exact stored decimal (scale <= 3)


class DecimalSum:
    """`jimu_dsum(value, scale)`: the exact sum of values as stored at `scale` places; NULLs skipped.

    Adds whole units of 10**-scale as integers: a REAL below SAFE_FLOAT (and scale <= 3) times 10**scale is
    within far less than half a unit of the decimal it was stored as, so rounding it gives that decimal
    exactly; larger values (or scales) go through Decimal(repr(value)), rounded half-up.
    """

    def __init__(self) -> None:
        self.units = 0
        self.seen = False
        self.scale: int | None = None

    def step(self, value: Any, scale: Any) -> None:
        if value is None:
            return
        if self.scale is None:
            self.scale = int(scale)
        factor = 10 ** self.scale
        if isinstance(value, (int, float)) and abs(value) < SAFE_FLOAT and self.scale <= 3:
            self.units += int(round(value * factor))
        else:
            try:
                number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
                self.units += int((number * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            except (InvalidOperation, ValueError):
                return
        self.seen = True

    def finalize(self) -> str | None:
        if not self.seen or self.scale is None:
            return None
        return str(Decimal(self.units).scaleb(-self.scale))


MAX_MEMO = 200_000  # buckets remembered per connection (by UTC hour)


def _bucket_function() -> Any:
    """`jimu_bucket` with a bounded memo by UTC hour: a datetime's bucket is remembered for its hour when the
    hour's first and last instants fall in the same bucket (always, but for hours holding a boundary)."""
    memo: dict[tuple[str, str, str, str], str | None] = {}

    def bucket(value: Any, grain: Any, zone: Any, kind: Any) -> str | None:
        if value is None:
            return None
        text = str(value)
        hourly = kind == "datetime" and len(text) >= 13 and grain != "hour"
        key = (text[:13], str(grain), str(zone), str(kind))
        if hourly and key in memo:
            return memo[key]
        try:
            found = sqlite_bucket(value, str(grain), str(zone), str(kind))
            if hourly:
                first = sqlite_bucket(text[:13] + ":00:00", str(grain), str(zone), "datetime")
                last = sqlite_bucket(text[:13] + ":59:59.999999", str(grain), str(zone), "datetime")
                if first == last:
                    if len(memo) >= MAX_MEMO:
                        memo.clear()
                    memo[key] = found
        except (ValueError, KeyError):
            return None
        return found

    return bucket


def register(conn: sa.Connection) -> None:
    """Make the helpers available on `conn` (SQLite only; once per pooled connection)."""
    if conn.dialect.name != "sqlite":
        return
    fairy = conn.connection
    if fairy.info.get(REGISTERED):
        return
    raw: Any = fairy.driver_connection
    raw.create_function("jimu_bucket", 4, _bucket_function(), deterministic=True)
    raw.create_aggregate("jimu_dsum", 2, DecimalSum)
    raw.create_function("jimu_dtotal", 4, decimal_total, deterministic=True)
    fairy.info[REGISTERED] = True
