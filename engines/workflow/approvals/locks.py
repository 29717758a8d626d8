"""A record waiting for an approval is frozen like a submitted one: only the process's fields editable
after submit change, and it cannot be deleted (recall the approval first). The engine's own chains write
past this, as they do past every state lock."""
from __future__ import annotations

from jimu.platform.context import Context
from jimu.platform.hooks import Hooks, RecordEvent

from ..chain import chain_of
from ..definitions import process_of_record, workflow_defs
from ..errors import FieldLockedError, detail, error
from . import store


def install_locks(hooks: Hooks) -> None:
    hooks.on("after_update", "*", _after_update)
    hooks.on("before_delete", "*", _before_delete)


def _pending(ctx: Context, event: RecordEvent) -> bool:
    if chain_of(ctx) is not None or event.record_id is None:
        return False
    if workflow_defs(ctx.catalog).process_of(event.entity) is None:
        return False
    return store.pending_of(ctx.conn, event.entity, event.record_id) is not None


def _after_update(ctx: Context, event: RecordEvent) -> None:
    from ..record_hooks import changed_fields

    if event.before is None or event.after is None or not _pending(ctx, event):
        return
    process = process_of_record(ctx, event.entity, event.record_id or 0)
    assert process is not None
    entity = ctx.catalog.require_entity(event.entity)
    changed = changed_fields(ctx, entity, event.before, event.after)
    locked = [n for n in changed if n not in process.editable_after_submit]
    if locked:
        code = "approval.record_locked"
        raise error(FieldLockedError, code, ctx.locale, fields=", ".join(locked),
                    details=[detail(name, code, ctx.locale, fields=name) for name in locked])


def _before_delete(ctx: Context, event: RecordEvent) -> None:
    if _pending(ctx, event):
        raise error(FieldLockedError, "approval.delete_pending", ctx.locale)
