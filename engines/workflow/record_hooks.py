"""What the workflow engine does on every record write (engine hooks, inside the write's transaction).

- A record of an entity with a process starts in the initial state and enters the process (its version
  is kept while it is in flight); only transitions change its state.
- The state locks fields: in a draft state its `locked_fields`; in a submitted state everything but the
  fields editable after submit; in a cancelled state everything. A submitted record cannot be deleted.
- While a chain of actions runs, every write it makes is noted in the chain's effects, field by field.
The engine's own actions (a chain) write past the locks: they do what the definition says.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.audit import field_changes
from jimu.platform.context import Context
from jimu.platform.hooks import Hooks, RecordEvent
from jimu.platform.registry.model import EntityDef

from .chain import chain_of
from .definitions import enter_process, process_of_record, workflow_defs
from .errors import FieldLockedError, detail, error
from .model import CANCELLED, SUBMITTED, ProcessDef, StateDef


def install_hooks(hooks: Hooks) -> None:
    hooks.on("before_create", "*", _before_create)
    hooks.on("after_create", "*", _after_create)
    hooks.on("after_update", "*", _after_update)
    hooks.on("before_delete", "*", _before_delete)
    hooks.on("after_delete", "*", _after_delete)


def _before_create(ctx: Context, event: RecordEvent) -> None:
    process = workflow_defs(ctx.catalog).process_of(event.entity)
    if process is None or chain_of(ctx) is not None or event.after is None:
        return
    given = event.after.get(process.state_field)
    if given not in (None, "", process.initial):
        code = "workflow.state_not_writable"
        raise error(FieldLockedError, code, ctx.locale, field=process.state_field,
                    details=[detail(process.state_field, code, ctx.locale, field=process.state_field)])


def _after_create(ctx: Context, event: RecordEvent) -> None:
    process = workflow_defs(ctx.catalog).process_of(event.entity)
    if process is not None and event.record_id is not None:
        enter_process(ctx, process, event.record_id)
    chain = chain_of(ctx)
    if chain is not None and event.after is not None:
        entity = ctx.catalog.require_entity(event.entity)
        chain.effects.add("record.created", entity=event.entity, id=event.record_id,
                          changes=field_changes(ctx.catalog, entity, None, event.after))


def _after_update(ctx: Context, event: RecordEvent) -> None:
    chain = chain_of(ctx)
    entity = ctx.catalog.require_entity(event.entity)
    if chain is not None:
        chain.effects.add("record.updated", entity=event.entity, id=event.record_id,
                          changes=field_changes(ctx.catalog, entity, event.before, event.after))
        return
    if workflow_defs(ctx.catalog).process_of(event.entity) is None or event.record_id is None:
        return
    process = process_of_record(ctx, event.entity, event.record_id)
    if process is not None and event.before is not None and event.after is not None:
        _refuse_locked(ctx, process, entity, event.before, event.after)


def _before_delete(ctx: Context, event: RecordEvent) -> None:
    if chain_of(ctx) is not None or event.record_id is None or event.before is None:
        return
    if workflow_defs(ctx.catalog).process_of(event.entity) is None:
        return
    process = process_of_record(ctx, event.entity, event.record_id)
    state = process.state(event.before.get(process.state_field) or process.initial) if process else None
    if state is not None and state.phase == SUBMITTED:
        code = "workflow.delete_submitted"
        raise error(FieldLockedError, code, ctx.locale, state=state.key)


def _after_delete(ctx: Context, event: RecordEvent) -> None:
    chain = chain_of(ctx)
    if chain is not None:
        chain.effects.add("record.deleted", entity=event.entity, id=event.record_id)


def editable_fields(process: ProcessDef, state: StateDef, entity: EntityDef) -> frozenset[str] | None:
    """The fields a user may change in a state (None: all but the state's `locked_fields`)."""
    if state.phase == CANCELLED:
        return frozenset()
    if state.phase == SUBMITTED:
        return process.editable_after_submit | state.editable_fields
    return None


def _refuse_locked(ctx: Context, process: ProcessDef, entity: EntityDef, before: Mapping[str, Any],
                   after: Mapping[str, Any]) -> None:
    state = process.state(before.get(process.state_field) or process.initial)
    changed = changed_fields(ctx, entity, before, after)
    locked: list[str] = []
    if process.state_field in changed:
        locked.append(process.state_field)
    if state is not None:
        editable = editable_fields(process, state, entity)
        locked += [name for name in changed if name != process.state_field and
                   (name in state.locked_fields or (editable is not None and name not in editable))]
    if locked:
        code = "workflow.field_locked"
        state_key = state.key if state is not None else ""
        raise error(FieldLockedError, code, ctx.locale, state=state_key, fields=", ".join(locked),
                    details=[detail(name, code, ctx.locale, state=state_key, fields=name) for name in locked])


def changed_fields(ctx: Context, entity: EntityDef, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """User-written fields (and child tables) whose values differ; computed fields follow them and are not counted."""
    catalog = ctx.catalog
    changed: list[str] = []
    for field in entity.fields:
        field_type = catalog.field_type(field)
        if field_type.computed:
            continue
        if field_type.owns_rows:
            child = catalog.require_related(field)
            old, new = (_line_values(catalog, child, r.get(field.name)) for r in (before, after))
            if old != new:
                changed.append(field.name)
        elif before.get(field.name) != after.get(field.name):
            changed.append(field.name)
    return changed


def _line_values(catalog: Any, child: EntityDef, lines: Any) -> list[tuple[Any, ...]]:
    names = [f.name for f in child.fields if not catalog.field_type(f).computed]
    return [(line.get("id"), *(line.get(n) for n in names)) for line in lines or ()]
