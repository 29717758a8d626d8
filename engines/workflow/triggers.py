"""Triggers of automation rules: one entry per kind, each checking its own properties."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems

from .actions import Checking
from .automation.timing import Cron, Offset, TimingError, time_of_day, zone

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


def _allowed(trigger: Mapping[str, Any], names: set[str], path: str, problems: Problems[DefinitionError]) -> None:
    for name in trigger:
        if name not in names | {"on"}:
            problems.add(f"{path}/{name}", "workflow.trigger_property", property=name, trigger=str(trigger["on"]))


def _timing(check: Callable[[], object], path: str, problems: Problems[DefinitionError]) -> None:
    try:
        check()
    except TimingError as refused:
        problems.add(path, refused.code, value=refused.value)


def _schedule(trigger: Mapping[str, Any], checking: Checking, path: str, problems: Problems[DefinitionError]) -> None:
    """{"on": "schedule", "cron": "0 9 * * 1-5", "timezone": "Asia/Shanghai"}: croniter syntax, local time."""
    _allowed(trigger, {"cron", "timezone"}, path, problems)
    if not isinstance(trigger.get("cron"), str):
        problems.add(f"{path}/cron", "workflow.trigger_needs", property="cron", trigger="schedule")
        return
    _timing(lambda: Cron.parse(trigger["cron"]), f"{path}/cron", problems)
    _timing(lambda: zone(str(trigger.get("timezone", "UTC"))), f"{path}/timezone", problems)


def _date(trigger: Mapping[str, Any], checking: Checking, path: str, problems: Problems[DefinitionError]) -> None:
    """{"on": "date", "field": "due_date", "offset": "-3d", "at": "09:00", "timezone": "Asia/Shanghai"}."""
    _allowed(trigger, {"field", "offset", "at", "timezone"}, path, problems)
    name = trigger.get("field")
    field = checking.entity.field(name) if isinstance(name, str) else None
    if name is None:
        problems.add(f"{path}/field", "workflow.trigger_needs", property="field", trigger="date")
    elif field is None:
        problems.add(f"{path}/field", "definition.unknown_field", field=str(name), entity=checking.entity.key)
    kind = checking.catalog.field_expr_type(field) if field is not None else None
    if field is not None and kind not in (ExprType.DATE, ExprType.DATETIME):
        problems.add(f"{path}/field", "automation.trigger_field_not_date", field=str(name))
    _timing(lambda: Offset.parse(trigger.get("offset")), f"{path}/offset", problems)
    _timing(lambda: zone(str(trigger.get("timezone", "UTC"))), f"{path}/timezone", problems)
    if "at" in trigger:
        _timing(lambda: time_of_day(trigger["at"]), f"{path}/at", problems)
        if kind is ExprType.DATETIME:
            problems.add(f"{path}/at", "automation.at_needs_date", field=str(name))
    if kind is ExprType.DATE and isinstance(trigger.get("offset"), str):
        offset = _offset_or_none(trigger["offset"])
        if offset is not None and not offset.whole_days:
            problems.add(f"{path}/offset", "automation.offset_whole_days", field=str(name))


def _offset_or_none(text: str) -> Offset | None:
    try:
        return Offset.parse(text)
    except TimingError:
        return None


# The trigger kinds and how each is checked; the automation runtime reads the same keys.
TRIGGER_CHECKS: Mapping[str, TriggerCheck] = {
    "create": _no_properties,
    "update": _no_properties,
    "delete": _no_properties,
    "field_changed": _fields,
    "state_entered": _states,
    "schedule": _schedule,
    "date": _date,
}


def check_trigger(trigger: Mapping[str, Any], checking: Checking, path: str,
                  problems: Problems[DefinitionError]) -> None:
    kind = trigger.get("on")
    check = TRIGGER_CHECKS.get(str(kind))
    if check is None:
        problems.add(f"{path}/on", "workflow.unknown_trigger", trigger=str(kind), triggers=", ".join(TRIGGER_CHECKS))
        return
    check(trigger, checking, path, problems)


def check_mode(rule: Mapping[str, Any], path: str, problems: Problems[DefinitionError]) -> None:
    """`sync` is for event rules (schedule and date rules run from the worker); a delete rule runs `sync`."""
    kind, mode = str(rule["trigger"].get("on")), rule.get("mode")
    if mode == "sync" and kind in ("schedule", "date"):
        problems.add(f"{path}/mode", "automation.mode_not_sync", trigger=kind)
    if mode == "queued" and kind == "delete":
        problems.add(f"{path}/mode", "automation.mode_not_queued", trigger=kind)
