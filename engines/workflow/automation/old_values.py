"""The record before the write, for a queued rule that sees it as `old`: kept in its history row's event.

A sync rule gets the values the write saw; a queued one runs after the commit, when only the row's new
values remain, so its run keeps the old ones in JSON (each field's own `to_json`) and reads them back with
the field's `coerce`. Only the record's own fields travel (`old` has no lines).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.context import Context

from .rules import RuleDef

OLD_EVENT = "old"  # the key of the old values in a queued run's event


def old_json(ctx: Context, rule: RuleDef, before: Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON form of the record's own fields before the write ({} when there was none)."""
    if not before:
        return {}
    catalog = ctx.catalog
    entity = catalog.require_entity(rule.entity)
    kept: dict[str, Any] = {"id": before.get("id")}
    for field in entity.fields:
        field_type = catalog.field_type(field)
        if field.name in before and not field_type.owns_rows:
            kept[field.name] = field_type.to_json(field, before[field.name])
    return kept


def old_values(ctx: Context, rule: RuleDef, stored: Any) -> dict[str, Any]:
    """The values `old_json` kept, as the record's values again; a field no longer defined is left out."""
    if not isinstance(stored, Mapping):
        return {}
    catalog = ctx.catalog
    entity = catalog.require_entity(rule.entity)
    values: dict[str, Any] = {"id": stored.get("id")}
    for name, value in stored.items():
        field = entity.field(name)
        if field is None or value is None:
            continue
        try:
            values[name] = catalog.field_type(field).coerce(field, value)
        except (TypeError, ValueError, ArithmeticError):  # a type changed since: unknown, as if blank
            continue
    return values
