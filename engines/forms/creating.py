"""Creating a record: convert and check, fill defaults and numbers, insert header and lines atomically."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.fields.base import ValueConversionError
from jimu.platform.registry.model import EntityDef

from .attachments import attach, check_attachments
from .checks import check_record
from .common import assign_numbers, audit, header_entity, integrity_error, run_hook, write_savepoint
from .computing import Recomputation
from .defaults import Defaults
from .integrity import LinkValue, check_links, check_unique, check_unique_among, link_values
from .plan import EntityPlan, entity_plan
from .problems import Problems
from .reading import Record, child_fields, fetch_record, visible
from .rows import LinkCache
from .validation import check_required, convert_lines, convert_values
from .writing import insert_header, insert_lines


@dataclass
class NewRecord:
    """A record ready to insert: header values and, per child table, the values of each line."""

    values: dict[str, Any]
    lines: dict[str, list[dict[str, Any]]] = dc_field(default_factory=dict)


class Preparer:
    """Converts and checks new records of one entity (defaults built once, reused for many rows)."""

    def __init__(self, ctx: Context, entity: EntityDef) -> None:
        self.ctx = ctx
        self.entity = entity
        self.cache = LinkCache(ctx)
        self.defaults: dict[str, Defaults] = {entity.key: Defaults(ctx, entity)}
        self.plans: dict[str, EntityPlan] = {entity.key: entity_plan(ctx, entity)}
        for field in child_fields(entity):
            child = ctx.catalog.require_related(field)
            self.defaults[child.key] = Defaults(ctx, child)
            self.plans[child.key] = entity_plan(ctx, child)

    def prepare(self, data: Any, problems: Problems) -> tuple[NewRecord, list[LinkValue]]:
        """Values to insert and the links to check; problems (without link/unique checks) collected."""
        ctx, entity = self.ctx, self.entity
        if not isinstance(data, Mapping):
            problems.add("", "records.not_a_record")
            return NewRecord({}), []
        plan = self.plans[entity.key]
        values, children = convert_values(ctx, entity, data, problems, plan=plan)
        self._defaults(entity, values, problems, "")
        check_required(ctx, entity, values, problems, plan=plan)
        links = link_values(ctx, entity, values, fields=plan.links)
        record = NewRecord(values)
        for field in child_fields(entity):
            if field.name not in children and field.get("min_rows") is None:
                continue
            child = ctx.catalog.require_related(field)
            child_plan = self.plans[child.key]
            lines = convert_lines(ctx, entity, field, children.get(field.name), problems, [], plan=child_plan)
            record.lines[field.name] = []
            for index, line in enumerate(lines):
                prefix = f"{field.name}/{index}/"
                self._defaults(child, line.values, problems, prefix)
                check_required(ctx, child, line.values, problems, prefix=prefix, plan=child_plan)
                links += link_values(ctx, child, line.values, prefix, fields=child_plan.links)
                record.lines[field.name].append(line.values)
        return record, links

    def _defaults(self, entity: EntityDef, values: dict[str, Any], problems: Problems, prefix: str) -> None:
        try:
            self.defaults[entity.key].apply(values, self.cache)
        except ValueConversionError as error:
            problems.add(prefix.rstrip("/"), error.code, **error.params)

    def check_unique(self, record: NewRecord, problems: Problems) -> None:
        check_unique(self.ctx, self.entity, record.values, problems)
        for name, lines in record.lines.items():
            child = self.ctx.catalog.require_related(self.entity.field(name))  # type: ignore[arg-type]
            check_unique_among(child, lines, problems, f"{name}/")
            for index, line in enumerate(lines):
                check_unique(self.ctx, child, line, problems, prefix=f"{name}/{index}/")


def create(ctx: Context, entity_key: str, data: Mapping[str, Any]) -> Record:
    """Create a record (with its lines); the record as read back."""
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "create")
    preparer = Preparer(ctx, entity)
    problems = Problems(ctx.locale)
    record, links = preparer.prepare(data, problems)
    check_links(ctx, links, problems)
    uploads = check_attachments(ctx, entity, record.values, problems)
    preparer.check_unique(record, problems)
    problems.raise_if_any()
    try:
        with write_savepoint(ctx):
            created = insert_record(ctx, entity, record)
            attach(ctx, uploads, created["id"])
    except sa.exc.IntegrityError as error:
        raise integrity_error(ctx, error, lambda p: preparer.check_unique(record, p)) from error
    return visible(ctx, entity, created)


def insert_record(ctx: Context, entity: EntityDef, record: NewRecord, *, draft: bool = False) -> Record:
    """Hooks, numbers, inserts, recompute, checks on the result and audit (inside the caller's savepoint).

    A `draft` (a form's preview, rolled back by the caller) stops after the recompute: no numbers, checks,
    audit or after-hooks; the caller checks the record it gets back."""
    run_hook(ctx, "before_create", entity, None, None, {**record.values, **record.lines})
    if not draft:
        assign_numbers(ctx, entity, [record.values])
    record_id = insert_header(ctx, entity, record.values)
    recomputation = Recomputation(ctx)
    recomputation.touch(entity.key, [record_id])
    for name, lines in record.lines.items():
        child = ctx.catalog.require_related(entity.field(name))  # type: ignore[arg-type]
        if lines and not draft:
            assign_numbers(ctx, child, lines)
        recomputation.touch(child.key, insert_lines(ctx, child, record_id, list(enumerate(lines))))
    recomputation.run()
    created = fetch_record(ctx, entity, record_id)
    assert created is not None
    if draft:
        return created
    problems = Problems(ctx.locale)
    check_record(ctx, entity, created, problems, LinkCache(ctx))
    problems.raise_if_any()
    audit(ctx, entity, record_id, "create", created.get("_version"), None, created)
    run_hook(ctx, "after_create", entity, record_id, None, created)
    return created
