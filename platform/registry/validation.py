"""Validation of an app definition: JSON Schema, then names, field types, references and expressions.

Every problem is collected with its JSON path; nothing is applied unless the list is empty.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError
from jimu.platform.fields.base import COMMON_PROPERTIES, Problem, ValueConversionError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.problems import Problems as _Problems
from jimu.platform.registry.catalog import PARENT, Catalog, FormulaCycleError
from jimu.platform.registry.model import CHILD_COLUMNS, RESERVED_NAMES, SYSTEM_COLUMNS, AppDef, EntityDef, FieldDef
from jimu.platform.registry.sections import ENGINE_SECTIONS, Sections

_SCHEMA_PATH = Path(__file__).with_name("app.schema.json")
_CONDITION_PROPS = ("visible_if", "required_if", "read_only_if")


@lru_cache(maxsize=1)
def app_schema() -> dict[str, Any]:
    with open(_SCHEMA_PATH, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


@cache
def _field_validator(type_name: str) -> jsonschema.Draft202012Validator:
    """JSON Schema validator for one field type: common properties plus the type's own."""
    field_type = FIELD_TYPES[type_name]
    schema = {
        "type": "object",
        "required": ["name", "type", *field_type.required_properties],
        "additionalProperties": False,
        "properties": {**COMMON_PROPERTIES, **field_type.properties},
        "$defs": {"label": app_schema()["$defs"]["label"]},
    }
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


class Problems(_Problems[DefinitionError]):
    """Problems of a definition, each at its JSON path."""

    error_kind = DefinitionError
    error_code = "definition.invalid"


def _json_path(parts: Iterable[Any]) -> str:
    return "/" + "/".join(str(p) for p in parts)


def validate_app(raw: Any, installed: Iterable[AppDef] = (), *, locale: str = "en",
                 sections: Sections | None = None) -> tuple[AppDef, Catalog]:
    """Check a definition against the installed apps; return it typed with the resulting catalog.

    `sections` are the engines' checks of their parts of the definition (processes, automations...); a
    part no engine checks is refused.
    """
    problems = Problems(locale)
    validator = jsonschema.Draft202012Validator(app_schema())
    structural = False
    for error in sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path)):
        if _is_identifier_error(error):  # the structure is sound: keep checking, to list every problem
            problems.add(_json_path(error.absolute_path), "definition.invalid_identifier", name=error.instance)
        else:
            problems.add(_json_path(error.absolute_path), "definition.schema", error=error.message)
            structural = True
    if structural:
        raise problems.error()

    app = AppDef.build(raw)
    others = [a for a in installed if a.key != app.key]
    owned_elsewhere = {e.key: a.key for a in others for e in a.entities}
    catalog = Catalog([*others, app])
    seen_entities: set[str] = set()
    for e_index, entity in enumerate(app.entities):
        e_path = f"/entities/{e_index}"
        if entity.key in seen_entities:
            problems.add(f"{e_path}/key", "definition.duplicate_entity", entity=entity.key)
        seen_entities.add(entity.key)
        if entity.key in owned_elsewhere:
            problems.add(f"{e_path}/key", "definition.entity_owned_elsewhere", entity=entity.key,
                         app=owned_elsewhere[entity.key])
        _check_entity(entity, e_path, catalog, problems)
    if not problems.details:
        _check_sections(app, catalog, problems, sections or {})
    if problems.details:
        raise problems.error()
    return app, catalog


def _check_sections(app: AppDef, catalog: Catalog, problems: Problems, sections: Sections) -> None:
    """Each engine section present is checked once by the engine owning it; one nobody owns is refused."""
    checked: list[object] = []
    for key in ENGINE_SECTIONS:
        if key not in app.raw:
            continue
        section = sections.get(key)
        if section is None:
            problems.add(f"/{key}", "definition.section_unsupported", section=key)
        elif not any(section is done for done in checked):
            checked.append(section)
            section.check(app, catalog, problems)


def _is_identifier_error(error: jsonschema.ValidationError) -> bool:
    """A string key or name that is not a safe identifier (the whole string `[a-z][a-z0-9_]{0,47}`)."""
    pattern = app_schema()["$defs"]["identifier"]["pattern"]
    return error.validator == "pattern" and isinstance(error.schema, dict) and error.schema.get("pattern") == pattern


def _check_entity(entity: EntityDef, path: str, catalog: Catalog, problems: Problems) -> None:
    names: set[str] = set()
    keys: set[str] = set()
    for f_index, field in enumerate(entity.fields):
        f_path = f"{path}/fields/{f_index}"
        if field.name in RESERVED_NAMES or (entity.is_child and field.name == PARENT):
            problems.add(f"{f_path}/name", "definition.reserved_name", name=field.name)
        if field.key in SYSTEM_COLUMNS or (entity.is_child and field.key in CHILD_COLUMNS):
            problems.add(f"{f_path}/key" if "key" in field.raw else f"{f_path}/name", "definition.reserved_key",
                         key=field.key)
        if field.name in names:
            problems.add(f"{f_path}/name", "definition.duplicate_field", name=field.name)
        if field.key in keys:
            problems.add(f"{f_path}/key", "definition.duplicate_key", key=field.key)
        names.add(field.name)
        keys.add(field.key)
        _check_field(entity, field, f_path, catalog, problems)
    if entity.is_child and not catalog.child_owners(entity.key):
        problems.add(f"{path}/child", "definition.child_entity_unused", entity=entity.key)
    title = entity.raw.get("title_field")
    if title and entity.field(title) is None:
        problems.add(f"{path}/title_field", "definition.unknown_field", field=title, entity=entity.key)
    for name in (p.strip().lstrip("-+") for p in str(entity.raw.get("default_sort") or "").split(",") if p.strip()):
        if entity.field(name) is None and name not in SYSTEM_COLUMNS:
            problems.add(f"{path}/default_sort", "definition.unknown_field", field=name, entity=entity.key)
    for s_index, name in enumerate(entity.raw.get("search_fields", [])):
        if entity.field(name) is None:
            problems.add(f"{path}/search_fields/{s_index}", "definition.unknown_field", field=name, entity=entity.key)
    _check_indexes(entity, path, catalog, problems)
    if isinstance(entity.raw.get("print_template"), str):
        # imported here: the notifications package imports the jobs worker, which imports the kernel
        from jimu.platform.notifications.templates import template_problems

        for found in template_problems(entity.raw["print_template"], path=f"{path}/print_template"):
            problems.add(found.path, found.code, **found.params)
    for r_index, rule in enumerate(entity.rules):
        problems.extend(f"{path}/rules/{r_index}/expression",
                        catalog.check_expression(entity.key, rule.expression, ExprType.BOOLEAN, queries=True))
        for f_index, name in enumerate(rule.fields):
            if entity.field(name) is None:
                problems.add(f"{path}/rules/{r_index}/fields/{f_index}", "definition.unknown_field", field=name,
                             entity=entity.key)
    _check_layout(entity, path, problems)


def _check_field(entity: EntityDef, field: FieldDef, path: str, catalog: Catalog, problems: Problems) -> None:
    field_type = FIELD_TYPES.get(field.type)
    if field_type is None:
        problems.add(f"{path}/type", "definition.unknown_type", type=field.type, types=", ".join(FIELD_TYPES.names()))
        return
    schema_errors = list(_field_validator(field.type).iter_errors(field.raw))
    for error in schema_errors:
        problems.add(_json_path([path.lstrip("/"), *error.absolute_path]), "definition.schema", error=error.message)
    if schema_errors:
        return
    cycle = catalog.formula_cycle(field)
    if cycle is not None:
        problems.add(path, "definition.formula_cycle", cycle=" -> ".join(cycle))
    else:
        try:
            problems.extend(path, field_type.check_definition(field, entity, catalog))
        except FormulaCycleError as error:  # an expression of it reads a field in a loop
            problems.add(path, "definition.formula_cycle", cycle=str(error))
    if (field.unique or field.indexed) and not (field_type.indexable and field_type.stored(field)):
        problems.add(f"{path}/unique" if field.unique else f"{path}/indexed", "definition.not_indexable",
                     type=field.type)
    for prop in _CONDITION_PROPS:
        if field.get(prop):
            problems.extend(f"{path}/{prop}", catalog.check_expression(entity.key, field.get(prop), ExprType.BOOLEAN,
                                                                         queries=True))
    if field_type.computed and ("default" in field.raw or "default_expression" in field.raw):
        problems.add(f"{path}/default", "definition.default_on_computed", type=field.type)
        return
    if "default" in field.raw and field.raw["default"] is not None:
        try:
            value = field_type.coerce(field, field.raw["default"])
            problems.extend(f"{path}/default", field_type.check_value(field, value) if value is not None else [])
        except ValueConversionError as error:
            problems.add(f"{path}/default", error.code, **error.params)
    if field.get("default_expression"):
        problems.extend(f"{path}/default_expression", _check_default_expression(entity, field, catalog))


def _check_default_expression(entity: EntityDef, field: FieldDef, catalog: Catalog) -> list[Problem]:
    expected = catalog.field_expr_type(field)
    if expected is None:
        return [Problem("definition.default_not_supported", {"type": field.type})]
    if expected == ExprType.DECIMAL:
        # an integer expression is a fine default for a decimal field
        problems = catalog.check_expression(entity.key, field.get("default_expression"), None, queries=True)
        if problems:
            return problems
        kind = catalog.compile(entity.key, field.get("default_expression")).type
        ok = kind in (ExprType.DECIMAL, ExprType.INTEGER, ExprType.NULL)
        return [] if ok else [Problem("definition.default_type", {"expected": expected.value, "actual": kind.value})]
    return catalog.check_expression(entity.key, field.get("default_expression"), expected, queries=True)


def _check_indexes(entity: EntityDef, path: str, catalog: Catalog, problems: Problems) -> None:
    seen: set[str] = set()
    for i_index, index in enumerate(entity.indexes):
        i_path = f"{path}/indexes/{i_index}"
        if index.key in seen:
            problems.add(f"{i_path}/key", "definition.duplicate_index", index=index.key)
        seen.add(index.key)
        for n, name in enumerate(index.fields):
            field = entity.field(name)
            field_type = FIELD_TYPES.get(field.type) if field else None
            if field is None:
                problems.add(f"{i_path}/fields/{n}", "definition.unknown_field", field=name, entity=entity.key)
            elif field_type is not None and not (field_type.indexable and field_type.stored(field)):
                problems.add(f"{i_path}/fields/{n}", "definition.not_indexable", type=field.type)


def _check_layout(entity: EntityDef, path: str, problems: Problems) -> None:
    layout = entity.raw.get("layout") or {}
    placed: set[str] = set()
    sections: list[tuple[str, dict[str, Any]]] = [
        (f"{path}/layout/sections/{n}", s) for n, s in enumerate(layout.get("sections", []))]
    for t, tab in enumerate(layout.get("tabs", [])):
        sections += [(f"{path}/layout/tabs/{t}/sections/{n}", s) for n, s in enumerate(tab.get("sections", []))]
    for s_path, section in sections:
        for n, name in enumerate(section.get("fields", [])):
            if entity.field(name) is None:
                problems.add(f"{s_path}/fields/{n}", "definition.unknown_field", field=name, entity=entity.key)
            elif name in placed:
                problems.add(f"{s_path}/fields/{n}", "definition.field_placed_twice", field=name)
            placed.add(name)
    for n, name in enumerate(layout.get("list_columns", [])):
        if entity.field(name) is None:
            problems.add(f"{path}/layout/list_columns/{n}", "definition.unknown_field", field=name, entity=entity.key)
    _check_views(entity, layout, path, problems)


CALENDAR_TYPES = ("date", "datetime")


def _is_choice(field: FieldDef) -> bool:
    field_type = FIELD_TYPES.get(field.type)
    return field_type is not None and field_type.choices(field) is not None


def _check_views(entity: EntityDef, layout: dict[str, Any], path: str, problems: Problems) -> None:
    """`layout.board` groups cards by a choice field (a select, or a process's state field); `layout.calendar`
    places records by a date or datetime field; their `card_fields` must exist."""
    for view in ("board", "calendar"):
        spec = layout.get(view)
        if not isinstance(spec, dict):
            continue
        field = entity.field(spec["field"])
        if field is None:
            problems.add(f"{path}/layout/{view}/field", "definition.unknown_field", field=spec["field"],
                         entity=entity.key)
        elif view == "board" and not _is_choice(field):
            problems.add(f"{path}/layout/board/field", "definition.board_field_not_choice", field=field.name)
        elif view == "calendar" and field.type not in CALENDAR_TYPES:
            problems.add(f"{path}/layout/calendar/field", "definition.calendar_field_not_date", field=field.name)
        for n, name in enumerate(spec.get("card_fields", [])):
            if entity.field(name) is None:
                problems.add(f"{path}/layout/{view}/card_fields/{n}", "definition.unknown_field", field=name,
                             entity=entity.key)
