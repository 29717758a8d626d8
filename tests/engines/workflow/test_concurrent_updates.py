"""Twenty reservations of one unit each race for an item with five on hand: exactly five succeed, the others fail
saying what is missing, and nothing is lost (row locks on PostgreSQL, one writer at a time on SQLite)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.errors import ActionFailedError
from jimu.platform.kernel import Kernel

RACERS = 20


def _reserve(kernel: Kernel, reservation: int) -> str:
    try:
        with kernel.unit_of_work() as ctx:
            transitions.run(ctx, "reservation", reservation, "reserve")
        return "ok"
    except ActionFailedError as failure:
        return failure.details[0].code


def test_twenty_racers_for_five_units(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Widget", "on_hand": "5"})["id"])
        ids = [int(records.create(ctx, "reservation", {"item": item, "qty": "1"})["id"]) for _ in range(RACERS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda r: _reserve(trade, r), ids))
    assert outcomes.count("ok") == 5
    assert sorted(set(outcomes) - {"ok"}) == ["workflow.not_enough"]
    with trade.unit_of_work() as ctx:
        assert records.get(ctx, "item", item)["on_hand"] == Decimal("0")
        states = [records.get(ctx, "reservation", r)["state"] for r in ids]
    assert states.count("reserved") == 5 and states.count("open") == RACERS - 5
