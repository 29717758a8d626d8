"""What the records service needs to know about an entity's fields, worked out once per write or batch."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.platform.context import Context
from jimu.platform.fields.base import Checker, Converter, FieldType
from jimu.platform.registry.model import EntityDef, FieldDef


@dataclass(frozen=True)
class Slot:
    """A field as the writer sees it; `blocked` is the error code when the user may not write it."""

    field: FieldDef
    type: FieldType
    blocked: str | None
    child: bool


class EntityPlan:
    """Field slots by name, the required fields, link fields and the written columns of an entity."""

    def __init__(self, ctx: Context, entity: EntityDef) -> None:
        catalog = ctx.catalog
        writable = ctx.access.writable_fields(entity.key)
        self.entity = entity
        self.slots: dict[str, Slot] = {}
        for field in entity.fields:
            field_type = catalog.field_type(field)
            blocked = ("records.computed" if field_type.computed else "records.read_only" if field.read_only
                       else "records.not_writable" if writable is not None and field.name not in writable else None)
            self.slots[field.name] = Slot(field, field_type, blocked, field_type.owns_rows)
        # fields the user writes as plain values: the type's coerce and check_value for each (check None: no checks)
        self.plain: dict[str, tuple[Converter, Checker | None]] = {
            name: (s.type.converter(s.field), s.type.checker(s.field))
            for name, s in self.slots.items() if s.blocked is None and not s.child}
        # A required field with `visible_if` is required only while visible: checked on the record as
        # written (engines/forms/checks.py), like `required_if`.
        self.required = [s for s in self.slots.values()
                         if s.field.required and not s.field.get("visible_if") and not s.type.computed and not s.child]
        # fields referring to another row (links, users): the referred row must exist
        self.links = [s.field for s in self.slots.values() if s.type.foreign_key(s.field, ctx.catalog) is not None]
        written = [s for s in self.slots.values() if s.type.stored(s.field) and not s.type.derived]
        self.columns: dict[str, str] = {s.field.name: s.field.column for s in written}
        self.template: dict[str, Any] = {column: None for column in self.columns.values()}

    def row(self, values: dict[str, Any]) -> dict[str, Any]:
        """Every written column of a new row (None where no value), one shape for executemany."""
        row = dict(self.template)
        columns = self.columns
        for name, value in values.items():
            column = columns.get(name)
            if column is not None:
                row[column] = value
        return row


def entity_plan(ctx: Context, entity: EntityDef) -> EntityPlan:
    """The entity's EntityPlan for the fields the user may write: built once per catalog and set of fields."""
    key = (entity.key, ctx.access.writable_fields(entity.key))
    plan: EntityPlan = ctx.catalog.caches["write_plans"].get_or_build(key, lambda: EntityPlan(ctx, entity))
    return plan
