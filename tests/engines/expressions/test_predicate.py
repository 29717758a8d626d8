"""to_sql_predicate: the same rows as the plain compile in WHERE, link comparisons as semi-joins (never under NOT)."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from jimu.engines.expressions import ExprType, to_sql, to_sql_predicate

from .conftest import ENV, Database, binding, check, customers, orders, regions

REGIONS = [{"id": 1, "name": "North"}, {"id": 2, "name": None}]
CUSTOMERS = [
    {"id": 1, "name": "ACME", "credit_limit": Decimal("100.00"), "region": 1},
    {"id": 2, "name": "Bolt", "credit_limit": None, "region": None},  # no region
    {"id": 3, "name": None, "credit_limit": Decimal("5.00"), "region": 2},  # a region without a name
    {"id": 4, "name": "Cogs", "credit_limit": Decimal("100.00"), "region": 99},  # a dangling link
]
ORDERS = [{"id": n, "n": n, "amount": Decimal(n * 10), "name": "o" if n % 2 else None,
           "customer": [1, 2, 3, 4, None, 77][n % 6]} for n in range(1, 19)]  # NULL and dangling links too

SOURCES = [
    "customer.name = 'ACME'", "customer.name != 'ACME'", "customer.name = null", "customer.name != null",
    "customer.credit_limit > 50", "customer.credit_limit <= 5", "50 < customer.credit_limit",
    "customer.credit_limit >= amount", "customer.name in ('ACME', 'Bolt')", "customer.name not in ('ACME', null)",
    "customer.name not in ('ACME')", "customer.region.name = 'North'", "customer.region.name != 'North'",
    "customer.name = 'ACME' and n > 3", "customer.name = 'ACME' or customer.region.name = 'North'",
    "customer.name = 'ACME' or name = null", "(customer.name = 'ACME' or n = 2) and customer.credit_limit > 1",
    "not (customer.name = 'ACME')", "not (customer.name = 'ACME' or n = 2)", "ISBLANK(customer.name)",
    "COALESCE(customer.name, 'x') = 'x'", "IF(customer.name = 'ACME', false, true)", "customer.name = customer.name",
    "customer.name & '' = 'ACME'", "UPPER(customer.name) = 'ACME'", "customer.credit_limit = 100 and null",
    "customer.credit_limit = 100 or null", "n > 100", "customer = 1", "customer.name = UPPER('acme')",
]


@pytest.fixture
def loaded(db: Database) -> Database:
    with db.engine.begin() as conn:
        for table in (orders, customers, regions):
            conn.execute(table.delete())
        conn.execute(regions.insert(), REGIONS)
        conn.execute(customers.insert(), CUSTOMERS)
        conn.execute(orders.insert(), ORDERS)
    return db


def ids(db: Database, condition: sa.ColumnElement[bool]) -> list[int]:
    with db.engine.connect() as conn:
        return list(conn.execute(sa.select(orders.c.id).where(condition).order_by(orders.c.id)).scalars())


@pytest.mark.parametrize("source", SOURCES)
def test_a_predicate_keeps_the_rows_of_the_plain_compile(loaded: Database, source: str) -> None:
    checked = check(source, ExprType.BOOLEAN)
    dialect = loaded.engine.dialect.name
    plain = ids(loaded, to_sql(checked, binding(), ENV, dialect))
    assert ids(loaded, to_sql_predicate(checked, binding(), ENV, dialect)) == plain


def sql(source: str, dialect: str = "sqlite") -> str:
    condition = to_sql_predicate(check(source, ExprType.BOOLEAN), binding(), ENV, dialect)
    return str(sa.select(orders.c.id).where(condition).compile(compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize("source", ["customer.name = 'ACME'", "customer.name in ('ACME', 'Bolt')",
                                    "n > 1 and (customer.credit_limit > 5 or n = 2)", "customer.region.name = 'North'"])
def test_link_comparisons_at_and_or_positions_are_semi_joins(source: str) -> None:
    text = sql(source)
    assert "x_orders.customer IN (SELECT" in text, text
    assert "WHERE x_customers_1.id = x_orders.customer" not in text, text  # no correlated scalar subquery


def test_a_path_of_two_hops_nests_the_semi_joins() -> None:
    text = sql("customer.region.name = 'North'")
    assert "x_orders.customer IN (SELECT" in text and ".region IN (SELECT" in text, text


@pytest.mark.parametrize("source", ["not (customer.name = 'ACME')", "ISBLANK(customer.name)",
                                    "IF(customer.name = 'ACME', true, false)", "customer.name = customer.name",
                                    "customer.credit_limit >= amount"])
def test_negated_null_tolerant_or_row_dependent_comparisons_stay_scalar_subqueries(source: str) -> None:
    assert "IN (SELECT" not in sql(source)


def test_a_predicate_must_be_boolean() -> None:
    with pytest.raises(TypeError):
        to_sql_predicate(check("n + 1"), binding(), ENV, "sqlite")


def test_postgresql_compiles_the_same_shape() -> None:
    from sqlalchemy.dialects import postgresql

    condition = to_sql_predicate(check("customer.name = 'ACME'", ExprType.BOOLEAN), binding(), ENV, "postgresql")
    text = str(sa.select(orders.c.id).where(condition).compile(dialect=postgresql.dialect()))
    assert "x_orders.customer IN (SELECT" in text, text
