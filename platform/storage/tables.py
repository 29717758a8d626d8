"""Definitions to SQLAlchemy tables: every entity is a real table with typed columns and indexes."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jimu.platform.meta import users
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef, table_name_for
from jimu.platform.storage.sqltypes import IdType, UTCDateTime

_ON_DELETE = {"restrict": "RESTRICT", "set_null": "SET NULL", "cascade": "CASCADE"}
MAX_IDENTIFIER = 63  # PostgreSQL's limit
_DIGEST = 10  # hex digits of a generated name's hash (40 bits)
LEGACY_NAME = "legacy_name"


def index_name(prefix: str, table: str, name: str, scope: str) -> str:
    """The name of a generated index or constraint: readable `{prefix}_{table}_{name}` (cut to fit PostgreSQL's
    63 characters) and a hash of exactly (prefix, table, scope, name). Keys may hold `_`, so the readable part
    alone would collide (`a_b`.`c` and `a`.`b_c`; a field index and an entity index of the same key); the hash
    keeps the names of different things apart, short or long."""
    digest = hashlib.sha1("\x1f".join((prefix, table, scope, name)).encode()).hexdigest()[:_DIGEST]
    return f"{prefix}_{table}_{name}"[:MAX_IDENTIFIER - _DIGEST - 1] + "_" + digest


def legacy_index_name(prefix: str, table: str, suffix: str) -> str:
    """The name an index had before `index_name` (installations made then still have it; see ColumnDDL)."""
    name = f"{prefix}_{table}_{suffix}"
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:MAX_IDENTIFIER - 9]}_{digest}"


def _index(prefix: str, table: sa.Table, name: str, scope: str, *columns: Any, **options: Any) -> sa.Index:
    """A generated index, knowing its legacy name (`info["legacy_name"]`) so a schema change can find it."""
    return sa.Index(index_name(prefix, table.name, name, scope), *columns,
                    info={LEGACY_NAME: legacy_index_name(prefix, table.name, name)}, **options)


def field_index(table: sa.Table, entity: EntityDef, field: FieldDef, catalog: Catalog) -> sa.Index | None:
    """The index a field asks for: unique (live rows only), indexed, or a link's foreign key index."""
    column = table.c[field.column]
    if catalog.field_type(field).numbered:
        return _index("ux", table, field.column, "field", column, unique=True)
    if field.unique:
        live = table.c._deleted_at.is_(None)
        return _index("ux", table, field.column, "field", column, unique=True, sqlite_where=live, postgresql_where=live)
    if field.indexed or catalog.field_type(field).foreign_key(field, catalog) is not None:
        return _index("ix", table, field.column, "field", column)
    return None


def entity_index(table: sa.Table, entity: EntityDef, key: str, columns: list[str], unique: bool) -> sa.Index:
    cols = [table.c[c] for c in columns]
    if unique:
        live = table.c._deleted_at.is_(None)
        return _index("ux", table, key, "index", *cols, unique=True, sqlite_where=live, postgresql_where=live)
    return _index("ix", table, key, "index", *cols)


def field_column(field: FieldDef, catalog: Catalog, *, with_foreign_key: bool = True) -> sa.Column[object]:
    """The column of a stored field. Always nullable: `required` is enforced by the records service."""
    field_type = catalog.field_type(field)
    args: list[sa.ForeignKey] = []
    target = field_type.foreign_key(field, catalog)
    if target and with_foreign_key:
        on_delete = _ON_DELETE.get(field.get("on_delete", "restrict"))
        name = index_name("fk", table_name_for(field.entity), field.column, "field")
        args.append(sa.ForeignKey(target, ondelete=on_delete, name=name))
    return sa.Column(field.column, field_type.sa_type(field, catalog), *args, nullable=True)


def system_columns(entity: EntityDef, catalog: Catalog) -> list[sa.Column[object]]:
    columns: list[sa.Column[object]] = [
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("_created_at", UTCDateTime(), nullable=False),
        sa.Column("_created_by", IdType, nullable=True),
        sa.Column("_updated_at", UTCDateTime(), nullable=False),
        sa.Column("_updated_by", IdType, nullable=True),
        sa.Column("_deleted_at", UTCDateTime(), nullable=True),
    ]
    if entity.is_child:
        owner = catalog.parent_of(entity.key)
        parent_table = owner[0].table_name if owner else None
        fk = [sa.ForeignKey(f"{parent_table}.id", ondelete="CASCADE")] if parent_table else []
        columns.append(sa.Column("_parent_id", IdType, *fk, nullable=False))
        columns.append(sa.Column("_position", sa.Integer, nullable=False, server_default="0"))
    return columns


def build_table(entity: EntityDef, catalog: Catalog, metadata: sa.MetaData) -> sa.Table:
    """The SQLAlchemy table of one entity, with its indexes, inside `metadata`."""
    columns = system_columns(entity, catalog) + [field_column(f, catalog) for f in catalog.stored_fields(entity)]
    table = sa.Table(entity.table_name, metadata, *columns)
    if entity.is_child:
        _index("ix", table, "parent", "parent", table.c._parent_id, table.c._position)
    for stored in catalog.stored_fields(entity):
        field_index(table, entity, stored, catalog)
    for index in entity.indexes:
        entity_index(table, entity, index.key, [f.column for n in index.fields if (f := entity.field(n))], index.unique)
    return table


@dataclass
class EntityTables:
    """The tables of every entity in a catalog, in one MetaData (which also knows jimu_user)."""

    metadata: sa.MetaData
    tables: dict[str, sa.Table] = field(default_factory=dict)

    def __getitem__(self, entity_key: str) -> sa.Table:
        return self.tables[entity_key]

    def get(self, entity_key: str) -> sa.Table | None:
        return self.tables.get(entity_key)


def build_tables(catalog: Catalog, entities: Mapping[str, EntityDef] | None = None) -> EntityTables:
    metadata = sa.MetaData()
    users.to_metadata(metadata)
    result = EntityTables(metadata)
    for key, entity in (entities or catalog.entities).items():
        result.tables[key] = build_table(entity, catalog, metadata)
    return result
