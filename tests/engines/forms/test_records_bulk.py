"""Story: importing many rows at once — all or nothing, or the good rows with a report of the bad ones."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.platform.errors import ValidationError

from .records_support import Shop

ROWS = [
    {"sku": "A-1", "name": "Alpha", "price": "1.50", "tags": "new, sale"},
    {"sku": "bad sku", "name": "Beta", "price": "2"},          # pattern
    {"sku": "C-1", "name": "Gamma", "price": "-1"},            # below min
    {"sku": "A-1", "name": "Alpha again", "price": "3"},       # duplicate of row 0 (unique index)
    {"sku": "E-1", "name": "Epsilon", "price": "4", "stock": "12.5"},
    {"sku": "F-1", "price": "x"},                              # name required, price not a number
]


def test_all_or_nothing_reports_every_bad_row_and_writes_nothing(shop: Shop) -> None:
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.create_many(ctx, "product", ROWS, batch_size=2))
    assert [(d.path, d.code) for d in failed.value.details] == [
        ("1/sku", "value.pattern_mismatch"), ("2/price", "value.below_min"), ("3/sku", "records.unique"),
        ("5/price", "value.not_number"), ("5/name", "value.required")]
    assert failed.value.params["count"] == 4
    assert shop.count("t_product") == 0 and shop.count("jimu_audit") == 0


def test_per_row_mode_writes_the_good_rows_and_reports_the_bad_ones(shop: Shop) -> None:
    result = shop.run(lambda ctx: records.create_many(ctx, "product", ROWS, all_or_nothing=False, batch_size=10))
    assert result.created == 2 and len(result.ids) == 2
    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (1, "sku", "value.pattern_mismatch"), (2, "price", "value.below_min"), (3, "sku", "records.unique"),
        (5, "price", "value.not_number"), (5, "name", "value.required")]
    stored = shop.run(lambda ctx: [records.get(ctx, "product", i) for i in result.ids])
    assert [(p["sku"], p["price"], p["tags"], p["stock"]) for p in stored] == [
        ("A-1", Decimal("1.50"), ["new", "sale"], Decimal("0.000")), ("E-1", Decimal("4.00"), None, Decimal("12.500"))]
    assert shop.count("jimu_audit") == 2
    trail = shop.run(lambda ctx: records.history(ctx, "product", result.ids[0]))
    assert trail[0]["action"] == "create" and trail[0]["version"] == 1
    assert trail[0]["changes"] == [  # the same JSON forms a single create records
        {"field": "sku", "old": None, "new": "A-1"}, {"field": "name", "old": None, "new": "Alpha"},
        {"field": "price", "old": None, "new": "1.50"}, {"field": "tags", "old": None, "new": ["new", "sale"]},
        {"field": "stock", "old": None, "new": "0.000"}]
    single = shop.product("Z-1", "4.00")
    assert shop.run(lambda ctx: records.history(ctx, "product", single["id"]))[0]["changes"][2] == {
        "field": "price", "old": None, "new": "4.00"}


def test_bulk_orders_get_consecutive_numbers_lines_and_rollups(shop: Shop) -> None:
    customer = shop.customer("ACME", credit_limit=1000)
    bike = shop.product("BIKE-1")
    rows = [{"customer": customer["id"], "lines": [{"product": bike["id"], "qty": n, "price": "100"}]} for n in (1, 2, 30, 3)]
    rows.append({"customer": 12345})
    result = shop.run(lambda ctx: records.create_many(ctx, "sales_order", rows, all_or_nothing=False, batch_size=3))
    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (2, "", "records.rule_failed") if False else (2, None, "records.rule_failed"), (4, "customer", "records.link_not_found")]
    orders = shop.run(lambda ctx: [records.get(ctx, "sales_order", i) for i in result.ids])
    assert [o["number"] for o in orders] == ["SO-2026-00001", "SO-2026-00002", "SO-2026-00003"]
    assert [o["total"] for o in orders] == [Decimal("100.00"), Decimal("200.00"), Decimal("300.00")]
    assert shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))["order_total"] == Decimal("600.00")
    lines = shop.scalar(sa.select(sa.func.count()).select_from(sa.table("t_sales_order_line")))
    assert lines == 3
