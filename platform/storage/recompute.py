"""Recomputing stored computed fields (stored formulas, rollups, stored lookups) in SQL.

One UPDATE per entity and row set: each stored computed field is compiled from its sources with
stored computed fields inlined, so chains (line amount → order subtotal → order total) come out
right in a single statement, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from dataclasses import dataclass
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
    plan = Recompute.build(definitions, entity_key, conn.dialect.name, env, where, fields)
    return 0 if plan is None else plan.run(conn, None, where)


@dataclass(frozen=True)
class Recompute:
    """The UPDATE recomputing stored computed fields of the rows its `where` selects, built once and run
    as often as wanted (a `where` with bound parameters takes them at each run)."""

    entity: EntityDef
    table: sa.Table
    statement: sa.Update
    guards: list[Guard]
    computed: list[Guard]

    @staticmethod
    def build(definitions: Definitions, entity_key: str, dialect: str, env: EvalEnv,
              where: ColumnElement[bool] | None, fields: list[FieldDef] | None = None) -> Recompute | None:
        """The recompute of `fields` (default: every stored computed field; None when there is none)."""
        catalog = definitions.catalog
        entity = catalog.require_entity(entity_key)
        targets = fields if fields is not None else stored_computed_fields(definitions, entity)
        if not targets:
            return None
        table = definitions.tables[entity_key]
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
        return Recompute(entity, table, statement, guards, computed)

    def run(self, conn: sa.Connection, params: dict[str, Any] | None, where: ColumnElement[bool] | None) -> int:
        """Run it (with `params` for its `where`); `where` is the same condition with its values, to find a
        failing row. Rows changed."""
        try:
            result = conn.execute(self.statement, params)
        except sa.exc.OperationalError as error:
            failing = find_failing(conn, self.table, self.computed, where, self.entity) \
                if failed_function(error) else None
            if failing is not None:
                raise failing from None
            raise
        if not self.guards:
            return result.rowcount or 0
        rows = list(result.all())
        check_guards(conn, self.table, self.guards, rows, self.entity)
        return len(rows)
