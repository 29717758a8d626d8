"""Date-range presets: one entry per name, giving [start, end) days from today in the company's time zone."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from jimu.engines.expressions.values import add_months

from .grains import GRAINS

DayRange = tuple[date, date]  # [start, end)


def _this(grain: str) -> Callable[[date], DayRange]:
    def span(today: date) -> DayRange:
        start = GRAINS[grain].start(today)
        return start, GRAINS[grain].following(start)
    return span


def _last(grain: str) -> Callable[[date], DayRange]:
    def span(today: date) -> DayRange:
        end = GRAINS[grain].start(today)
        return GRAINS[grain].start(end - timedelta(days=1)), end
    return span


def _to_date(grain: str) -> Callable[[date], DayRange]:
    return lambda today: (GRAINS[grain].start(today), today + timedelta(days=1))


def _last_days(days: int) -> Callable[[date], DayRange]:
    return lambda today: (today - timedelta(days=days - 1), today + timedelta(days=1))


def _last_12_months(today: date) -> DayRange:
    """Twelve month buckets: the eleven months before this one and this month so far."""
    return add_months(today.replace(day=1), -11), today + timedelta(days=1)


@dataclass(frozen=True)
class Preset:
    name: str
    span: Callable[[date], DayRange]


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("today", _this("day")),
    Preset("yesterday", _last("day")),
    Preset("this_week", _this("week")),
    Preset("last_week", _last("week")),
    Preset("this_month", _this("month")),
    Preset("last_month", _last("month")),
    Preset("this_quarter", _this("quarter")),
    Preset("last_quarter", _last("quarter")),
    Preset("this_year", _this("year")),
    Preset("last_year", _last("year")),
    Preset("month_to_date", _to_date("month")),
    Preset("year_to_date", _to_date("year")),
    Preset("last_7_days", _last_days(7)),
    Preset("last_30_days", _last_days(30)),
    Preset("last_12_months", _last_12_months),
)}


def compared_range(span: DayRange, kind: str) -> DayRange:
    """The period a range is compared with: the one before it (whole months stay whole months; otherwise as
    many days), or the same one a year earlier."""
    start, end = span
    if kind == "same_period_last_year":
        return add_months(start, -12), add_months(end, -12)
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        return add_months(start, -months), start
    return start - (end - start), start
