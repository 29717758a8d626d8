"""Computed field types: formula, rollup, lookup and auto-number. Users never write them."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from jimu.engines.expressions import to_sql
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.api_schemas import EntityRef, Schema, expr_type_schema
from jimu.platform.fields.base import FieldType, Problem
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.storage.sqltypes import UTCDateTime

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from jimu.platform.registry.catalog import Catalog
    from jimu.platform.storage.bindings import EntityBinding

_VALUE_TYPES = {ExprType.TEXT: "text", ExprType.INTEGER: "integer", ExprType.DECIMAL: "decimal",
                ExprType.BOOLEAN: "boolean", ExprType.DATE: "date", ExprType.DATETIME: "datetime"}
_RESULT_TYPES = ["text", "integer", "decimal", "money", "percent", "boolean", "date", "datetime"]
RESULT_EXPR_TYPES = {
    "text": ExprType.TEXT, "integer": ExprType.INTEGER, "decimal": ExprType.DECIMAL, "money": ExprType.DECIMAL,
    "percent": ExprType.DECIMAL, "boolean": ExprType.BOOLEAN, "date": ExprType.DATE, "datetime": ExprType.DATETIME,
}


def sa_type_for(expr_type: ExprType | None, scale: int = 2) -> sa.types.TypeEngine[Any]:
    """Column type holding a computed value of an expression type."""
    if expr_type == ExprType.INTEGER:
        return sa.BigInteger()
    if expr_type == ExprType.DECIMAL:
        return sa.Numeric(28, scale, asdecimal=True)
    if expr_type == ExprType.BOOLEAN:
        return sa.Boolean(create_constraint=False)
    if expr_type == ExprType.DATE:
        return sa.Date()
    if expr_type == ExprType.DATETIME:
        return UTCDateTime()
    return sa.Text()


class _Computed(FieldType):
    computed = True
    derived = True

    def result_type(self, field: FieldDef, catalog: Catalog) -> ExprType | None:
        return catalog.computed_type(field)

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType | None:
        return self.result_type(field, catalog)

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        """A formula or rollup: the schema of its result type."""
        return expr_type_schema(catalog.computed_type(field))

    def stored(self, field: FieldDef) -> bool:
        return bool(field.get("stored", True))

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return sa_type_for(self.result_type(field, catalog), self.scale(field, catalog))

    def scale(self, field: FieldDef, catalog: Catalog) -> int:
        """Decimal places of the value: the `scale` property, else the source field's, else 2."""
        if field.get("scale") is not None:
            return int(field.get("scale"))
        source = self.source_field(field, catalog)
        if source is not None:
            source_type = catalog.field_type(source).sa_type(source, catalog)
            if isinstance(source_type, sa.Numeric) and source_type.scale is not None:
                return int(source_type.scale)
        return 2

    def source_field(self, field: FieldDef, catalog: Catalog) -> FieldDef | None:
        """The field whose values this one carries (lookups, rollups), if any."""
        return None

    def value_def(self, field: FieldDef, catalog: Catalog) -> FieldDef:
        """A field of the result's type (its declared `result_type` for a formula), decimals at the field's scale."""
        kind = field.get("result_type") or _VALUE_TYPES.get(catalog.computed_type(field) or ExprType.TEXT, "text")
        scale = int(field.get("scale", 2))
        numeric = kind in ("decimal", "money", "percent")
        raw = {"precision": 28, "scale": scale, "computed_scale": scale} if numeric else {}
        return FieldDef(field.name, field.key, kind, raw, field.entity)


class FormulaType(_Computed):
    """An expression over the record (and its lines and links): virtual (computed on read) or stored."""

    name = "formula"
    label = {"en": "Formula", "zh-CN": "公式"}
    properties: ClassVar[dict[str, Any]] = {
        "expression": {"type": "string", "minLength": 1},
        "result_type": {"enum": _RESULT_TYPES},
        "scale": {"type": "integer", "minimum": 0, "maximum": 12},
        "stored": {"type": "boolean"},
    }
    required_properties = ("expression",)

    def stored(self, field: FieldDef) -> bool:
        return bool(field.get("stored", False))

    def resolve_type(self, field: FieldDef, catalog: Catalog) -> ExprType | None:
        declared = field.get("result_type")
        try:  # compiled even when declared: a loop through the expression is found here
            checked = catalog.compile(field.entity, field.get("expression", ""))
        except ExpressionError:
            return RESULT_EXPR_TYPES.get(declared or "", None)
        if declared:
            return RESULT_EXPR_TYPES[declared]
        return checked.type if checked.type != ExprType.NULL else ExprType.TEXT

    def definition_expressions(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, str]]:
        return [(field.entity, str(field.get("expression", ""))), *super().definition_expressions(field, catalog)]

    def read_paths(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, ...]]:
        return sorted(catalog.compile(field.entity, field.get("expression")).references)

    def computed_sql(self, field: FieldDef, binding: EntityBinding) -> ColumnElement[Any]:
        checked = binding.catalog.compile(binding.entity.key, field.get("expression"))
        return to_sql(checked, binding, binding.env, binding.dialect)

    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        expected = RESULT_EXPR_TYPES.get(field.get("result_type", ""))
        problems = catalog.check_expression(entity.key, field.get("expression"), expected)
        if not problems and self.stored(field) and catalog.uses_clock(entity.key, field.get("expression")):
            problems.append(Problem("definition.stored_formula_uses_now", {}))
        return problems


class RollupType(_Computed):
    """count/sum/min/max/avg over a child table's lines or over the records linking here (stored)."""

    name = "rollup"
    label = {"en": "Rollup", "zh-CN": "汇总"}
    properties: ClassVar[dict[str, Any]] = {
        "relation": {"type": "string", "minLength": 1},
        "function": {"enum": ["count", "sum", "min", "max", "avg"]},
        "field": {"type": "string"},
        "condition": {"type": "string"},
        "scale": {"type": "integer", "minimum": 0, "maximum": 12},
    }
    required_properties = ("relation", "function")

    def source_field(self, field: FieldDef, catalog: Catalog) -> FieldDef | None:
        entity = catalog.entity(field.entity)
        related = catalog.rollup_relation(entity, field) if entity is not None else None
        if related is None or field.get("function") == "count" or not field.get("field"):
            return None
        return related.field(field.get("field"))

    def resolve_type(self, field: FieldDef, catalog: Catalog) -> ExprType | None:
        if field.get("function") == "count":
            return ExprType.INTEGER
        source = self.source_field(field, catalog)
        kind = catalog.field_expr_type(source) if source is not None else None  # resolved even for avg: loops
        return ExprType.DECIMAL if field.get("function") == "avg" else kind

    def definition_expressions(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, str]]:
        expressions = super().definition_expressions(field, catalog)
        entity = catalog.entity(field.entity)
        related = catalog.rollup_relation(entity, field) if entity is not None else None
        if related is not None and field.get("condition"):
            expressions.append((related.key, str(field.get("condition"))))
        return expressions

    def dependency_paths(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, ...]]:
        """The relation itself (rows joining or leaving it), then the aggregated field and the condition in it."""
        entity = catalog.entity(field.entity)
        related = catalog.rollup_relation(entity, field) if entity is not None else None
        if related is None:
            return []
        relation = str(field.get("relation"))
        paths: list[tuple[str, ...]] = [(relation,)]
        if field.get("field"):
            paths.append((relation, str(field.get("field"))))
        if field.get("condition"):
            condition = catalog.compile(related.key, field.get("condition"))
            paths += [(relation, *path) for path in sorted(condition.references)]
        return paths

    def computed_sql(self, field: FieldDef, binding: EntityBinding) -> ColumnElement[Any]:
        relation = binding.rollup_relation(field.get("relation"))
        related: EntityBinding = relation.binding  # type: ignore[assignment]
        where = relation.where
        if field.get("condition"):
            condition = binding.catalog.compile(related.entity.key, field.get("condition"))
            where = sa.and_(where, to_sql(condition, related, binding.env, binding.dialect).is_(True))
        function = field.get("function")
        if function == "count":
            aggregate: ColumnElement[Any] = sa.func.count()
        else:
            aggregate = getattr(sa.func, function)(related.column(field.get("field")))
        value = sa.select(aggregate).where(where).scalar_subquery()
        return sa.func.coalesce(value, 0) if function in ("count", "sum") else value

    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        related = catalog.rollup_relation(entity, field)
        if related is None:
            return [Problem("definition.unknown_relation", {"relation": field.get("relation")})]
        problems: list[Problem] = []
        function, source = field.get("function"), field.get("field")
        if function != "count":
            target = related.field(source) if source else None
            if target is None:
                return [Problem("definition.unknown_field", {"field": source or "", "entity": related.key})]
            kind = catalog.field_expr_type(target)
            allowed = (ExprType.INTEGER, ExprType.DECIMAL) if function in ("sum", "avg") else (
                ExprType.INTEGER, ExprType.DECIMAL, ExprType.DATE, ExprType.DATETIME, ExprType.TEXT)
            if kind not in allowed:
                problems.append(Problem("definition.rollup_field_type", {"function": function, "field": source}))
        if field.get("condition"):
            problems += catalog.check_expression(related.key, field.get("condition"), ExprType.BOOLEAN)
        return problems


class LookupType(_Computed):
    """A field of the record a link points to; virtual unless `stored`."""

    name = "lookup"
    label = {"en": "Lookup", "zh-CN": "引用字段"}
    properties: ClassVar[dict[str, Any]] = {
        "link": {"type": "string", "minLength": 1},
        "field": {"type": "string", "minLength": 1},
        "stored": {"type": "boolean"},
    }
    required_properties = ("link", "field")

    def source_field(self, field: FieldDef, catalog: Catalog) -> FieldDef | None:
        entity = catalog.entity(field.entity)
        link = entity.field(field.get("link", "")) if entity is not None else None
        target = catalog.entity(link.get("entity")) if link is not None and link.type == "link" else None
        return target.field(field.get("field", "")) if target is not None else None

    def resolve_type(self, field: FieldDef, catalog: Catalog) -> ExprType | None:
        source = self.source_field(field, catalog)
        return catalog.field_expr_type(source) if source is not None else None

    def value_def(self, field: FieldDef, catalog: Catalog) -> FieldDef:
        """The shown field's definition: a lookup's values behave like the values it shows."""
        source = self.source_field(field, catalog)
        if source is None:
            return super().value_def(field, catalog)
        return catalog.field_type(source).value_def(source, catalog)

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        """The schema of the field it shows (of its result type when that one is derived too)."""
        source = self.source_field(field, catalog)
        source_type = catalog.field_type(source) if source is not None else None
        if source is not None and source_type is not None and not source_type.derived:
            return source_type.json_schema(source, catalog, write=False, ref=ref)
        return super().json_schema(field, catalog, write=write, ref=ref)

    def stored(self, field: FieldDef) -> bool:
        return bool(field.get("stored", False))

    def read_paths(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, ...]]:
        return [(str(field.get("link")), str(field.get("field")))]

    def computed_sql(self, field: FieldDef, binding: EntityBinding) -> ColumnElement[Any]:
        relation = binding.link(field.get("link"))
        value = relation.binding.column(field.get("field"))
        return sa.select(value).where(relation.where).scalar_subquery()

    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        link = entity.field(field.get("link"))
        if link is None or link.type != "link":
            return [Problem("definition.lookup_needs_link", {"link": field.get("link")})]
        target = catalog.entity(link.get("entity"))
        if target is None:
            return []  # reported on the link field itself
        target_field = target.field(field.get("field"))
        if target_field is None:
            return [Problem("definition.unknown_field", {"field": field.get("field"), "entity": target.key})]
        if catalog.field_expr_type(target_field) is None:
            return [Problem("definition.lookup_field_type", {"field": field.get("field")})]
        return []


SERIES_TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|#+)\}")


class AutoNumberType(FieldType):
    """A gap-free number from a series such as `SO-{YYYY}-{#####}`, assigned when a record is created."""

    name = "auto_number"
    label = {"en": "Auto number", "zh-CN": "自动编号"}
    properties: ClassVar[dict[str, Any]] = {
        "series": {"type": "string", "minLength": 1, "maxLength": 60},
        "start": {"type": "integer", "minimum": 0},
    }
    required_properties = ("series",)
    computed = True
    numbered = True
    searchable = True
    titles_records = True

    def value_def(self, field: FieldDef, catalog: Catalog) -> FieldDef:
        return FieldDef(field.name, field.key, "text", {}, field.entity)

    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        series = field.get("series", "")
        counters = [t for t in SERIES_TOKEN.findall(series) if t.startswith("#")]
        if len(counters) != 1:
            return [Problem("definition.series_needs_one_counter", {"series": series})]
        leftover = SERIES_TOKEN.sub("", series)
        if "{" in leftover or "}" in leftover:
            return [Problem("definition.series_unknown_token", {"series": series})]
        return []

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return {"type": "string"}

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.TEXT

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return sa.String(80)


TYPES: tuple[type[FieldType], ...] = (FormulaType, RollupType, LookupType, AutoNumberType)
