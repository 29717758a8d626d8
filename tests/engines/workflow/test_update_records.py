"""update: the records of a query at once, bounds (none, or another than 0), expressions over current values."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow.errors import ActionFailedError
from jimu.platform.kernel import Kernel

from .action_helpers import all_of, run_on


def _setup(kernel: Kernel) -> int:
    with kernel.unit_of_work() as ctx:
        for number, partner, amount in (("I-1", "acme", "10"), ("I-2", "acme", "0"), ("I-3", "zed", "5")):
            records.create(ctx, "invoice", {"number": number, "partner": partner, "open": amount,
                                            "due_on": date(2026, 1, 1)})
        return int(records.create(ctx, "payment", {"partner": "acme", "amount": "4"})["id"])


def test_a_query_updates_each_matching_record_from_its_own_current_values(trade: Kernel) -> None:
    payment = _setup(trade)
    action = {"type": "update", "entity": "invoice", "as": "inv", "where": "inv.partner = partner and inv.open > 0",
              "values": {"open": "inv.open - amount", "number": "inv.number & '*'"}}
    with trade.unit_of_work() as ctx:
        chain = run_on(ctx, "payment", payment, [action])
        shown = {r["number"]: r["open"] for r in all_of(ctx, "invoice")}
    assert shown == {"I-1*": Decimal("6"), "I-2": Decimal("0"), "I-3": Decimal("5")}
    assert [(e["field"], e["before"], e["after"]) for e in chain.effects.items if e["kind"] == "quantity.adjusted"] \
        == [("open", Decimal("10"), Decimal("6"))]


def test_bounds_none_or_another(trade: Kernel) -> None:
    payment = _setup(trade)
    take = {"type": "update", "entity": "invoice", "where": "row.number = 'I-3'", "values": {"open": "row.open - 7"}}
    with trade.unit_of_work() as ctx:
        run_on(ctx, "payment", payment, [{**take, "min": {"open": None}}])
        assert {r["number"]: r["open"] for r in all_of(ctx, "invoice")}["I-3"] == Decimal("-2")
    with trade.unit_of_work() as ctx, pytest.raises(ActionFailedError) as refused:
        run_on(ctx, "payment", payment, [{**take, "min": {"open": "0 - amount"}}])  # at most 4 below zero
    params = refused.value.details[0].params
    assert (params["title"], params["value"], params["minimum"], params["missing"]) == ("I-3", "-9.00", "-4.00", "5.00")
