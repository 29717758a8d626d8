"""What a form shows of each field on a record: visible, required, read-only — as the records service decides.

- `visible`: `visible_if` holds (no condition: visible).
- `required`: `required_if` holds, or the field is `required` and visible (engines/forms/checks.py).
- `read_only`: the field is computed, read-only or not writable for the user, or (on a stored record)
  its `read_only_if` holds on the record as stored — the server refuses a change then
  (`check_read_only_if`); a new record has no stored state, so `read_only_if` does not apply to it, and
  neither does it to lines (the server checks it on the header's fields only).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expressions import evaluate
from jimu.platform.context import Context
from jimu.platform.registry.model import EntityDef, FieldDef

from .reading import Record, eval_env
from .rows import LinkCache, RecordRow

FieldStates = dict[str, dict[str, bool]]


class StateReader:
    """Evaluates the conditions of one entity's fields on records (header or lines)."""

    def __init__(self, ctx: Context, entity: EntityDef, cache: LinkCache) -> None:
        self.ctx = ctx
        self.entity = entity
        self.cache = cache
        self.env = eval_env(ctx)
        writable = ctx.access.writable_fields(entity.key)
        catalog = ctx.catalog
        self.fixed_read_only = {
            f.name: bool(catalog.field_type(f).computed or f.read_only
                         or (writable is not None and f.name not in writable))
            for f in entity.fields}

    def holds(self, source: str | None, row: RecordRow | None) -> bool:
        if not source or row is None:
            return False
        return evaluate(self.ctx.catalog.compile(self.entity.key, source), row, self.env) is True

    def states(self, record: Mapping[str, Any], stored: Mapping[str, Any] | None, *,
               parent: RecordRow | None = None) -> FieldStates:
        row = RecordRow(self.cache, self.entity, record, parent=parent)
        before = RecordRow(self.cache, self.entity, stored) if stored is not None else None
        return {f.name: self._state(f, row, before) for f in self.entity.fields}

    def _state(self, field: FieldDef, row: RecordRow, before: RecordRow | None) -> dict[str, bool]:
        visible_if = field.get("visible_if")
        visible = True if not visible_if else self.holds(visible_if, row)
        required = (bool(field.required) and visible) or self.holds(field.get("required_if"), row)
        read_only = self.fixed_read_only[field.name] or self.holds(field.get("read_only_if"), before)
        return {"visible": visible, "required": required, "read_only": read_only}


def record_states(ctx: Context, entity: EntityDef, record: Record, stored: Record | None
                  ) -> tuple[FieldStates, dict[str, list[FieldStates]]]:
    """States of the header's fields, and per child table of each line's fields."""
    cache = LinkCache(ctx)
    reader = StateReader(ctx, entity, cache)
    header = reader.states(record, stored)
    row = RecordRow(cache, entity, record)
    lines: dict[str, list[FieldStates]] = {}
    for field in ctx.catalog.child_fields(entity):
        child = StateReader(ctx, ctx.catalog.require_related(field), cache)
        lines[field.name] = [child.states(line, None, parent=row) for line in record.get(field.name) or ()]
    return header, lines
