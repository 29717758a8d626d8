"""SQL bindings of entities for the expression compiler: names → columns, links, lines, virtual fields."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.env import EvalEnv
from jimu.engines.expressions.scope import Relation
from jimu.platform.registry.catalog import PARENT, Catalog
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.storage.tables import EntityTables

RowGuard = Callable[[str, sa.FromClause], "ColumnElement[bool] | None"]
"""(entity key, table or alias) → the condition on its rows a reader may read, or None for all of them."""
MAX_GUARD_DEPTH = 8  # lookups of lookups followed when guarding stored values


class EntityBinding:
    """A `SqlBinding` over one entity's table (or an alias of it).

    Stored fields are columns; virtual formulas and lookups compile inline (so a list can filter
    and sort on them); links, lines and back-links become correlated relations on fresh aliases.

    With a `guard` (the reader's record rules) a linked, back-linked or queried record the reader may not read
    counts as absent: a link path through it is NULL, and a stored lookup or formula that reads through
    it is NULL too (see docs/security.md). Lines and the parent of a line need no guard: they follow
    the record that owns them.
    """

    def __init__(self, catalog: Catalog, tables: EntityTables, entity: EntityDef, env: EvalEnv, dialect: str,
                 table: sa.FromClause | None = None, *, inline_computed: bool = False,
                 guard: RowGuard | None = None) -> None:
        self.catalog = catalog
        self.tables = tables
        self.entity = entity
        self.env = env
        self.dialect = dialect
        self.table = table if table is not None else tables[entity.key]
        # When set, stored computed fields are computed from their sources instead of read from their
        # columns (used to recompute them: one UPDATE gives every level of a formula chain).
        self.inline_computed = inline_computed
        self.guard = guard

    def _related(self, entity_key: str) -> EntityBinding:
        entity = self.catalog.require_entity(entity_key)
        return EntityBinding(self.catalog, self.tables, entity, self.env, self.dialect, self.tables[entity_key].alias(),
                             inline_computed=self.inline_computed, guard=self.guard)

    def _guard(self, related: EntityBinding) -> ColumnElement[bool] | None:
        return None if self.guard is None else self.guard(related.entity.key, related.table)

    def column(self, name: str) -> ColumnElement[Any]:
        if name == "id":
            return self.table.c.id
        field = self.entity.field(name)
        if field is None:
            if name == PARENT and self.entity.is_child:
                return self.table.c._parent_id
            raise KeyError(name)
        field_type = self.catalog.field_type(field)
        if field_type.stored(field) and not (field_type.derived and self.inline_computed):
            column: ColumnElement[Any] = self.table.c[field.column]
            readable = self.stored_guard(field) if self.guard is not None and field_type.computed else None
            return column if readable is None else sa.case((readable, column), else_=sa.null())
        return self.fitted_sql(field)

    def stored_guard(self, field: FieldDef, depth: int = 0) -> ColumnElement[bool] | None:
        """When the reader may read every record a stored lookup or formula was computed through (None: always)."""
        # a rollup aggregates many records: it is not a path into one (docs/security.md)
        paths = self.catalog.field_type(field).read_paths(field, self.catalog)
        if not paths:
            return None
        conditions = [c for path in paths if (c := self._path_guard(path, depth)) is not None]
        return sa.and_(*conditions) if conditions else None

    def _path_guard(self, path: tuple[str, ...], depth: int) -> ColumnElement[bool] | None:
        """Every record `path` reads through is readable (or the link is empty); None when nothing is guarded."""
        if depth > MAX_GUARD_DEPTH:
            return sa.false()
        if len(path) == 1:
            field = self.entity.field(path[0])
            return None if field is None else self.stored_guard(field, depth + 1)
        try:
            link, relation = self.column(path[0]), self.link(path[0])
        except KeyError:
            return None  # a line collection (aggregates): lines follow their owner
        target: EntityBinding = relation.binding  # type: ignore[assignment]
        inner = target._path_guard(path[1:], depth + 1)
        conditions = [c for c in (relation.guard, inner) if c is not None]
        if not conditions:
            return None
        return sa.or_(link.is_(None), sa.exists(sa.select(sa.literal(1)).where(relation.correlation, *conditions)))

    def fitted_sql(self, field: FieldDef) -> ColumnElement[Any]:
        """`computed_sql` rounded half-up to the field's scale when it is a decimal, as its column would hold it."""
        value = self.computed_sql(field)
        column_type = self.catalog.field_type(field).sa_type(field, self.catalog)
        if (isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float)
                and column_type.scale is not None):
            return round_half_up(value, column_type.scale, self.dialect)
        return value

    def computed_sql(self, field: FieldDef) -> ColumnElement[Any]:
        """The SQL computing a derived field (formula, lookup, rollup) from its sources: asked of its type."""
        return self.catalog.field_type(field).computed_sql(field, self)

    def link(self, name: str) -> Relation:
        if name == PARENT and self.entity.is_child:
            owner = self.catalog.parent_of(self.entity.key)
            assert owner is not None
            parent = self._related(owner[0].key)
            return Relation(parent, parent.table.c.id == self.table.c._parent_id)
        field = self.entity.field(name)
        if field is None or not self.catalog.field_type(field).follows_link:
            raise KeyError(name)
        target = self._related(field.target)
        return Relation(target, target.table.c.id == self.table.c[field.column], self._guard(target))

    def children(self, name: str) -> Relation:
        field = self.entity.field(name)
        if field is None or not self.catalog.field_type(field).owns_rows:
            raise KeyError(name)
        child = self._related(field.target)
        return Relation(child, child.table.c._parent_id == self.table.c.id)

    def back_link(self, entity_key: str, link_name: str) -> Relation:
        """Live records of `entity_key` whose link `link_name` points at this row."""
        source = self._related(entity_key)
        link = source.entity.field(link_name)
        assert link is not None
        where = sa.and_(source.table.c[link.column] == self.table.c.id, source.table.c._deleted_at.is_(None))
        return Relation(source, where, self._guard(source))

    def query(self, entity_key: str) -> Relation:
        """Live records of `entity_key` the reader may read, for `SUM(entity.x WHERE ...)` (a fresh alias)."""
        source = self._related(entity_key)
        return Relation(source, source.table.c._deleted_at.is_(None), self._guard(source))

    def rollup_relation(self, relation: str) -> Relation:
        """The relation a rollup's `relation` names: a child table field or `entity.link`."""
        if "." in relation:
            entity_key, link_name = relation.split(".", 1)
            return self.back_link(entity_key, link_name)
        return self.children(relation)


def round_half_up(value: ColumnElement[Any], scale: int, dialect: str) -> ColumnElement[Any]:
    """ROUND half away from zero, exactly as the expression language's ROUND does."""
    if dialect == "sqlite":
        return sa.func.jimu_round(value, scale, type_=sa.Numeric(28, scale, asdecimal=True))
    return sa.func.round(sa.cast(value, sa.Numeric()), scale, type_=sa.Numeric(28, scale, asdecimal=True))
