"""`call`: run a named action list with parameters; `transition`: run a transition of this or another record.

    {"type": "call", "list": "explode", "record": "line.component", "params": {"qty": "params.qty * line.qty"}}
    {"type": "transition", "transition": "close", "entity": "order", "record": "order",
     "comment": "'Closed by delivery ' & number"}

An action list runs on a record of its `entity` (`record`: an id expression, default the record the
actions run on), in a frame of its own: its declared `params` (typed; each given an expression here or its
declared default) and `vars`. Lists may call lists, themselves included (a multi-level bill of materials),
down to the chain's depth limit.

`transition` runs the whole transition path on the other record (its lock, state, required fields and
guards — not who may run it: the definition does), inside this chain: the same effects, dry run and depth
limit; a refusal fails this action. Its `comment` (a text expression, evaluated here) is the transition's
comment: kept in the other record's timeline, and what a transition that asks for one needs.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.platform.fields.base import Problem

from ..chain import Chain, Frame, run_actions
from ..errors import (
    ActionFailedError,
    InnerTransitionError,
    TransitionBlockedError,
    TransitionNotFoundError,
    error,
)
from ..model import ActionListDef
from ..scope import VARIABLE_TYPES
from .base import ActionType, Checking
from .registry import ACTION_TYPES
from .support import entity_problem

_MAP = {"type": "object", "additionalProperties": {"$ref": "#/$defs/expression"}}


class Call(ActionType):
    name = "call"
    properties = {"list": {"$ref": "#/$defs/identifier"}, "record": {"$ref": "#/$defs/expression"}, "params": _MAP}
    required_properties = ("list",)

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        listed = checking.defs.action_lists.get(action["list"])
        if listed is None:
            return [Problem("workflow.unknown_list", {"list": action["list"]}, at="list")]
        problems: list[Problem] = []
        if action.get("record") is None and listed.entity != checking.entity.key:
            problems.append(Problem("workflow.list_entity", {"list": listed.key, "entity": listed.entity}, at="list"))
        if action.get("record") is not None:
            problems += checking.expression(action["record"], ExprType.INTEGER, "record")
        given = action.get("params", {})
        declared = {p.name: p for p in listed.params}
        for name, source in given.items():
            param = declared.get(name)
            if param is None:
                problems.append(Problem("workflow.unknown_param", {"name": name, "list": listed.key},
                                        at=f"params/{name}"))
            else:
                problems += checking.expression(source, VARIABLE_TYPES[param.type], f"params/{name}")
        for name, param in declared.items():
            if name not in given and param.value is None:
                problems.append(Problem("workflow.param_missing", {"name": name, "list": listed.key}, at="params"))
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        listed = chain.defs.action_lists[action["list"]]
        target_id = frame.record_id if action.get("record") is None \
            else frame.value(chain, action["record"], ExprType.INTEGER)
        if target_id is None:
            return  # no record to run on (an empty link): nothing to do
        params = _params(action, frame, chain, listed)
        at = frame.at
        chain.deeper(at)
        try:
            inner = _frame(chain, listed, int(target_id), params)
            inner.trail = f"{frame.trail}{at}>{listed.key}@{target_id};"
            run_actions(chain, inner, listed.actions, f"{at}>{listed.key}")
        finally:
            chain.shallower()
        if listed.entity == frame.entity.key and int(target_id) == frame.record_id:
            frame.reload(chain)


def _params(action: Mapping[str, Any], frame: Frame, chain: Chain, listed: ActionListDef) -> dict[str, Any]:
    given = action.get("params", {})
    values: dict[str, Any] = {}
    for param in listed.params:
        kind = VARIABLE_TYPES[param.type]
        if param.name in given:
            values[param.name] = frame.value(chain, given[param.name], kind)
    return values


def _frame(chain: Chain, listed: ActionListDef, record_id: int, params: dict[str, Any]) -> Frame:
    entity = chain.ctx.catalog.require_entity(listed.entity)
    record = records.get(chain.ctx, entity.key, record_id)
    param_types = {p.name: VARIABLE_TYPES[p.type] for p in listed.params}
    var_types = {v.name: VARIABLE_TYPES[v.type] for v in listed.vars}
    frame = Frame.on_record(chain, entity, record, var_types=var_types, param_types=param_types, params=params)
    for param in listed.params:  # defaults, which may read the record and the given parameters
        if param.name not in frame.params and param.value is not None:
            frame.params[param.name] = frame.value(chain, param.value, param_types[param.name])
    for variable in listed.vars:
        frame.vars[variable.name] = frame.value(chain, variable.value, var_types[variable.name]) \
            if variable.value else None
    return frame


class RunTransition(ActionType):
    name = "transition"
    properties = {"transition": {"$ref": "#/$defs/identifier"}, "entity": {"$ref": "#/$defs/identifier"},
                  "record": {"$ref": "#/$defs/expression"}, "comment": {"$ref": "#/$defs/expression"}}
    required_properties = ("transition",)

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        entity, problems = entity_problem(checking, action.get("entity", checking.entity.key), "entity")
        if entity is None:
            return problems
        if action.get("record") is not None:
            problems += checking.expression(action["record"], ExprType.INTEGER, "record")
        elif entity.key != checking.entity.key:
            problems.append(Problem("workflow.transition_record", {"entity": entity.key}, at="record"))
        if action.get("comment") is not None:
            problems += checking.expression(action["comment"], ExprType.TEXT, "comment")
        process = checking.defs.process_of(entity.key)
        if process is None or process.transition(action["transition"]) is None:
            problems.append(Problem("workflow.unknown_transition", {"transition": action["transition"],
                                                                    "entity": entity.key}, at="transition"))
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        from .. import transitions

        entity_key = action.get("entity", frame.entity.key)
        target_id = frame.record_id if action.get("record") is None \
            else frame.value(chain, action["record"], ExprType.INTEGER)
        if target_id is None:
            return
        comment = None if action.get("comment") is None else frame.value(chain, action["comment"], ExprType.TEXT)
        at = frame.at
        chain.deeper(at)
        try:
            transitions.run(chain.ctx, entity_key, int(target_id), action["transition"], parent=chain,
                            parent_key=f"{chain.run_key}|{frame.trail}{at}", comment=comment or None)
        except (ActionFailedError, TransitionBlockedError, TransitionNotFoundError) as failure:
            raise error(InnerTransitionError, "workflow.transition_failed", chain.ctx.locale, entity=entity_key,
                        id=int(target_id), transition=action["transition"], reason=failure.message,
                        details=failure.details) from failure
        finally:
            chain.shallower()
        if entity_key == frame.entity.key and int(target_id) == frame.record_id:
            frame.reload(chain)


for _type in (Call(), RunTransition()):
    ACTION_TYPES.register(_type)
