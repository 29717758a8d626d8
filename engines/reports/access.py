"""Field permissions of a report's caller: every path a report reads (to group, measure, filter or drill by)
must be readable at each step, else the report is refused naming the field (403)."""
from __future__ import annotations

from collections.abc import Iterable

from jimu.engines.expressions import CheckedExpression
from jimu.engines.forms.listing_fields import SYSTEM_TYPES
from jimu.platform.context import Context
from jimu.platform.registry.catalog import PARENT
from jimu.platform.registry.model import EntityDef

from .errors import FieldHiddenError, error


def hidden_step(ctx: Context, entity: EntityDef, path: tuple[str, ...]) -> bool:
    """Whether some step of `path` (from `entity`) is a field the caller may not read."""
    current: EntityDef | None = entity
    for step in path:
        if current is None or step in SYSTEM_TYPES:
            return False
        readable = ctx.access.readable_fields(current.key)
        if readable is not None and step not in readable and step != PARENT:
            return True
        field = current.field(step)
        if field is None and step == PARENT and current.is_child:
            owner = ctx.catalog.parent_of(current.key)
            current = owner[0] if owner else None
        elif field is not None and ctx.catalog.field_type(field).follows_link:
            current = ctx.catalog.related(field)
        else:
            current = None
    return False


def require_readable(ctx: Context, entity: EntityDef, expressions: Iterable[CheckedExpression]) -> None:
    for checked in expressions:
        for path in sorted(checked.references):
            if hidden_step(ctx, entity, path):
                raise error(FieldHiddenError, "reports.field_not_readable", ctx.locale, path=".".join(path),
                            field=".".join(path))
