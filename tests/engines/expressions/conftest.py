"""Shared schema for expression tests: orders with a customer link and order lines."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.expressions import (
    CheckedExpression,
    DictRow,
    DictScope,
    EvalEnv,
    ExprType,
    ScopeField,
    TableBinding,
    compile_expression,
    evaluate,
    to_sql,
)

T = ExprType
ENV = EvalEnv(current_user=7, now=datetime(2024, 3, 15, 10, 30, tzinfo=UTC))

metadata = sa.MetaData()
customers = sa.Table(
    "x_customers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100)),
    sa.Column("credit_limit", sa.Numeric(12, 2)),
    sa.Column("region", sa.Integer, nullable=True),
)
regions = sa.Table(
    "x_regions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100)),
)
orders = sa.Table(
    "x_orders", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("n", sa.Integer),
    sa.Column("m", sa.Integer),
    sa.Column("amount", sa.Numeric(12, 2)),
    sa.Column("rate", sa.Numeric(12, 2)),
    sa.Column("name", sa.String(100)),
    sa.Column("code", sa.String(100)),
    sa.Column("d", sa.Date),
    sa.Column("d2", sa.Date),
    sa.Column("t", sa.DateTime(timezone=True)),
    sa.Column("t2", sa.DateTime(timezone=True)),
    sa.Column("flag", sa.Boolean),
    sa.Column("tags", sa.JSON(none_as_null=True)),
    sa.Column("customer", sa.Integer, nullable=True),
)
lines = sa.Table(
    "x_lines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.Integer),
    sa.Column("amount", sa.Numeric(12, 2)),
    sa.Column("qty", sa.Integer),
    sa.Column("label", sa.String(100)),
)

def _text(name: str) -> ScopeField:
    return ScopeField(name, T.TEXT, max_length=100)  # the columns are String(100)


REGION_SCOPE = DictScope({"name": _text("name")})
CUSTOMER_SCOPE = DictScope({
    "name": _text("name"), "credit_limit": T.DECIMAL,
    "region": ScopeField("region", T.INTEGER, link=REGION_SCOPE),
})
LINE_SCOPE = DictScope({"amount": T.DECIMAL, "qty": T.INTEGER, "label": _text("label")})
SCOPE = DictScope({
    "id": T.INTEGER, "n": T.INTEGER, "m": T.INTEGER, "amount": T.DECIMAL, "rate": T.DECIMAL,
    "name": _text("name"), "code": _text("code"), "d": T.DATE, "d2": T.DATE,
    "t": T.DATETIME, "t2": T.DATETIME, "flag": T.BOOLEAN, "tags": T.LIST,
    "customer": ScopeField("customer", T.INTEGER, link=CUSTOMER_SCOPE),
    "lines": ScopeField("lines", T.INTEGER, children=LINE_SCOPE),
})


def binding() -> TableBinding:
    region = TableBinding(regions)
    customer = TableBinding(customers, links={"region": (region, "id")})
    return TableBinding(orders, links={"customer": (customer, "id")}, children={"lines": (lines, "order_id")})


class Database:
    """Loads one order (with customer, region and lines) and evaluates expressions in SQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def load(self, order: Mapping[str, Any]) -> None:
        order = dict(order)
        order_lines = order.pop("lines", [])
        customer = order.pop("customer", None)
        with self.engine.begin() as conn:
            for table in (lines, orders, customers, regions):
                conn.execute(table.delete())
            if customer is not None:
                customer = dict(customer)
                region = customer.pop("region", None)
                if region is not None:
                    conn.execute(regions.insert(), region)
                    customer["region"] = region["id"]
                conn.execute(customers.insert(), customer)
                order["customer"] = customer["id"]
            conn.execute(orders.insert(), {"id": 1, **order})
            for i, line in enumerate(order_lines):
                conn.execute(lines.insert(), {"id": i + 1, "order_id": 1, **line})

    def values(self, checked: list[CheckedExpression]) -> list[Any]:
        bind = binding()
        dialect = self.engine.dialect.name
        columns = [to_sql(c, bind, ENV, dialect).label(f"e{i}") for i, c in enumerate(checked)]
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(*columns).select_from(bind.table).where(orders.c.id == 1)).one())


@pytest.fixture
def db(engine: Engine) -> Iterator[Database]:
    yield Database(engine)


def check(source: str, expected: ExprType | None = None) -> CheckedExpression:
    return compile_expression(source, SCOPE, expected=expected)


def run(source: str, row: Mapping[str, Any] | None = None) -> Any:
    return evaluate(check(source), DictRow(row or {}), ENV)


Runner = Callable[[str], Any]
