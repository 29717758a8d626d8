"""create and find_or_create: a record from the current one, its lines copied with back-links, over-delivery
refused naming the line, each creation once however often the run is retried; a key found or created once."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.actions import create_records
from jimu.engines.workflow.errors import ActionFailedError
from jimu.engines.workflow.tables import created_links
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel

from .action_helpers import ids, run_on

DELIVER = {"type": "create", "entity": "delivery", "into": "made", "values": {"order": "id"},
           "lines": [{"from": "lines", "to": "lines", "where": "line.qty > line.delivered",
                      "values": {"item": "line.item", "qty": "line.qty - line.delivered + params.extra",
                                 "order_line": "line.id"},
                      "back": {"field": "order_line", "add": {"delivered": "qty"}},
                      "over": {"ordered": "qty", "delivered": "delivered", "allowance": "10"}}]}


def _order(ctx: Context, *qty: str) -> int:
    return int(records.create(ctx, "order", {"number": "SO-9", "lines": [{"qty": q, "price": "1"} for q in qty]})["id"])


def _deliver(ctx: Context, order: int, extra: str = "0", run_key: str = "run-1") -> Any:
    action = {**DELIVER, "lines": [{**DELIVER["lines"][0], "values": {
        **DELIVER["lines"][0]["values"], "qty": f"line.qty - line.delivered + {extra}"}}]}
    return run_on(ctx, "order", order, [action], run_key=run_key, var_types={"made": ExprType.INTEGER})


def test_a_retried_run_creates_the_record_once(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        order = _order(ctx, "4", "2")
        first = _deliver(ctx, order).ctx.extras["test.frame"].vars["made"]
        again = _deliver(ctx, order).ctx.extras["test.frame"].vars["made"]
        assert first == again and ids(ctx, "delivery") == [first]
        links = ctx.conn.execute(created_links.select()).all()
        assert [(link.source_entity, link.source_id, link.target_entity, link.target_id) for link in links] == [
            ("order", order, "delivery", first)]
        assert [line["delivered"] for line in records.get(ctx, "order", order)["lines"]] == [Decimal("4"),
                                                                                           Decimal("2")]
        # another run (another key) delivers only what is still open: nothing, so an empty delivery
        other = _deliver(ctx, order, run_key="run-2").ctx.extras["test.frame"].vars["made"]
        assert other != first and records.get(ctx, "delivery", other)["lines"] == []


def test_over_delivery_beyond_the_allowance_is_refused_naming_the_line(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        order = _order(ctx, "10", "10")
        _deliver(ctx, order, extra="1")  # 11 of 10: within 10 %
        assert [line["delivered"] for line in records.get(ctx, "order", order)["lines"]] == [Decimal("11")] * 2
    with trade.unit_of_work() as ctx:
        order = _order(ctx, "10", "20")
        with pytest.raises(ActionFailedError) as refused:
            _deliver(ctx, order, extra="1.5")
    assert refused.value.details[0].code == "workflow.over_allowance"
    assert "Line 1 (#" in refused.value.message and "11.500 would exceed the 10.000 ordered plus 10%" \
        in refused.value.message


def test_confirming_twice_with_the_same_idempotency_key_makes_one_delivery(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        order = _order(ctx, "3")
    for _ in range(2):
        with trade.unit_of_work() as ctx:
            transitions.run(ctx, "order", order, "confirm", idempotency_key="click-1")
    with trade.unit_of_work() as ctx:
        assert len(ids(ctx, "delivery")) == 1


FIND = {"type": "find_or_create", "entity": "balance", "into": "bal",
        "match": {"item": "item", "warehouse": "'main'"}, "values": {"on_hand": "0"}}


def test_find_or_create_finds_the_record_by_its_key(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Bolt"})["id"])
        res = int(records.create(ctx, "reservation", {"item": item, "qty": "2"})["id"])
        made = [run_on(ctx, "reservation", res, [FIND], var_types={"bal": ExprType.INTEGER})
                .ctx.extras["test.frame"].vars["bal"] for _ in range(2)]
        assert made[0] == made[1] and ids(ctx, "balance") == [made[0]]
        assert records.get(ctx, "balance", made[0])["warehouse"] == "main"


def test_find_or_create_reads_the_record_a_concurrent_chain_created_first(trade: Kernel,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with trade.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Bolt"})["id"])
        winner = int(records.create(ctx, "balance", {"item": item, "warehouse": "main", "on_hand": "7"})["id"])
        res = int(records.create(ctx, "reservation", {"item": item, "qty": "2"})["id"])
    real = create_records._find
    calls: list[int | None] = []

    def late(*args: Any) -> int | None:  # the first look misses the record, as when it is not yet committed
        found = real(*args) if calls else None
        calls.append(found)
        return found

    monkeypatch.setattr(create_records, "_find", late)
    with trade.unit_of_work() as ctx:
        frame = run_on(ctx, "reservation", res, [FIND], var_types={"bal": ExprType.INTEGER}).ctx.extras["test.frame"]
        assert frame.vars["bal"] == winner and ids(ctx, "balance") == [winner]
    assert calls == [None, winner]


def test_delivered_quantities_roll_up_through_a_link_to_the_order_line(kernel: Kernel) -> None:
    """The delivery line links its order line; the order line's `delivered` is a rollup over them: no `back`
    needed, a cancelled (deleted) delivery leaves the rollup at once, and the allowance still holds."""
    from .trade_app import trade_app

    app = trade_app()
    entities = {e["key"]: e for e in app["entities"]}
    order_line = entities["order_line"]["fields"]
    order_line[[f["name"] for f in order_line].index("delivered")] = {
        "name": "delivered", "type": "rollup", "relation": "delivery_line.order_line", "function": "sum",
        "field": "qty", "scale": 3}
    delivery_line = entities["delivery_line"]["fields"]
    delivery_line[[f["name"] for f in delivery_line].index("order_line")] = {
        "name": "order_line", "type": "link", "entity": "order_line"}
    app["processes"] = [p for p in app["processes"] if p["key"] not in ("order_flow", "delivery_flow")]
    kernel.apply_app(app)
    line_map = {k: v for k, v in DELIVER["lines"][0].items() if k != "back"}
    action = {**DELIVER, "lines": [{**line_map, "values": {**line_map["values"], "qty": "line.qty - line.delivered"}}]}
    with kernel.unit_of_work() as ctx:
        order = _order(ctx, "4", "6")
        run_on(ctx, "order", order, [action], run_key="r1", var_types={"made": ExprType.INTEGER})
        shipped = records.get(ctx, "order", order)
        assert [line["delivered"] for line in shipped["lines"]] == [Decimal("4"), Decimal("6")]
        assert shipped["delivered_pct"] == Decimal("100.0")
        delivery = ids(ctx, "delivery")[0]
        records.delete(ctx, "delivery", delivery)
        assert [line["delivered"] for line in records.get(ctx, "order", order)["lines"]] == [Decimal(0)] * 2
