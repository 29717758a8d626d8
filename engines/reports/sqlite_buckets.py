"""Time buckets in SQLite's own date functions, where no Python call per row is needed.

A date has no zone, so its bucket is always SQL. A datetime is bucketed in the company zone; over the span
in which that zone keeps one UTC offset (Asia/Shanghai and UTC since 1991 and 1970; found once per zone by
probing zoneinfo), the local time is `datetime(value, '+N seconds')` and the bucket is built from it in SQL.
A zone whose rule after its last change has no daylight saving keeps its offset for ever (zoneinfo repeats
that rule), so its span has no end and the check per row is one comparison (`value >= start`).
Values outside the span (and zones that still change offsets, e.g. for daylight saving) keep the exact
Python helper `jimu_bucket`, so results are identical either way.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

FLOOR = datetime(1970, 1, 1, tzinfo=UTC)
CEILING = datetime(2100, 1, 1, tzinfo=UTC)  # the span ends here; later values take the Python path
LATEST_START = datetime(2038, 1, 1, tzinfo=UTC)  # a span starting later: the zone still changes offsets
FAR = (datetime(2100, 7, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC), datetime(9999, 7, 1, tzinfo=UTC))
STORED = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a datetime on SQLite (text, compared in order)


@dataclass(frozen=True)
class FixedSpan:
    """[start, end) in UTC over which the zone's offset is `seconds` east of UTC."""

    start: datetime
    end: datetime | None  # None: for ever
    seconds: int

    def covers(self, value: ColumnElement[Any]) -> ColumnElement[bool]:
        low = value >= sa.literal(self.start.replace(tzinfo=None).strftime(STORED), sa.String())
        if self.end is None:
            return low
        return sa.and_(low, value < sa.literal(self.end.replace(tzinfo=None).strftime(STORED), sa.String()))


def _offset(tz: ZoneInfo, moment: datetime) -> timedelta | None:
    return moment.astimezone(tz).utcoffset()


def _first_instant(tz: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first second in (before, after] with `after`'s offset (the offsets at the two ends differ)."""
    wanted = _offset(tz, after)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if middle <= before:
            break
        if _offset(tz, middle) == wanted:
            after = middle
        else:
            before = middle
    return after


@lru_cache(maxsize=64)
def fixed_span(zone: str) -> FixedSpan | None:
    """The span before CEILING over which `zone` keeps one offset (probed by day, then to the second), without
    an end when the zone's last rule keeps that offset for ever."""
    tz = ZoneInfo(zone)
    offset = _offset(tz, CEILING)
    if offset is None:
        return None
    day = CEILING
    while day > FLOOR and _offset(tz, day - timedelta(days=1)) == offset:
        day -= timedelta(days=1)
    start = day if day <= FLOOR else _first_instant(tz, day - timedelta(days=1), day)
    if start >= LATEST_START:
        return None
    endless = all(_offset(tz, moment) == offset for moment in FAR)  # no daylight saving in the last rule
    return FixedSpan(start, None if endless else CEILING, int(offset.total_seconds()))


Modifiers = tuple[Any, ...]
Builder = Callable[[ColumnElement[Any], Modifiers], ColumnElement[Any]]


def _quarter(value: ColumnElement[Any], local: Modifiers) -> ColumnElement[Any]:
    month = sa.cast(sa.func.strftime("%m", value, *local), sa.Integer())
    back = sa.func.printf("-%d months", (month - 1) % 3)
    return sa.func.date(value, *local, "start of month", back)


BUILDERS: dict[str, Builder] = {
    "hour": lambda value, local: sa.func.strftime("%Y-%m-%dT%H:00", value, *local),
    "day": lambda value, local: sa.func.date(value, *local),
    "week": lambda value, local: sa.func.date(value, *local, "-6 days", "weekday 1"),
    "month": lambda value, local: sa.func.date(value, *local, "start of month"),
    "quarter": _quarter,
    "year": lambda value, local: sa.func.date(value, *local, "start of year"),
}


def sqlite_bucket_sql(value: ColumnElement[Any], grain: str, zone: str, is_datetime: bool,
                      result_type: sa.types.TypeEngine[Any]) -> ColumnElement[Any]:
    """The bucket of `value` on SQLite: SQL date functions where exact, else the Python `jimu_bucket`."""
    build = BUILDERS[grain]
    if not is_datetime:
        return sa.type_coerce(build(value, ()), result_type)
    python = sa.func.jimu_bucket(value, grain, zone, "datetime", type_=result_type)
    span = fixed_span(zone)
    if span is None:
        return python
    seconds = sa.func.substr(value, 1, 19)  # SQLite rounds fractions to milliseconds: 59.9999 would be the next minute
    fast = build(seconds, (f"{span.seconds:+d} seconds",))
    return sa.type_coerce(sa.case((span.covers(value), fast), else_=python), result_type)
