"""CEILING, FLOOR, TRUNC, MOD and POWER: edge cases in Python, the same values in SQL, limits refused."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expressions import DictRow, ExpressionEvaluationError, ExpressionTypeError, evaluate

from .conftest import ENV, T, check, run

D = Decimal

CASES: list[tuple[str, Any, T]] = [
    ("CEILING(12, 5)", 15, T.INTEGER),
    ("CEILING(15, 5)", 15, T.INTEGER),
    ("CEILING(-12, 5)", -10, T.INTEGER),
    ("CEILING(12, -5)", 15, T.INTEGER),
    ("CEILING(7, 0)", 0, T.INTEGER),
    ("CEILING(7)", 7, T.INTEGER),
    ("CEILING(2.1)", D(3), T.DECIMAL),
    ("CEILING(-2.9)", D(-2), T.DECIMAL),
    ("CEILING(1.21, 0.05)", D("1.25"), T.DECIMAL),
    ("CEILING(12, 2.5)", D("12.5"), T.DECIMAL),
    ("FLOOR(12, 5)", 10, T.INTEGER),
    ("FLOOR(-12, 5)", -15, T.INTEGER),
    ("FLOOR(-12, -5)", -15, T.INTEGER),
    ("FLOOR(-2.1)", D(-3), T.DECIMAL),
    ("FLOOR(1.29, 0.05)", D("1.25"), T.DECIMAL),
    ("FLOOR(3.5, 0)", D(0), T.DECIMAL),
    ("FLOOR(null, 5)", None, T.DECIMAL),
    ("CEILING(5, null)", None, T.INTEGER),
    ("CEILING(null, 0)", None, T.DECIMAL),
    ("FLOOR(null + 1, 0)", None, T.INTEGER),  # a null value with a multiple of 0 (found by the parity test)
    ("TRUNC(-1.259, 2)", D("-1.25"), T.DECIMAL),
    ("TRUNC(1.259)", D(1), T.DECIMAL),
    ("TRUNC(-1.9)", D(-1), T.DECIMAL),
    ("TRUNC(1234.5, -2)", D(1200), T.DECIMAL),
    ("TRUNC(-1234, -2)", -1200, T.INTEGER),
    ("TRUNC(1234, 2)", 1234, T.INTEGER),
    ("TRUNC(0.05, 1)", D(0), T.DECIMAL),
    ("TRUNC(9.99, 100)", D("9.99"), T.DECIMAL),
    ("TRUNC(9.99, -100)", D(0), T.DECIMAL),
    ("MOD(7, 3)", 1, T.INTEGER),
    ("MOD(-7, 3)", 2, T.INTEGER),
    ("MOD(7, -3)", -2, T.INTEGER),
    ("MOD(-7, -3)", -1, T.INTEGER),
    ("MOD(6, 3)", 0, T.INTEGER),
    ("MOD(7, 0)", None, T.INTEGER),
    ("MOD(-5.5, 2)", D("0.5"), T.DECIMAL),
    ("MOD(5.5, -2)", D("-0.5"), T.DECIMAL),
    ("MOD(7.25, 0.5)", D("0.25"), T.DECIMAL),
    ("MOD(null, 2)", None, T.DECIMAL),
    ("POWER(2, 10)", 1024, T.INTEGER),
    ("POWER(-3, 3)", -27, T.INTEGER),
    ("POWER(5, 0)", 1, T.INTEGER),
    ("POWER(0, 0)", 1, T.INTEGER),
    ("POWER(2, 62)", 2**62, T.INTEGER),
    ("POWER(1.5, 2)", D("2.25"), T.DECIMAL),
    ("POWER(2, -2)", D("0.25"), T.DECIMAL),
    ("POWER(3, -1)", D("0.3333333333"), T.DECIMAL),
    ("POWER(0, -1)", None, T.DECIMAL),
    ("POWER(-1, 999)", -1, T.INTEGER),
    ("POWER(0.5, 1000)", D(0), T.DECIMAL),
    ("POWER(1.01, 12)", D("1.1268250301"), T.DECIMAL),
    ("POWER(10.0, 37)", D(10) ** 37, T.DECIMAL),
    ("POWER(null, 2)", None, T.DECIMAL),
]


@pytest.mark.parametrize(("source", "want", "kind"), CASES)
def test_python_value_and_type(source: str, want: Any, kind: T) -> None:
    checked = check(source)
    assert checked.type is kind
    got = run(source)
    assert got == want and type(got) is type(want), f"{source}: {got!r}"


def test_same_values_in_sql(db: Any) -> None:
    checked = [check(source) for source, _, _ in CASES]
    db.load({})
    got = db.values(checked)
    for (source, want, _kind), value in zip(CASES, got):
        if isinstance(want, Decimal) and db.engine.dialect.name == "sqlite":
            assert abs(value - want) <= abs(want) * Decimal("1e-13"), f"{source}: {value!r}"
        else:
            assert value == want, f"{source}: sql={value!r}"


@pytest.mark.parametrize(("source", "column"), [
    ("POWER(2, 63)", 10), ("POWER(10.0, 38)", 13), ("POWER(n, 1001)", 10), ("POWER(n, -1001)", 10),
    ("POWER(-2, 64)", 11),
])
def test_power_refused_when_checked(source: str, column: int) -> None:
    with pytest.raises(ExpressionTypeError) as caught:
        check(source)
    assert caught.value.code == "expression.limit.power_too_large"
    assert (caught.value.line, caught.value.column) == (1, column)


@pytest.mark.parametrize(("source", "code"), [
    ("POWER(n, 2.5)", "expression.type.wrong_argument_type"),
    ("TRUNC(amount, 1.5)", "expression.type.wrong_argument_type"),
    ("MOD('a', 2)", "expression.type.wrong_argument_type"),
    ("CEILING(d)", "expression.type.wrong_argument_type"),
    ("FLOOR(1, 2, 3)", "expression.type.wrong_arity"),
])
def test_wrong_arguments(source: str, code: str) -> None:
    with pytest.raises(ExpressionTypeError) as caught:
        check(source)
    assert caught.value.code == code


@pytest.mark.parametrize(("source", "row"), [
    ("POWER(n, m)", {"n": 2, "m": 200}),  # a decimal past 38 digits
    ("POWER(n, 63)", {"n": 2}),  # a whole number past 64 bits
    ("POWER(amount, m)", {"amount": Decimal("99999999.99"), "m": 5}),
    ("CEILING(9223372036854775807 - n, m)", {"n": 1, "m": 10}),
])
def test_refused_at_run_time(db: Any, source: str, row: dict[str, Any]) -> None:
    checked = check(source)
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate(checked, DictRow(row), ENV)
    assert caught.value.code == "expression.evaluation.number_out_of_range"
    db.load(row)
    with pytest.raises(Exception) as failed:  # the database refuses the statement (a DataError / a failed helper)
        db.values([checked])
    assert "raised exception" in str(failed.value) or "out of range" in str(failed.value) \
        or "overflow" in str(failed.value)


def test_huge_exponent_of_a_number_near_one_is_quick() -> None:
    assert run("POWER(amount, n)", {"amount": Decimal("1.0000000001"), "n": 10**11}) == Decimal("22026.4657837935")
    assert run("POWER(amount, n)", {"amount": Decimal("0.99"), "n": 10**15}) == Decimal(0)
