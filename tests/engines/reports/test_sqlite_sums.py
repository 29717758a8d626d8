"""SQLite's integer-unit sums are exact to the scale: many cents, inexact floats, negatives, huge values."""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.reports.sqlite_functions import register
from jimu.engines.reports.sqlite_sums import SAFE_FLOAT, decimal_total, overflowed, sqlite_exact_sum


@pytest.fixture(params=[False, True], ids=["narrow", "split"])
def split(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _sum(values: list[Any], scale: int, split: bool = False) -> Decimal | None:
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("v", sa.Numeric(30, scale)))
    with engine.begin() as conn:
        table.create(conn)
        if values:
            conn.execute(table.insert(), [{"v": v} for v in values])
        register(conn)
        total = conn.execute(sa.select(sqlite_exact_sum(table.c.v, scale, split))).scalar_one()
    return None if total is None else Decimal(total)


def test_many_two_decimal_amounts_sum_exactly(split: bool) -> None:
    rng = random.Random(21)
    amounts = [Decimal(rng.randint(-10**11, 10**11)) / 100 for _ in range(20000)]
    assert _sum(amounts, 2, split) == sum(amounts)


def test_amounts_without_an_exact_float_sum_exactly(split: bool) -> None:
    amounts = [Decimal(a) for a in ("0.1", "0.2", "0.29", "1.005", "2.675", "0.3", "-0.07", "1.15", "8.995")]
    amounts = [a.quantize(Decimal("0.001")) for a in amounts * 1000]
    assert float(sum(amounts)) != sum(float(a) for a in amounts)  # a REAL sum would drift
    assert _sum(amounts, 3, split) == sum(amounts)


def test_values_beyond_the_integer_path_are_still_exact(split: bool) -> None:
    # 15 significant digits: what a REAL holds exactly; beyond SAFE_FLOAT, so jimu_dsum adds them
    amounts = [Decimal("1234567890123.45"), Decimal("0.01"), Decimal("-2000000000000.50"), Decimal("999.99")] * 50
    assert abs(amounts[0]) > Decimal(SAFE_FLOAT)
    assert _sum(amounts, 2, split) == sum(amounts)


def test_the_sum_equals_the_python_aggregate_for_any_stored_value(split: bool) -> None:
    rng = random.Random(4)
    amounts = [Decimal(rng.randint(-10**17, 10**17)) / 100 for _ in range(300)] + [Decimal("0.29")] * 300
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("v", sa.Numeric(30, 2)))
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [{"v": v} for v in amounts])
        register(conn)
        python = conn.execute(sa.select(sa.func.jimu_dsum(table.c.v, 2))).scalar_one()
    assert _sum(amounts, 2, split) == Decimal(python)  # 17 digits are beyond a REAL: both read the same stored value


def test_a_scale_beyond_the_fast_path_and_all_nulls(split: bool) -> None:
    amounts = [Decimal("1.0001"), Decimal("2.0002"), None]
    assert _sum(amounts, 4, split) == Decimal("3.0003")
    assert _sum([None, None], 2, split) is None
    assert _sum([], 2, split) is None


@pytest.mark.parametrize(("high", "low", "large", "want"), [
    (None, None, None, None), (1, 5, None, "10000000.05"), (-1, -5, "0.10", "-9999999.95"),
    (None, None, "3.25", "3.25"),
])
def test_the_parts_are_added_exactly(high: Any, low: Any, large: Any, want: str | None) -> None:
    got = decimal_total(high, low, large, 2)
    assert got == want if want is None else Decimal(got or "nan") == Decimal(want)


def test_a_narrow_sum_past_64_bits_raises_and_the_split_one_is_exact() -> None:
    amounts = [Decimal("999999999999.999") - n for n in range(10_000)]  # ~10**15 units each: 10**19 in all
    with pytest.raises(sa.exc.OperationalError) as raised:
        _sum(amounts, 3)
    assert overflowed(raised.value)  # SQLite refuses to wrap: never a silently wrong total
    assert _sum(amounts, 3, split=True) == sum(amounts)
