"""The action types check their definitions when the app is applied, each problem at its JSON path."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from jimu.platform.errors import DefinitionError
from jimu.platform.kernel import Kernel

from .trade_app import ACTION_LISTS, PROCESSES, trade_app

AT = "/processes/2/transitions/0/actions/0"  # the payment's post transition: its first action


def _refused(kernel: Kernel, action: dict[str, Any], **vars_: str) -> list[tuple[str, str]]:
    processes = copy.deepcopy(PROCESSES)
    post = processes[2]["transitions"][0]
    post["actions"] = [action]
    post["vars"] = {**post["vars"], **{name: {"type": kind} for name, kind in vars_.items()}}
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(trade_app(processes=processes))
    return [(d.path, d.code) for d in refused.value.details]


def test_the_trading_app_is_valid(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        assert ctx.catalog.entity("order") is not None


@pytest.mark.parametrize(("action", "expected"), [
    ({"type": "for_each", "lines": "lines", "entity": "invoice", "actions": []}, [(AT, "workflow.loop_source")]),
    ({"type": "for_each", "lines": "partner", "actions": []}, [(f"{AT}/lines", "workflow.not_lines")]),
    ({"type": "for_each", "entity": "invoice", "where": "row.nope > 1", "order": ["-due_on", "size"],
      "actions": [{"type": "set", "values": {"unapplied": "row.open", "amount": "'x'"}}]},
     [(f"{AT}/where", "definition.expression_invalid"), (f"{AT}/order/1", "definition.unknown_field"),
      (f"{AT}/actions/0/values/amount", "workflow.expression_type")]),
    ({"type": "for_each", "entity": "invoice", "actions": [{"type": "set", "values": {"nope": "1"}}]},
     [(f"{AT}/actions/0/values/nope", "definition.unknown_field")]),
    ({"type": "create", "entity": "delivery", "into": "left", "values": {"order": "'x'", "number": "partner"},
      "lines": [{"from": "lines", "to": "lines", "values": {}}]},
     [(f"{AT}/values/order", "definition.expression_invalid"), (f"{AT}/into", "workflow.into_variable"),
      (f"{AT}/lines/0/from", "workflow.not_lines")]),
    ({"type": "create", "entity": "order_line"}, [(f"{AT}/entity", "workflow.line_entity")]),
    ({"type": "create", "entity": "nowhere"}, [(f"{AT}/entity", "workflow.unknown_entity")]),
    ({"type": "update", "entity": "item", "values": {"on_hand": "1"}}, [(AT, "workflow.update_target")]),
    ({"type": "update", "entity": "item", "id": "partner", "values": {"on_hand": "row.on_hand - this.nope"},
      "min": {"cost": "0"}},
     [(f"{AT}/id", "definition.expression_invalid"), (f"{AT}/values/on_hand", "definition.expression_invalid"),
      (f"{AT}/min/cost", "workflow.min_not_written")]),
    ({"type": "find_or_create", "entity": "layer", "into": "n", "match": {"item": "1"}},
     [(f"{AT}/match", "workflow.key_not_unique")]),
    ({"type": "post_ledger", "entity": "journal", "balance": {"debit": "account", "credit": "credit"},
      "rows": [{"values": {"account": "1"}}]},
     [(f"{AT}/balance/debit", "workflow.not_quantity"), (f"{AT}/rows/0/values/account", "definition.expression_invalid")]),
    ({"type": "reverse_ledger", "entity": "journal"}, [(AT, "workflow.reverse_how")]),
    ({"type": "call", "list": "nope"}, [(f"{AT}/list", "workflow.unknown_list")]),
    ({"type": "call", "list": "explode", "params": {"qty": "'x'", "other": "1"}},
     [(f"{AT}/list", "workflow.list_entity"), (f"{AT}/params/qty", "workflow.expression_type"),
      (f"{AT}/params/other", "workflow.unknown_param")]),
    ({"type": "transition", "transition": "nope", "entity": "delivery"},
     [(f"{AT}/record", "workflow.transition_record"), (f"{AT}/transition", "workflow.unknown_transition")]),
    ({"type": "update", "entity": "item", "id": "1", "values": {"on_hand": "1"}, "extra": 1},
     [(AT, "definition.schema")]),
])
def test_problems_at_their_paths(kernel: Kernel, action: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert _refused(kernel, action, n="integer") == expected


def test_a_call_with_a_parameter_that_has_no_default_must_give_it(kernel: Kernel) -> None:
    lists = copy.deepcopy(ACTION_LISTS)
    lists.append({"key": "needs", "entity": "payment", "params": {"n": {"type": "integer"}}, "actions": []})
    processes = copy.deepcopy(PROCESSES)
    processes[2]["transitions"][0]["actions"] = [{"type": "call", "list": "needs"}]
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(trade_app(processes=processes, action_lists=lists))
    assert [(d.path, d.code) for d in refused.value.details] == [(f"{AT}/params", "workflow.param_missing")]
