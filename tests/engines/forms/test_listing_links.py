"""Link-path filters in `where` are semi-joins: the same rows as the plain compile, NULL links included."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms.listing import build_plan, list_records
from jimu.engines.forms.query import ListQuery

from .test_listing_setup import NOW, SalesData, install, sales_app, seed


@pytest.fixture
def sales(engine: Engine) -> SalesData:
    data = seed(install(engine, sales_app()))
    with data.kernel.unit_of_work() as ctx:  # orders without a customer (the column allows NULL)
        for status in ("draft", "confirmed"):
            ctx.conn.execute(sa.insert(ctx.tables["sales_order"]).values(
                customer=None, status=status, _created_at=NOW, _updated_at=NOW))
    return data


def ids(data: SalesData, expression: str) -> list[int]:
    with data.kernel.unit_of_work() as ctx:
        return [row["id"] for row in list_records(ctx, "sales_order", ListQuery(expression=expression, limit=500)).rows]


EXPRESSIONS = [
    "customer.tier = 'gold'", "customer.tier != 'gold'", "customer.tier in ('gold', 'standard')",
    "customer.tier not in ('gold')", "customer.credit_limit > 60", "customer.email = null",
    "customer.tier = 'gold' or status = 'draft'", "customer.tier = 'gold' and status != 'cancelled'",
    "not (customer.tier = 'gold')", "customer.active = true or customer.tier = 'gold'",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_the_same_rows_as_the_plain_compile(sales: SalesData, expression: str) -> None:
    # IF(x, true, false) keeps exactly the rows where x is true, and is never turned into a semi-join.
    assert ids(sales, expression) == ids(sales, f"IF({expression}, true, false)")


def test_rows_without_a_link_are_not_matched(sales: SalesData) -> None:
    tier_of = {o["id"]: o["customer_tier"] for o in sales.orders if o["_deleted_at"] is None}
    assert ids(sales, "customer.tier != 'gold'") == sorted(
        (i for i, tier in tier_of.items() if tier is not None and tier != "gold"), reverse=True)


def test_the_filter_is_a_semi_join(sales: SalesData) -> None:
    with sales.kernel.unit_of_work() as ctx:
        statement = build_plan(ctx, "sales_order", ListQuery(expression="customer.tier = 'gold'")).statement(51, None)
        sql: Any = statement.compile(dialect=ctx.conn.dialect)
    assert "t_sales_order.customer IN (SELECT" in str(sql), sql
