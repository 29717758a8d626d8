"""Names in a list query → SQL: readable fields and system columns, structured filters, expressions, search."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions import to_sql_predicate
from jimu.engines.expressions.env import EvalEnv
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.engines.forms.query import Condition, FilterNode, Group
from jimu.platform.errors import ErrorDetail, PermissionDeniedError, ValidationError
from jimu.platform.fields.base import FieldType, ValueConversionError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n import Message, translate
from jimu.platform.i18n.expressions import (
    expression_message,
    expression_position,
    located_expression_message,
)
from jimu.platform.registry.catalog import PARENT, Catalog
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.storage.bindings import EntityBinding, RowGuard
from jimu.platform.storage.tables import EntityTables

# System columns usable by name, with the field type their values are read with.
SYSTEM_TYPES = {"id": "integer", "_version": "integer", "_created_at": "datetime", "_created_by": "user",
                "_updated_at": "datetime", "_updated_by": "user", "_deleted_at": "datetime"}
NOT_NULL = frozenset({"id", "_version", "_created_at", "_updated_at"})
MAX_SEARCH_WORDS = 10

ReadableOf = Callable[[str], "frozenset[str] | None"]


@dataclass(frozen=True)
class ResolvedField:
    """A name resolved to SQL, with the field definition its values are coerced with."""

    name: str
    sql: ColumnElement[Any]
    value_def: FieldDef
    nullable: bool

    @property
    def kind(self) -> str:
        return self.value_def.type

    @property
    def kind_type(self) -> FieldType:
        return FIELD_TYPES[self.value_def.type]

    def coerce(self, value: Any) -> Any:
        return FIELD_TYPES[self.kind].coerce(self.value_def, value)

    def python_value(self, value: Any) -> Any:
        """A value as read; computed decimals (formulas compiled to SQL) come back at their field's scale."""
        if isinstance(value, float) and self.kind_type.decimal_valued:
            value = Decimal(repr(value))
        scale = self.value_def.get("computed_scale")
        if isinstance(value, Decimal) and scale is not None:
            return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        return value

    def converter(self) -> Callable[[Any], Any] | None:
        """`python_value`, or None when it is the identity for every value this column can return."""
        if not self.kind_type.decimal_valued:
            return None
        if self.value_def.get("computed_scale") is None and isinstance(self.sql, sa.Column):
            return None  # a stored NUMERIC column: the driver already returns Decimals at its scale
        return self.python_value


def _error(kind: type[ValidationError | PermissionDeniedError], path: str, code: str, **params: Any) -> Any:
    message = translate(code, "en", **params)
    return kind(message, code=code, details=[ErrorDetail(path, code, params, message)], **params)


def value_def(catalog: Catalog, entity: EntityDef, field: FieldDef) -> FieldDef:
    """The definition a field's values behave like (a computed field: its result's; a lookup: the shown field's)."""
    return catalog.field_type(field).value_def(field, catalog)


class FieldResolver:
    """One entity's names as SQL for the current user; refuses unknown and unreadable names."""

    def __init__(self, catalog: Catalog, tables: EntityTables, entity: EntityDef, env: EvalEnv, dialect: str,
                 readable: frozenset[str] | None, readable_of: ReadableOf, guard: RowGuard | None = None) -> None:
        self.catalog = catalog
        self.entity = entity
        self.env = env
        self.dialect = dialect
        self.readable = readable
        self.readable_of = readable_of
        self.table = tables[entity.key]
        self.binding = EntityBinding(catalog, tables, entity, env, dialect, self.table, guard=guard)

    def can_read(self, name: str) -> bool:
        return name in SYSTEM_TYPES or self.readable is None or name in self.readable

    def resolve(self, name: str, purpose: str, path: str, *, refuse: Iterable[str] = ()) -> ResolvedField:
        if not isinstance(name, str) or not name:
            raise _error(ValidationError, path, "query.unknown_field", field=str(name), entity=self.entity.key)
        if name in SYSTEM_TYPES:
            definition = FieldDef(name, name, SYSTEM_TYPES[name], {}, self.entity.key)
            return ResolvedField(name, self.table.c[name], definition, name not in NOT_NULL)
        field = self.entity.field(name)
        if field is None or field.type not in FIELD_TYPES:
            raise _error(ValidationError, path, "query.unknown_field", field=name, entity=self.entity.key)
        if not self.can_read(name):
            raise _error(PermissionDeniedError, path, "query.field_not_readable", field=name)
        definition = value_def(self.catalog, self.entity, field)
        if self.catalog.field_type(field).owns_rows or definition.type in refuse:
            raise _error(ValidationError, path, f"query.field_not_{purpose}able", field=name)
        return ResolvedField(name, self.binding.column(name), definition, True)

    def projection(self, names: Iterable[str] | None, system: Iterable[str]) -> list[ResolvedField]:
        """Output columns: the named ones, or the system columns and every readable field (unreadable dropped)."""
        if names is None:
            names = [*system, *(f.name for f in self.catalog.value_fields(self.entity))]
        seen = {"id"}
        output = []
        for n, name in enumerate(names):
            if name in seen or not self.can_read(name):
                continue
            seen.add(name)
            output.append(self.resolve(name, "select", f"fields[{n}]"))
        return output

    def child_tables(self) -> list[FieldDef]:
        return [f for f in self.catalog.child_fields(self.entity) if self.can_read(f.name)]

    # ---- expressions and search ---------------------------------------------------------------

    def expression_sql(self, source: str) -> ColumnElement[bool]:
        """A BOOLEAN expression in the entity's scope as a WHERE condition (link comparisons as semi-joins);
        errors carry line and column."""
        try:
            checked = self.catalog.compile(self.entity.key, source, ExprType.BOOLEAN)
        except ExpressionError as error:
            line, column = expression_position(error)
            params = {"line": line, "column": column, "detail": located_expression_message(error)}
            own = expression_message(error)
            detail = ErrorDetail("where", error.code, {**own.params, "line": line, "column": column},
                                 translate(own.code, "en", **own.params))
            message = translate("query.invalid_expression", "en", **params)
            raise ValidationError(message, code="query.invalid_expression", details=[detail], **params) from None
        if checked.queries:  # its fields are another entity's: not checked against the reader's field rights
            code = "query.query_aggregate_not_allowed"
            raise ValidationError(translate(code, "en"), code=code, details=[
                ErrorDetail("where", code, {}, translate(code, "en"))])
        for reference in sorted(checked.references):
            self._check_readable_path(reference)
        return to_sql_predicate(checked, self.binding, self.env, self.dialect)

    def _check_readable_path(self, path: tuple[str, ...]) -> None:
        entity: EntityDef | None = self.entity
        readable = self.readable
        for step in path:
            if step in SYSTEM_TYPES or entity is None:
                return
            if readable is not None and step not in readable:
                raise _error(PermissionDeniedError, "where", "query.field_not_readable", field=".".join(path))
            field = entity.field(step)
            if field is None and step == PARENT and entity.is_child:
                owner = self.catalog.parent_of(entity.key)
                entity = owner[0] if owner else None
            elif field is not None and self.catalog.related(field) is not None:
                entity = self.catalog.related(field)
            else:
                return
            readable = self.readable_of(entity.key) if entity is not None else None

    def search_sql(self, term: str) -> ColumnElement[bool]:
        """Every word of `term` appears (case-insensitive, wildcards literal) in one of the search fields."""
        names = self.entity.raw.get("search_fields") or [f.name for f in self.entity.fields
                                                            if self.catalog.field_type(f).searchable]
        columns = []
        for name in names:
            if not self.can_read(name) or self.entity.field(name) is None:
                continue  # the user did not name these fields: skip rather than reveal them
            ref = self.resolve(name, "search", "search")
            columns.append(ref.sql if ref.kind_type.text_valued else sa.cast(ref.sql, sa.String))
        words = term.split()[:MAX_SEARCH_WORDS]
        if not columns:
            return sa.false()
        return sa.and_(*(sa.or_(*(c.icontains(word, autoescape=True) for c in columns)) for word in words))


# ---- structured filters ---------------------------------------------------------------------------


def filter_sql(resolver: FieldResolver, node: FilterNode) -> ColumnElement[bool]:
    """A parsed filter tree as a WHERE condition; values coerced with each field's type."""
    if isinstance(node, Group):
        parts = [filter_sql(resolver, item) for item in node.items]
        if not parts:
            return sa.true()
        return sa.and_(*parts) if node.kind == "and" else sa.or_(*parts)
    return _condition_sql(resolver, node)


def _condition_sql(resolver: FieldResolver, cond: Condition) -> ColumnElement[bool]:
    ref = resolver.resolve(cond.field, "filter", f"{cond.path}.field")
    op, kind, column = cond.op, ref.kind, ref.sql
    _check_op(ref, cond)
    if op in ("is_null", "is_not_null"):
        empty: ColumnElement[bool] = column.is_(None)
        if FIELD_TYPES[kind].json_valued:  # a JSON column may hold a JSON null
            empty = sa.or_(empty, sa.cast(column, sa.Text) == "null")
        return empty if op == "is_null" else sa.not_(empty)
    if op in ("contains", "starts_with"):
        if FIELD_TYPES[kind].multi_valued:
            chosen = _coerce(ref, cond, cond.value)
            if not chosen:
                raise _error(ValidationError, f"{cond.path}.value", "query.value_required", field=cond.field, op=op)
            return sa.and_(*(_json_has(resolver.dialect, column, option) for option in chosen))
        text = cond.value if isinstance(cond.value, str) else None
        if not text:
            raise _error(ValidationError, f"{cond.path}.value", "query.value_needs_text", field=cond.field, op=op)
        target = column if FIELD_TYPES[kind].text_valued else sa.cast(column, sa.String)
        if op == "contains":
            return target.icontains(text, autoescape=True)
        return target.istartswith(text, autoescape=True)
    if op in ("in", "not_in"):
        values = [_coerce(ref, cond, v) for v in cond.value]
        present = [v for v in values if v is not None]
        matches = sa.or_(column.in_(present), column.is_(None)) if None in values else column.in_(present)
        if op == "in":
            return matches
        return sa.and_(column.not_in(present), column.is_not(None)) if None in values else sa.or_(
            column.not_in(present), column.is_(None))
    if op == "between":
        low, high = (_coerce(ref, cond, v) for v in cond.value)
        if low is None or high is None:
            raise _error(ValidationError, f"{cond.path}.value", "query.value_required", field=cond.field, op=op)
        return column.between(low, high)
    value = _coerce(ref, cond, cond.value)
    if op == "eq":
        return column.is_(None) if value is None else column == value
    if op == "ne":  # NULL counts as "not equal": rows with no value are included
        return column.is_not(None) if value is None else sa.or_(column != value, column.is_(None))
    if value is None:
        raise _error(ValidationError, f"{cond.path}.value", "query.value_required", field=cond.field, op=op)
    ordered: dict[str, ColumnElement[bool]] = {
        "lt": column < value, "lte": column <= value, "gt": column > value, "gte": column >= value}
    return ordered[op]


def _check_op(ref: ResolvedField, cond: Condition) -> None:
    kind, op = ref.kind, cond.op
    field_type = FIELD_TYPES.get(kind)
    allowed = field_type is None or field_type.filter_ops is None or op in field_type.filter_ops
    if not allowed:
        raise _error(ValidationError, f"{cond.path}.op", "query.op_not_allowed", field=cond.field, op=op, type=kind)


def _coerce(ref: ResolvedField, cond: Condition, value: Any) -> Any:
    try:
        return ref.coerce(value)
    except (ValueConversionError, TypeError, ValueError) as error:
        reason = getattr(error, "code", "value.invalid")
        params = getattr(error, "params", {})
        message = translate("query.invalid_value", "en", field=cond.field, op=cond.op,
                            reason=translate(reason, "en", **params))
        detail = ErrorDetail(f"{cond.path}.value", reason, {"field": cond.field, "op": cond.op, **params}, message)
        raise ValidationError(message, code="query.invalid_value", details=[detail], field=cond.field,
                              op=cond.op, reason=Message(reason, **params)) from None


def _json_has(dialect: str, column: ColumnElement[Any], option: Any) -> ColumnElement[bool]:
    """Whether a JSON array column holds `option`."""
    if dialect == "postgresql":
        return column.op("@>")(sa.func.jsonb_build_array(sa.cast(sa.literal(option), sa.Text)))
    items = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(sa.literal(1)).select_from(items).where(items.c.value == option))
