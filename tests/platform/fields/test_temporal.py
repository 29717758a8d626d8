"""Dates and datetimes: Chinese and ISO inputs, UTC storage."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from jimu.platform.fields.registry import FIELD_TYPES

from .helpers import coerce, field, problems, refused

UTC = UTC


@pytest.mark.parametrize("text", ["2024-03-05", "2024/03/05", "2024.03.05", "20240305", "2024年3月5日",
                                  "2024年03月05日", " 2024-03-05 ", "2024-03-05T10:30:00"])
def test_dates(text: str) -> None:
    assert coerce("date", text) == date(2024, 3, 5)


def test_date_from_date_and_datetime() -> None:
    assert coerce("date", date(2024, 3, 5)) == date(2024, 3, 5)
    assert coerce("date", datetime(2024, 3, 5, 23, 59)) == date(2024, 3, 5)
    assert coerce("date", "") is None


@pytest.mark.parametrize("value", ["2024-02-30", "5/3/2024", "tomorrow", "2024年13月1日", 20240305])
def test_not_dates(value: object) -> None:
    assert refused("date", value).code == "value.not_date"


def test_date_range() -> None:
    assert problems("date", "2023-12-31", min="2024-01-01") == ["value.below_min"]
    assert problems("date", "2025-01-01", max="2024-12-31") == ["value.above_max"]
    assert problems("date", "2024-06-01", min="2024-01-01", max="2024-12-31") == []


def test_datetimes_are_stored_in_utc() -> None:
    beijing = coerce("datetime", "2024-03-05T10:30:00+08:00")
    assert beijing == datetime(2024, 3, 5, 2, 30, tzinfo=UTC)
    assert beijing.utcoffset() == timedelta(0)
    assert coerce("datetime", "2024-03-05T10:30:00Z") == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
    tokyo = datetime(2024, 3, 5, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    assert coerce("datetime", tokyo) == datetime(2024, 3, 5, 0, 0, tzinfo=UTC)


def test_naive_datetimes_are_taken_as_utc() -> None:
    assert coerce("datetime", "2024-03-05 10:30") == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
    assert coerce("datetime", "2024/03/05 10:30:15") == datetime(2024, 3, 5, 10, 30, 15, tzinfo=UTC)
    assert coerce("datetime", datetime(2024, 3, 5, 10, 30)) == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
    assert coerce("datetime", date(2024, 3, 5)) == datetime(2024, 3, 5, tzinfo=UTC)


@pytest.mark.parametrize("value", ["yesterday", "2024-03-05 25:00", 1709600000, "2024年3月5日 10点"])
def test_not_datetimes(value: object) -> None:
    assert refused("datetime", value).code == "value.not_datetime"


def test_datetime_range() -> None:
    assert problems("datetime", "2024-01-01T00:00:00+08:00", min="2024-01-01T00:00:00Z") == ["value.below_min"]
    assert problems("datetime", "2024-01-01T09:00:00+08:00", min="2024-01-01T00:00:00Z") == []


def test_json_forms_are_iso() -> None:
    assert FIELD_TYPES["date"].to_json(field("date"), date(2024, 3, 5)) == "2024-03-05"
    moment = datetime(2024, 3, 5, 2, 30, tzinfo=UTC)
    text = FIELD_TYPES["datetime"].to_json(field("datetime"), moment)
    assert text == "2024-03-05T02:30:00+00:00"
    assert coerce("datetime", text) == moment
    assert coerce("date", FIELD_TYPES["date"].to_text(field("date"), date(2024, 3, 5))) == date(2024, 3, 5)
