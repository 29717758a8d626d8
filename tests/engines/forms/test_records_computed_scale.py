"""Story: a computed decimal carries the scale of what it computes, read back the same by get and list."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from jimu.engines.forms import listing, records
from jimu.engines.forms.query import ListQuery

from .records_support import install, sales_app


def test_virtual_money_formulas_and_rollups_keep_their_scale(engine: sa.engine.Engine) -> None:
    raw = sales_app()
    entities = {e["key"]: e for e in raw["entities"]}
    entities["product"]["fields"].append(
        {"name": "third", "type": "formula", "expression": "price / 3", "result_type": "money"})
    entities["sales_order"]["fields"].append(
        {"name": "qty_total", "type": "rollup", "relation": "lines", "function": "sum", "field": "qty"})
    shop = install(engine, raw)
    customer = shop.customer()
    bike = shop.product(price="10.00")
    assert bike["third"] == Decimal("3.33")
    listed = shop.run(lambda ctx: listing.list_records(ctx, "product", ListQuery()))
    assert listed.rows[0]["third"] == Decimal("3.33")
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"], "lines": [
        {"product": bike["id"], "qty": "1.125", "price": "1.00"},
        {"product": bike["id"], "qty": "2.001", "price": "1.00"}]}))
    assert order["qty_total"] == Decimal("3.126")
