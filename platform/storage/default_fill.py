"""A field added with a default gives it to the rows already there, unless it says `"backfill_default": false`.

Planned with the other data checks (the rows are counted, so the diff and a dry run say
"set default 'x' on 1,234 existing rows of t_customer"), written by the migration with one
set-based UPDATE per field inside the same transaction, after the column is added and before
indexes are built and stored computed fields recomputed. A constant default is converted by the
field type; a `default_expression` is compiled to SQL and evaluated per row (reading the row's
other fields; `CURRENT_USER()` and `NOW()` are the applying user and the time of the apply).
Soft-deleted rows get the default too, so restoring one gives a complete record. Versions and
the audit trail are not touched: the migration is recorded once, in the app's definition history.
"""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions import to_sql
from jimu.engines.expressions.env import EvalEnv
from jimu.platform.errors import ErrorDetail
from jimu.platform.i18n import translate
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef, table_name_for
from jimu.platform.storage.bindings import EntityBinding, round_half_up
from jimu.platform.storage.diff import Change, ChangeKind, SchemaDiff
from jimu.platform.storage.tables import EntityTables


def backfills(field: FieldDef) -> bool:
    """Whether adding `field` gives its default to existing rows."""
    has_default = field.get("default") is not None or bool(field.get("default_expression"))
    return has_default and field.get("backfill_default", True) is not False


def plan_default_fills(conn: sa.Connection, diff: SchemaDiff,
                       locale: str = "en") -> tuple[list[Change], list[ErrorDetail]]:
    """A FILL_DEFAULT change per added field with a default on a table that has rows, and the refusals:
    a unique field cannot give one default to several live rows."""
    changes: list[Change] = []
    problems: list[ErrorDetail] = []
    for added in diff.of_kind(ChangeKind.ADD_FIELD):
        entity = diff.new.entities[added.entity]
        field = entity.field_by_key(added.field_key or "")
        if field is None or not backfills(field):
            continue
        table = sa.table(table_name_for(entity.key), sa.column("id"), sa.column("_deleted_at"))
        rows, live = conn.execute(sa.select(sa.func.count(), sa.func.count(sa.case(
            (table.c._deleted_at.is_(None), 1))))).one()
        if not rows:
            continue
        if live > 1 and _unique(entity, field):
            params = {"entity": entity.key, "field": field.name, "rows": live}
            problems.append(ErrorDetail(f"{entity.key}.{field.name}", "schema.default_not_unique", params,
                                        translate("schema.default_not_unique", locale, **params)))
            continue
        changes.append(Change(ChangeKind.FILL_DEFAULT, entity.key, field.key, field.name,
                              {"value": _shown(field), "rows": int(rows), "table": table_name_for(entity.key)}))
    return changes, problems


def fill_defaults(conn: sa.Connection, diff: SchemaDiff, tables: EntityTables, entity: EntityDef,
                  env: EvalEnv) -> None:
    """Write the planned defaults of one entity's new fields into its existing rows."""
    table = tables[entity.key]
    for change in diff.for_entity(entity.key, ChangeKind.FILL_DEFAULT):
        field = entity.field_by_key(change.field_key or "")
        assert field is not None
        value = _default_sql(diff.new, tables, entity, field, env, conn.dialect.name)
        conn.execute(sa.update(table).where(table.c[field.column].is_(None)).values({field.column: value}))


def _default_sql(catalog: Catalog, tables: EntityTables, entity: EntityDef, field: FieldDef, env: EvalEnv,
                 dialect: str) -> Any:
    field_type = catalog.field_type(field)
    column_type = field_type.sa_type(field, catalog)
    if field.get("default") is not None:
        return sa.literal(field_type.coerce(field, field.get("default")), column_type)
    binding = EntityBinding(catalog, tables, entity, env, dialect, tables[entity.key], inline_computed=True)
    value = to_sql(catalog.compile(entity.key, field.get("default_expression")), binding, env, dialect)
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float) and column_type.scale is not None:
        return round_half_up(value, column_type.scale, dialect)
    return value


def _unique(entity: EntityDef, field: FieldDef) -> bool:
    return field.unique or any(index.unique and field.name in index.fields for index in entity.indexes)


def _shown(field: FieldDef) -> str:
    """The default as the diff shows it: `'x'`, `5`, or the expression after `=`."""
    if field.get("default") is None:
        return f"= {field.get('default_expression')}"
    value = field.get("default")
    if isinstance(value, str):
        return "'" + value + "'"
    return json.dumps(value, ensure_ascii=False)
