"""Listing records: every filter op, nested groups, expressions, search, projection, errors, access, counts."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.engines.forms.listing import count_records, list_records
from jimu.engines.forms.query import Condition, Group, ListQuery, parse_list_params
from jimu.platform.errors import PermissionDeniedError, ValidationError

from .test_listing_setup import Policy, SalesData, install, sales_app, seed


@pytest.fixture
def sales(engine: Engine) -> SalesData:
    return seed(install(engine, sales_app()))


def ids(data: SalesData, query: ListQuery, **kw: Any) -> list[int]:
    with data.kernel.unit_of_work(**kw) as ctx:
        return [row["id"] for row in list_records(ctx, "sales_order", query).rows]


def live(data: SalesData) -> list[dict[str, Any]]:
    return [o for o in data.orders if o["_deleted_at"] is None]


def expected(data: SalesData, keep: Any) -> list[int]:
    return sorted((o["id"] for o in live(data) if keep(o)), reverse=True)


def where(data: SalesData, *conditions: Any, **kw: Any) -> list[int]:
    return ids(data, ListQuery(filters=list(conditions), limit=500), **kw)


OPS = [
    ({"field": "status", "op": "eq", "value": "draft"}, lambda o: o["status"] == "draft"),
    ({"field": "status", "op": "ne", "value": "draft"}, lambda o: o["status"] != "draft"),
    ({"field": "code", "op": "ne", "value": "a"}, lambda o: o["code"] != "a"),  # NULL counts as "not a"
    ({"field": "order_date", "op": "lt", "value": "2026-01-03"},
     lambda o: o["order_date"] is not None and o["order_date"] < date(2026, 1, 3)),
    ({"field": "order_date", "op": "lte", "value": "2026/01/03"},
     lambda o: o["order_date"] is not None and o["order_date"] <= date(2026, 1, 3)),
    ({"field": "total", "op": "gt", "value": "400.25"}, lambda o: o["total"] is not None and o["total"] > Decimal("400.25")),
    ({"field": "total", "op": "gte", "value": 400.25}, lambda o: o["total"] is not None and o["total"] >= Decimal("400.25")),
    ({"field": "status", "op": "in", "value": ["draft", "Cancelled"]}, lambda o: o["status"] in ("draft", "cancelled")),
    ({"field": "code", "op": "in", "value": ["a", None]}, lambda o: o["code"] in ("a", None)),
    ({"field": "status", "op": "not_in", "value": ["draft"]}, lambda o: o["status"] != "draft"),
    ({"field": "code", "op": "not_in", "value": ["a", None]}, lambda o: o["code"] not in ("a", None)),
    ({"field": "order_date", "op": "between", "value": ["2026-01-02", "2026-01-04"]},
     lambda o: o["order_date"] is not None and date(2026, 1, 2) <= o["order_date"] <= date(2026, 1, 4)),
    ({"field": "notes", "op": "contains", "value": "%"}, lambda o: "%" in (o["notes"] or "")),
    ({"field": "notes", "op": "contains", "value": "A_B"}, lambda o: "a_b" in (o["notes"] or "")),
    ({"field": "notes", "op": "starts_with", "value": "50%_"}, lambda o: (o["notes"] or "").startswith("50%_")),
    ({"field": "notes", "op": "starts_with", "value": "_"}, lambda o: False),
    ({"field": "total", "op": "is_null"}, lambda o: o["total"] is None),
    ({"field": "order_date", "op": "is_not_null"}, lambda o: o["order_date"] is not None),
    ({"field": "customer", "op": "eq", "value": "1"}, lambda o: o["customer"] == 1),
    ({"field": "id", "op": "lte", "value": 5}, lambda o: o["id"] <= 5),
    ({"field": "net", "op": "gt", "value": "300"}, lambda o: o["total"] is not None and o["total"] - 10 > 300),
    ({"field": "over_limit", "op": "eq", "value": "yes"},
     lambda o: o["total"] is not None and o["total"] > {1: 1000, 2: 50, 3: 99999, 4: 10}[o["customer"]]),
    ({"field": "customer_email", "op": "contains", "value": "ACME"}, lambda o: o["customer"] == 1),
]


@pytest.mark.parametrize(("condition", "keep"), OPS, ids=[f"{c['field']}-{c['op']}-{n}" for n, (c, _) in enumerate(OPS)])
def test_each_op_matches_python(sales: SalesData, condition: dict[str, Any], keep: Any) -> None:
    assert where(sales, condition) == expected(sales, keep)


def test_nested_and_or(sales: SalesData) -> None:
    tree = {"or": [
        {"and": [{"field": "status", "op": "eq", "value": "draft"}, {"field": "order_date", "op": "is_null"}]},
        {"and": [{"field": "status", "op": "eq", "value": "confirmed"},
                 {"or": [{"field": "code", "op": "eq", "value": "a"}, {"field": "discount", "op": "gte", "value": "20"}]}]},
    ]}
    def keep(o: dict[str, Any]) -> bool:
        return (o["status"] == "draft" and o["order_date"] is None) or (
            o["status"] == "confirmed" and (o["code"] == "a" or o["discount"] >= 20))
    got = ids(sales, ListQuery(filters=tree, limit=500))
    assert got == expected(sales, keep) and got


def test_expression_filters_on_a_link_path_and_a_virtual_formula(sales: SalesData) -> None:
    gold = ids(sales, ListQuery(expression="customer.tier = 'gold'", limit=500))
    assert gold == expected(sales, lambda o: o["customer_tier"] == "gold")
    big = ids(sales, ListQuery(expression="net >= 300 and status != 'draft'", limit=500))
    assert big == expected(sales, lambda o: o["total"] is not None and o["total"] - 10 >= 300 and o["status"] != "draft")
    both = ids(sales, ListQuery(expression="customer.tier = 'gold'", filters={"field": "over_limit", "op": "eq", "value": True}))
    assert both == expected(sales, lambda o: o["customer"] == 1 and o["total"] is not None and o["total"] > 1000)


def test_expression_errors_carry_line_and_column(sales: SalesData) -> None:
    with sales.kernel.unit_of_work() as ctx:
        with pytest.raises(ValidationError) as syntax:
            list_records(ctx, "sales_order", ListQuery(expression="status = 'draft' and\n  (total > "))
        assert syntax.value.code == "query.invalid_expression"
        assert syntax.value.details[0].params["line"] == 2 and syntax.value.details[0].params["column"]
        with pytest.raises(ValidationError) as typed:
            list_records(ctx, "sales_order", ListQuery(expression="total + 1"))
        assert typed.value.details[0].code.startswith("expression.type")
        with pytest.raises(ValidationError) as unknown:
            list_records(ctx, "sales_order", ListQuery(expression="customer.nope = 1"))
        assert unknown.value.details[0].code == "expression.type.unknown_field"


def test_search_escapes_wildcards_and_ignores_case(sales: SalesData) -> None:
    def search(term: str) -> list[int]:
        return ids(sales, ListQuery(search=term, limit=500))

    def notes(text: str) -> list[int]:
        return expected(sales, lambda o: text in (o["notes"] or "").lower())
    assert search("%") == notes("%")
    assert search("_") == notes("_")
    assert search("%_") == notes("%_") and search("%_")
    assert search("100% SURE") == notes("100%")  # every word must match somewhere
    assert search("so-2025-00007") == [7]
    assert search("nothing-like-this") == []


def test_search_uses_the_entitys_search_fields(engine: Engine) -> None:
    raw = sales_app()
    order = next(e for e in raw["entities"] if e["key"] == "sales_order")
    order["search_fields"] = ["code", "customer_email"]
    data = seed(install(engine, raw))
    assert ids(data, ListQuery(search="acme", limit=500)) == expected(data, lambda o: o["customer"] == 1)
    assert ids(data, ListQuery(search="sure", limit=500)) == []  # notes are not searched any more


def test_projection_and_row_shape(sales: SalesData) -> None:
    with sales.kernel.unit_of_work() as ctx:
        page = list_records(ctx, "sales_order", ListQuery(fields=["number", "total", "customer_email"], limit=2))
        assert page.rows[0] == {"id": 41, "number": "SO-2025-00041", "total": Decimal("80.25"),
                                "customer_email": "sales@acme.test"}
        full = list_records(ctx, "sales_order", ListQuery(sort="id", limit=1, include_lines=True)).rows[0]
    assert {"_version", "_created_at", "_updated_at", "_deleted_at", "net", "over_limit"} <= set(full)
    assert full["order_date"] == date(2026, 1, 1) and full["net"] == Decimal("-9.75")
    assert [(line["_position"], line["qty"]) for line in full["lines"]] == [(0, Decimal("1.000")), (1, Decimal("2.500"))]


def test_deleted_modes(sales: SalesData) -> None:
    assert ids(sales, ListQuery(deleted="only")) == [14]
    assert len(ids(sales, ListQuery(deleted="include", limit=500))) == len(sales.orders)
    assert 14 not in ids(sales, ListQuery(limit=500))


@pytest.mark.parametrize(("query", "code", "path"), [
    ({"filters": {"field": "nope", "op": "eq", "value": 1}}, "query.unknown_field", "filter.field"),
    ({"filters": [{"field": "status", "op": "like", "value": 1}]}, "query.unknown_op", "filter[0].op"),
    ({"filters": {"field": "order_date", "op": "gt", "value": "soon"}}, "query.invalid_value", "filter.value"),
    ({"filters": {"field": "status", "op": "eq", "value": "shipped"}}, "query.invalid_value", "filter.value"),
    ({"filters": {"field": "total", "op": "in", "value": "1"}}, "query.value_needs_list", "filter.value"),
    ({"filters": {"field": "total", "op": "between", "value": [1]}}, "query.value_needs_pair", "filter.value"),
    ({"filters": {"field": "total", "op": "gt", "value": None}}, "query.value_required", "filter.value"),
    ({"filters": {"field": "over_limit", "op": "gt", "value": True}}, "query.op_not_allowed", "filter.op"),
    ({"filters": {"field": "lines", "op": "is_null"}}, "query.field_not_filterable", "filter.field"),
    ({"filters": {"and": [{"or": "x"}]}}, "query.filter_malformed", "filter.and[0].or"),
    ({"sort": "-nope"}, "query.unknown_field", "sort[0]"),
    ({"sort": "lines"}, "query.field_not_sortable", "sort[0]"),
    ({"sort": "total,-total"}, "query.duplicate_sort", "sort"),
    ({"fields": ["number", "nope"]}, "query.unknown_field", "fields[1]"),
    ({"limit": 501}, "query.invalid_limit", "limit"),
    ({"limit": 0}, "query.invalid_limit", "limit"),
    ({"deleted": "all"}, "query.invalid_deleted", "deleted"),
])
def test_bad_input_is_a_validation_error_naming_the_place(sales: SalesData, query: dict[str, Any], code: str,
                                                          path: str) -> None:
    with pytest.raises(ValidationError) as error, sales.kernel.unit_of_work() as ctx:
        list_records(ctx, "sales_order", ListQuery(**query))
    assert error.value.code == code
    assert error.value.details[0].path == path
    assert error.value.details[0].message


def test_parse_list_params() -> None:
    query = parse_list_params({
        "filter": '[{"field": "status", "op": "eq", "value": "draft"}]', "q": " bike ", "sort": "-order_date,number",
        "limit": "20", "cursor": "abc", "fields": "number, total", "where": "total > 5", "deleted": "include",
    })
    assert query.search == "bike" and query.limit == 20 and query.cursor == "abc"
    assert [str(k) for k in query.sort_keys or ()] == ["-order_date", "number"]
    assert query.fields == ("number", "total") and query.expression == "total > 5" and query.deleted == "include"
    assert query.filter_node == Group("and", (Condition("status", "eq", "draft", path="filter[0]"),))
    assert parse_list_params({}).sort_keys is None
    with pytest.raises(ValidationError) as bad_json:
        parse_list_params({"filter": "[{"})
    assert bad_json.value.code == "query.filter_not_json"
    with pytest.raises(ValidationError):
        parse_list_params({"limit": "ten"})


def test_access_rows_and_readable_fields(sales: SalesData) -> None:
    policy = Policy({"sales_order": {"total", "notes"}, "customer": {"tier"}}, rows=lambda t: t.c.status == "draft")
    with sales.kernel.unit_of_work(access=policy) as ctx:
        rows = list_records(ctx, "sales_order", ListQuery(limit=500)).rows
        assert rows and all(r["status"] == "draft" for r in rows)
        assert "total" not in rows[0] and "notes" not in rows[0] and "net" in rows[0]
        assert count_records(ctx, "sales_order", ListQuery()).value == len(rows)
        assert list_records(ctx, "sales_order", ListQuery(fields=["number", "total"])).rows[0].keys() == {"id", "number"}
        # searching skips unreadable fields instead of revealing them
        assert list_records(ctx, "sales_order", ListQuery(search="sure")).rows == []
        for query in (ListQuery(filters={"field": "total", "op": "gt", "value": 1}), ListQuery(sort="total"),
                      ListQuery(expression="total > 1"), ListQuery(expression="customer.tier = 'gold'")):
            with pytest.raises(PermissionDeniedError) as denied:
                list_records(ctx, "sales_order", query)
            assert denied.value.code == "query.field_not_readable"


def test_count_is_capped(sales: SalesData) -> None:
    with sales.kernel.unit_of_work() as ctx:
        total = len(live(sales))
        exact = count_records(ctx, "sales_order", ListQuery())
        assert (exact.value, exact.exact) == (total, True)
        assert count_records(ctx, "sales_order", ListQuery(), cap=total) == count_records(ctx, "sales_order", ListQuery())
        capped = count_records(ctx, "sales_order", ListQuery(), cap=10)
        assert (capped.value, capped.exact) == (10, False)
        drafts = count_records(ctx, "sales_order", ListQuery(filters={"field": "status", "op": "eq", "value": "draft"}))
        assert drafts.value == len([o for o in live(sales) if o["status"] == "draft"])


def test_rows_have_the_shape_of_records_get(sales: SalesData) -> None:
    with sales.kernel.unit_of_work(user_id=None) as ctx:
        created = records.create(ctx, "sales_order", {
            "customer": sales.customers["Acme"], "order_date": "2026-02-01", "code": "zz",
            "lines": [{"product": 1, "qty": "2", "price": "3.50"}]})
        got = records.get(ctx, "sales_order", created["id"])
        only = ListQuery(filters={"field": "id", "op": "eq", "value": created["id"]})
        row = list_records(ctx, "sales_order", only).rows[0]
        with_lines = list_records(ctx, "sales_order", replace(only, include_lines=True)).rows[0]
    assert row == {k: v for k, v in got.items() if k != "lines"}
    assert with_lines == got
    assert row["total"] == Decimal("7.00") and row["net"] == Decimal("-3.00")
