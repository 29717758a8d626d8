"""Changes that recomputation pushes into records nobody wrote: a new version and a history entry.

A part's new price changes the stored lookups of order lines and the totals of their orders. Those
orders get a new `_version` (so their ETag moves) and an `update` audit row whose changes carry
`caused_by` — the record written. Set-based: per entity one SELECT of the stored computed values
before and one after the recompute, one UPDATE of the versions per entity, one INSERT of all audit
rows. Records written by the same operation are left alone: their own audit row shows the values.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from jimu.platform.audit import AuditEntry, Change, audit_entries, json_value
from jimu.platform.context import Context
from jimu.platform.storage.recompute import stored_computed_fields

CHUNK = 1000
MAX_CAUSE_IDS = 20
Values = dict[int, tuple[int | None, dict[str, Any]]]  # id → (parent id, field → JSON value)


def cause_of(entity_key: str, ids: Iterable[int]) -> dict[str, Any]:
    """The `caused_by` of changes made because these records were written."""
    ordered = sorted(set(ids))
    if len(ordered) == 1:
        return {"entity": entity_key, "record_id": ordered[0]}
    return {"entity": entity_key, "record_ids": ordered[:MAX_CAUSE_IDS], "count": len(ordered)}


class Propagation:
    """Before/after snapshots of the records a recomputation touches but nobody wrote."""

    def __init__(self, ctx: Context, written: Mapping[str, set[int]], cause: dict[str, Any] | None) -> None:
        self.ctx = ctx
        self.written = written
        self.cause = cause
        self.changes: dict[str, dict[int, list[Change]]] = {}  # header entity → id → changes

    def tracked(self, entity_key: str, ids: Iterable[int]) -> list[int]:
        """The ids among `ids` whose changes must be recorded (not written; their record not written)."""
        if self.cause is None:
            return []
        written = self.written.get(entity_key, set())
        return sorted(i for i in ids if i not in written)

    def snapshot(self, entity_key: str, ids: list[int]) -> Values:
        """The stored computed values of live rows, in JSON form."""
        entity = self.ctx.catalog.require_entity(entity_key)
        fields = stored_computed_fields(self.ctx.definitions, entity)
        if not ids or not fields:
            return {}
        table = self.ctx.tables[entity_key]
        parent = table.c._parent_id if entity.is_child else sa.null()
        columns = [table.c[f.column] for f in fields]
        values: Values = {}
        for start in range(0, len(ids), CHUNK):
            statement = sa.select(table.c.id, parent, *columns).where(
                table.c.id.in_(ids[start:start + CHUNK]), table.c._deleted_at.is_(None))
            for row in self.ctx.conn.execute(statement):
                values[row[0]] = (row[1], {f.name: json_value(self.ctx.catalog, f, v) for f, v in zip(fields, row[2:])})
        return values

    def compare(self, entity_key: str, before: Values, after: Values) -> None:
        """Note the changed values, on the record itself or, for lines, on the record owning them."""
        entity = self.ctx.catalog.require_entity(entity_key)
        owner = self.ctx.catalog.parent_of(entity_key) if entity.is_child else None
        for row_id, (parent_id, old) in before.items():
            new = after.get(row_id, (parent_id, old))[1]
            diff: list[Change] = [{"field": name, "old": value, "new": new[name], "caused_by": self.cause}
                                  for name, value in old.items() if new[name] != value]
            if not diff:
                continue
            if owner is None:
                self.changes.setdefault(entity_key, {}).setdefault(row_id, []).extend(diff)
                continue
            header, line_field = owner
            if parent_id is None or parent_id in self.written.get(header.key, set()):
                continue
            for change in diff:
                del change["caused_by"]
            line: Change = {"field": line_field.name, "row": row_id, "action": "changed", "changes": diff,
                            "caused_by": self.cause}
            self.changes.setdefault(header.key, {}).setdefault(parent_id, []).append(line)

    def finish(self) -> None:
        """One UPDATE of the versions per entity, then every audit row in one INSERT."""
        entries: list[AuditEntry] = []
        for entity_key, by_id in self.changes.items():
            table = self.ctx.tables[entity_key]
            ids = sorted(by_id)
            versions: dict[int, int] = {}
            for start in range(0, len(ids), CHUNK):
                statement = (sa.update(table).where(table.c.id.in_(ids[start:start + CHUNK]))
                             .values(_version=table.c._version + 1).returning(table.c.id, table.c._version))
                versions.update({int(i): int(v) for i, v in self.ctx.conn.execute(statement)})
            entries += [AuditEntry(entity_key, i, "update", versions.get(i), by_id[i]) for i in ids]
        self.changes.clear()
        audit_entries(self.ctx, entries)

