"""Recomputing stored computed fields (stored formulas, rollups, stored lookups) in SQL.

One UPDATE per entity and row set: each stored computed field is compiled from its sources with
stored computed fields inlined, so chains (line amount → order subtotal → order total) come out
right in a single statement, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.env import EvalEnv
from jimu.platform.context import Definitions
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.storage.bindings import EntityBinding
from jimu.platform.storage.value_range import Guard, check_guards, failed_function, find_failing, guarded, out_of_range


def stored_computed_fields(definitions: Definitions, entity: EntityDef) -> list[FieldDef]:
    """Fields whose column is derived: stored formulas, rollups, stored lookups."""
    catalog = definitions.catalog
    return [
        f for f in catalog.stored_fields(entity)
        if catalog.field_type(f).derived
    ]


def recompute(conn: sa.Connection, definitions: Definitions, entity_key: str, where: ColumnElement[bool] | None,
              env: EvalEnv, fields: list[FieldDef] | None = None) -> int:
    """Recompute stored computed fields of the rows matching `where` (on the entity's table); rows changed."""
    catalog = definitions.catalog
    entity = catalog.require_entity(entity_key)
    targets = fields if fields is not None else stored_computed_fields(definitions, entity)
    if not targets:
        return 0
    table = definitions.tables[entity_key]
    dialect = conn.dialect.name
    binding = EntityBinding(catalog, definitions.tables, entity, env, dialect, table, inline_computed=True)
    values: dict[str, Any] = {}
    guards: list[Guard] = []
    computed: list[Guard] = []
    for f in targets:
        value = binding.fitted_sql(f)
        bad = out_of_range(value, catalog.field_type(f).sa_type(f, catalog), dialect)
        values[f.column] = guarded(value, bad)
        computed.append(Guard(f, value, sa.false() if bad is None else bad))
        if bad is not None:
            guards.append(computed[-1])
    statement = sa.update(table).values(values)
    if where is not None:
        statement = statement.where(where)
    if guards:
        # the values themselves: SQLite 3.40 answers `column IS NULL` wrongly in a RETURNING clause
        statement = statement.returning(table.c.id, *(table.c[g.field.column] for g in guards))
    try:
        result = conn.execute(statement)
    except sa.exc.OperationalError as error:
        failing = find_failing(conn, table, computed, where, entity) if failed_function(error) else None
        if failing is not None:
            raise failing from None
        raise
    if not guards:
        return result.rowcount or 0
    rows = list(result.all())
    check_guards(conn, table, guards, rows, entity)
    return len(rows)

