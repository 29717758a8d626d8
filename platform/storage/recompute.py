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


def stored_computed_fields(definitions: Definitions, entity: EntityDef) -> list[FieldDef]:
    """Fields whose column is derived: stored formulas, rollups, stored lookups."""
    catalog = definitions.catalog
    return [
        f for f in catalog.stored_fields(entity)
        if catalog.field_type(f).computed and f.type != "auto_number"
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
    binding = EntityBinding(catalog, definitions.tables, entity, env, conn.dialect.name, table, inline_computed=True)
    values: dict[str, Any] = {f.column: binding.fitted_sql(f) for f in targets}
    statement = sa.update(table).values(values)
    if where is not None:
        statement = statement.where(where)
    return conn.execute(statement).rowcount or 0

