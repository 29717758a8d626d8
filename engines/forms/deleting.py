"""What soft-deleting a record does to the live records that link to it: each link's `on_delete`.

`restrict` (the default) refuses the delete and names the records that link to it; `cascade`
soft-deletes them too (recursively, each audited as caused by the record deleted); `set_null`
clears their link (audited, dependents recomputed). Lines are part of the record owning them: a
line linking to the deleted record is removed from (`cascade`, as an update removes a line) or
cleared in (`set_null`) that record, which is then audited as updated. Restoring a record restores
the records its delete cascaded to (deleted at the same moment through a `cascade` link to it);
removed lines and cleared links stay as they are.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.audit import AuditEntry, Change, audit_entries, field_changes
from jimu.platform.context import Context
from jimu.platform.errors import ConflictError, ErrorDetail
from jimu.platform.i18n import translate
from jimu.platform.registry.catalog import BackLink
from jimu.platform.registry.model import EntityDef

from .computing import Recomputation
from .reading import read_plan
from .writing import stamp

MAX_NAMED = 10  # referencing records named in a refusal, per link


@dataclass(frozen=True)
class Cause:
    """The record whose delete or restore led to a change elsewhere."""

    entity: str
    record_id: int

    def as_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "record_id": self.record_id}


# (ctx, entity, record id, cause, moment of the delete) → None: soft-delete or restore one header record
HeaderAction = Callable[[Context, EntityDef, int, Cause, datetime], None]


def refuse_restricted(ctx: Context, entity: EntityDef, record_id: int) -> None:
    """ConflictError naming the live records linking here through a `restrict` link (none: returns)."""
    details: list[ErrorDetail] = []
    for back in ctx.catalog.back_links(entity.key):
        if _action(back) != "restrict":
            continue
        rows = _referencing(ctx, back, record_id, MAX_NAMED + 1)
        if not rows:
            continue
        header = _header_key(ctx, back)
        named = ", ".join(_name(r) for r in rows[:MAX_NAMED]) + (" …" if len(rows) > MAX_NAMED else "")
        params = {"entity": header, "field": back.field.name, "records": named, "count": len(rows[:MAX_NAMED])}
        details.append(ErrorDetail(f"$linked_from/{back.entity.key}/{back.field.name}", "records.delete_restricted_by",
                                   params, translate("records.delete_restricted_by", ctx.locale, **params)))
    if details:
        code = "records.delete_restricted"
        raise ConflictError(translate(code, ctx.locale, entity=entity.key, id=record_id), code=code,
                            details=details, entity=entity.key, id=record_id)


def apply_on_delete(ctx: Context, entity: EntityDef, record_id: int, now: datetime,
                    delete_header: HeaderAction) -> None:
    """Cascade to and clear the links of the live records linking to a record being soft-deleted."""
    cause = Cause(entity.key, record_id)
    for back in ctx.catalog.back_links(entity.key):
        action = _action(back)
        if action == "restrict":
            continue
        rows = _referencing(ctx, back, record_id, None)
        if not rows:
            continue
        if action == "cascade" and not back.entity.is_child:
            for row in rows:
                delete_header(ctx, back.entity, row[0], cause, now)
        elif back.entity.is_child:
            _change_lines(ctx, back, [r[0] for r in rows], record_id, cause, remove=action == "cascade")
        else:
            _clear_links(ctx, back, [r[0] for r in rows], record_id, cause)


def restore_cascaded(ctx: Context, entity: EntityDef, record_id: int, deleted_at: datetime,
                     restore_header: HeaderAction) -> None:
    """Restore what deleting a record cascaded to: rows deleted at `deleted_at` through a cascade link to it."""
    cause = Cause(entity.key, record_id)
    for back in ctx.catalog.back_links(entity.key):
        if _action(back) != "cascade" or back.entity.is_child:
            continue  # lines removed by a cascade are gone, as lines removed by an update are
        table = ctx.tables[back.entity.key]
        statement = sa.select(table.c.id).where(table.c[back.field.column] == record_id,
                                                table.c._deleted_at == deleted_at).order_by(table.c.id)
        for row_id in ctx.conn.execute(statement).scalars().all():
            restore_header(ctx, back.entity, row_id, cause, deleted_at)


# ---- helpers -------------------------------------------------------------------------------------


def _action(back: BackLink) -> str:
    return str(back.field.get("on_delete") or "restrict")


def _header_key(ctx: Context, back: BackLink) -> str:
    owner = ctx.catalog.parent_of(back.entity.key) if back.entity.is_child else None
    return owner[0].key if owner else back.entity.key


def _referencing(ctx: Context, back: BackLink, record_id: int, limit: int | None) -> list[tuple[int, int, Any]]:
    """(row id, header id, header title) of the live rows whose link points at the record, by id."""
    table = ctx.tables[back.entity.key]
    header_entity = back.entity
    header, header_id = table, table.c.id
    if back.entity.is_child:
        owner = ctx.catalog.parent_of(back.entity.key)
        assert owner is not None
        header_entity, header = owner[0], ctx.tables[owner[0].key]
        header_id = table.c._parent_id
    title_field = header_entity.field(ctx.catalog.title_field(header_entity) or "")
    title = header.c[title_field.column] if title_field is not None and title_field.column in header.c else sa.null()
    statement = (sa.select(table.c.id, header_id, title)
                 .where(table.c[back.field.column] == record_id, table.c._deleted_at.is_(None))
                 .order_by(header_id, table.c.id))
    if header is not table:
        statement = statement.join_from(table, header, header.c.id == table.c._parent_id)
    if limit is not None:
        statement = statement.limit(limit)
    return [(int(r[0]), int(r[1]), r[2]) for r in ctx.conn.execute(statement)]


def _name(row: tuple[int, int, Any]) -> str:
    return f"#{row[1]}" if row[2] is None else f"#{row[1]} {row[2]}"


def _clear_links(ctx: Context, back: BackLink, ids: Sequence[int], record_id: int, cause: Cause) -> None:
    """set_null on header rows: one UPDATE bumping their versions, one audit row each, dependents recomputed."""
    table, field = ctx.tables[back.entity.key], back.field
    recomputation = Recomputation(ctx, cause=cause.as_json())
    recomputation.touch(back.entity.key, ids, [field.name])  # before: the old target's dependents
    statement = (sa.update(table).where(table.c.id.in_(ids))
                 .values({field.column: None, **stamp(ctx, creating=False), "_version": table.c._version + 1})
                 .returning(table.c.id, table.c._version))
    versions: dict[int, int] = dict(ctx.conn.execute(statement).all())
    recomputation.touch(back.entity.key, ids, [field.name])
    recomputation.run()
    change: Change = {"field": field.name, "old": record_id, "new": None, "caused_by": cause.as_json()}
    _write(ctx, [AuditEntry(back.entity.key, i, "update", versions[i], [change]) for i in sorted(versions)])


def _change_lines(ctx: Context, back: BackLink, ids: Sequence[int], record_id: int, cause: Cause, *,
                  remove: bool) -> None:
    """Remove (cascade) the lines, or clear their link (set_null); their records are audited as updated."""
    child = back.entity
    owner = ctx.catalog.parent_of(child.key)
    assert owner is not None
    parent_entity, line_field = owner
    lines, parents = ctx.tables[child.key], ctx.tables[parent_entity.key]
    plan = read_plan(ctx, child)
    before = {line["id"]: line for line in plan.fetch(ctx, plan.select.where(lines.c.id.in_(ids)))}
    recomputation = Recomputation(ctx, cause=cause.as_json())
    recomputation.touch(child.key, ids, [back.field.name])  # the old target's dependents
    if remove:
        ctx.conn.execute(sa.delete(lines).where(lines.c.id.in_(ids)))
    else:
        ctx.conn.execute(sa.update(lines).where(lines.c.id.in_(ids)).values({back.field.column: None}))
        recomputation.touch(child.key, ids, [back.field.name])
    parent_ids = sorted({line["_parent_id"] for line in before.values()})
    statement = (sa.update(parents).where(parents.c.id.in_(parent_ids))
                 .values({**stamp(ctx, creating=False), "_version": parents.c._version + 1})
                 .returning(parents.c.id, parents.c._version))
    versions: dict[int, int] = dict(ctx.conn.execute(statement).all())
    recomputation.touch(parent_entity.key, parent_ids)
    recomputation.run()
    entries = []
    for parent_id in parent_ids:
        changes: list[Change] = []
        for line_id, line in sorted(before.items()):
            if line["_parent_id"] != parent_id:
                continue
            inner = (field_changes(ctx.catalog, child, line, None) if remove
                     else [{"field": back.field.name, "old": record_id, "new": None}])
            changes.append({"field": line_field.name, "row": line_id, "action": "removed" if remove else "changed",
                            "changes": inner, "caused_by": cause.as_json()})
        entries.append(AuditEntry(parent_entity.key, parent_id, "update", versions[parent_id], changes))
    _write(ctx, entries)


def _write(ctx: Context, entries: list[AuditEntry]) -> None:
    audit_entries(ctx, entries)
