"""Checking the workflow parts of an app definition: JSON Schema, then states, transitions, expressions
and every action, each problem at its JSON path. Registered with the kernel as a definition section."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import AppDef, EntityDef
from jimu.platform.registry.sections import schema_checked_part

from .actions import ACTION_TYPES, Checking
from .actions.base import COMMON_PROPERTIES
from .approvals.checks import check_approval, reject_targets
from .automation.rules import OLD_KINDS
from .model import (
    CANCELLED,
    DRAFT,
    SUBMITTED,
    SUBMITTER,
    USER_COLUMNS,
    ActionListDef,
    ProcessDef,
    WorkflowDefs,
    variables,
)
from .scope import OLD, PARAMS, VARIABLE_TYPES, VARS, ActionScope, old_scope, variables_scope
from .triggers import check_mode, check_trigger

_SCHEMA_PATH = Path(__file__).with_name("workflow.schema.json")
SECTION_KEYS = ("processes", "action_lists", "automations")


@cache
def workflow_schema() -> dict[str, Any]:
    with open(_SCHEMA_PATH, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


@cache
def _action_validator(type_name: str) -> jsonschema.Draft202012Validator:
    action_type = ACTION_TYPES.get(type_name)
    assert action_type is not None
    schema = {
        "type": "object", "required": ["type", *action_type.required_properties], "additionalProperties": False,
        "properties": {**COMMON_PROPERTIES, **action_type.properties}, "$defs": workflow_schema()["$defs"],
    }
    return jsonschema.Draft202012Validator(schema)


class WorkflowSection:
    """The workflow engine's definition section (a `DefinitionSection`)."""

    keys = SECTION_KEYS

    def check(self, app: AppDef, catalog: Catalog, problems: Problems[DefinitionError]) -> None:
        part = schema_checked_part(app, SECTION_KEYS, workflow_schema(), problems)
        if part is None:
            return
        defs = WorkflowDefs.build({**catalog.apps, app.key: app})
        _check_processes(app, catalog, defs, problems)
        _check_action_lists(app, catalog, defs, problems)
        _check_automations(app, catalog, defs, problems)


def _path(parts: Iterable[Any]) -> str:
    return "/" + "/".join(str(p) for p in parts)


def action_scope(catalog: Catalog, entity: EntityDef, var_types: Mapping[str, ExprType],
                 param_types: Mapping[str, ExprType] | None = None) -> ActionScope:
    return ActionScope(catalog.scope(entity.key), {VARS: variables_scope(VARS, var_types),
                                                   PARAMS: variables_scope(PARAMS, param_types or {})})


def check_actions(actions: Sequence[Mapping[str, Any]], checking: Checking, path: str,
                  problems: Problems[DefinitionError]) -> None:
    """Every action of a list: its type, its own schema, its `when`, its own checks."""
    for index, action in enumerate(actions):
        at = f"{path}/{index}"
        type_name = str(action.get("type"))
        action_type = ACTION_TYPES.get(type_name)
        if action_type is None:
            problems.add(f"{at}/type", "workflow.unknown_action", where=at, type=type_name)
            continue
        errors = list(_action_validator(type_name).iter_errors(action))
        for found in errors:
            problems.add(_path([at.lstrip("/"), *found.absolute_path]), "definition.schema", error=found.message)
        if errors:
            continue
        if action.get("when") is not None:
            problems.extend(f"{at}/when", checking.expression(action["when"], ExprType.BOOLEAN, ""))
        problems.extend(at, action_type.check(action, checking))


def _entity(catalog: Catalog, key: Any, path: str, problems: Problems[DefinitionError]) -> EntityDef | None:
    entity = catalog.entity(key) if isinstance(key, str) else None
    if entity is None:
        problems.add(path, "workflow.unknown_entity", entity=str(key))
    return entity


def _check_processes(app: AppDef, catalog: Catalog, defs: WorkflowDefs, problems: Problems[DefinitionError]) -> None:
    seen: dict[str, str] = {}
    keys: set[str] = set()
    for index, raw in enumerate(app.raw.get("processes", [])):
        path = f"/processes/{index}"
        if raw["key"] in keys:
            problems.add(f"{path}/key", "workflow.duplicate_key", key=raw["key"])
        keys.add(raw["key"])
        entity = _entity(catalog, raw["entity"], f"{path}/entity", problems)
        if entity is None:
            continue
        owner = defs.process_of(entity.key)
        if raw["entity"] in seen or (owner is not None and owner.app != app.key):
            problems.add(f"{path}/entity", "workflow.entity_has_process", entity=entity.key,
                         process=seen.get(raw["entity"]) or (owner.key if owner else ""))
            continue
        seen[raw["entity"]] = raw["key"]
        _check_process(ProcessDef.build(app.key, raw), entity, catalog, defs, path, problems)


def _check_process(process: ProcessDef, entity: EntityDef, catalog: Catalog, defs: WorkflowDefs, path: str,
                   problems: Problems[DefinitionError]) -> None:
    _check_state_field(process, entity, catalog, path, problems)
    state_keys = [s.key for s in process.states]
    for index, state in enumerate(process.states):
        s_path = f"{path}/states/{index}"
        if state_keys.index(state.key) != index:
            problems.add(f"{s_path}/key", "workflow.duplicate_state", state=state.key)
        for prop in ("locked_fields", "editable_fields"):
            for n, name in enumerate(sorted(getattr(state, prop))):
                if entity.field(name) is None:
                    problems.add(f"{s_path}/{prop}/{n}", "definition.unknown_field", field=name, entity=entity.key)
    for n, name in enumerate(sorted(process.editable_after_submit)):
        if entity.field(name) is None:
            problems.add(f"{path}/editable_after_submit/{n}", "definition.unknown_field", field=name, entity=entity.key)
    if process.state(process.initial) is None:
        problems.add(f"{path}/initial", "workflow.unknown_state", state=process.initial)
    _check_amend(process, entity, catalog, path, problems)
    transition_keys: set[str] = set()
    for index, transition in enumerate(process.transitions):
        t_path = f"{path}/transitions/{index}"
        if transition.key in transition_keys:
            problems.add(f"{t_path}/key", "workflow.duplicate_key", key=transition.key)
        transition_keys.add(transition.key)
        for n, source in enumerate(transition.sources or ()):
            if process.state(source) is None:
                problems.add(f"{t_path}/from/{n}", "workflow.unknown_state", state=source)
        if process.state(transition.target) is None:
            problems.add(f"{t_path}/to", "workflow.unknown_state", state=transition.target)
        _check_transition(process, transition.raw, entity, catalog, defs, t_path, problems)
    _check_reachable(process, path, problems)


def _check_state_field(process: ProcessDef, entity: EntityDef, catalog: Catalog, path: str,
                       problems: Problems[DefinitionError]) -> None:
    field = entity.field(process.state_field)
    if field is None:
        problems.add(f"{path}/state_field", "definition.unknown_field", field=process.state_field, entity=entity.key)
        return
    choices = catalog.field_type(field).choices(field)
    if choices is None:
        problems.add(f"{path}/state_field", "workflow.state_field_not_choice", field=field.name)
        return
    for index, state in enumerate(process.states):
        if state.key not in choices:
            problems.add(f"{path}/states/{index}/key", "workflow.state_not_option", state=state.key, field=field.name)
    if field.get("default") != process.initial:
        problems.add(f"{path}/state_field", "workflow.state_field_default", field=field.name, state=process.initial)


def _check_amend(process: ProcessDef, entity: EntityDef, catalog: Catalog, path: str,
                 problems: Problems[DefinitionError]) -> None:
    if process.amend_field is None:
        return
    field = entity.field(process.amend_field)
    if field is None or not catalog.field_type(field).follows_link or field.target != entity.key:
        problems.add(f"{path}/amend/field", "workflow.amend_field", field=process.amend_field, entity=entity.key)
    if not any(s.phase == CANCELLED for s in process.states):
        problems.add(f"{path}/amend", "workflow.amend_needs_cancel")


def _check_transition(process: ProcessDef, raw: Mapping[str, Any], entity: EntityDef, catalog: Catalog,
                      defs: WorkflowDefs, path: str, problems: Problems[DefinitionError]) -> None:
    var_types = {v.name: VARIABLE_TYPES[v.type] for v in variables(raw.get("vars"))}
    checking = Checking(catalog, defs, entity, action_scope(catalog, entity, var_types), var_types)
    allowed = raw.get("allowed") or {}
    if allowed.get("condition") is not None:
        problems.extend(f"{path}/allowed/condition", checking.expression(allowed["condition"], ExprType.BOOLEAN, ""))
    for index, name in enumerate(allowed.get("users", [])):
        if not _names_user(catalog, entity, name):
            problems.add(f"{path}/allowed/users/{index}", "workflow.not_a_user_field", field=name)
    manager_of = allowed.get("manager_of")
    if manager_of is not None and manager_of != SUBMITTER and not _names_user(catalog, entity, manager_of):
        problems.add(f"{path}/allowed/manager_of", "workflow.not_a_user_field", field=manager_of)
    for index, guard in enumerate(raw.get("guards", [])):
        problems.extend(f"{path}/guards/{index}/condition",
                        checking.expression(guard["condition"], ExprType.BOOLEAN, ""))
    for index, name in enumerate(raw.get("required_fields", [])):
        if entity.field(name) is None:
            problems.add(f"{path}/required_fields/{index}", "definition.unknown_field", field=name, entity=entity.key)
    _check_variables(raw.get("vars"), checking, f"{path}/vars", problems)
    check_actions(raw.get("actions", []), checking, f"{path}/actions", problems)
    if raw.get("approval") is not None:
        check_approval(process, raw["approval"], checking, f"{path}/approval", problems)


def _names_user(catalog: Catalog, entity: EntityDef, name: str) -> bool:
    """Whether `name` is a field (or system column) of the entity whose value is a user."""
    if name in USER_COLUMNS:
        return True
    field = entity.field(name)
    return field is not None and catalog.field_type(field).names_user


def _check_variables(raw: Mapping[str, Any] | None, checking: Checking, path: str,
                     problems: Problems[DefinitionError]) -> None:
    for variable in variables(raw):
        if variable.value is not None:
            problems.extend(f"{path}/{variable.name}/value",
                            checking.expression(variable.value, VARIABLE_TYPES[variable.type], ""))


def _check_reachable(process: ProcessDef, path: str, problems: Problems[DefinitionError]) -> None:
    reached = {process.initial}
    frontier = [process.initial]
    while frontier:
        state = frontier.pop()
        for transition in process.outgoing(state):
            for target in (transition.target, *reject_targets(transition.approval)):
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
    for index, defined in enumerate(process.states):
        if defined.key not in reached:
            problems.add(f"{path}/states/{index}", "workflow.unreachable_state", state=defined.key)
    initial = process.state(process.initial)
    if initial is not None and initial.phase != DRAFT and any(s.phase == SUBMITTED for s in process.states):
        problems.add(f"{path}/initial", "workflow.initial_not_draft", state=process.initial)


def _check_action_lists(app: AppDef, catalog: Catalog, defs: WorkflowDefs,
                        problems: Problems[DefinitionError]) -> None:
    keys: set[str] = set()
    for index, raw in enumerate(app.raw.get("action_lists", [])):
        path = f"/action_lists/{index}"
        if raw["key"] in keys or defs.action_lists[raw["key"]].app != app.key:
            problems.add(f"{path}/key", "workflow.duplicate_key", key=raw["key"])
        keys.add(raw["key"])
        entity = _entity(catalog, raw["entity"], f"{path}/entity", problems)
        if entity is None:
            continue
        listed = ActionListDef.build(app.key, raw)
        param_types = {p.name: VARIABLE_TYPES[p.type] for p in listed.params}
        var_types = {v.name: VARIABLE_TYPES[v.type] for v in listed.vars}
        checking = Checking(catalog, defs, entity, action_scope(catalog, entity, var_types, param_types), var_types)
        _check_variables(raw.get("vars"), checking, f"{path}/vars", problems)
        check_actions(listed.actions, checking, f"{path}/actions", problems)


def _check_automations(app: AppDef, catalog: Catalog, defs: WorkflowDefs,
                       problems: Problems[DefinitionError]) -> None:
    keys: set[str] = set()
    for index, raw in enumerate(app.raw.get("automations", [])):
        path = f"/automations/{index}"
        if raw["key"] in keys:
            problems.add(f"{path}/key", "workflow.duplicate_key", key=raw["key"])
        keys.add(raw["key"])
        entity = _entity(catalog, raw["entity"], f"{path}/entity", problems)
        if entity is None:
            continue
        var_types = {v.name: VARIABLE_TYPES[v.type] for v in variables(raw.get("vars"))}
        scope = action_scope(catalog, entity, var_types)
        if str(raw["trigger"].get("on")) in OLD_KINDS:
            scope = scope.with_names(**{OLD: old_scope(scope.base)})
        checking = Checking(catalog, defs, entity, scope, var_types)
        check_trigger(raw["trigger"], checking, f"{path}/trigger", problems)
        check_mode(raw, path, problems)
        if raw.get("condition") is not None:
            problems.extend(f"{path}/condition", checking.expression(raw["condition"], ExprType.BOOLEAN, ""))
        _check_variables(raw.get("vars"), checking, f"{path}/vars", problems)
        check_actions(raw.get("actions", []), checking, f"{path}/actions", problems)

