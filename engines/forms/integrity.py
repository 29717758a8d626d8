"""Checks against other rows: link targets exist, are live and pass the link's filter; unique values."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions import to_sql
from jimu.platform.context import Context
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.storage.bindings import EntityBinding

from .problems import Problems, join_path
from .reading import eval_env


@dataclass(frozen=True)
class LinkValue:
    """A link value to check, and where it was sent."""

    path: str
    field: FieldDef
    target_id: int


def link_values(ctx: Context, entity: EntityDef, values: Mapping[str, Any], prefix: str = "",
                fields: Sequence[FieldDef] | None = None) -> list[LinkValue]:
    """The values among `values` that refer to another row — links and users (`fields`: those fields, when known)."""
    catalog = ctx.catalog
    links = fields if fields is not None else [
        f for f in entity.fields if catalog.field_type(f).foreign_key(f, catalog) is not None]
    return [LinkValue(join_path(prefix, f.name), f, values[f.name]) for f in links if values.get(f.name) is not None]


def check_links(ctx: Context, links: Iterable[LinkValue], problems: Problems) -> None:
    """Every linked record exists, is not deleted and satisfies the link field's `filter`."""
    by_field: dict[tuple[str, str], list[LinkValue]] = {}
    for link in links:
        by_field.setdefault((link.field.entity, link.field.name), []).append(link)
    for group in by_field.values():
        field = group[0].field
        states = _target_states(ctx, field, sorted({link.target_id for link in group}))
        for link in group:
            state = states.get(link.target_id)
            if state is None:
                missing = "records.link_not_found" if field.get("entity") else "records.user_not_found"
                problems.add(link.path, missing, id=link.target_id)
            elif state[0] is not None:
                problems.add(link.path, "records.link_deleted", id=link.target_id)
            elif not state[1]:
                problems.add(link.path, "records.link_filtered", id=link.target_id)


def _target_states(ctx: Context, field: FieldDef, ids: list[int]) -> dict[int, tuple[Any, bool]]:
    """id → (deleted_at, passes filter) of the link's target rows among `ids` (a user: never deleted)."""
    reference = ctx.catalog.field_type(field).foreign_key(field, ctx.catalog) or ""
    table = ctx.tables.metadata.tables[reference.rsplit(".", 1)[0]]
    deleted = table.c["_deleted_at"] if "_deleted_at" in table.c else sa.null()
    passes: Any = sa.true()
    if field.get("filter"):
        target = ctx.catalog.require_related(field)
        binding = EntityBinding(ctx.catalog, ctx.tables, target, eval_env(ctx), ctx.dialect, table)
        checked = ctx.catalog.compile(target.key, field.get("filter"))
        passes = sa.case((to_sql(checked, binding, eval_env(ctx), ctx.dialect).is_(True), True), else_=False)
    states: dict[int, tuple[Any, bool]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        statement = sa.select(table.c.id, deleted.label("deleted"), passes.label("ok")).where(table.c.id.in_(chunk))
        states.update({row.id: (row.deleted, bool(row.ok)) for row in ctx.conn.execute(statement)})
    return states


def unique_groups(entity: EntityDef) -> list[tuple[FieldDef, ...]]:
    """Field sets that must be unique among live rows: unique fields and unique indexes."""
    groups: list[tuple[FieldDef, ...]] = [(f,) for f in entity.fields if f.unique]
    for index in entity.indexes:
        if index.unique:
            fields = tuple(f for f in (entity.field(n) for n in index.fields) if f is not None)
            if fields:
                groups.append(fields)
    return groups


def check_unique(ctx: Context, entity: EntityDef, values: Mapping[str, Any], problems: Problems, *,
                 prefix: str = "", exclude_id: int | None = None, changed: Sequence[str] | None = None) -> None:
    """Values already used by another live row (only groups touching `changed`, when given)."""
    table = ctx.tables[entity.key]
    for group in unique_groups(entity):
        if changed is not None and not any(f.name in changed for f in group):
            continue
        if any(values.get(f.name) is None for f in group):
            continue
        path = join_path(prefix, group[0].name)
        if problems.has(path):
            continue
        statement = sa.select(table.c.id).where(table.c._deleted_at.is_(None), *[
            table.c[f.column] == values[f.name] for f in group]).limit(1)
        if exclude_id is not None:
            statement = statement.where(table.c.id != exclude_id)
        if ctx.conn.execute(statement).first() is not None:
            problems.add(path, "records.unique", value=", ".join(str(values[f.name]) for f in group))


def check_unique_among(entity: EntityDef, rows: Sequence[Mapping[str, Any]], problems: Problems, prefix: str) -> None:
    """Duplicates inside one list of new values (the lines of one record)."""
    for group in unique_groups(entity):
        seen: set[tuple[Any, ...]] = set()
        for index, row in enumerate(rows):
            key = tuple(row.get(f.name) for f in group)
            if any(v is None for v in key):
                continue
            if key in seen:
                problems.add(f"{prefix}{index}/{group[0].name}", "records.unique", value=", ".join(map(str, key)))
            seen.add(key)
