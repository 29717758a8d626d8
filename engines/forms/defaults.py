"""Default values of fields not given on create: a constant `default` or a `default_expression`."""
from __future__ import annotations

import copy
from typing import Any

from jimu.engines.expressions import evaluate
from jimu.platform.context import Context
from jimu.platform.registry.model import EntityDef, FieldDef

from .reading import eval_env
from .rows import LinkCache, RecordRow


class Defaults:
    """The defaults of one entity, converted once; applied to many rows."""

    def __init__(self, ctx: Context, entity: EntityDef) -> None:
        self.ctx = ctx
        self.entity = entity
        self.constants: list[tuple[str, Any]] = []
        self.expressions: list[tuple[FieldDef, Any]] = []
        catalog = ctx.catalog
        for field in entity.fields:
            field_type = catalog.field_type(field)
            if field_type.computed or field_type.owns_rows:
                continue
            if field.get("default") is not None:
                self.constants.append((field.name, field_type.coerce(field, field.get("default"))))
            elif field.get("default_expression"):
                self.expressions.append((field, catalog.compile(entity.key, field.get("default_expression"))))

    def apply(self, values: dict[str, Any], cache: LinkCache) -> None:
        """Fill in fields absent from `values` (constants first, so expressions can read them)."""
        for name, value in self.constants:
            if name not in values:
                values[name] = copy.copy(value)
        if not self.expressions:
            return
        env = eval_env(self.ctx)
        for field, checked in self.expressions:
            if field.name not in values:
                result = evaluate(checked, RecordRow(cache, self.entity, values), env)
                values[field.name] = self.ctx.catalog.field_type(field).coerce(field, result)
