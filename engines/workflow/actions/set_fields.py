"""`set`: fields of the current record from expressions; `let`: local variables; `stop`: end the list."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.forms import records
from jimu.platform.fields.base import Problem

from ..chain import Chain, Frame
from ..expressions import field_value_type
from .base import ActionType, Checking
from .registry import ACTION_TYPES

_ASSIGNMENTS = {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string", "minLength": 1}}


class SetFields(ActionType):
    """{"type": "set", "values": {"field": "expression", ...}}: one update of the record, all fields at once."""

    name = "set"
    properties = {"values": _ASSIGNMENTS}
    required_properties = ("values",)

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        problems: list[Problem] = []
        for name, source in action["values"].items():
            field = checking.entity.field(name)
            at = f"values/{name}"
            if field is None:
                problems.append(Problem("definition.unknown_field", {"field": name, "entity": checking.entity.key},
                                        at=at))
                continue
            field_type = checking.catalog.field_type(field)
            if field_type.computed or field_type.owns_rows:
                problems.append(Problem("workflow.field_not_writable", {"field": name}, at=at))
                continue
            problems += checking.expression(source, field_value_type(checking.catalog, field), at)
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        values = {name: frame.value(chain, source) for name, source in action["values"].items()}
        frame.record = records.update(chain.ctx, frame.entity.key, frame.record_id, values)


class Let(ActionType):
    """{"type": "let", "vars": {"name": "expression"}}: assign local variables (declared with their types)."""

    name = "let"
    properties = {"vars": _ASSIGNMENTS}
    required_properties = ("vars",)

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        problems: list[Problem] = []
        for name, source in action["vars"].items():
            kind = checking.var_types.get(name)
            if kind is None:
                problems.append(Problem("workflow.unknown_variable", {"name": name}, at=f"vars/{name}"))
            else:
                problems += checking.expression(source, kind, f"vars/{name}")
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        values = {name: frame.value(chain, source) for name, source in action["vars"].items()}
        frame.vars.update(values)  # all evaluated first: `a = b, b = a` swaps


class Stop(ActionType):
    """{"type": "stop"}: end the action list it is in (inside a loop: end the loop), e.g. with a `when`."""

    name = "stop"

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        frame.stopped = True


for _type in (SetFields(), Let(), Stop()):
    ACTION_TYPES.register(_type)
