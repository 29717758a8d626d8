"""The audit trail: who changed which record, when, and how (field old → new, in JSON form)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.platform.meta import audit_log
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef

Change = dict[str, Any]


@dataclass(frozen=True)
class AuditEntry:
    """One audited action on one record."""

    entity: str
    record_id: int
    action: str  # create, update, delete, restore, import
    version: int | None
    changes: list[Change]


def audited_fields(catalog: Catalog, entity: EntityDef) -> list[FieldDef]:
    """Fields whose values the trail records: every stored field (user-written and stored computed)."""
    return catalog.stored_fields(entity)


def json_value(catalog: Catalog, field: FieldDef, value: Any) -> Any:
    """The JSON form of a value; computed fields (whose type is their result's) by the value's own type."""
    if value is None:
        return None
    value = catalog.field_type(field).to_json(field, value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def field_changes(catalog: Catalog, entity: EntityDef, before: Mapping[str, Any] | None,
                  after: Mapping[str, Any] | None) -> list[Change]:
    """{field, old, new} for every audited field whose JSON form differs."""
    changes: list[Change] = []
    for field in audited_fields(catalog, entity):
        old = json_value(catalog, field, before.get(field.name)) if before else None
        new = json_value(catalog, field, after.get(field.name)) if after else None
        if old != new:
            changes.append({"field": field.name, "old": old, "new": new})
    return changes


def line_changes(catalog: Catalog, child: EntityDef, name: str, before: Sequence[Mapping[str, Any]],
                 after: Sequence[Mapping[str, Any]]) -> list[Change]:
    """Per line of a child table: added / changed / removed, each with its field changes."""
    old_by_id = {line["id"]: line for line in before}
    new_ids = {line["id"] for line in after}
    changes: list[Change] = []
    for line in after:
        old = old_by_id.get(line["id"])
        diff = field_changes(catalog, child, old, line)
        if old is None:
            changes.append({"field": name, "row": line["id"], "action": "added", "changes": diff})
        elif diff or old.get("_position") != line.get("_position"):
            changes.append({"field": name, "row": line["id"], "action": "changed", "changes": diff})
    for line in before:
        if line["id"] not in new_ids:
            changes.append({"field": name, "row": line["id"], "action": "removed",
                            "changes": field_changes(catalog, child, line, None)})
    return changes


def write_entries(conn: sa.Connection, entries: Iterable[AuditEntry], *, user_id: int | None, at: datetime,
                  request_id: str | None) -> None:
    """Append audit rows (one executemany)."""
    rows = [{"entity": e.entity, "record_id": e.record_id, "action": e.action, "user_id": user_id, "at": at,
             "version": e.version, "changes": e.changes, "request_id": request_id} for e in entries]
    if rows:
        conn.execute(sa.insert(audit_log), rows)


def read_history(conn: sa.Connection, entity_key: str, record_id: int) -> list[dict[str, Any]]:
    """Audit rows of a record, newest first."""
    statement = (
        sa.select(audit_log.c.id, audit_log.c.action, audit_log.c.user_id, audit_log.c.at, audit_log.c.version,
                  audit_log.c.changes, audit_log.c.request_id)
        .where(audit_log.c.entity == entity_key, audit_log.c.record_id == record_id)
        .order_by(audit_log.c.id.desc())
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


def filter_changes(changes: Iterable[Change], readable: frozenset[str] | None,
                   readable_lines: Mapping[str, frozenset[str] | None] | None = None) -> list[Change]:
    """Changes limited to the fields a user may read (line changes filtered by the child's fields)."""
    if readable is None and not readable_lines:
        return list(changes)
    kept: list[Change] = []
    for change in changes:
        if readable is not None and change["field"] not in readable:
            continue
        if "row" in change:
            inner = (readable_lines or {}).get(change["field"])
            if inner is not None:
                change = {**change, "changes": [c for c in change["changes"] if c["field"] in inner]}
        kept.append(change)
    return kept
