"""Changes pushed into records by recomputation bump their version and appear in their history,
caused by the record written; records the write itself covers get no second entry."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel

APP: dict[str, Any] = {
    "key": "shop", "version": "1.0.0",
    "entities": [
        {"key": "customer", "title_field": "name", "fields": [
            {"name": "name", "type": "text"},
            {"name": "order_count", "type": "rollup", "relation": "order.customer", "function": "count"},
        ]},
        {"key": "part", "title_field": "name", "fields": [
            {"name": "name", "type": "text"}, {"name": "price", "type": "money"},
        ]},
        {"key": "order", "title_field": "title", "fields": [
            {"name": "title", "type": "text"},
            {"name": "customer", "type": "link", "entity": "customer"},
            {"name": "lines", "type": "child_table", "entity": "order_line"},
            {"name": "total", "type": "rollup", "relation": "lines", "function": "sum", "field": "amount"},
        ]},
        {"key": "order_line", "child": True, "fields": [
            {"name": "part", "type": "link", "entity": "part"},
            {"name": "qty", "type": "integer"},
            {"name": "unit_price", "type": "lookup", "link": "part", "field": "price", "stored": True},
            {"name": "amount", "type": "formula", "expression": "qty * unit_price", "result_type": "money",
             "stored": True},
        ]},
    ],
}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(APP)
    return kernel


def run(kernel: Kernel, fn: Any) -> Any:
    with kernel.unit_of_work() as ctx:
        return fn(ctx)


def test_a_new_price_bumps_the_orders_and_shows_in_their_history(kernel: Kernel) -> None:
    part = run(kernel, lambda ctx: records.create(ctx, "part", {"name": "Bolt", "price": "2.00"}))["id"]
    other = run(kernel, lambda ctx: records.create(ctx, "part", {"name": "Nut", "price": "1.00"}))["id"]
    order = run(kernel, lambda ctx: records.create(ctx, "order", {"title": "O1", "lines": [
        {"part": part, "qty": 3}, {"part": other, "qty": 1}]}))
    untouched = run(kernel, lambda ctx: records.create(ctx, "order", {"title": "O2", "lines": [
        {"part": other, "qty": 1}]}))
    line = order["lines"][0]["id"]
    run(kernel, lambda ctx: records.update(ctx, "part", part, {"price": "2.50"}))
    after = run(kernel, lambda ctx: records.get(ctx, "order", order["id"]))
    assert after["_version"] == 2 and str(after["total"]) == "8.50"
    entry = run(kernel, lambda ctx: records.history(ctx, "order", order["id"]))[0]
    cause = {"entity": "part", "record_id": part}
    assert entry["action"] == "update" and entry["version"] == 2
    assert entry["changes"] == [
        {"field": "total", "old": "7.00", "new": "8.50", "caused_by": cause},
        {"field": "lines", "row": line, "action": "changed", "caused_by": cause, "changes": [
            {"field": "unit_price", "old": "2.00", "new": "2.50"}, {"field": "amount", "old": "6.00", "new": "7.50"}]},
    ]
    assert run(kernel, lambda ctx: records.get(ctx, "order", untouched["id"]))["_version"] == 1
    run(kernel, lambda ctx: records.update(ctx, "part", part, {"name": "Big bolt"}))  # nothing computed from it
    assert run(kernel, lambda ctx: records.get(ctx, "order", order["id"]))["_version"] == 2


def test_the_written_record_gets_one_entry(kernel: Kernel) -> None:
    part = run(kernel, lambda ctx: records.create(ctx, "part", {"name": "Bolt", "price": "2.00"}))["id"]
    order = run(kernel, lambda ctx: records.create(ctx, "order", {"title": "O1", "lines": [{"part": part, "qty": 1}]}))
    lines = [{"id": order["lines"][0]["id"], "part": part, "qty": 4}]
    updated = run(kernel, lambda ctx: records.update(ctx, "order", order["id"], {"lines": lines}))
    assert updated["_version"] == 2
    assert [e["action"] for e in run(kernel, lambda ctx: records.history(ctx, "order", order["id"]))] == [
        "update", "create"]


def test_bulk_creates_bump_the_linked_record_once(kernel: Kernel) -> None:
    customer = run(kernel, lambda ctx: records.create(ctx, "customer", {"name": "Acme"}))["id"]
    result = run(kernel, lambda ctx: records.create_many(ctx, "order", [
        {"title": f"O{n}", "customer": customer} for n in range(3)]))
    ids = sorted(result.ids)
    record = run(kernel, lambda ctx: records.get(ctx, "customer", customer))
    assert record["order_count"] == 3 and record["_version"] == 2
    entry = run(kernel, lambda ctx: records.history(ctx, "customer", customer))[0]
    assert entry["changes"] == [{"field": "order_count", "old": 0, "new": 3,
                                 "caused_by": {"entity": "order", "record_ids": ids, "count": 3}}]
    run(kernel, lambda ctx: records.delete(ctx, "order", ids[0]))
    entry = run(kernel, lambda ctx: records.history(ctx, "customer", customer))[0]
    assert entry["version"] == 3 and entry["changes"] == [
        {"field": "order_count", "old": 3, "new": 2, "caused_by": {"entity": "order", "record_id": ids[0]}}]
