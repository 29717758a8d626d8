"""Sorting and keyset paging: every row exactly once in order, NULLs where the database sorts them, bad cursors,
and index use (EXPLAIN)."""
from __future__ import annotations

import base64
import functools
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms.listing import build_plan, list_records
from jimu.engines.forms.query import ListQuery, parse_sort
from jimu.platform.errors import ValidationError

from .test_listing_setup import NOW, SalesData, install, sales_app, seed


@pytest.fixture
def sales(engine: Engine) -> SalesData:
    return seed(install(engine, sales_app()))


EMAILS = {1: "sales@acme.test", 2: None, 3: "cogs@x.test", 4: None}
LIMITS = {1: Decimal(1000), 2: Decimal(50), 3: Decimal(99999), 4: Decimal(10)}


def value(order: dict[str, Any], name: str) -> Any:
    """What the database computes for a sort key, in Python."""
    total = order["total"]
    if name == "net":
        return None if total is None else total - 10
    if name == "customer_email":
        return EMAILS[order["customer"]]
    if name == "over_limit":
        return None if total is None else total > LIMITS[order["customer"]]
    return order[name]


def python_order(orders: list[dict[str, Any]], sort: str, dialect: str) -> list[int]:
    """The expected order: NULL is the largest value on PostgreSQL, the smallest on SQLite (native placement)."""
    keys = [(k.field, k.descending) for k in parse_sort(sort)]
    if not any(name == "id" for name, _ in keys):
        keys.append(("id", False))
    null_rank = 1 if dialect == "postgresql" else -1  # NULL compared with any value, ascending

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for name, descending in keys:
            x, y = value(a, name), value(b, name)
            if x == y:
                continue
            if x is None or y is None:
                result = null_rank if x is None else -null_rank
            else:
                result = -1 if x < y else 1
            return -result if descending else result
        return 0

    return [o["id"] for o in sorted(orders, key=functools.cmp_to_key(compare))]


def dialect(data: SalesData) -> str:
    return data.kernel.engine.dialect.name


def walk(data: SalesData, query: ListQuery) -> tuple[list[int], int]:
    seen: list[int] = []
    pages = 0
    cursor = None
    while True:
        with data.kernel.unit_of_work() as ctx:
            page = list_records(ctx, "sales_order", ListQuery(
                filters=query.filters, expression=query.expression, sort=query.sort, limit=query.limit, cursor=cursor))
        pages += 1
        seen += [row["id"] for row in page.rows]
        assert page.has_more == (page.next_cursor is not None)
        if not page.has_more:
            return seen, pages
        cursor = page.next_cursor


SORTS = ["-id", "id", "-order_date,code,-net", "code,-status", "-over_limit,customer_email,-id", "net", "-code,order_date",
         "-_created_at", "status,-discount,number", "-customer,order_date"]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("limit", [4, 7])
def test_walking_every_page_gives_every_row_once_in_order(sales: SalesData, sort: str, limit: int) -> None:
    live = [o for o in sales.orders if o["_deleted_at"] is None]
    seen, pages = walk(sales, ListQuery(sort=sort, limit=limit))
    assert seen == python_order(live, sort, dialect(sales))
    assert pages == -(-len(live) // limit)  # limit + 1 rows are read: no empty last page


def test_walking_a_filtered_list(sales: SalesData) -> None:
    query = ListQuery(filters={"field": "status", "op": "ne", "value": "cancelled"}, expression="customer.tier = 'gold'",
                      sort="-order_date,code", limit=3)
    keep = [o for o in sales.orders if o["_deleted_at"] is None and o["status"] != "cancelled"
            and o["customer_tier"] == "gold"]
    assert walk(sales, query)[0] == python_order(keep, "-order_date,code", dialect(sales))


def test_default_sort_comes_from_the_entity(engine: Any) -> None:
    raw = sales_app()
    next(e for e in raw["entities"] if e["key"] == "sales_order")["default_sort"] = "order_date,-number"
    data = seed(install(engine, raw))
    live = [o for o in data.orders if o["_deleted_at"] is None]
    assert walk(data, ListQuery(limit=6))[0] == python_order(live, "order_date,-number", dialect(data))


def _token(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(("cursor", "code"), [
    ("not a cursor!", "query.cursor_invalid"),
    ("e30", "query.cursor_invalid"),  # {}
    (_token({"v": 1, "s": "-id", "k": [["s", "7"]]}), "query.cursor_invalid"),  # wrong type for id
    (_token({"v": 1, "s": "-id", "k": [None]}), "query.cursor_invalid"),
    (_token({"v": 1, "s": "-id", "k": [["i", 7], ["i", 8]]}), "query.cursor_invalid"),
    (_token({"v": 1, "s": "order_date,id", "k": [["D", "2026-01-01"], ["i", 7]]}), "query.cursor_sort_mismatch"),
    ("x" * 9000, "query.cursor_invalid"),
])
def test_a_bad_cursor_is_a_validation_error(sales: SalesData, cursor: str, code: str) -> None:
    with pytest.raises(ValidationError) as error, sales.kernel.unit_of_work() as ctx:
        list_records(ctx, "sales_order", ListQuery(cursor=cursor))
    assert error.value.code == code and error.value.details[0].path == "cursor"


def test_a_cursor_with_the_wrong_value_type_for_a_date_key(sales: SalesData) -> None:
    bad = _token({"v": 1, "s": "order_date,id", "k": [["D", "yesterday"], ["i", 7]]})
    with pytest.raises(ValidationError), sales.kernel.unit_of_work() as ctx:
        list_records(ctx, "sales_order", ListQuery(sort="order_date", cursor=bad))
    good = _token({"v": 1, "s": "order_date,id", "k": [["D", "2026-01-08"], ["i", 7]]})
    with sales.kernel.unit_of_work() as ctx:
        rows = list_records(ctx, "sales_order", ListQuery(sort="order_date", cursor=good, limit=500)).rows
    assert rows and all(r["order_date"] is None or r["order_date"] >= date(2026, 1, 8) for r in rows)


# ---- index use --------------------------------------------------------------------------------------


@pytest.fixture
def big(engine: Any) -> SalesData:
    data = seed(install(engine, sales_app()))
    with data.kernel.unit_of_work() as ctx:
        rows = [{"customer": 1 + n % 4, "order_date": date(2024, 1, 1) + timedelta(days=n % 700), "status": "draft",
                 "_created_at": NOW, "_updated_at": NOW} for n in range(5000)]
        ctx.conn.execute(sa.insert(ctx.tables["sales_order"]), rows)
        ctx.conn.exec_driver_sql("ANALYZE")
    return data


def explain(data: SalesData, query: ListQuery, after: list[Any] | None = None) -> str:
    with data.kernel.unit_of_work() as ctx:
        statement = build_plan(ctx, "sales_order", query).statement(query.limit + 1, after)
        assert statement._offset_clause is None  # keyset paging: never OFFSET
        sql = statement.compile(dialect=ctx.conn.dialect, compile_kwargs={"literal_binds": True}).string
        prefix = "EXPLAIN QUERY PLAN " if ctx.dialect == "sqlite" else "EXPLAIN "
        return "\n".join(str(row[-1]) for row in ctx.conn.exec_driver_sql(prefix + sql))


def uses_index_on_orders(plan: str) -> bool:
    """The orders table is read through an index (SQLite: SEARCH ... USING; PostgreSQL: an index scan)."""
    lines = plan.splitlines()
    sqlite = any(line.startswith("SEARCH t_sales_order USING") for line in lines)
    postgres = any("Index" in line and "Scan" in line and "t_sales_order" in line for line in lines)
    return (sqlite or postgres) and "Seq Scan on t_sales_order" not in plan and "SCAN t_sales_order" not in plan


def test_a_filter_on_an_indexed_field_uses_its_index(big: SalesData) -> None:
    plan = explain(big, ListQuery(filters={"field": "order_date", "op": "eq", "value": "2024-03-01"}, sort="id"))
    assert "ix_t_sales_order_order_date" in plan, plan
    assert uses_index_on_orders(plan), plan


def test_a_filter_on_a_link_uses_an_index(big: SalesData) -> None:
    plan = explain(big, ListQuery(filters={"field": "customer", "op": "eq", "value": 2}, sort="id"))
    assert uses_index_on_orders(plan), plan


def test_the_next_page_of_the_default_sort_seeks_the_primary_key(big: SalesData) -> None:
    plan = explain(big, ListQuery(), after=[3000])
    assert uses_index_on_orders(plan), plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
    assert "rowid<?" in plan or "Index Cond: (id < 3000)" in plan, plan


def test_a_descending_sort_on_a_nullable_indexed_field_reads_its_index_in_order(big: SalesData) -> None:
    """NULLs sort where the index keeps them (no NULLS LAST), so the index returns rows in order."""
    for after in (None, [date(2024, 6, 1), 3000]):
        plan = explain(big, ListQuery(sort="-order_date"), after=after)
        assert "ix_t_sales_order_order_date" in plan, plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan  # SQLite: only ties on id are sorted
        assert not re.search(r"(^|->)\s*Sort\s+\(cost", plan, re.MULTILINE), plan  # PostgreSQL: an Incremental Sort at most
