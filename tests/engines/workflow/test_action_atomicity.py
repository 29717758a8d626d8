"""All or nothing: a transition whose third action fails leaves no trace of the first two; a dry run leaves no
trace at all and reports the same effects the real run then has."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.errors import ActionFailedError
from jimu.engines.workflow.tables import created_links
from jimu.platform.kernel import Kernel

from .action_helpers import all_of, ids
from .trade_app import PROCESSES, trade_app


def _apply(kernel: Kernel, actions: list[dict[str, Any]]) -> None:
    processes = copy.deepcopy(PROCESSES)
    processes[3]["transitions"][0]["actions"] = actions  # reservation: reserve
    kernel.apply_app(trade_app(processes=processes))


THREE = [
    {"type": "post_ledger", "entity": "journal", "balance": {"debit": "debit", "credit": "credit"},
     "rows": [{"values": {"account": "'a'", "debit": "qty", "credit": "0"}},
              {"values": {"account": "'b'", "debit": "0", "credit": "qty"}}]},
    {"type": "create", "entity": "requirement", "values": {"qty": "qty"}},
    {"type": "update", "key": "take", "entity": "item", "id": "item", "values": {"on_hand": "row.on_hand - this.qty"}},
]


def test_the_third_action_failing_leaves_no_trace_of_the_first_two(kernel: Kernel) -> None:
    _apply(kernel, THREE)
    with kernel.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Gear", "on_hand": "1"})["id"])
        res = int(records.create(ctx, "reservation", {"item": item, "qty": "3"})["id"])
    with kernel.unit_of_work() as ctx, pytest.raises(ActionFailedError) as failed:
        transitions.run(ctx, "reservation", res, "reserve")
    assert failed.value.params["action"] == "take" and failed.value.params["path"] == "actions/2"
    assert failed.value.details[0].params["missing"] == "2.000"
    with kernel.unit_of_work() as ctx:
        assert ids(ctx, "journal") == [] and ids(ctx, "requirement") == []
        assert ctx.conn.execute(created_links.select()).all() == []
        assert records.get(ctx, "reservation", res)["state"] == "open"
        assert records.get(ctx, "item", item)["on_hand"] == 1


def _without_ids(effects: list[dict[str, Any]]) -> list[Any]:
    """Effects with record ids blanked (PostgreSQL does not give back the ids a dry run used)."""
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (None if k == "id" else clean(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return [clean(e) for e in effects]


def test_a_dry_run_leaves_no_trace_and_reports_what_the_real_run_does(kernel: Kernel) -> None:
    _apply(kernel, THREE)
    with kernel.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Gear", "on_hand": "5"})["id"])
        res = int(records.create(ctx, "reservation", {"item": item, "qty": "3"})["id"])
    with kernel.unit_of_work() as ctx:
        dry = transitions.run(ctx, "reservation", res, "reserve", dry_run=True)
        assert ids(ctx, "journal") == [] and ids(ctx, "requirement") == []
        assert records.get(ctx, "item", item)["on_hand"] == 5 and records.history(ctx, "item", item)[-1]["action"] \
            == "create"
    with kernel.unit_of_work() as ctx:
        real = transitions.run(ctx, "reservation", res, "reserve")
        assert len(all_of(ctx, "journal")) == 2 and records.get(ctx, "item", item)["on_hand"] == 2
    kinds = [e["kind"] for e in real["effects"]]
    assert kinds == ["record.updated", "record.created", "record.created", "ledger.posted", "record.created",
                     "record.linked", "record.updated", "quantity.adjusted"]
    assert _without_ids(dry["effects"]) == _without_ids(real["effects"])
