"""When time-based rules are due: cron schedules in a timezone and dates relative to a record's field.

    Cron.parse("0 9 * * 1-5", "Asia/Shanghai").between(start, end)   # occurrences in (start, end], UTC
    Offset.parse("-3d")                                                # 3 days before
    DateTiming(offset, at=time(9), zone).moment(date(2026, 3, 10))     # 2026-03-07 09:00 local, in UTC

Cron expressions are parsed by croniter (never by hand); the wall clock is the rule's timezone and
every moment handed out is an aware UTC datetime.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

MAX_OCCURRENCES = 1000  # occurrences looked at in one window (a schedule coalesces past that)
_OFFSET = re.compile(r"^([+-]?)(\d{1,5})([mhdw])$")
_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class TimingError(ValueError):
    """A cron expression, timezone, offset or time of day that cannot be used (its `code` names which)."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(f"{code}: {value!r}")
        self.code = code
        self.value = value


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimingError("automation.timezone_invalid", name) from None


@dataclass(frozen=True)
class Cron:
    """A checked cron expression (five fields, or @hourly/@daily/...) read in a timezone's wall clock."""

    expression: str
    timezone: str

    @classmethod
    def parse(cls, expression: str, timezone: str = "UTC") -> Cron:
        text = " ".join(str(expression).split())
        if not (text.startswith("@") or len(text.split()) == 5) or not croniter.is_valid(text):
            raise TimingError("automation.cron_invalid", str(expression))
        zone(timezone)
        return cls(text, timezone)

    def after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment`, in UTC."""
        found: datetime = croniter(self.expression, moment.astimezone(zone(self.timezone))).get_next(datetime)
        return found.astimezone(UTC)

    def between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """The occurrences in (start, end], oldest first, at most MAX_OCCURRENCES."""
        moment = start
        for _ in range(MAX_OCCURRENCES):
            moment = self.after(moment)
            if moment > end:
                return
            yield moment


@dataclass(frozen=True)
class Offset:
    """A signed duration written `-3d`, `+2h`, `30m`, `1w`."""

    delta: timedelta

    @classmethod
    def parse(cls, text: str | None) -> Offset:
        if text is None:
            return cls(timedelta(0))
        found = _OFFSET.match(str(text))
        if found is None:
            raise TimingError("automation.offset_invalid", str(text))
        sign, amount, unit = found.groups()
        delta = int(amount) * _UNITS[unit]
        return cls(-delta if sign == "-" else delta)

    @property
    def whole_days(self) -> bool:
        return self.delta % timedelta(days=1) == timedelta(0)


def time_of_day(text: str | None) -> time:
    if text is None:
        return time(0, 0)
    found = _AT.match(str(text))
    if found is None:
        raise TimingError("automation.at_invalid", str(text))
    return time(int(found.group(1)), int(found.group(2)))


@dataclass(frozen=True)
class DateTiming:
    """When a date trigger fires for a field value: the value moved by the offset (a date field: at the time
    of day `at` in the rule's timezone; a date-time field: the instant itself moved)."""

    offset: Offset
    at: time
    timezone: str

    def moment(self, value: date | datetime) -> datetime:
        """The UTC moment the trigger fires for one field value."""
        if isinstance(value, datetime):
            aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            return (aware + self.offset.delta).astimezone(UTC)
        day = value + self.offset.delta
        return datetime.combine(day, self.at, zone(self.timezone)).astimezone(UTC)

    def dates_between(self, start: datetime, end: datetime) -> tuple[date, date]:
        """The field dates [low, high] whose moment is in (start, end] (low > high when there are none)."""
        tz = zone(self.timezone)
        low = (start.astimezone(tz) - self.offset.delta).date() - timedelta(days=1)
        while self.moment(low) <= start:
            low += timedelta(days=1)
        high = (end.astimezone(tz) - self.offset.delta).date() + timedelta(days=1)
        while self.moment(high) > end:
            high -= timedelta(days=1)
        return low, high

    def instants_between(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """The field date-times (start, end] whose moment is in the window, as an open-closed pair."""
        return start - self.offset.delta, end - self.offset.delta
