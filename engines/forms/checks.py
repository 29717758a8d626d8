"""Checks on the record as written: `required_if` conditions and entity rules.

They run after the write and the recompute, in the same transaction, so they see final computed
values (totals, rollups, links); a failure raises and the whole write is rolled back.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.engines.expressions import evaluate
from jimu.platform.context import Context
from jimu.platform.i18n import label
from jimu.platform.registry.model import EntityDef, FieldDef

from .problems import Problems
from .reading import Record, eval_env
from .rows import LinkCache, RecordRow


def check_record(ctx: Context, entity: EntityDef, record: Record, problems: Problems, cache: LinkCache, *,
                 prefix: str = "", parent: RecordRow | None = None) -> None:
    """required_if and rules of a record and of each of its lines."""
    row = RecordRow(cache, entity, record, parent=parent)
    env = eval_env(ctx)
    catalog = ctx.catalog
    for field in entity.fields:
        if not catalog.field_type(field).is_blank(record.get(field.name)):
            continue
        if _required_here(field, lambda source: evaluate(catalog.compile(entity.key, source), row, env)):
            problems.add(f"{prefix}{field.name}", "value.required")
    for rule in entity.rules:
        if evaluate(catalog.compile(entity.key, rule.expression), row, env) is False:
            message: Any = label(rule.message, ctx.locale) or rule.key
            for path in [f"{prefix}{name}" for name in rule.fields] or [prefix.rstrip("/")]:
                problems.add(path, "records.rule_failed", rule=rule.key, message=message)
    for field in catalog.child_fields(entity):
        child = catalog.require_related(field)
        for index, line in enumerate(record.get(field.name) or ()):
            check_record(ctx, child, line, problems, cache, prefix=f"{field.name}/{index}/", parent=row)


def _required_here(field: FieldDef, holds: Callable[[str], Any]) -> bool:
    """`required_if` holds, or the field is `required` and its `visible_if` shows it."""
    if field.get("required_if") and holds(field.get("required_if")) is True:
        return True
    visible_if = field.get("visible_if")
    return bool(field.required and visible_if and holds(visible_if) is True)


def check_read_only_if(ctx: Context, entity: EntityDef, current: Record, changed: list[str], problems: Problems,
                       cache: LinkCache) -> None:
    """Changed fields whose `read_only_if` holds on the record as it was are refused."""
    row = RecordRow(cache, entity, current)
    env = eval_env(ctx)
    for name in changed:
        field = entity.field(name)
        condition = field.get("read_only_if") if field is not None else None
        if condition and evaluate(ctx.catalog.compile(entity.key, condition), row, env) is True:
            problems.add(name, "records.read_only")
