"""Integer, decimal, money and percent: exact Decimals, half-up rounding, precision limits."""
from __future__ import annotations

from decimal import Decimal

import pytest

from jimu.platform.fields.numeric import INTEGER_LIMIT
from jimu.platform.fields.registry import FIELD_TYPES

from .helpers import coerce, field, problems, refused


def test_integers_from_text_and_numbers() -> None:
    assert coerce("integer", "1,234") == 1234
    assert coerce("integer", " 42 ") == 42
    assert coerce("integer", "1.0") == 1
    assert coerce("integer", Decimal("7")) == 7
    assert coerce("integer", 3.0) == 3
    assert coerce("integer", "") is None


@pytest.mark.parametrize("value", ["1.5", "abc", True, "NaN", "Infinity", 2.5])
def test_not_integers(value: object) -> None:
    assert refused("integer", value).code == "value.not_integer"


def test_integer_out_of_range() -> None:
    assert coerce("integer", INTEGER_LIMIT) == INTEGER_LIMIT
    assert refused("integer", INTEGER_LIMIT + 1).code == "value.out_of_range"
    assert refused("integer", str(-INTEGER_LIMIT - 1)).code == "value.out_of_range"


def test_integer_range_checks() -> None:
    assert problems("integer", -1, min=0, max=10) == ["value.below_min"]
    assert problems("integer", 11, min=0, max=10) == ["value.above_max"]
    assert problems("integer", 10, min=0, max=10) == []


def test_decimals_are_decimal_and_quantized_half_up() -> None:
    assert coerce("decimal", "1.23456", scale=4) == Decimal("1.2346")
    assert coerce("money", "2.675") == Decimal("2.68")  # half-up, not banker's rounding
    assert coerce("money", "2.665") == Decimal("2.67")
    assert coerce("money", "-2.665") == Decimal("-2.67")  # away from zero
    assert coerce("money", 2.675) == Decimal("2.68")  # a float is read by its shortest repr
    assert coerce("money", 10) == Decimal("10.00")
    assert coerce("money", "1,234,567.891") == Decimal("1234567.89")
    assert isinstance(coerce("decimal", 1), Decimal)


def test_decimal_scale_is_kept_even_when_zero() -> None:
    assert str(coerce("money", "5")) == "5.00"
    assert str(coerce("decimal", "5", scale=3)) == "5.000"
    assert str(coerce("decimal", "0.0004", scale=3)) == "0.000"


def test_precision_overflow() -> None:
    assert coerce("decimal", "999.99", precision=5, scale=2) == Decimal("999.99")
    error = refused("decimal", "1000", precision=5, scale=2)
    assert error.code == "value.too_many_digits" and error.params == {"precision": 5, "scale": 2}
    # rounding can carry into a new digit
    assert refused("decimal", "999.995", precision=5, scale=2).code == "value.too_many_digits"
    assert refused("money", "1" + "0" * 16).code == "value.too_many_digits"  # default NUMERIC(18, 2)
    assert coerce("money", "9" * 16) == Decimal("9" * 16)


@pytest.mark.parametrize("value", ["abc", "1.2.3", True, "NaN", "-Infinity", [1]])
def test_not_numbers(value: object) -> None:
    assert refused("decimal", value).code == "value.not_number"


def test_percent_is_the_shown_number() -> None:
    assert coerce("percent", "12.5%") == Decimal("12.50")
    assert coerce("percent", "12.5") == Decimal("12.50")
    assert refused("money", "12%").code == "value.not_number"
    assert problems("percent", "101", min=0, max=100) == ["value.above_max"]


def test_decimal_bounds_are_read_as_decimals() -> None:
    assert problems("money", "-0.01", min=0) == ["value.below_min"]
    assert problems("money", "0.10", min="0.1") == []
    assert problems("decimal", "5", max="4.9999") == ["value.above_max"]


def test_json_and_text_forms() -> None:
    money = FIELD_TYPES["money"]
    f = field("money")
    assert money.to_json(f, Decimal("1.50")) == "1.50"
    assert money.to_json(f, None) is None
    assert coerce("money", money.to_text(f, Decimal("1234.50"))) == Decimal("1234.50")
    assert FIELD_TYPES["integer"].to_text(field("integer"), 7) == "7"
