"""Story: a sales order with lines — numbers, totals and the customer's rollup follow every write."""
from __future__ import annotations

from decimal import Decimal

import pytest

from jimu.engines.forms import records
from jimu.platform.errors import ConflictError

from .records_support import Shop


def _order(shop: Shop) -> tuple[dict, dict]:
    customer = shop.customer("ACME", email="Buyer@Acme.test")
    bike, helmet, bell = shop.product("BIKE-1", "100.00"), shop.product("HELM-1", "25.50"), shop.product("BELL-1", "3.20")
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {
        "customer": customer["id"], "discount": "10",
        "lines": [{"product": bike["id"], "qty": 2, "price": "100.00"},
                  {"product": helmet["id"], "qty": "1", "price": "25.50"},
                  {"product": bell["id"], "qty": 3, "price": "3.20"}],
    }))
    return customer, order


def test_an_order_with_three_lines_gets_its_number_and_totals(shop: Shop) -> None:
    customer, order = _order(shop)
    assert order["number"] == "SO-2026-00001"
    assert [line["amount"] for line in order["lines"]] == [Decimal("200.00"), Decimal("25.50"), Decimal("9.60")]
    assert [line["_position"] for line in order["lines"]] == [0, 1, 2]
    assert order["subtotal"] == Decimal("235.10")
    assert order["total"] == Decimal("211.59")
    assert order["status"] == "draft" and order["order_date"] == shop.clock[0].date()
    assert order["customer_email"] == "buyer@acme.test"
    assert order["over_limit"] is False
    assert order["_version"] == 1
    again = shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))
    assert again["order_total"] == Decimal("211.59") and again["order_count"] == 1
    second = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    assert second["number"] == "SO-2026-00002"


def test_changing_a_line_quantity_moves_the_totals_and_the_customer_rollup(shop: Shop) -> None:
    customer, order = _order(shop)
    lines = [dict(line) for line in order["lines"]]
    lines[0]["qty"] = 1  # 200 -> 100
    updated = shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"lines": lines},
                                                  expected_version=order["_version"]))
    assert updated["_version"] == 2
    assert updated["subtotal"] == Decimal("135.10")
    assert updated["total"] == Decimal("121.59")
    assert [line["id"] for line in updated["lines"]] == [line["id"] for line in order["lines"]]
    assert shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))["order_total"] == Decimal("121.59")

    # dropping the helmet and adding a second bell line, in a new order of lines
    bell = order["lines"][2]
    changed = shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"lines": [
        bell, {"product": bell["product"], "qty": 1, "price": "3.20"}, updated["lines"][0]]}))
    assert [line["amount"] for line in changed["lines"]] == [Decimal("9.60"), Decimal("3.20"), Decimal("100.00")]
    assert changed["lines"][0]["id"] == bell["id"] and changed["lines"][2]["id"] == order["lines"][0]["id"]
    assert changed["subtotal"] == Decimal("112.80")
    assert shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))["order_total"] == Decimal("101.52")


def test_moving_an_order_to_another_customer_moves_the_rollup(shop: Shop) -> None:
    acme, order = _order(shop)
    other = shop.customer("Globex")
    shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"customer": other["id"]}))
    totals = shop.run(lambda ctx: (records.get(ctx, "customer", acme["id"])["order_total"],
                                   records.get(ctx, "customer", other["id"])["order_total"]))
    assert totals == (Decimal("0"), Decimal("211.59"))


def test_deleting_the_order_takes_it_out_of_the_customer_rollup_and_restore_brings_it_back(shop: Shop) -> None:
    customer, order = _order(shop)
    shop.run(lambda ctx: records.delete(ctx, "sales_order", order["id"], expected_version=1))
    rolled = shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))
    assert (rolled["order_total"], rolled["order_count"]) == (Decimal("0"), 0)
    with pytest.raises(Exception) as gone:
        shop.run(lambda ctx: records.get(ctx, "sales_order", order["id"]))
    assert gone.value.code == "records.not_found"  # type: ignore[attr-defined]
    deleted = shop.run(lambda ctx: records.get(ctx, "sales_order", order["id"], include_deleted=True))
    assert deleted["_deleted_at"] == shop.clock[0] and deleted["_version"] == 2

    restored = shop.run(lambda ctx: records.restore(ctx, "sales_order", order["id"]))
    assert restored["_deleted_at"] is None and restored["_version"] == 3 and len(restored["lines"]) == 3
    assert shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))["order_total"] == Decimal("211.59")


def test_a_stale_version_is_refused_naming_the_current_one(shop: Shop) -> None:
    _, order = _order(shop)
    shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"discount": 5}, expected_version=1))
    with pytest.raises(ConflictError) as stale:
        shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"discount": 7}, expected_version=1))
    assert stale.value.details[0].params == {"current_version": 2}
    assert "2" in stale.value.message
    with pytest.raises(ConflictError):
        shop.run(lambda ctx: records.delete(ctx, "sales_order", order["id"], expected_version=1))
    assert shop.run(lambda ctx: records.get(ctx, "sales_order", order["id"]))["discount"] == Decimal("5.00")
