"""SQLite's SQL time buckets equal the Python buckets (zoneinfo) for every grain, in and out of a zone's fixed span."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.reports.grains import GRAINS, sqlite_bucket
from jimu.engines.reports.sqlite_buckets import fixed_span
from jimu.engines.reports.sqlite_functions import register
from jimu.platform.storage.sqltypes import UTCDateTime

ZONES = ["Asia/Shanghai", "UTC", "Asia/Kolkata", "America/New_York", "Asia/Pyongyang"]


def test_fixed_spans_start_at_the_zones_last_offset_change() -> None:
    shanghai = fixed_span("Asia/Shanghai")
    assert shanghai is not None and shanghai.seconds == 8 * 3600
    assert shanghai.start == datetime(1991, 9, 14, 17, 0, tzinfo=UTC)  # China's daylight saving ended
    assert shanghai.end is None  # no daylight saving since: the same offset for ever
    utc = fixed_span("UTC")
    assert utc is not None and utc.seconds == 0
    pyongyang = fixed_span("Asia/Pyongyang")
    assert pyongyang is not None and pyongyang.start == datetime(2018, 5, 4, 15, 0, tzinfo=UTC)
    assert fixed_span("America/New_York") is None  # daylight saving: Python path only
    assert fixed_span("Europe/London") is None


def _moments(zone: str) -> list[datetime]:
    rng = random.Random(5)
    base = [datetime(1988, 4, 10, 17, 59, 59, tzinfo=UTC), datetime(1991, 9, 14, 16, 59, 59, 999999, tzinfo=UTC),
            datetime(1991, 9, 14, 17, 0, tzinfo=UTC), datetime(2018, 5, 4, 15, 0, tzinfo=UTC),
            datetime(2026, 1, 31, 16, 0, tzinfo=UTC), datetime(2026, 1, 31, 15, 59, 59, 999999, tzinfo=UTC),
            datetime(2026, 3, 31, 16, 0, tzinfo=UTC), datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
            datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC),
            datetime(2150, 6, 30, 16, 0, tzinfo=UTC), datetime(9998, 12, 31, 15, 59, 59, 999999, tzinfo=UTC)]
    start = datetime(1985, 1, 1, tzinfo=UTC)
    return base + [start + timedelta(seconds=rng.randint(0, 45 * 365 * 86400)) for _ in range(400)]


@pytest.fixture
def sqlite() -> sa.Engine:
    return sa.create_engine("sqlite://")


def _buckets(engine: sa.Engine, column_type: Any, values: list[Any], grain: str, zone: str,
             is_datetime: bool) -> list[Any]:
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", column_type))
    with engine.begin() as conn:
        table.create(conn, checkfirst=True)
        conn.execute(table.delete())
        conn.execute(table.insert(), [{"id": n, "v": v} for n, v in enumerate(values)])
        register(conn)
        bucket = GRAINS[grain].sql_bucket(table.c.v, zone, is_datetime, "sqlite")
        rows = conn.execute(sa.select(sa.type_coerce(bucket, sa.String())).order_by(table.c.id)).scalars()
        return list(rows)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("grain", list(GRAINS))
def test_datetime_buckets_equal_the_python_buckets(sqlite: sa.Engine, zone: str, grain: str) -> None:
    moments = _moments(zone) + [None]
    got = _buckets(sqlite, UTCDateTime(), moments, grain, zone, True)
    stored = [None if m is None else m.replace(tzinfo=None).isoformat(sep=" ") for m in moments]
    assert got == [sqlite_bucket(s, grain, zone, "datetime") for s in stored]


@pytest.mark.parametrize("grain", [g for g in GRAINS if GRAINS[g].dates])
def test_date_buckets_equal_the_python_buckets(sqlite: sa.Engine, grain: str) -> None:
    rng = random.Random(9)
    days = [date(2024, 2, 29), date(2023, 1, 1), date(2026, 12, 31)] + [
        date(1990, 1, 1) + timedelta(days=rng.randint(0, 20000)) for _ in range(300)] + [None]
    got = _buckets(sqlite, sa.Date(), days, grain, "Asia/Shanghai", False)
    assert got == [sqlite_bucket(None if d is None else d.isoformat(), grain, "Asia/Shanghai", "date") for d in days]
