"""Archived columns: removed fields keep their column and data, recorded in jimu_archived_column."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.meta import archived_columns
from jimu.platform.registry.model import FieldDef

ENTITY_MARK = "*"  # field_key/column_name of the row recording a whole archived entity (table kept)


@dataclass(frozen=True)
class ArchivedColumn:
    """A column left in place when its field was removed; re-adding the key restores it."""

    entity: str
    field_key: str
    column_name: str
    field: dict[str, Any]  # {"definition": the field's JSON, "type", "column_type", "foreign_key"}
    revision: int

    @property
    def field_type(self) -> str:
        return str(self.field.get("type", ""))

    @property
    def column_type(self) -> str:
        return str(self.field.get("column_type", ""))

    def field_def(self) -> FieldDef:
        raw = self.field.get("definition") or {}
        return FieldDef(name=raw.get("name", self.field_key), key=self.field_key, type=self.field_type, raw=raw,
                        entity=self.entity)


def load_archived(conn: sa.Connection) -> dict[tuple[str, str], ArchivedColumn]:
    """Every archived column, by (entity, column name)."""
    rows = conn.execute(sa.select(archived_columns)).mappings()
    return {
        (r["entity"], r["column_name"]): ArchivedColumn(
            r["entity"], r["field_key"], r["column_name"], r["field"], r["revision"])
        for r in rows
    }


def record_archived(conn: sa.Connection, entity: str, field_key: str, column: str, info: dict[str, Any],
                    revision: int, now: datetime) -> None:
    """Record (or re-record) an archived column."""
    forget_archived(conn, entity, column)
    conn.execute(sa.insert(archived_columns).values(entity=entity, field_key=field_key, column_name=column, field=info,
                                                    archived_at=now, revision=revision))


def forget_archived(conn: sa.Connection, entity: str, column: str) -> None:
    conn.execute(sa.delete(archived_columns).where(archived_columns.c.entity == entity,
                                                  archived_columns.c.column_name == column))
