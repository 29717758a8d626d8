"""Story: a clerk types an order; the preview shows what a save would compute and refuse, and keeps nothing."""
from __future__ import annotations

from decimal import Decimal

from jimu.engines.forms import records
from jimu.engines.forms.preview import preview
from jimu.platform.errors import ValidationError

from .records_support import Shop


def _codes(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {d.path: d.code for d in result.errors}


def test_a_new_order_previews_its_totals_without_being_saved(shop: Shop) -> None:
    customer = shop.customer("ACME", credit_limit="1000")
    bike = shop.product("BIKE-1", "100.00")
    orders, lines = shop.count("t_sales_order"), shop.count("t_sales_order_line")
    result = shop.run(lambda ctx: preview(ctx, "sales_order", {
        "customer": customer["id"], "discount": "10",
        "lines": [{"product": bike["id"], "qty": "2", "price": "100.00"}, {"product": bike["id"], "qty": 1, "price": "5"}]}))
    assert [line["amount"] for line in result.record["lines"]] == [Decimal("200.00"), Decimal("5.00")]
    assert result.record["subtotal"] == Decimal("205.00") and result.record["total"] == Decimal("184.50")
    assert result.record["customer_email"] is None and result.record["over_limit"] is False
    assert result.record["id"] is None and result.record["number"] is None  # no number is taken
    assert all(line["id"] is None for line in result.record["lines"])
    assert result.errors == []
    assert (shop.count("t_sales_order"), shop.count("t_sales_order_line")) == (orders, lines)
    assert shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))["order_total"] in (None, Decimal("0"))
    saved = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    assert saved["number"] == "SO-2026-00001"


def test_bad_values_are_reported_and_the_rest_still_computes(shop: Shop) -> None:
    bike = shop.product("BIKE-1", "100.00")
    result = shop.run(lambda ctx: preview(ctx, "sales_order", {
        "discount": "ten", "lines": [{"product": bike["id"], "qty": "3", "price": "2.50"}, {"qty": "x"}]}))
    codes = _codes(result)
    assert codes["customer"] == "value.required"
    assert "discount" in codes and "lines/1/qty" in codes and codes["lines/1/product"] == "value.required"
    assert result.record["lines"][0]["amount"] == Decimal("7.50")
    assert result.record["subtotal"] == Decimal("7.50")


def test_the_preview_reports_exactly_what_a_save_refuses(shop: Shop) -> None:
    customer = shop.customer("ACME", credit_limit="50")
    bike = shop.product("BIKE-1", "100.00")
    draft = {"customer": customer["id"], "status": "cancelled", "lines": [{"product": bike["id"], "qty": 1, "price": "100"}]}
    result = shop.run(lambda ctx: preview(ctx, "sales_order", draft))
    try:
        shop.run(lambda ctx: records.create(ctx, "sales_order", draft))
    except ValidationError as error:
        refused = {(d.path, d.code, d.message) for d in error.details}
    else:
        raise AssertionError("the save was not refused")
    assert {(d.path, d.code, d.message) for d in result.errors} == refused
    assert ("cancel_reason", "value.required") in {(p, c) for p, c, _ in refused}
    assert result.fields["cancel_reason"]["required"] is True
    assert result.fields["notes"]["visible"] is True
    assert result.record["over_limit"] is True


def test_field_states_follow_the_conditions(shop: Shop) -> None:
    customer = shop.customer("ACME", credit_limit="1000")
    result = shop.run(lambda ctx: preview(ctx, "sales_order", {"customer": customer["id"], "status": "draft"}))
    assert result.fields["notes"] == {"visible": False, "required": False, "read_only": False}
    assert result.fields["cancel_reason"]["required"] is False
    assert result.fields["total"]["read_only"] is True and result.fields["customer"]["required"] is True
    assert result.lines["lines"] == []


def test_a_change_previews_over_the_stored_record(shop: Shop) -> None:
    customer = shop.customer("ACME", credit_limit="1000")
    bike = shop.product("BIKE-1", "100.00")
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {
        "customer": customer["id"], "lines": [{"product": bike["id"], "qty": 2, "price": "100.00"}]}))
    lines = [dict(order["lines"][0], qty=3), {"product": bike["id"], "qty": 1, "price": "1"}]
    result = shop.run(lambda ctx: preview(ctx, "sales_order", {"lines": lines, "discount": "50"}, order["id"]))
    assert result.record["id"] == order["id"] and result.record["number"] == order["number"]
    assert result.record["total"] == Decimal("150.50")
    assert [line["id"] for line in result.record["lines"]] == [order["lines"][0]["id"], None]
    stored = shop.run(lambda ctx: records.get(ctx, "sales_order", order["id"]))
    assert stored["total"] == Decimal("200.00") and stored["_version"] == order["_version"]
    assert shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))["order_total"] == Decimal("200.00")
