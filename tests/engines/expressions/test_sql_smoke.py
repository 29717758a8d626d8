from __future__ import annotations

from datetime import date
from decimal import Decimal

from jimu.engines.expressions import DictRow, evaluate

from .conftest import ENV, check

ORDER = {
    "n": 7, "m": 0, "amount": Decimal("12.50"), "rate": None, "name": "Bob", "code": "", "d": date(2024, 1, 31),
    "d2": date(2024, 2, 29), "flag": True, "tags": ["a", "b"],
    "customer": {"id": 3, "name": "ACME", "credit_limit": Decimal("100.00"), "region": {"id": 9, "name": "North"}},
    "lines": [{"amount": Decimal("1.50"), "qty": 2, "label": "x"}, {"amount": Decimal("2.00"), "qty": 0, "label": "y"},
              {"amount": None, "qty": 1, "label": None}],
}

SOURCES = [
    "n / 2", "n / m", "n % 3", "-n % 3", "amount % 5", "ROUND(2.675, 2)", "ROUND(-2.5)", "ROUND(amount * 1.055, 1)",
    "DATEADD(d, 1, 'month')", "DATEADD(d, -1, 'year')", "DATEADD(d, 3, 'week')", "d + 1", "d - 1", "d2 - d",
    "DATEDIFF(d, d2, 'month')", "DATEDIFF(d2, d, 'month')", "DATEDIFF(d, d2, 'day')", "DATEDIFF(d, d2, 'week')",
    "DATEDIFF(d, DATE('2030-01-30'), 'year')", "YEAR(d)", "MONTH(d)", "DAY(d)",
    "SUM(lines.amount)", "SUM(lines.amount, lines.qty > 0)", "COUNT(lines)", "COUNT(lines.amount)",
    "AVG(lines.amount)", "MIN(lines.label)", "MAX(lines.qty)", "SUM(lines.qty * lines.amount)",
    "SUM(lines.amount, lines.qty > 5)", "AVG(lines.amount, lines.qty > 5)",
    "customer.credit_limit - amount", "customer.region.name", "name & ' ' & amount & flag & d",
    "CONCAT(name, null, n)", "IF(null, 1, 2)", "IF(flag, 1.5, 2)", "n in (1, 7)", "n not in (1, null)",
    "n in (1, null)", "MAX(1, 2.5)", "MIN(n, null, 3)", "MAX(name, 'Zed', 'alf')", "TODAY()", "NOW()",
    "CURRENT_USER()", "UPPER(name)", "LOWER(name)", "LEN(name)", "LEN(null)", "TRIM('  a b  ')",
    "LEFT(name, 2)", "LEFT(name, -1)", "RIGHT(name, 2)", "RIGHT(name, 10)", "RIGHT(name, 0)",
    "CONTAINS(name, 'o')", "CONTAINS(tags, 'b')", "CONTAINS(tags, 'z')", "ISBLANK(code)", "ISBLANK(rate)",
    "ISBLANK(tags)", "ISBLANK(name)", "SWITCH(n, 1, 'one', 7, 'seven', 'other')", "SWITCH(n, 1, 'one')",
    "COALESCE(rate, amount)", "ABS(-n)", "name < 'a'", "amount * 3 = 37.5", "flag and null", "flag or null",
    "not flag", "null = null", "amount > null", "7 / 2", "1 / 3", "0.1 + 0.2 = 0.3", "2.675 * 1",
]


def test_sql_matches_interpreter(db) -> None:  # type: ignore[no-untyped-def]
    db.load(ORDER)
    checked = [check(s) for s in SOURCES]
    sql_values = db.values(checked)
    problems = []
    for source, c, got in zip(SOURCES, checked, sql_values):
        want = evaluate(c, DictRow(ORDER), ENV)
        if isinstance(want, Decimal) and got is not None:
            ok = round(want, 6) == round(got, 6)
        else:
            ok = want == got and type(want) is type(got)
        if not ok:
            problems.append(f"{source}: python={want!r} sql={got!r}")
    assert not problems, "\n".join(problems)
