"""Amending a cancelled record: a new draft copy, linked to the original by the process's amend field."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.forms import records
from jimu.platform.context import Context
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef

from .errors import TransitionBlockedError, TransitionNotFoundError, error
from .model import CANCELLED
from .transitions import process_for, state_of


def amend(ctx: Context, entity_key: str, record_id: int) -> dict[str, Any]:
    """The amended copy of a cancelled record (created with the caller's rights: they must may create)."""
    process = process_for(ctx, entity_key, record_id)
    if process.amend_field is None:
        raise error(TransitionNotFoundError, "workflow.no_amend", ctx.locale, entity=entity_key)
    original = records.get(ctx, entity_key, record_id)
    state = process.state(state_of(process, original))
    if state is None or state.phase != CANCELLED:
        raise error(TransitionBlockedError, "workflow.amend_not_cancelled", ctx.locale,
                    state=state_of(process, original))
    entity = ctx.catalog.require_entity(entity_key)
    values = copyable_values(ctx.catalog, entity, original, skip={process.state_field, process.amend_field})
    values[process.amend_field] = record_id
    return records.create(ctx, entity_key, values)


def copyable_values(catalog: Catalog, entity: EntityDef, record: Mapping[str, Any], *,
                    skip: set[str | None] | None = None) -> dict[str, Any]:
    """The values a user wrote on a record (not computed ones), its lines copied without their ids."""
    values: dict[str, Any] = {}
    for field in entity.fields:
        field_type = catalog.field_type(field)
        if field.name in (skip or set()) or field_type.computed or record.get(field.name) is None:
            continue
        if field_type.owns_rows:
            child = catalog.require_related(field)
            values[field.name] = [copyable_values(catalog, child, line) for line in record[field.name]]
        else:
            values[field.name] = record[field.name]
    return values
