from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jimu.engines.expressions import DictRow, evaluate

from .conftest import ENV, check, run


@pytest.mark.parametrize(("value", "places", "expected"), [
    ("2.675", 2, "2.68"), ("-2.675", 2, "-2.68"), ("2.5", 0, "3"), ("-2.5", 0, "-3"), ("1.005", 2, "1.01"),
    ("0.125", 2, "0.13"), ("-0.5", 0, "-1"), ("1234.5678", -2, "1200"), ("2.4", 0, "2"),
])
def test_round_half_up(value: str, places: int, expected: str) -> None:
    assert run(f"ROUND({value}, {places})") == Decimal(expected)


def test_integer_stays_integer_and_division_is_decimal() -> None:
    assert run("ROUND(15, -1)") == 20 and isinstance(run("ROUND(15, -1)"), int)
    assert run("7 / 2") == Decimal("3.5")
    assert run("n / 2", {"n": 7}) == Decimal("3.5")
    assert run("7 / 0") is None and run("7 % 0") is None and run("7.5 % 0") is None


@pytest.mark.parametrize(("start", "n", "unit", "expected"), [
    ("2024-01-31", 1, "month", "2024-02-29"), ("2023-01-31", 1, "month", "2023-02-28"),
    ("2024-03-31", -1, "month", "2024-02-29"), ("2024-02-29", 1, "year", "2025-02-28"),
    ("2024-12-31", 2, "month", "2025-02-28"), ("2024-01-01", -1, "day", "2023-12-31"),
    ("2024-01-01", 2, "week", "2024-01-15"),
])
def test_dateadd(start: str, n: int, unit: str, expected: str) -> None:
    assert run(f"DATEADD(DATE('{start}'), {n}, '{unit}')") == date.fromisoformat(expected)


@pytest.mark.parametrize(("a", "b", "unit", "expected"), [
    ("2024-01-31", "2024-02-29", "month", 1), ("2024-01-31", "2024-02-28", "month", 0),
    ("2024-02-29", "2024-01-31", "month", 0), ("2024-03-31", "2024-02-29", "month", -1),
    ("2024-01-01", "2024-12-31", "year", 0), ("2024-01-01", "2025-01-01", "year", 1),
    ("2025-01-01", "2024-01-02", "year", 0), ("2024-01-10", "2024-01-01", "week", -1),
    ("2024-01-01", "2024-01-07", "week", 0), ("2024-03-01", "2024-02-01", "day", -29),
])
def test_datediff(a: str, b: str, unit: str, expected: int) -> None:
    assert run(f"DATEDIFF(DATE('{a}'), DATE('{b}'), '{unit}')") == expected


def test_null_rules() -> None:
    assert run("n + 1") is None
    assert run("n = n") is None
    assert run("null and false") is False and run("null or true") is True and run("null and true") is None
    assert run("not flag") is None
    assert run("IF(flag, 1, 2)") == 2
    assert run("name & 'x'") == "x" and run("CONCAT(name, 1)") == "1"
    assert run("LEN(name)") is None and run("UPPER(name)") is None
    assert run("n in (1, 2)") is None and run("1 in (2, null)") is None and run("1 not in (2, null)") is None
    assert run("ISBLANK(name)") is True and run("ISBLANK(tags)", {"tags": []}) is True
    assert run("MIN(n, 3)") == 3 and run("MAX(n, null)") is None


def test_aggregates_over_empty_and_links() -> None:
    assert run("SUM(lines.amount)") == 0 and run("COUNT(lines)") == 0
    assert run("AVG(lines.amount)") is None and run("MIN(lines.amount)") is None
    assert run("customer.credit_limit") is None  # empty link
    row = {"customer": 3}
    checked = check("customer.name")
    assert evaluate(checked, DictRow(row, lambda name, key: {"name": f"{name}-{key}"}), ENV) == "customer-3"
    assert run("customer", {"customer": {"id": 3}}) == 3


def test_aggregate_condition_reads_parent_fields() -> None:
    row = {"n": 1, "lines": [{"qty": 0, "amount": Decimal("1")}, {"qty": 2, "amount": Decimal("2.5")}]}
    assert run("SUM(lines.amount, lines.qty > n)", row) == Decimal("2.5")
    assert run("SUM(lines.amount * n)", row) == Decimal("3.5")
    assert run("COUNT(lines, null)", row) == 0


def test_text_functions() -> None:
    assert run("TRIM(' a ')") == "a" and run("LEFT('abc', 10)") == "abc" and run("RIGHT('abc', -1)") == ""
    assert run("CONTAINS(tags, 'x')", {"tags": ["x"]}) is True
    assert run("'n=' & 1.50 & ' ' & DATE('2024-01-02') & ' ' & false") == "n=1.5 2024-01-02 false"
    assert run("SWITCH('b', 'a', 1, 'b', 2)") == 2 and run("SWITCH(name, 'a', 1, 5)") == 5


def test_context_functions() -> None:
    assert run("TODAY()") == date(2024, 3, 15)
    assert run("CURRENT_USER()") == 7
    assert run("DAY(NOW())") == 15
