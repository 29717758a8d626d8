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

REGISTERED = "jimu_reports_functions"  # marks a DBAPI connection that has them


class DecimalSum:
    """`jimu_dsum(value, scale)`: the exact sum of values as stored at `scale` places; NULLs skipped."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: Any, scale: Any) -> None:
        if value is None:
            return
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
            number = number.quantize(Decimal(1).scaleb(-int(scale)), rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            return
        self.total = number if self.total is None else self.total + number

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


def _bucket(value: Any, grain: Any, zone: Any, kind: Any) -> str | None:
    try:
        return sqlite_bucket(value, str(grain), str(zone), str(kind))
    except (ValueError, KeyError):
        return None


def register(conn: sa.Connection) -> None:
    """Make the helpers available on `conn` (SQLite only; once per pooled connection)."""
    if conn.dialect.name != "sqlite":
        return
    fairy = conn.connection
    if fairy.info.get(REGISTERED):
        return
    raw: Any = fairy.driver_connection
    raw.create_function("jimu_bucket", 4, _bucket, deterministic=True)
    raw.create_aggregate("jimu_dsum", 2, DecimalSum)
    fairy.info[REGISTERED] = True
