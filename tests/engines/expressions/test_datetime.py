"""Date-time functions: DATEADD / DATEDIFF / DATE / HOUR / MINUTE agree in Python and in SQL."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from jimu.engines.expressions import DictRow, ExpressionTypeError, evaluate

from .conftest import ENV, Database, check

UNITS = ("second", "minute", "hour", "day", "week", "month", "year")

SOURCES = [
    *(f"DATEADD(t, {n}, '{unit}')" for unit in UNITS for n in (1, -1, 90, -13)),
    *(f"DATEADD(t, n, '{unit}')" for unit in UNITS),
    *(f"DATEDIFF(t, t2, '{unit}')" for unit in UNITS),
    *(f"DATEDIFF(t2, t, '{unit}')" for unit in UNITS),
    *(f"DATEDIFF(t, DATEADD(t, n, '{unit}'), '{unit}')" for unit in UNITS),
    "DATE(t)", "DATE(t2)", "HOUR(t)", "MINUTE(t)", "HOUR(t2)", "MINUTE(t2)", "YEAR(t)", "MONTH(t)", "DAY(t)",
    "DATE(DATEADD(t, 30, 'minute'))", "DATEADD(t, 1, 'month') > t2", "DATEADD(t, n, 'day') = t2",
    "DATEADD(NOW(), n, 'hour')", "DATEDIFF(NOW(), t, 'minute')", "DATEDIFF(t, null, 'hour')",
    "DATEADD(null, 1, 'day')", "HOUR(NOW())", "DATE(NOW())", "MIN(t, t2)", "COALESCE(t, t2)",
    "IF(DATEADD(t, 1, 'week') < t2, DATEADD(t2, -1, 'second'), t)",
]

ROWS = [
    {"t": datetime(2024, 1, 31, 23, 45, 10, 500_000, tzinfo=UTC), "t2": datetime(2024, 3, 1, 0, 15, tzinfo=UTC), "n": 5},
    {"t": datetime(2023, 3, 26, 0, 59, 59, tzinfo=UTC), "t2": datetime(2020, 2, 29, 1, 0, 0, 1, tzinfo=UTC), "n": -40},
    {"t": datetime(2024, 2, 29, 12, tzinfo=UTC), "t2": datetime(2025, 2, 28, 11, 59, 59, 999_999, tzinfo=UTC),
     "n": 12},
    {"t": datetime(2024, 5, 31, 8, 0, tzinfo=UTC), "t2": None, "n": None},
    {"t": None, "t2": datetime(2024, 6, 30, 8, 0, tzinfo=UTC), "n": 2},
]


@pytest.mark.parametrize("row", ROWS)
def test_python_and_sql_agree_on_datetimes(db: Database, row: dict[str, Any]) -> None:
    checked = [check(source) for source in SOURCES]
    db.load(row)
    for c, got in zip(checked, db.values(checked)):
        want = evaluate(c, DictRow(row), ENV)
        assert want == got and type(want) is type(got), f"{c.source}: python={want!r} sql={got!r}"
        if isinstance(got, datetime):
            assert got.tzinfo is not None and got.utcoffset() == UTC.utcoffset(None)


def _run(source: str, **row: Any) -> Any:
    return evaluate(check(source), DictRow(row), ENV)


def test_month_ends_clamp_and_keep_the_time() -> None:
    t = datetime(2024, 1, 31, 18, 5, tzinfo=UTC)
    assert _run("DATEADD(t, 1, 'month')", t=t) == datetime(2024, 2, 29, 18, 5, tzinfo=UTC)
    assert _run("DATEADD(t, 1, 'year')", t=datetime(2024, 2, 29, 1, tzinfo=UTC)) == datetime(2025, 2, 28, 1, tzinfo=UTC)
    assert _run("DATEADD(t, 90, 'minute')", t=t) == datetime(2024, 1, 31, 19, 35, tzinfo=UTC)


def test_datediff_counts_whole_units_toward_zero() -> None:
    a, b = datetime(2024, 1, 1, 10, tzinfo=UTC), datetime(2024, 1, 2, 9, 59, 59, tzinfo=UTC)
    assert _run("DATEDIFF(t, t2, 'day')", t=a, t2=b) == 0
    assert _run("DATEDIFF(t, t2, 'hour')", t=a, t2=b) == 23
    assert _run("DATEDIFF(t2, t, 'hour')", t=a, t2=b) == -23
    assert _run("DATEDIFF(t, t2, 'month')", t=datetime(2024, 1, 31, 12, tzinfo=UTC),
                t2=datetime(2024, 2, 29, 11, tzinfo=UTC)) == 0
    assert _run("DATEDIFF(t, t2, 'month')", t=datetime(2024, 1, 31, 12, tzinfo=UTC),
                t2=datetime(2024, 2, 29, 12, tzinfo=UTC)) == 1


def test_naive_and_offset_values_are_read_as_utc() -> None:
    from datetime import timedelta, timezone

    plus8 = datetime(2024, 3, 1, 2, 30, tzinfo=timezone(timedelta(hours=8)))
    assert _run("DATE(t)", t=plus8) == date(2024, 2, 29)
    assert _run("HOUR(t)", t=plus8) == 18
    assert _run("HOUR(t)", t=datetime(2024, 3, 1, 2, 30)) == 2


@pytest.mark.parametrize("source", ["DATEADD(d, 1, 'hour')", "DATEDIFF(d, d2, 'minute')", "DATEDIFF(d, t, 'day')",
                                    "HOUR(d)", "MINUTE(n)", "DATEADD(t, 1.5, 'hour')"])
def test_type_errors(source: str) -> None:
    with pytest.raises(ExpressionTypeError):
        check(source)


MIXED = [
    "DATETIME('2024-01-31T23:45')", "DATETIME('2024-01-31T23:45:10.5')", "DATETIME('2024-02-01T01:00+02:00')",
    "DATETIME('2024-01-31T20:00-05:30')", "DATETIME(d)", "DATETIME(null)", "DATE(DATETIME(d)) = d",
    "d < t", "d <= t", "d = t", "d != t", "d > t", "t >= d", "t = d", "t > d2",
    "DATETIME('2024-01-31T00:00') = d", "d = DATETIME('2024-01-31T00:00Z')", "t > DATETIME('2024-01-31T23:45:10')",
    "DATEADD(DATETIME(d), 1, 'hour') > t", "IF(d < t, 'before', 'not before')",
]
MIXED_ROWS = [
    {"d": date(2024, 1, 31), "d2": date(2024, 2, 1), "t": datetime(2024, 1, 31, 23, 45, 10, 500_000, tzinfo=UTC)},
    {"d": date(2024, 1, 31), "d2": date(2024, 1, 30), "t": datetime(2024, 1, 31, 0, 0, tzinfo=UTC)},
    {"d": date(2024, 2, 1), "d2": None, "t": datetime(2024, 1, 31, 23, 59, 59, 999_999, tzinfo=UTC)},
    {"d": None, "d2": date(2024, 2, 1), "t": datetime(2024, 2, 1, 0, 0, tzinfo=UTC)},
]


@pytest.mark.parametrize("row", MIXED_ROWS)
def test_datetime_constants_and_dates_against_datetimes_agree(db: Database, row: dict[str, Any]) -> None:
    """A date compares with a date-time as its midnight in UTC, in Python and on each database."""
    checked = [check(source) for source in MIXED]
    db.load(row)
    for c, got in zip(checked, db.values(checked)):
        want = evaluate(c, DictRow(row), ENV)
        assert want == got and type(want) is type(got), f"{c.source}: python={want!r} sql={got!r}"


def test_datetime_constants() -> None:
    assert _run("DATETIME('2026-12-01T08:00')") == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert _run("DATETIME('2026-12-01T08:00+08:00')") == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert _run("DATETIME(d)", d=date(2026, 12, 1)) == datetime(2026, 12, 1, tzinfo=UTC)
    assert _run("d < t", d=date(2026, 12, 1), t=datetime(2026, 11, 30, 23, 59, tzinfo=UTC)) is False


@pytest.mark.parametrize(("source", "code"), [
    ("DATETIME('2026-12-01')", "expression.type.invalid_datetime"),
    ("DATETIME('2026-12-01T25:00')", "expression.type.invalid_datetime"),
    ("DATETIME('9999-12-31T23:00-05:00')", "expression.type.invalid_datetime"),
    ("DATETIME(name)", "expression.type.literal_required"),
    ("DATETIME(n)", "expression.type.literal_required"),
    ("d < n", "expression.type.incompatible_types"),
])
def test_bad_datetimes_are_refused(source: str, code: str) -> None:
    with pytest.raises(ExpressionTypeError) as caught:
        check(source)
    assert caught.value.code == code
