"""The values a report reads from its source rows: a field or link path, an expression, or a duration, each
type-checked in the source entity's scope by the one expression language (a path is an expression too).

A duration is `DATEDIFF(from, to, 'second')`: whole seconds, counted in hours or days when aggregated.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from jimu.engines.expressions import CheckedExpression
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.platform.i18n.expressions import expression_problem_params
from jimu.platform.registry.catalog import PARENT, Catalog
from jimu.platform.registry.model import EntityDef, FieldDef

from .aggregates import DURATION_SCALE, ValueSpec
from .model import Duration

EXPRESSION_SCALE = 4  # a decimal expression's scale unless the measure gives one


class TermError(Exception):
    """A value that does not type-check: `code` and `params` are a definition problem's."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Term:
    """A checked value of the source rows."""

    checked: CheckedExpression
    field: FieldDef | None  # the field a path ends at (its labels, options, scale), else None
    spec: ValueSpec

    @property
    def type(self) -> ExprType:
        return self.checked.type

    @property
    def references(self) -> frozenset[tuple[str, ...]]:
        return self.checked.references


def field_at(catalog: Catalog, entity: EntityDef, path: str) -> FieldDef | None:
    """The field a dotted path ends at, following links and a line's `_parent`; None if a step is unknown."""
    current: EntityDef | None = entity
    steps = path.split(".")
    for n, step in enumerate(steps):
        if current is None:
            return None
        if step == PARENT and current.is_child and n < len(steps) - 1:
            owner = catalog.parent_of(current.key)
            current = owner[0] if owner else None
            continue
        field = current.field(step)
        if field is None or n == len(steps) - 1:
            return field
        current = catalog.related(field) if catalog.field_type(field).follows_link else None
    return None


def decimal_scale(catalog: Catalog, field: FieldDef | None, default: int) -> int:
    if field is None:
        return default
    value_def = catalog.field_type(field).value_def(field, catalog)
    column_type = catalog.field_type(value_def).sa_type(value_def, catalog)
    if isinstance(column_type, sa.Numeric) and column_type.scale is not None:
        return int(column_type.scale)
    return default


def _compile(catalog: Catalog, entity: EntityDef, source: str) -> CheckedExpression:
    try:
        return catalog.compile(entity.key, source)
    except ExpressionError as error:
        raise TermError("definition.expression_invalid", **expression_problem_params(error)) from None


def path_term(catalog: Catalog, entity: EntityDef, path: str, scale: int | None = None) -> Term:
    field = field_at(catalog, entity, path)
    if field is None:
        raise TermError("definition.unknown_field", field=path, entity=entity.key)
    if catalog.field_type(field).owns_rows:
        raise TermError("reports.lines_not_value", field=path)
    checked = _compile(catalog, entity, path)
    return Term(checked, field, ValueSpec(checked.type, decimal_scale(catalog, field, scale or EXPRESSION_SCALE)))


def expression_term(catalog: Catalog, entity: EntityDef, source: str, scale: int | None = None) -> Term:
    checked = _compile(catalog, entity, source)
    return Term(checked, None, ValueSpec(checked.type, EXPRESSION_SCALE if scale is None else scale))


def duration_term(catalog: Catalog, entity: EntityDef, duration: Duration, scale: int | None = None) -> Term:
    for path in (duration.start, duration.end):
        bound = path_term(catalog, entity, path)
        if bound.type is not ExprType.DATETIME:
            raise TermError("reports.duration_not_datetime", field=path)
    checked = _compile(catalog, entity, f"DATEDIFF({duration.start}, {duration.end}, 'second')")
    spec = ValueSpec(ExprType.INTEGER, DURATION_SCALE if scale is None else scale, duration.seconds)
    return Term(checked, None, spec)


def value_term(catalog: Catalog, entity: EntityDef, *, field: str | None, expression: str | None,
               duration: Duration | None, scale: int | None = None) -> Term | None:
    """The term one of `field`, `expression` or `duration` names (None when none is given)."""
    if field is not None:
        return path_term(catalog, entity, field, scale)
    if expression is not None:
        return expression_term(catalog, entity, expression, scale)
    if duration is not None:
        return duration_term(catalog, entity, duration, scale)
    return None
