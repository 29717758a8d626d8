"""Reading, soft-deleting and restoring records, and their history."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.platform.audit import filter_changes, read_history
from jimu.platform.context import Context
from jimu.platform.registry.model import EntityDef

from .checks import check_record
from .common import audit, header_entity, integrity_error, run_hook
from .computing import Recomputation
from .integrity import check_unique
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
    """Soft-delete a record (and its lines): it leaves rollups and lists, and can be restored."""
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "delete")
    current = load_for_write(ctx, entity, record_id, "delete", expected_version)
    with ctx.conn.begin_nested():
        run_hook(ctx, "before_delete", entity, record_id, current, None)
        now = ctx.now()
        version = guarded_update(ctx, entity, record_id, current["_version"], {"_deleted_at": now})
        _mark_lines(ctx, entity, record_id, now, None)
        deleted = fetch_record(ctx, entity, record_id, include_deleted=True)
        assert deleted is not None
        _recompute(ctx, entity, deleted)
        audit(ctx, entity, record_id, "delete", version, None, None)
        run_hook(ctx, "after_delete", entity, record_id, current, None)


def restore(ctx: Context, entity_key: str, record_id: int) -> Record:
    """Bring a soft-deleted record back (its unique values must still be free)."""
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "delete")
    table = ctx.tables[entity_key]
    current = fetch_record(ctx, entity, record_id, include_deleted=True,
                           condition=ctx.access.row_condition(entity_key, table, "delete"))
    if current is None:
        raise not_found(ctx, entity, record_id)
    if current["_deleted_at"] is None:
        raise not_found(ctx, entity, record_id, "records.not_deleted")
    problems = Problems(ctx.locale)
    check_unique(ctx, entity, current, problems, exclude_id=record_id)
    problems.raise_if_any()
    try:
        with ctx.conn.begin_nested():
            version = guarded_update(ctx, entity, record_id, current["_version"], {"_deleted_at": None})
            _mark_lines(ctx, entity, record_id, None, current["_deleted_at"])
            restored = fetch_record(ctx, entity, record_id)
            assert restored is not None
            _recompute(ctx, entity, restored)
            restored = fetch_record(ctx, entity, record_id)
            assert restored is not None
            check_record(ctx, entity, restored, problems, LinkCache(ctx))
            problems.raise_if_any()
            audit(ctx, entity, record_id, "restore", version, None, None)
            run_hook(ctx, "after_restore", entity, record_id, None, restored)
    except sa.exc.IntegrityError as error:
        raise integrity_error(ctx, error, lambda p: check_unique(ctx, entity, current, p, exclude_id=record_id)) from error
    return visible(ctx, entity, restored)


def _mark_lines(ctx: Context, entity: EntityDef, record_id: int, deleted_at: Any, was: Any) -> None:
    """Soft-delete (or restore, those deleted with the header) the lines of a record."""
    for field in child_fields(entity):
        table = ctx.tables[field.get("entity")]
        where = table.c._deleted_at.is_(None) if deleted_at is not None else table.c._deleted_at == was
        ctx.conn.execute(sa.update(table).where(table.c._parent_id == record_id, where).values(_deleted_at=deleted_at))


def _recompute(ctx: Context, entity: EntityDef, record: Record) -> None:
    recomputation = Recomputation(ctx)
    recomputation.touch(entity.key, [record["id"]], ["_deleted_at"])
    for field in child_fields(entity):
        child_key = field.get("entity")
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
    lines = {f.name: ctx.access.readable_fields(f.get("entity")) for f in child_fields(entity)}
    entries = read_history(ctx.conn, entity_key, record_id)
    for entry in entries:
        entry["changes"] = filter_changes(entry["changes"] or [], readable, lines)
    return entries

