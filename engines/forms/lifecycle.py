"""Reading, soft-deleting and restoring records, and their history."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.audit import AuditEntry, audit_entries, filter_changes, flush_audit, read_history
from jimu.platform.context import Context
from jimu.platform.registry.model import EntityDef

from .checks import check_record
from .common import audit, header_entity, integrity_error, run_hook
from .computing import Recomputation
from .deleting import Cause, apply_on_delete, refuse_restricted, restore_cascaded
from .integrity import LinkValue, check_links, check_unique, link_values
from .problems import Problems
from .reading import Record, child_fields, fetch_record, visible
from .rows import LinkCache
from .updating import load_for_write
from .writing import guarded_update, not_found


def get(ctx: Context, entity_key: str, record_id: int, *, include_deleted: bool = False) -> Record:
    """One record with its lines and virtual fields, limited to what the user may read."""
    entity = ctx.catalog.require_entity(entity_key)
    ctx.access.require(entity_key, "read")
    condition = ctx.access.row_condition(entity_key, ctx.tables[entity_key], "read")
    record = fetch_record(ctx, entity, record_id, include_deleted=include_deleted, condition=condition)
    if record is None:
        raise not_found(ctx, entity, record_id)
    return visible(ctx, entity, record)


def delete(ctx: Context, entity_key: str, record_id: int, *, expected_version: int | None = None) -> None:
    """Soft-delete a record (and its lines): it leaves rollups and lists, and can be restored.

    Live records linking to it are handled by each link's `on_delete` (deleting.py): refused
    (`restrict`, the default), deleted too (`cascade`) or unlinked (`set_null`), in the same transaction.
    """
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "delete")
    current = load_for_write(ctx, entity, record_id, "delete", expected_version)
    with ctx.conn.begin_nested():
        _soft_delete(ctx, entity, current, None, ctx.now())


def _soft_delete(ctx: Context, entity: EntityDef, current: Record, cause: Cause | None, now: datetime) -> None:
    record_id = current["id"]
    run_hook(ctx, "before_delete", entity, record_id, current, None)
    version = guarded_update(ctx, entity, record_id, current["_version"], {"_deleted_at": now})
    _mark_lines(ctx, entity, record_id, now, None)
    refuse_restricted(ctx, entity, record_id)
    apply_on_delete(ctx, entity, record_id, now, _cascade_delete)
    deleted = fetch_record(ctx, entity, record_id, include_deleted=True)
    assert deleted is not None
    _recompute(ctx, entity, deleted)
    _audit(ctx, entity, record_id, "delete", version, None, now, cause)
    run_hook(ctx, "after_delete", entity, record_id, current, None)


def _cascade_delete(ctx: Context, entity: EntityDef, record_id: int, cause: Cause, now: datetime) -> None:
    current = fetch_record(ctx, entity, record_id)
    if current is not None:
        _soft_delete(ctx, entity, current, cause, now)


def restore(ctx: Context, entity_key: str, record_id: int) -> Record:
    """Bring a soft-deleted record back, with what its delete cascaded to.

    Refused (field errors) when a unique value is taken again or a record it links to is deleted.
    """
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "delete")
    table = ctx.tables[entity_key]
    current = fetch_record(ctx, entity, record_id, include_deleted=True,
                           condition=ctx.access.row_condition(entity_key, table, "delete"))
    if current is None:
        raise not_found(ctx, entity, record_id)
    if current["_deleted_at"] is None:
        raise not_found(ctx, entity, record_id, "records.not_deleted")
    with ctx.conn.begin_nested():
        restored = _restore(ctx, entity, current, None)
    return visible(ctx, entity, restored)


def _restore(ctx: Context, entity: EntityDef, current: Record, cause: Cause | None) -> Record:
    record_id = current["id"]
    problems = Problems(ctx.locale)
    check_unique(ctx, entity, current, problems, exclude_id=record_id)
    problems.raise_if_any()
    try:
        version = guarded_update(ctx, entity, record_id, current["_version"], {"_deleted_at": None})
        _mark_lines(ctx, entity, record_id, None, current["_deleted_at"])
        restore_cascaded(ctx, entity, record_id, current["_deleted_at"], _cascade_restore)
        restored = fetch_record(ctx, entity, record_id)
        assert restored is not None
        _recompute(ctx, entity, restored)
        restored = fetch_record(ctx, entity, record_id)
        assert restored is not None
        check_links(ctx, _links_of(entity, restored, ctx), problems)
        check_record(ctx, entity, restored, problems, LinkCache(ctx))
        problems.raise_if_any()
        _audit(ctx, entity, record_id, "restore", version, current["_deleted_at"], None, cause)
        run_hook(ctx, "after_restore", entity, record_id, None, restored)
    except sa.exc.IntegrityError as error:
        raise integrity_error(
            ctx, error, lambda p: check_unique(ctx, entity, current, p, exclude_id=record_id)) from error
    return restored


def _cascade_restore(ctx: Context, entity: EntityDef, record_id: int, cause: Cause, deleted_at: datetime) -> None:
    current = fetch_record(ctx, entity, record_id, include_deleted=True)
    if current is not None and current["_deleted_at"] is not None:
        _restore(ctx, entity, current, cause)


def _links_of(entity: EntityDef, record: Record, ctx: Context) -> list[LinkValue]:
    """The link values of a record and of its lines, at their paths."""
    links = link_values(ctx, entity, record)
    for field in child_fields(entity):
        child = ctx.catalog.require_related(field)
        for n, line in enumerate(record.get(field.name) or []):
            links += link_values(ctx, child, line, f"{field.name}/{n}/")
    return links


def _audit(ctx: Context, entity: EntityDef, record_id: int, action: str, version: int, old: Any, new: Any,
           cause: Cause | None) -> None:
    """The delete/restore audit row; one caused by another record's says so in its `_deleted_at` change."""
    if cause is None:
        audit(ctx, entity, record_id, action, version, None, None)
        return
    change = {"field": "_deleted_at", "old": old.isoformat() if old else None, "new": new.isoformat() if new else None,
              "caused_by": cause.as_json()}
    audit_entries(ctx, [AuditEntry(entity.key, record_id, action, version, [change])])


def _mark_lines(ctx: Context, entity: EntityDef, record_id: int, deleted_at: Any, was: Any) -> None:
    """Soft-delete (or restore, those deleted with the header) the lines of a record."""
    for field in child_fields(entity):
        table = ctx.tables[field.target]
        where = table.c._deleted_at.is_(None) if deleted_at is not None else table.c._deleted_at == was
        ctx.conn.execute(sa.update(table).where(table.c._parent_id == record_id, where).values(_deleted_at=deleted_at))


def _recompute(ctx: Context, entity: EntityDef, record: Record) -> None:
    recomputation = Recomputation(ctx)
    recomputation.touch(entity.key, [record["id"]], ["_deleted_at"])
    for field in child_fields(entity):
        child_key = field.target
        recomputation.touch(child_key, [line["id"] for line in record.get(field.name) or []], ["_deleted_at"])
    recomputation.run()


def history(ctx: Context, entity_key: str, record_id: int) -> list[dict[str, Any]]:
    """The audit trail of a record, newest first, without fields the user may not read."""
    entity = ctx.catalog.require_entity(entity_key)
    ctx.access.require(entity_key, "read")
    condition = ctx.access.row_condition(entity_key, ctx.tables[entity_key], "read")
    if fetch_record(ctx, entity, record_id, include_deleted=True, condition=condition) is None:
        raise not_found(ctx, entity, record_id)
    readable = ctx.access.readable_fields(entity_key)
    lines = {f.name: ctx.access.readable_fields(f.target) for f in child_fields(entity)}
    flush_audit(ctx)  # the rows a chain holds are part of the trail read
    entries = read_history(ctx.conn, entity_key, record_id)
    for entry in entries:
        entry["changes"] = filter_changes(entry["changes"] or [], readable, lines)
    return entries

