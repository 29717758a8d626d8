"""Gap-free auto-numbers: series such as `SO-{YYYY}-{#####}`, one counter row per series and period.

The counter row is incremented by one `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` inside the
caller's transaction: the row stays locked until commit (PostgreSQL), SQLite's `BEGIN IMMEDIATE`
serialises writers, and a rolled-back transaction gives its numbers back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.platform.fields.computed import SERIES_TOKEN
from jimu.platform.meta import number_series
from jimu.platform.registry.model import FieldDef


@dataclass(frozen=True)
class Series:
    """A series rendered for one moment: its counter key and how to format a counter value."""

    key: str
    head: str  # text before the counter
    tail: str  # text after the counter
    width: int
    start: int

    def format(self, value: int) -> str:
        return f"{self.head}{str(value).zfill(self.width)}{self.tail}"


def render_series(entity_key: str, field: FieldDef, now: datetime) -> Series:
    """The series of an auto-number field at `now` (UTC): date tokens filled in, counter left open."""
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    dates = {"YYYY": f"{moment.year:04d}", "YY": f"{moment.year % 100:02d}", "MM": f"{moment.month:02d}",
             "DD": f"{moment.day:02d}"}
    pattern = str(field.get("series", "{#####}"))
    parts: list[str] = []
    width = 0
    counter_at = -1
    last = 0
    for match in SERIES_TOKEN.finditer(pattern):
        parts.append(pattern[last:match.start()])
        token = match.group(1)
        if token.startswith("#") and counter_at < 0:
            counter_at, width = len(parts), len(token)
            parts.append("")
        else:
            parts.append(dates.get(token, ""))
        last = match.end()
    parts.append(pattern[last:])
    if counter_at < 0:  # no counter token: number at the end
        counter_at, width = len(parts), 1
        parts.append("")
    head, tail = "".join(parts[:counter_at]), "".join(parts[counter_at + 1:])
    start = int(field.get("start", 1))
    return Series(key=f"{entity_key}.{field.key}:{head}{tail}"[:200], head=head, tail=tail, width=width, start=start)


def reserve(conn: sa.Connection, series: Series, count: int = 1) -> list[str]:
    """Take the next `count` numbers of a series (in the caller's transaction)."""
    if count <= 0:
        return []
    last = _advance(conn, series.key, count, series.start)
    return [series.format(value) for value in range(last - count + 1, last + 1)]


def next_number(conn: sa.Connection, series: Series) -> str:
    return reserve(conn, series, 1)[0]


def _advance(conn: sa.Connection, key: str, count: int, start: int) -> int:
    """Add `count` to the counter of `key` (created at start - 1 when absent); the new last value."""
    dialect = conn.dialect.name
    first_last = start + count - 1
    if dialect in ("postgresql", "sqlite"):
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(number_series)
        statement = insert.values(series=key, last_value=first_last).on_conflict_do_update(
            index_elements=[number_series.c.series],
            set_={"last_value": number_series.c.last_value + count},
        ).returning(number_series.c.last_value)
        return int(conn.execute(statement).scalar_one())
    current = conn.execute(  # other databases: lock the row, then update it
        sa.select(number_series.c.last_value).where(number_series.c.series == key).with_for_update()
    ).scalar_one_or_none()
    if current is None:
        conn.execute(sa.insert(number_series).values(series=key, last_value=first_last))
        return first_last
    conn.execute(sa.update(number_series).where(number_series.c.series == key).values(last_value=current + count))
    return int(current) + count
