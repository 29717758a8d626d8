"""Updating a record: a partial change of its fields; a child table sent as a full list replaces the lines."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.registry.model import EntityDef

from .attachments import attach, check_attachments
from .checks import check_read_only_if, check_record
from .common import assign_numbers, audit, header_entity, integrity_error, merged, run_hook, write_savepoint
from .computing import Recomputation
from .defaults import Defaults
from .integrity import LinkValue, check_links, check_unique, check_unique_among, link_values
from .problems import Problems
from .reading import Record, fetch_record, read_plan, visible
from .rows import LinkCache
from .validation import LineInput, check_required, convert_lines, convert_values, line_values
from .writing import columns_of, conflict, guarded_write, not_found, write_lines


def load_for_write(ctx: Context, entity: EntityDef, record_id: int, action: str,
                   expected_version: int | None) -> Record:
    """The live record to change (visible to the user for `action`), at the expected version."""
    table = ctx.tables[entity.key]
    condition = ctx.access.row_condition(entity.key, table, action)
    current = fetch_record(ctx, entity, record_id, include_deleted=True, condition=condition)
    if current is None:
        raise not_found(ctx, entity, record_id)
    if current["_deleted_at"] is not None:
        raise not_found(ctx, entity, record_id, "records.deleted")
    if expected_version is not None and expected_version != current["_version"]:
        raise conflict(ctx, entity, record_id, current["_version"])
    return current


def update(ctx: Context, entity_key: str, record_id: int, changes: Mapping[str, Any], *,
           expected_version: int | None = None) -> Record:
    """Change some fields (and/or replace lines); the record as written."""
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "update")
    current = load_for_write(ctx, entity, record_id, "update", expected_version)
    return _update(ctx, entity, current, changes)


def modify(ctx: Context, entity_key: str, record_id: int,
           change: Callable[[Record], Mapping[str, Any]]) -> tuple[Record, Record]:
    """A read-modify-write: lock the record and read it once (PostgreSQL FOR UPDATE; SQLite's write
    transaction already serialises writers), compute the changes from it (`change(record)`) and write
    them as `update` does. The record before and after; not found (records.not_found) when deleted."""
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "update")
    condition = ctx.access.row_condition(entity.key, ctx.tables[entity.key], "update")
    current = fetch_record(ctx, entity, record_id, include_deleted=True, condition=condition, lock=True)
    if current is None or current["_deleted_at"] is not None:
        raise not_found(ctx, entity, record_id)
    before = visible(ctx, entity, current)
    return before, _update(ctx, entity, current, change(before))


def _update(ctx: Context, entity: EntityDef, current: Record, changes: Mapping[str, Any]) -> Record:
    record_id = int(current["id"])
    problems = Problems(ctx.locale)
    values, children = convert_values(ctx, entity, changes, problems, current=current)
    uploads = check_attachments(ctx, entity, values, problems, record_id=record_id, current=current)
    changed = [name for name, value in values.items() if current.get(name) != value]
    check_required(ctx, entity, values, problems, only=changed)
    check_read_only_if(ctx, entity, current, changed, problems, LinkCache(ctx))
    links = [link for link in link_values(ctx, entity, values) if link.field.name in changed]
    lines = {name: sent_lines(ctx, entity, name, rows, current, problems, links) for name, rows in children.items()}
    check_links(ctx, links, problems)
    after = merged(current, values)

    def recheck(found: Problems) -> None:
        check_unique(ctx, entity, after, found, exclude_id=record_id, changed=changed)
        for name, sent in lines.items():
            child = ctx.catalog.require_related(entity.field(name))  # type: ignore[arg-type]
            rows = [line_values(line) for line in sent]
            check_unique_among(child, rows, found, f"{name}/")
            for index, (line, row) in enumerate(zip(sent, rows)):
                check_unique(ctx, child, row, found, prefix=f"{name}/{index}/", exclude_id=line.id)

    recheck(problems)
    problems.raise_if_any()
    if not changed and all(_same_lines(line_list, current.get(name) or []) for name, line_list in lines.items()):
        return visible(ctx, entity, current)
    try:
        with write_savepoint(ctx):
            updated = write_changes(ctx, entity, current, {n: values[n] for n in changed}, lines)
            attach(ctx, uploads, record_id)
    except sa.exc.IntegrityError as error:
        raise integrity_error(ctx, error, recheck) from error
    return visible(ctx, entity, updated)


def sent_lines(ctx: Context, entity: EntityDef, name: str, rows: Any, current: Record, problems: Problems,
               links: list[LinkValue]) -> list[LineInput]:
    """Lines sent for one child table, converted; new ones get defaults; required and links checked."""
    field = entity.field(name)
    assert field is not None
    child = ctx.catalog.require_related(field)
    lines = convert_lines(ctx, entity, field, rows, problems, current.get(name) or [])
    defaults = Defaults(ctx, child)
    cache = LinkCache(ctx)
    for index, line in enumerate(lines):
        prefix = f"{name}/{index}/"
        if line.id is None:
            defaults.apply(line.values, cache)
            check_required(ctx, child, line.values, problems, prefix=prefix)
            links += link_values(ctx, child, line.values, prefix)
        else:
            assert line.current is not None
            changed = [n for n, v in line.values.items() if line.current.get(n) != v]
            check_required(ctx, child, line.values, problems, prefix=prefix, only=changed)
            links += [link for link in link_values(ctx, child, line.values, prefix) if link.field.name in changed]
    return lines


def _same_lines(lines: list[LineInput], current: list[Record]) -> bool:
    if [line.id for line in lines] != [line["id"] for line in current]:
        return False
    return all(line.current is not None and all(line.current.get(n) == v for n, v in line.values.items())
               for line in lines)


def write_changes(ctx: Context, entity: EntityDef, current: Record, values: dict[str, Any],
                  lines: dict[str, list[LineInput]], *, draft: bool = False) -> Record:
    """Hooks, writes, recompute, checks on the result and audit (inside the caller's savepoint); a `draft`
    (a form's preview, rolled back by the caller) stops after the recompute, like `insert_record`'s."""
    record_id = current["id"]
    run_hook(ctx, "before_update", entity, record_id, current, merged(current, values))
    recomputation = Recomputation(ctx)
    recomputation.touch(entity.key, [record_id], values)  # old link targets
    for name in lines:
        child = ctx.catalog.require_related(entity.field(name))  # type: ignore[arg-type]
        recomputation.touch(child.key, [line["id"] for line in current.get(name) or []])
    version, written = guarded_write(ctx, entity, record_id, current["_version"], columns_of(ctx, entity, values))
    recomputation.touch(entity.key, [record_id], values)  # new link targets, own formulas
    for name, sent in lines.items():
        child = ctx.catalog.require_related(entity.field(name))  # type: ignore[arg-type]
        new = [line.values for line in sent if line.id is None]
        if new and not draft:
            assign_numbers(ctx, child, new)
        added, changed, _ = write_lines(ctx, child, record_id, sent, current.get(name) or [])
        recomputation.touch(child.key, added + changed)
    recomputation.run()
    updated = _as_written(ctx, entity, current, written, bool(lines), recomputation)
    assert updated["_version"] == version
    if draft:
        return updated
    problems = Problems(ctx.locale)
    check_record(ctx, entity, updated, problems, LinkCache(ctx))
    problems.raise_if_any()
    audit(ctx, entity, record_id, "update", version, current, updated)
    run_hook(ctx, "after_update", entity, record_id, current, updated)
    return updated


def _as_written(ctx: Context, entity: EntityDef, current: Record, written: Record | None, lines_written: bool,
                recomputation: Recomputation) -> Record:
    """The record after its write: the header the UPDATE returned with the lines as they were, unless the
    write replaced lines or recomputed values of the record or of its lines (then it is read again)."""
    record_id = current["id"]
    held = {name: list(current.get(name) or []) for name in read_plan(ctx, entity).children}
    if written is None or lines_written or recomputation.rewrote(entity.key, [record_id]) or any(
            recomputation.rewrote(child.key, [line["id"] for line in held[name]])
            for name, child in read_plan(ctx, entity).children.items()):
        updated = fetch_record(ctx, entity, record_id)
        assert updated is not None
        return updated
    return {**written, **held}
