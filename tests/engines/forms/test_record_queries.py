"""Rules that read other records: a customer's open receivables plus unbilled confirmed orders.

ACME may owe at most its credit limit of 1000: 300 of open invoices (a paid one and a deleted one do
not count) plus confirmed orders. Confirming an order of 200 leaves it within the limit; confirming one
of 600 more is refused by the order's rule, which sums invoices and orders in SQL. The workflow helper
`evaluate_on_record` gives the same headroom in one statement, and follows the reader's record rules.
"""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.expressions import ExprType
from jimu.engines.forms import records
from jimu.engines.forms.listing import list_records
from jimu.engines.forms.query import ListQuery
from jimu.engines.forms.record_queries import evaluate_on_record
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError, NotFoundError, ValidationError
from jimu.platform.kernel import Kernel
from jimu.platform.registry.validation import validate_app
from jimu.platform.security import (
    RolePolicy,
    add_record_rule,
    create_role,
    create_user,
    load_principal,
    load_snapshot,
    set_permission,
    set_user_roles,
)

OWED = ("SUM(sales_invoice.outstanding WHERE customer = this.customer AND status = 'open') "
        "+ SUM(sales_order.total WHERE customer = this.customer AND status = 'confirmed')")
HEADROOM = ("credit_limit - SUM(sales_invoice.outstanding WHERE customer = this.id AND status = 'open') "
            "- SUM(sales_order.total WHERE customer = this.id AND status = 'confirmed')")


def app(**extra_fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"key": "credit", "version": "1.0.0", "entities": [
        {"key": "customer", "title_field": "name", "fields": [
            {"name": "name", "type": "text"}, {"name": "credit_limit", "type": "money"},
            *extra_fields.get("customer", []),
        ]},
        {"key": "sales_invoice", "fields": [
            {"name": "customer", "type": "link", "entity": "customer"},
            {"name": "outstanding", "type": "money"}, {"name": "status", "type": "text"},
            {"name": "team", "type": "text"},
        ]},
        {"key": "sales_order", "fields": [
            {"name": "customer", "type": "link", "entity": "customer"},
            {"name": "total", "type": "money"}, {"name": "status", "type": "text"},
            {"name": "open_invoices", "type": "integer",
             "default_expression": "COUNT(sales_invoice WHERE customer = this.customer AND status = 'open')"},
            *extra_fields.get("sales_order", []),
        ], "rules": [
            {"key": "credit", "expression": f"status != 'confirmed' or customer.credit_limit >= {OWED}",
             "message": {"en": "Over the credit limit.", "zh-CN": "超出信用额度。"}},
        ]},
    ]}


class Books:
    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        with kernel.unit_of_work() as ctx:
            self.acme = records.create(ctx, "customer", {"name": "ACME", "credit_limit": "1000.00"})["id"]
            other = records.create(ctx, "customer", {"name": "Other", "credit_limit": "5.00"})["id"]
            for outstanding, status, team in (("100.00", "open", "east"), ("200.00", "open", "west"),
                                              ("500.00", "paid", "east"), ("400.00", "open", "east")):
                self.last_invoice = records.create(ctx, "sales_invoice", {
                    "customer": self.acme, "outstanding": outstanding, "status": status, "team": team})["id"]
            records.create(ctx, "sales_invoice", {"customer": other, "outstanding": "9.00", "status": "open"})
            records.delete(ctx, "sales_invoice", self.last_invoice)  # the 400 no longer counts

    def order(self, total: str, status: str = "draft", **kwargs: Any) -> dict[str, Any]:
        with self.kernel.unit_of_work(**kwargs) as ctx:
            return records.create(ctx, "sales_order", {"customer": self.acme, "total": total, "status": status})

    def headroom(self, access: Any = None, source: str = HEADROOM, **kwargs: Any) -> Any:
        with self.kernel.unit_of_work(access=access) as ctx:
            return evaluate_on_record(ctx, "customer", self.acme, source, ExprType.DECIMAL, **kwargs)


@pytest.fixture
def books(engine: Engine) -> Iterator[Books]:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(app())
    yield Books(kernel)


def test_confirming_orders_within_and_over_the_credit_limit(books: Books) -> None:
    first = books.order("200.00", "confirmed")  # 300 open + 200 confirmed = 500 <= 1000
    assert first["open_invoices"] == 2  # a default expression counting the open invoices
    assert books.headroom() == Decimal("500.00")
    books.order("600.00")  # a draft does not count
    with pytest.raises(ValidationError) as refused:
        books.order("600.00", "confirmed")  # 300 + 200 + 600 = 1100 > 1000
    assert [d.params.get("rule") for d in refused.value.details] == ["credit"]
    assert books.headroom() == Decimal("500.00")  # the refused order was rolled back
    books.order("500.00", "confirmed")  # exactly the limit
    assert books.headroom() == Decimal("0.00")


def test_evaluate_on_record_is_one_statement(books: Books) -> None:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with books.kernel.unit_of_work() as ctx:
        sa.event.listen(ctx.conn, "before_cursor_execute", seen)
        try:
            value = evaluate_on_record(ctx, "customer", books.acme, f"this.credit_limit >= {HEADROOM.split(' - ', 1)[1]}"
                                       .replace(" - SUM", " + SUM"), ExprType.BOOLEAN)
        finally:
            sa.event.remove(ctx.conn, "before_cursor_execute", seen)
    assert value is True
    assert len(statements) == 1 and statements[0].count("SELECT") == 3


def test_values_come_back_typed(books: Books) -> None:
    value = books.headroom()
    assert isinstance(value, Decimal) and value == Decimal("700.00")
    assert books.headroom(source="COUNT(sales_invoice WHERE customer = this.id)") == 3  # the deleted one is gone
    assert books.headroom(source="MAX(sales_invoice.outstanding WHERE customer = this.id)") == Decimal("500.00")


def test_the_readers_record_rules_apply_to_the_queried_entity(books: Books) -> None:
    with books.kernel.unit_of_work() as ctx:
        conn = ctx.conn
        user = create_user(conn, "alice")
        create_role(conn, "clerk")
        for entity in ("customer", "sales_invoice"):
            set_permission(conn, "clerk", entity, ["read"], catalog=ctx.catalog)
        set_permission(conn, "clerk", "sales_order", ["read", "create"], catalog=ctx.catalog)
        add_record_rule(conn, ctx.catalog, "clerk", "sales_invoice", ["read"], {"expression": "team = 'east'"})
        set_user_roles(conn, user, ["clerk"])
    with books.kernel.unit_of_work() as ctx:
        alice = RolePolicy(load_principal(ctx.conn, user), load_snapshot(ctx.conn), ctx.catalog, ctx.tables,
                           dialect=ctx.dialect)
    assert books.headroom() == Decimal("700.00")  # the system sees both open invoices
    assert books.headroom(alice) == Decimal("900.00")  # alice sees only the east one (100)
    assert books.headroom(alice, as_system=True) == Decimal("700.00")
    books.order("600.00", "confirmed", access=alice)  # the write's rule counts every invoice: 300 + 600 <= 1000
    with pytest.raises(ValidationError):  # 300 + 600 + 200 > 1000, though alice sees only 100 of the 300
        books.order("200.00", "confirmed", access=alice)


def test_missing_or_deleted_record_and_bad_expression(books: Books) -> None:
    with books.kernel.unit_of_work() as ctx, pytest.raises(NotFoundError):
        evaluate_on_record(ctx, "sales_invoice", books.last_invoice, "outstanding")
    with books.kernel.unit_of_work() as ctx, pytest.raises(DefinitionError) as bad:
        evaluate_on_record(ctx, "customer", books.acme, "SUM(sales_bill.total WHERE customer = this.id)")
    assert bad.value.code == "definition.expression_invalid"
    assert bad.value.params["expression_code"] == "expression.type.unknown_entity"
    assert (bad.value.params["line"], bad.value.params["column"]) == (1, 5)


def test_a_list_filter_cannot_query_other_records(books: Books) -> None:
    with books.kernel.unit_of_work() as ctx, pytest.raises(ValidationError) as refused:
        list_records(ctx, "customer", ListQuery(expression="COUNT(sales_invoice WHERE team = 'east') > 0"))
    assert refused.value.code == "query.query_aggregate_not_allowed"


def _codes(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        validate_app(raw)
    return [d.code for d in caught.value.details]


@pytest.mark.parametrize("field", [
    {"name": "owed", "type": "formula", "expression": "SUM(sales_invoice.outstanding WHERE customer = this.id)"},
    {"name": "owed", "type": "formula", "stored": True, "expression": "COUNT(sales_order WHERE customer = this.id)"},
    {"name": "big", "type": "rollup", "relation": "sales_invoice.customer", "function": "count",
     "condition": "outstanding > SUM(sales_order.total WHERE true)"},
])
def test_formulas_and_rollups_refuse_queries(field: dict[str, Any]) -> None:
    assert _codes(app(customer=[field])) == ["definition.query_aggregate_not_allowed"]


def test_rules_conditions_and_defaults_accept_queries() -> None:
    condition = {"name": "note", "type": "text",
                 "required_if": "COUNT(sales_order WHERE customer = this.customer) > 3"}
    validate_app(app(sales_order=[condition]))


def test_a_record_rule_cannot_query_records(books: Books) -> None:
    with books.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "auditor")
        with pytest.raises(ValidationError) as refused:
            add_record_rule(ctx.conn, ctx.catalog, "auditor", "customer", ["read"],
                            {"expression": "COUNT(sales_invoice WHERE customer = this.id) > 0"})
    assert [d.code for d in refused.value.details] == ["security.rule_expression_invalid"]
