"""Time grains: one entry per grain, holding its bucket in Python (SQLite's helper, the tests' reference) and in
PostgreSQL SQL, and the bucket's range as UTC instants (for drill-down).

A datetime is bucketed in the company's time zone (stored UTC, so 20:00 UTC on 31 January is February in
Asia/Shanghai); a date has no zone. Weeks start on Monday. Buckets of a day or longer are dates (the first
day of the bucket); an hour bucket is the local text 'YYYY-MM-DDTHH:00'.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.values import add_months, parse_date, parse_datetime

from .sqlite_buckets import sqlite_bucket_sql


def _week(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _month(d: date) -> date:
    return d.replace(day=1)


def _quarter(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _year(d: date) -> date:
    return date(d.year, 1, 1)


def _add_days(days: int) -> Callable[[date], date]:
    return lambda d: d + timedelta(days=days)


def _add_months(months: int) -> Callable[[date], date]:
    return lambda d: add_months(d, months)


@dataclass(frozen=True)
class TimeGrain:
    name: str
    dates: bool  # applies to date fields too (every grain but hour)
    start: Callable[[date], date]  # a day's bucket
    following: Callable[[date], date]  # the start of the bucket after the one starting on a day

    def python_bucket(self, value: Any, zone: str, is_datetime: bool) -> Any:
        """The bucket of a stored value (a UTC datetime, or a date); None stays None."""
        if value is None:
            return None
        if not is_datetime:
            day = parse_date(value)
            return None if day is None else self.start(day)
        moment = parse_datetime(value)
        assert moment is not None
        local = moment.astimezone(ZoneInfo(zone))
        if self.name == "hour":
            return local.strftime("%Y-%m-%dT%H:00")
        return self.start(local.date())

    def sql_bucket(self, value: ColumnElement[Any], zone: str, is_datetime: bool, dialect: str) -> ColumnElement[Any]:
        if dialect == "sqlite":
            result_type: sa.types.TypeEngine[Any] = sa.String() if self.name == "hour" else sa.Date()
            return sqlite_bucket_sql(value, self.name, zone, is_datetime, result_type)
        local = sa.func.timezone(zone, value) if is_datetime else sa.cast(value, sa.DateTime())
        truncated = sa.func.date_trunc(self.name, local, type_=sa.DateTime())
        if self.name == "hour":
            return sa.func.to_char(truncated, 'YYYY-MM-DD"T"HH24:00', type_=sa.String())
        return sa.cast(truncated, sa.Date())

    def utc_range(self, bucket: Any, zone: str) -> tuple[datetime, datetime]:
        """[start, end) of a bucket as UTC instants (a datetime field's drill-down)."""
        tz = ZoneInfo(zone)
        if self.name == "hour":
            local = datetime.fromisoformat(str(bucket)).replace(tzinfo=tz)
            return local.astimezone(UTC), (local + timedelta(hours=1)).astimezone(UTC)
        day = parse_date(bucket)
        assert day is not None
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        end_day = self.following(day)
        end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def date_range(self, bucket: Any) -> tuple[date, date]:
        """[start, end) of a bucket of a date field."""
        day = parse_date(bucket)
        assert day is not None
        return day, self.following(day)


GRAINS: dict[str, TimeGrain] = {g.name: g for g in (
    TimeGrain("hour", False, lambda d: d, _add_days(1)),
    TimeGrain("day", True, lambda d: d, _add_days(1)),
    TimeGrain("week", True, _week, _add_days(7)),
    TimeGrain("month", True, _month, _add_months(1)),
    TimeGrain("quarter", True, _quarter, _add_months(3)),
    TimeGrain("year", True, _year, _add_months(12)),
)}


def sqlite_bucket(value: Any, grain: str, zone: str, kind: str) -> str | None:
    """SQLite's `jimu_bucket(value, grain, zone, kind)`: the bucket as text (a date, or an hour)."""
    if value is None:
        return None
    bucket = GRAINS[grain].python_bucket(value, zone, kind == "datetime")
    return bucket if isinstance(bucket, str) else bucket.isoformat()
