"""Derived statuses ("to deliver", "partly delivered", "delivered", "overdue") are formulas over the record
and its rollups: kept current in the same transaction as the write that moves them, never hand-edited."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from jimu.engines.forms import records
from jimu.platform.errors import ValidationError
from jimu.platform.kernel import Kernel

STATUS = ('IF(delivered_qty = 0, "to deliver", IF(delivered_qty < ordered_qty, "partly delivered", "delivered"))')
APP: dict[str, Any] = {"key": "orders", "version": "1.0.0", "entities": [
    {"key": "order", "title_field": "ref", "fields": [
        {"name": "ref", "type": "text"},
        {"name": "due", "type": "date"},
        {"name": "lines", "type": "child_table", "entity": "order_line"},
        {"name": "ordered_qty", "type": "rollup", "relation": "lines", "function": "sum", "field": "qty"},
        {"name": "delivered_qty", "type": "rollup", "relation": "lines", "function": "sum", "field": "delivered"},
        {"name": "delivery_status", "type": "formula", "expression": STATUS, "result_type": "text", "stored": True},
        {"name": "overdue", "type": "formula", "expression": 'due < TODAY() AND delivery_status != "delivered"'},
    ]},
    {"key": "order_line", "child": True, "title_field": "item", "fields": [
        {"name": "item", "type": "text"},
        {"name": "qty", "type": "decimal", "scale": 2},
        {"name": "delivered", "type": "rollup", "relation": "shipment.order_line", "function": "sum", "field": "qty"},
    ]},
    {"key": "shipment", "fields": [
        {"name": "order_line", "type": "link", "entity": "order_line"},
        {"name": "qty", "type": "decimal", "scale": 2},
    ]},
]}


@pytest.fixture
def orders(kernel: Kernel) -> Kernel:
    kernel.apply_app(APP)
    return kernel


def test_statuses_follow_deliveries_in_the_same_transaction(orders: Kernel) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    with orders.unit_of_work() as ctx:
        order = records.create(ctx, "order", {"ref": "SO-1", "due": yesterday,
                                              "lines": [{"item": "bolt", "qty": "10"}, {"item": "nut", "qty": "5"}]})
        assert (order["delivery_status"], order["overdue"]) == ("to deliver", True)
        bolt = order["lines"][0]["id"]
        records.create(ctx, "shipment", {"order_line": bolt, "qty": "10"})
        assert records.get(ctx, "order", order["id"])["delivery_status"] == "partly delivered"
        records.create(ctx, "shipment", {"order_line": order["lines"][1]["id"], "qty": "5"})
        done = records.get(ctx, "order", order["id"])
    assert (done["delivery_status"], done["overdue"], str(done["delivered_qty"])) == ("delivered", False, "15.00")


def test_a_derived_status_cannot_be_hand_edited(orders: Kernel) -> None:
    with orders.unit_of_work() as ctx:
        order = records.create(ctx, "order", {"ref": "SO-2"})
        with pytest.raises(ValidationError):
            records.update(ctx, "order", order["id"], {"delivery_status": "delivered"})


def test_a_delivered_line_cannot_be_removed_and_links_to_lines_are_checked(orders: Kernel) -> None:
    with orders.unit_of_work() as ctx:
        order = records.create(ctx, "order", {"ref": "SO-3", "lines": [{"item": "bolt", "qty": "1"},
                                                                      {"item": "nut", "qty": "1"}]})
        bolt, nut = (line["id"] for line in order["lines"])
        shipment = records.create(ctx, "shipment", {"order_line": bolt, "qty": "1"})
    with orders.unit_of_work() as ctx, pytest.raises(ValidationError) as refused:
        records.update(ctx, "order", order["id"], {"lines": [{"id": nut}]})
    assert refused.value.code == "records.line_referenced"
    assert refused.value.params == {"line": bolt, "entity": "shipment", "id": shipment["id"]}
    with orders.unit_of_work() as ctx:
        assert [line["id"] for line in records.update(ctx, "order", order["id"], {"lines": [{"id": bolt}]})["lines"]] \
            == [bolt]
        with pytest.raises(ValidationError) as missing:
            records.create(ctx, "shipment", {"order_line": 10**9, "qty": "1"})
    assert [d.path for d in missing.value.details] == ["order_line"]
