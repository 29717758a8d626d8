"""Event rules on record writes (engine hooks, inside the write's transaction).

- `create`: after a record is created; `update`: after an update that changed a field; `delete`: after a
  delete (the rule sees the record as it was); `field_changed`: an update changed one of `fields`;
  `state_entered`: the record's state became one of `states` (on create: its initial state is one).
  The last three see the record before the write as `old` (`old.amount <= 1000 AND amount > 1000`).
- A `sync` rule (the default) runs at once in the write's transaction: its writes trigger rules again
  (one chain level deeper each time), and its failure fails the write. A `queued` rule is noted as a
  queued history row and a job, both in the write's transaction, and runs after the commit.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jimu.platform.audit import field_changes
from jimu.platform.context import Context
from jimu.platform.hooks import Hooks, RecordEvent

from ..definitions import workflow_defs
from .queue import enqueue_run
from .rules import SYNC, rules_of
from .runner import Firing, fire_sync


def install_automation_hooks(hooks: Hooks) -> None:
    hooks.on("after_create", "*", _after_create)
    hooks.on("after_update", "*", _after_update)
    hooks.on("after_delete", "*", _after_delete)


def _after_create(ctx: Context, event: RecordEvent) -> None:
    rules = rules_of(ctx.catalog)
    if not rules.watches(event.entity) or event.record_id is None:
        return
    firings = [Firing(rule, event.record_id, "create") for rule in rules.for_event(event.entity, "create")]
    state = _state_change(ctx, event)
    if state is not None:
        firings += _state_firings(ctx, event, state)
    _fire(ctx, firings)


def _after_update(ctx: Context, event: RecordEvent) -> None:
    rules = rules_of(ctx.catalog)
    if not rules.watches(event.entity) or event.record_id is None:
        return
    entity = ctx.catalog.require_entity(event.entity)
    changed = [c["field"] for c in field_changes(ctx.catalog, entity, event.before, event.after)]
    if not changed:
        return
    firings = [Firing(rule, event.record_id, "update", {"fields": changed}, event.before)
               for rule in rules.for_event(event.entity, "update")]
    for rule in rules.for_event(event.entity, "field_changed"):
        watched = [name for name in rule.trigger.get("fields", ()) if name in changed]
        if watched:
            firings.append(Firing(rule, event.record_id, "field_changed", {"fields": watched}, event.before))
    state = _state_change(ctx, event)
    if state is not None:
        firings += _state_firings(ctx, event, state)
    _fire(ctx, firings)


def _after_delete(ctx: Context, event: RecordEvent) -> None:
    rules = rules_of(ctx.catalog)
    if not rules.watches(event.entity) or event.record_id is None:
        return
    before = {**(event.before or {}), "id": event.record_id}
    for rule in rules.for_event(event.entity, "delete"):
        _fire_one(ctx, Firing(rule, event.record_id, "delete"), before)


def _state_change(ctx: Context, event: RecordEvent) -> tuple[str | None, str] | None:
    """(old state, new state) when the write moved the record's state (a create enters its first state)."""
    process = workflow_defs(ctx.catalog).process_of(event.entity)
    if process is None or event.after is None:
        return None
    new = event.after.get(process.state_field) or process.initial
    old = (event.before or {}).get(process.state_field) or process.initial if event.before is not None else None
    return (old, str(new)) if old != new else None


def _state_firings(ctx: Context, event: RecordEvent, state: tuple[str | None, str]) -> Iterator[Firing]:
    old, new = state
    for rule in rules_of(ctx.catalog).for_event(event.entity, "state_entered"):
        if new in rule.trigger.get("states", ()):
            yield Firing(rule, event.record_id, "state_entered", {"from": old, "state": new}, event.before)


def _fire(ctx: Context, firings: list[Firing]) -> None:
    for firing in firings:
        _fire_one(ctx, firing, None)


def _fire_one(ctx: Context, firing: Firing, record: dict[str, Any] | None) -> None:
    if firing.rule.mode == SYNC:
        fire_sync(ctx, firing, record)
    else:
        enqueue_run(ctx, firing)


