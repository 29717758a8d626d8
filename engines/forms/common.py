"""Pieces every write shares: the entity written, hooks, auto-numbers, the audit row, integrity errors."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import sqlalchemy as sa

from jimu.platform.audit import AuditEntry, audit_entries, field_changes, line_changes
from jimu.platform.context import Context
from jimu.platform.errors import ValidationError
from jimu.platform.hooks import RecordEvent
from jimu.platform.i18n import translate
from jimu.platform.numbering import render_series, reserve
from jimu.platform.registry.model import EntityDef

from .problems import Problems
from .reading import Record, child_fields

# ctx.extras: True when the writes made through the context are a chain held in one savepoint (or
# transaction) that rolls back whole when any of them fails, nobody carrying on past a failure: a write
# then needs no savepoint of its own (a workflow chain; see engines/workflow/chain.py).
ENCLOSED = "records.enclosed"


def header_entity(ctx: Context, entity_key: str) -> EntityDef:
    """The entity written: never a child entity (its lines are written through their parent)."""
    entity = ctx.catalog.require_entity(entity_key)
    if entity.is_child:
        owner = ctx.catalog.parent_of(entity_key)
        parent = owner[0].key if owner else ""
        code = "records.child_entity"
        raise ValidationError(translate(code, ctx.locale, entity=entity_key, parent=parent), code=code,
                              entity=entity_key, parent=parent)
    return entity


def run_hook(ctx: Context, name: str, entity: EntityDef, record_id: int | None, before: Record | None,
             after: Record | None) -> None:
    if ctx.hooks is not None and ctx.hooks.wants(name, entity.key):
        ctx.hooks.run(ctx, RecordEvent(name, entity.key, record_id, before, after))


def assign_numbers(ctx: Context, entity: EntityDef, rows: list[dict[str, Any]]) -> None:
    """Give every auto-number field of new rows its next numbers (reserved in one statement per field)."""
    for field in entity.fields:
        if not ctx.catalog.field_type(field).numbered:
            continue
        series = render_series(entity.key, field, ctx.now())
        numbers = reserve(ctx.conn, series, len(rows))
        for row, number in zip(rows, numbers):
            row[field.name] = number


def audit(ctx: Context, entity: EntityDef, record_id: int, action: str, version: int | None,
          before: Record | None, after: Record | None) -> None:
    """Write the audit row of one record write: field changes, then line changes per child table."""
    catalog = ctx.catalog
    changes = field_changes(catalog, entity, before, after)
    for field in child_fields(entity):
        child = catalog.require_related(field)
        old = (before or {}).get(field.name) or []
        new = (after or {}).get(field.name) or []
        if action in ("create", "update"):
            changes += line_changes(catalog, child, field.name, old, new)
    entry = AuditEntry(entity.key, record_id, action, version, changes)
    audit_entries(ctx, [entry])


def write_savepoint(ctx: Context) -> AbstractContextManager[Any]:
    """The savepoint one write runs in, so a failure undoes it whole: none in an enclosed chain (its own
    savepoint undoes every write of the chain)."""
    return nullcontext() if ctx.extras.get(ENCLOSED) else ctx.conn.begin_nested()


def integrity_error(ctx: Context, error: sa.exc.IntegrityError,
                    recheck: Callable[[Problems], None]) -> ValidationError:
    """A database constraint failure as field errors: the unique checks, run again, say which field.

    Without a savepoint of the write's own (an enclosed chain) a PostgreSQL transaction is unusable until
    the chain's savepoint rolls back: the constraint failure (a race with a concurrent write: the checks
    before the write passed) is reported without the field."""
    problems = Problems(ctx.locale)
    if not (ctx.extras.get(ENCLOSED) and ctx.dialect == "postgresql"):
        recheck(problems)
    if not problems:
        problems.add("", "records.integrity")
    return problems.error()


def merged(current: Mapping[str, Any] | None, values: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(current or {})
    result.update(values)
    return result
