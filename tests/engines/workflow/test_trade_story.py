"""A business story through the action types: an order is confirmed (a delivery is created from its open
quantities, keeping back-links), the delivery ships (stock taken from FIFO layers through updates with a
minimum of 0, the cost posted to a balanced journal entry), and cancelling it reverses all of that."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.errors import ActionFailedError
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel


def stock(ctx: Context, name: str, layers: list[tuple[str, str, str]]) -> int:
    """An item with its FIFO layers: (received on, quantity, unit cost)."""
    total = sum(Decimal(q) for _, q, _ in layers)
    item = int(records.create(ctx, "item", {"name": name, "on_hand": total})["id"])
    for received, qty, cost in layers:
        records.create(ctx, "layer", {"item": item, "received_on": date.fromisoformat(received), "remaining": qty,
                                      "unit_cost": cost, "label": f"{name} {received}"})
    return item


def order(ctx: Context, number: str, lines: list[tuple[int, str, str]]) -> int:
    rows = [{"item": item, "qty": qty, "price": price} for item, qty, price in lines]
    return int(records.create(ctx, "order", {"number": number, "lines": rows})["id"])


def layers_left(ctx: Context, item: int) -> list[Decimal]:
    rows = [records.get(ctx, "layer", i) for i in _ids(ctx, "layer")]
    return [r["remaining"] for r in sorted(rows, key=lambda r: r["received_on"]) if r["item"] == item]


def _ids(ctx: Context, entity: str) -> list[int]:
    table = ctx.tables[entity]
    return [int(i) for i in ctx.conn.execute(table.select().with_only_columns(table.c.id).order_by(table.c.id))
            .scalars()]


def journal(ctx: Context) -> list[tuple[str, Decimal, Decimal, Any]]:
    rows = [records.get(ctx, "journal", i) for i in _ids(ctx, "journal")]
    return [(r["account"], r["debit"], r["credit"], r["memo"]) for r in rows]


def test_order_to_delivery_to_journal_and_back(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        bolts = stock(ctx, "Bolt", [("2026-01-05", "4", "1.00"), ("2026-02-01", "10", "1.50")])
        nuts = stock(ctx, "Nut", [("2026-01-10", "3", "0.20")])
        so = order(ctx, "SO-1", [(bolts, "6", "3.00"), (nuts, "2", "0.50")])

    # Confirming SO-1 creates its delivery from the open quantities, back-linked line by line.
    with trade.unit_of_work() as ctx:
        confirmed = transitions.run(ctx, "order", so, "confirm")
        delivery_id = _ids(ctx, "delivery")[0]
        delivery = records.get(ctx, "delivery", delivery_id)
        so_now = records.get(ctx, "order", so)
    assert delivery["number"] == "SO-1-D" and delivery["order"] == so
    assert [(line["item"], line["qty"]) for line in delivery["lines"]] == [(bolts, Decimal("6")), (nuts, Decimal("2"))]
    assert [line["order_line"] for line in delivery["lines"]] == [line["id"] for line in so_now["lines"]]
    assert [line["delivered"] for line in so_now["lines"]] == [Decimal("6"), Decimal("2")]
    assert so_now["delivered_pct"] == Decimal("100.0")
    assert {"kind": "record.linked", "source_entity": "order", "source_id": so, "entity": "delivery",
            "id": delivery_id} in confirmed["effects"]

    # Shipping takes 6 bolts from the oldest layers first (4 at 1.00, 2 at 1.50) and 2 nuts, and posts the cost.
    with trade.unit_of_work() as ctx:
        shipped = transitions.run(ctx, "delivery", delivery_id, "ship")
        assert layers_left(ctx, bolts) == [Decimal("0"), Decimal("8")]
        assert layers_left(ctx, nuts) == [Decimal("1")]
        assert records.get(ctx, "item", bolts)["on_hand"] == Decimal("8")
        assert shipped["record"]["value"] == Decimal("7.40")  # 4×1.00 + 2×1.50 + 2×0.20
        assert journal(ctx) == [("cogs", Decimal("7.40"), Decimal("0"), None),
                                ("stock", Decimal("0"), Decimal("7.40"), None)]
    adjusted = [e for e in shipped["effects"] if e["kind"] == "quantity.adjusted" and e["entity"] == "item"]
    assert [(e["id"], e["before"], e["after"]) for e in adjusted] == [
        (bolts, Decimal("14"), Decimal("8")), (nuts, Decimal("3"), Decimal("1"))]
    posted = next(e for e in shipped["effects"] if e["kind"] == "ledger.posted")
    assert (posted["debit"], posted["credit"], len(posted["rows"])) == (Decimal("7.40"), Decimal("7.40"), 2)

    # Cancelling the delivery mirrors the journal rows (never deleting) and gives the stock and quantities back.
    with trade.unit_of_work() as ctx:
        transitions.run(ctx, "delivery", delivery_id, "cancel")
        assert journal(ctx)[2:] == [("cogs", Decimal("0"), Decimal("7.40"), "reversal"),
                                    ("stock", Decimal("7.40"), Decimal("0"), "reversal")]
        assert records.get(ctx, "item", bolts)["on_hand"] == Decimal("14")
        assert [line["delivered"] for line in records.get(ctx, "order", so)["lines"]] == [Decimal("0")] * 2


def test_shipping_more_than_in_stock_fails_naming_the_item_and_leaves_no_trace(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        bolts = stock(ctx, "Bolt", [("2026-01-05", "4", "1.00")])
        records.update(ctx, "item", bolts, {"on_hand": "4"})
        so = order(ctx, "SO-2", [(bolts, "5", "3.00")])
        transitions.run(ctx, "order", so, "confirm")
        delivery_id = _ids(ctx, "delivery")[0]
    with trade.unit_of_work() as ctx, pytest.raises(ActionFailedError) as failed:
        transitions.run(ctx, "delivery", delivery_id, "ship")
    assert "Not enough on item Bolt: on_hand would be -1.000, below 0 (1.000 missing)" in failed.value.message
    with trade.unit_of_work() as ctx:
        assert layers_left(ctx, bolts) == [Decimal("4")]
        assert journal(ctx) == []
        assert records.get(ctx, "delivery", delivery_id)["state"] == "draft"
