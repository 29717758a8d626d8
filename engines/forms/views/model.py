"""A saved list view: columns, filter, sort and quick search under a stable key, checked against its entity.

The same shape serves shared views (the `views` section of an app definition, so packages carry them) and
personal views (stored per user, see store.py). Names are checked here against the entity; the list API
checks the filter's values again when the view runs.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from jimu.engines.forms.listing_fields import SYSTEM_TYPES
from jimu.engines.forms.query import Condition, FilterNode, Group, parse_filter, parse_sort
from jimu.platform.errors import ValidationError
from jimu.platform.registry.model import EntityDef

_SCHEMA_PATH = Path(__file__).with_name("views.schema.json")
UNLISTABLE = frozenset({"child_table"})
Problem = tuple[str, str, dict[str, Any]]  # (path below the view, message code, parameters)


@cache
def views_schema() -> dict[str, Any]:
    with open(_SCHEMA_PATH, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def view_schema_errors(raw: Any) -> Iterator[tuple[str, str]]:
    """(JSON path, message) for each way `raw` is not a `view` of views.schema.json."""
    schema = {**views_schema(), "$ref": "#/$defs/view"}
    schema.pop("properties", None)
    schema.pop("additionalProperties", None)
    schema.pop("type", None)
    validator = jsonschema.Draft202012Validator(schema)
    for found in sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path)):
        yield "/" + "/".join(str(p) for p in found.absolute_path), found.message


def check_view(entity: EntityDef, raw: dict[str, Any]) -> list[Problem]:
    """Every name in the view that the entity does not have (columns, filter fields, sort fields)."""
    names = {f.name: f for f in entity.fields}
    problems: list[Problem] = []
    for n, column in enumerate(raw.get("columns") or ()):
        known = names.get(column)
        if known is None and column not in SYSTEM_TYPES:
            problems.append((f"columns/{n}", "views.unknown_field", {"field": column, "entity": entity.key}))
        elif known is not None and known.type in UNLISTABLE:
            problems.append((f"columns/{n}", "views.unlistable_field", {"field": column}))
    if raw.get("filter") is not None:
        try:
            node = parse_filter(raw["filter"])
        except ValidationError as error:
            problems.append(("filter", "views.invalid_filter", {"error": error.message}))
            node = None
        for field in _filter_fields(node):
            if field.split(".")[0] not in names and field not in SYSTEM_TYPES:
                problems.append(("filter", "views.unknown_field", {"field": field, "entity": entity.key}))
    if raw.get("sort"):
        try:
            keys = parse_sort(raw["sort"])
        except ValidationError as error:
            problems.append(("sort", "views.invalid_sort", {"error": error.message}))
            keys = ()
        for key in keys:
            if key.field not in names and key.field not in SYSTEM_TYPES:
                problems.append(("sort", "views.unknown_field", {"field": key.field, "entity": entity.key}))
    return problems


def _filter_fields(node: FilterNode | None) -> Iterator[str]:
    if isinstance(node, Condition):
        yield node.field
    elif isinstance(node, Group):
        for item in node.items:
            yield from _filter_fields(item)


def view_json(raw: dict[str, Any], *, shared: bool, app: str | None = None) -> dict[str, Any]:
    """A view as the API shows it: every property present (absent ones empty), whose it is."""
    return {"key": raw["key"], "entity": raw["entity"], "label": raw["label"],
            "columns": list(raw.get("columns") or []), "filter": raw.get("filter"),
            "sort": raw.get("sort") or "", "q": raw.get("q") or "", "shared": shared, "app": app}
