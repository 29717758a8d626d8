"""call and transition: an action list exploding a multi-level bill of materials through itself, stopped by
the depth limit on a cycle; a transition run by an action, its checks and actions inside the same chain."""
from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.errors import ActionFailedError, WorkflowLimitError
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel

from .action_helpers import all_of, ids, run_on
from .trade_app import PROCESSES, trade_app

EXPLODE = {"type": "call", "list": "explode", "params": {"qty": "10"}}


def _product(ctx: Context, name: str, bom: list[tuple[int, str]]) -> int:
    lines = [{"component": c, "qty": q} for c, q in bom]
    return int(records.create(ctx, "part", {"name": name, "bom": lines})["id"])


def test_a_multi_level_bill_of_materials_explodes_through_the_list_calling_itself(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        screw = _product(ctx, "screw", [])
        frame = _product(ctx, "frame", [(screw, "3")])
        bike = _product(ctx, "bike", [(frame, "2"), (screw, "1.5")])
        run_on(ctx, "part", bike, [EXPLODE])
        needed = sorted((r["product"], r["qty"]) for r in all_of(ctx, "requirement"))
    # 10 bikes: 20 frames (60 screws) and 15 screws
    assert needed == sorted([(frame, Decimal("20")), (screw, Decimal("60")), (screw, Decimal("15"))])


def test_a_cycle_in_the_bill_of_materials_stops_at_the_depth_limit(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        a = _product(ctx, "a", [])
        b = _product(ctx, "b", [(a, "1")])
        records.update(ctx, "part", a, {"bom": [{"component": b, "qty": "1"}]})
        with pytest.raises(WorkflowLimitError) as limit:
            run_on(ctx, "part", a, [EXPLODE])
    assert limit.value.code == "workflow.depth_exceeded" and "16 levels" in limit.value.message


def _with_ship_on_confirm(kernel: Kernel, **more: str) -> Kernel:
    processes = copy.deepcopy(PROCESSES)
    confirm = processes[0]["transitions"][0]
    confirm["actions"].append({"type": "transition", "entity": "delivery", "record": "vars.delivery",
                               "transition": "ship", **more})
    if more:
        ship = next(p for p in processes if p["entity"] == "delivery")["transitions"][0]
        ship["comment"] = "required"
    kernel.apply_app(trade_app(processes=processes))
    return kernel


def test_an_inner_transition_gets_the_comment_its_action_computes(kernel: Kernel) -> None:
    _with_ship_on_confirm(kernel, comment="'Shipped for ' & number")
    with kernel.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Bolt", "on_hand": "5"})["id"])
        records.create(ctx, "layer", {"item": item, "remaining": "5", "unit_cost": "2"})
        order = int(records.create(ctx, "order", {"number": "SO-C", "lines": [{"item": item, "qty": "2"}]})["id"])
        transitions.run(ctx, "order", order, "confirm")
        delivery = ids(ctx, "delivery")[0]
        [shipped] = [h for h in records.history(ctx, "delivery", delivery) if h["action"] == "transition"]
    assert shipped["changes"][0]["transition"] == "ship" and shipped["changes"][0]["comment"] == "Shipped for SO-C"


def test_an_inner_transition_that_needs_a_comment_refuses_a_blank_one(kernel: Kernel) -> None:
    _with_ship_on_confirm(kernel, comment="IF(false, 'x', '')")
    with kernel.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Bolt", "on_hand": "5"})["id"])
        records.create(ctx, "layer", {"item": item, "remaining": "5", "unit_cost": "2"})
        order = int(records.create(ctx, "order", {"number": "SO-D", "lines": [{"item": item, "qty": "2"}]})["id"])
    with kernel.unit_of_work() as ctx, pytest.raises(ActionFailedError) as failed:
        transitions.run(ctx, "order", order, "confirm")
    assert failed.value.details[0].code == "workflow.transition_failed"
    assert [(d.path, d.code) for d in failed.value.details][1] == ("actions/1:comment", "workflow.comment_required")


def test_a_transition_run_by_an_action_runs_its_own_actions_in_the_same_chain(kernel: Kernel) -> None:
    _with_ship_on_confirm(kernel)
    with kernel.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Bolt", "on_hand": "5"})["id"])
        records.create(ctx, "layer", {"item": item, "remaining": "5", "unit_cost": "2"})
        order = int(records.create(ctx, "order", {"number": "SO-T", "lines": [{"item": item, "qty": "2"}]})["id"])
        dry = transitions.run(ctx, "order", order, "confirm", dry_run=True)
        assert ids(ctx, "delivery") == []
        result = transitions.run(ctx, "order", order, "confirm")
        delivery = records.get(ctx, "delivery", ids(ctx, "delivery")[0])
    assert delivery["state"] == "done" and delivery["value"] == Decimal("4.00")
    kinds = [e["kind"] for e in result["effects"]]
    assert "ledger.posted" in kinds and kinds.count("quantity.adjusted") == 2
    assert [e["kind"] for e in dry["effects"]] == kinds


def test_a_refused_inner_transition_fails_the_action_and_rolls_everything_back(kernel: Kernel) -> None:
    _with_ship_on_confirm(kernel)
    with kernel.unit_of_work() as ctx:
        item = int(records.create(ctx, "item", {"name": "Bolt", "on_hand": "1"})["id"])
        order = int(records.create(ctx, "order", {"number": "SO-U", "lines": [{"item": item, "qty": "2"}]})["id"])
    with kernel.unit_of_work() as ctx, pytest.raises(ActionFailedError) as failed:
        transitions.run(ctx, "order", order, "confirm")
    assert failed.value.params["path"] == "actions/1" and failed.value.details[0].code == "workflow.transition_failed"
    assert "Not enough on item Bolt" in failed.value.message
    with kernel.unit_of_work() as ctx:
        assert ids(ctx, "delivery") == [] and records.get(ctx, "order", order)["state"] == "draft"


def test_call_gives_declared_defaults_and_typed_params(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        part = _product(ctx, "part", [])
        kit = _product(ctx, "kit", [(part, "2")])
        run_on(ctx, "part", kit, [{"type": "call", "list": "explode"}], var_types={"x": ExprType.INTEGER})
        assert [(r["product"], r["qty"]) for r in all_of(ctx, "requirement")] == [(part, Decimal("2"))]
