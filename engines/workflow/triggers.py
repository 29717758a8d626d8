"""Triggers of automation rules: one entry per kind, each checking its own properties."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems

from .actions import Checking

TriggerCheck = Callable[[Mapping[str, Any], Checking, str, "Problems[DefinitionError]"], None]


def _no_properties(trigger: Mapping[str, Any], checking: Checking, path: str,
                   problems: Problems[DefinitionError]) -> None:
    for name in trigger:
        if name != "on":
            problems.add(f"{path}/{name}", "workflow.trigger_property", property=name, trigger=str(trigger["on"]))


def _fields(trigger: Mapping[str, Any], checking: Checking, path: str, problems: Problems[DefinitionError]) -> None:
    names = trigger.get("fields")
    if not isinstance(names, list) or not names:
        problems.add(f"{path}/fields", "workflow.trigger_needs", property="fields", trigger="field_changed")
        return
    for index, name in enumerate(names):
        if not isinstance(name, str) or checking.entity.field(name) is None:
            problems.add(f"{path}/fields/{index}", "definition.unknown_field", field=str(name),
                         entity=checking.entity.key)


def _states(trigger: Mapping[str, Any], checking: Checking, path: str, problems: Problems[DefinitionError]) -> None:
    process = checking.defs.process_of(checking.entity.key)
    states = trigger.get("states")
    if process is None:
        problems.add(f"{path}/on", "workflow.no_process", entity=checking.entity.key)
    elif not isinstance(states, list) or not states:
        problems.add(f"{path}/states", "workflow.trigger_needs", property="states", trigger="state_entered")
    else:
        for index, state in enumerate(states):
            if not isinstance(state, str) or process.state(state) is None:
                problems.add(f"{path}/states/{index}", "workflow.unknown_state", state=str(state))


# The trigger kinds and how each is checked; the automation runtime reads the same keys.
TRIGGER_CHECKS: Mapping[str, TriggerCheck] = {
    "create": _no_properties,
    "update": _no_properties,
    "delete": _no_properties,
    "field_changed": _fields,
    "state_entered": _states,
}


def check_trigger(trigger: Mapping[str, Any], checking: Checking, path: str,
                  problems: Problems[DefinitionError]) -> None:
    kind = trigger.get("on")
    check = TRIGGER_CHECKS.get(str(kind))
    if check is None:
        problems.add(f"{path}/on", "workflow.unknown_trigger", trigger=str(kind), triggers=", ".join(TRIGGER_CHECKS))
        return
    check(trigger, checking, path, problems)
