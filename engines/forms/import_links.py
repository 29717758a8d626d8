"""Link cells of an import: a target's id or its title, resolved for a whole batch in one query."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.context import Context
from jimu.platform.registry.model import EntityDef

# A resolved cell: the target id, or (error code, message params).
Outcome = int | tuple[str, dict[str, Any]]


def link_key(value: Any) -> str:
    """The text a link cell is matched on (ids and titles alike)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip()


class LinkResolver:
    """Resolves link cells to target ids: a unique title match first, else an existing id."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def resolve(self, target: EntityDef, values: Iterable[Any]) -> dict[str, Outcome]:
        """Outcome per link key of `values` (one SELECT over the target's live rows)."""
        keys = sorted({link_key(v) for v in values})
        if not keys:
            return {}
        table = self.ctx.tables[target.key]
        title = self._title_column(target, table)
        ids = sorted({int(k) for k in keys if k.isascii() and k.isdigit() and len(k) < 19})
        conditions = []
        if title is not None:  # a key no database can store cannot be any title (PostgreSQL refuses a NUL)
            conditions.append(title.in_([k for k in keys if "\x00" not in k]))
        if ids:
            conditions.append(table.c.id.in_(ids))
        found_ids: set[int] = set()
        by_title: dict[str, list[int]] = {}
        if conditions:
            query = sa.select(table.c.id, title if title is not None else sa.null()).where(
                table.c._deleted_at.is_(None), sa.or_(*conditions))
            visible = self.ctx.access.row_condition(target.key, table, "read")
            if visible is not None:
                query = query.where(visible)
            for row_id, row_title in self.ctx.conn.execute(query):
                found_ids.add(int(row_id))
                if row_title is not None:
                    by_title.setdefault(str(row_title), []).append(int(row_id))
        outcomes: dict[str, Outcome] = {}
        for key in keys:
            matches = by_title.get(key, [])
            if len(matches) == 1:
                outcomes[key] = matches[0]
            elif len(matches) > 1:
                outcomes[key] = ("import.link_ambiguous", {"entity": target.key, "count": len(matches)})
            elif key.isascii() and key.isdigit() and len(key) < 19 and int(key) in found_ids:
                outcomes[key] = int(key)
            else:
                outcomes[key] = ("import.link_unknown", {"entity": target.key})
        return outcomes

    def _title_column(self, target: EntityDef, table: sa.Table) -> sa.ColumnElement[Any] | None:
        """The stored text column holding the target's title, if it has one."""
        field = target.field(self.ctx.catalog.title_field(target) or "")
        if field is None or field.column not in table.c:
            return None
        if self.ctx.catalog.field_expr_type(field) != ExprType.TEXT:
            return None
        return table.c[field.column]
