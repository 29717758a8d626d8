"""Running transitions: who may, from which state, guards and required fields, then the state change and
the actions, all in the caller's transaction — or, on a dry run, all of it in a savepoint rolled back,
reporting every effect (the same code path: what the dry run shows is what the real run does).

    available(ctx, "expense", 7)           # each transition of its state: may it run now, and if not, why
    run(ctx, "expense", 7, "submit", expected_version=3, comment="ok", dry_run=True)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.platform.audit import AuditEntry, audit_entries
from jimu.platform.context import Context
from jimu.platform.errors import ConflictError, ErrorDetail
from jimu.platform.i18n import label
from jimu.platform.registry.model import EntityDef

from .chain import Chain, Frame, run_actions
from .definitions import process_of_record, workflow_defs
from .errors import TransitionBlockedError, TransitionNotAllowedError, TransitionNotFoundError, detail, error
from .model import CANCELLED, WITHDRAW, ProcessDef, TransitionDef, variables
from .people import caller_roles, is_named_or_manager
from .scope import VARIABLE_TYPES
from .tables import created_links, runs

TIMELINE_ACTION = "transition"  # the audit trail's action of a transition (the record's timeline)


@dataclass
class Check:
    """Whether a transition may run now: the reasons it may not (each a detail with a message)."""

    transition: TransitionDef
    allowed: bool = True  # the caller is among those who may run it
    reasons: list[ErrorDetail] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.allowed and not self.reasons

    def as_dict(self, locale: str) -> dict[str, Any]:
        t = self.transition
        return {"key": t.key, "label": label(t.label, locale), "to": t.target, "allowed": self.ok,
                "comment": t.comment, "approval": t.approval is not None,
                "blocked_by": [d.as_dict() for d in self.reasons]}


def process_for(ctx: Context, entity_key: str, record_id: int) -> ProcessDef:
    """The process the record follows (its version in flight); TransitionNotFoundError when none."""
    entity = ctx.catalog.require_entity(entity_key)
    process = process_of_record(ctx, entity.key, record_id)
    if process is None:
        raise error(TransitionNotFoundError, "workflow.no_process", ctx.locale, entity=entity.key)
    return process


def state_of(process: ProcessDef, record: Mapping[str, Any]) -> str:
    return str(record.get(process.state_field) or process.initial)


def available(ctx: Context, entity_key: str, record_id: int) -> dict[str, Any]:
    """The record's state and the transitions leaving it, each with whether the caller may run it now."""
    process = process_for(ctx, entity_key, record_id)
    record = records.get(ctx, entity_key, record_id)
    state = state_of(process, record)
    leaving = process.outgoing(state)
    checks = [check(ctx, process, t, record) for t in leaving]
    waiting = _pending_approval(ctx, process, record)
    for found, transition in zip(checks, leaving, strict=True):
        if transition.pending_approval != WITHDRAW:
            found.reasons += waiting
    current = process.state(state)
    from .approvals import pending_summary

    return {"process": process.key, "state": state,
            "state_label": label(current.label, ctx.locale) if current else state,
            "phase": current.phase if current else None, "transitions": [c.as_dict(ctx.locale) for c in checks],
            "pending_approval": pending_summary(ctx, process, int(record["id"]))}


def _pending_approval(ctx: Context, process: ProcessDef, record: dict[str, Any]) -> list[ErrorDetail]:
    """A reason blocking every transition while the record waits for an approval (recall it first), but
    those that withdraw it (`"pending_approval": "withdraw"`)."""
    from .approvals import store

    pending = store.pending_of(ctx.conn, process.entity, int(record["id"]))
    if pending is None:
        return []
    return [detail("", "approval.pending", ctx.locale, transition=pending.transition, approval=pending.id)]


def check(ctx: Context, process: ProcessDef, transition: TransitionDef, record: dict[str, Any]) -> Check:
    """Who may run it, its guards and required fields, on the record as it is."""
    entity = ctx.catalog.require_entity(process.entity)
    found = Check(transition, allowed=_may_run(ctx, process, entity, transition, record))
    state = state_of(process, record)
    if not transition.leaves(state):
        found.reasons.append(detail(process.state_field, "workflow.wrong_state", ctx.locale, state=state,
                                    transition=transition.key))
    for name in transition.required_fields:
        field_def = entity.field(name)
        if field_def is not None and ctx.catalog.field_type(field_def).is_blank(record.get(name)):
            found.reasons.append(detail(name, "workflow.field_required", ctx.locale, field=name))
    if found.reasons:
        return found
    chain = Chain.start(ctx, workflow_defs(ctx.catalog), "check")
    frame = transition_frame(chain, entity, record, transition)
    for guard in transition.guards:
        if not frame.holds(chain, guard.condition):
            message = label(guard.message, ctx.locale) or guard.key
            found.reasons.append(detail("", "workflow.guard_failed", ctx.locale, guard=guard.key, message=message))
    if process.state(transition.target) is not None and process.state(transition.target).phase == CANCELLED:  # type: ignore[union-attr]
        found.reasons += _still_submitted_children(ctx, entity, int(record["id"]))
    return found


def _may_run(ctx: Context, process: ProcessDef, entity: EntityDef, transition: TransitionDef,
              record: dict[str, Any]) -> bool:
    allowed = transition.allowed
    roles = caller_roles(ctx)
    if roles is None:
        return True
    if allowed.anyone:
        try:
            ctx.access.require(entity.key, "update")
        except Exception:  # noqa: BLE001  (PermissionDeniedError: the answer is no)
            return False
        return True
    if roles & set(allowed.roles) or is_named_or_manager(ctx, process, allowed, record):
        return True
    if allowed.condition is None:
        return False
    chain = Chain.start(ctx, workflow_defs(ctx.catalog), "check")
    return transition_frame(chain, entity, record, transition).holds(chain, allowed.condition)


def transition_frame(chain: Chain, entity: EntityDef, record: dict[str, Any], transition: TransitionDef) -> Frame:
    var_types = {v.name: VARIABLE_TYPES[v.type] for v in variables(transition.raw.get("vars"))}
    frame = Frame.on_record(chain, entity, record, var_types=var_types)
    for variable in variables(transition.raw.get("vars")):
        frame.vars[variable.name] = frame.value(chain, variable.value, var_types[variable.name]) \
            if variable.value else None
    return frame


def _still_submitted_children(ctx: Context, entity: EntityDef, record_id: int) -> list[ErrorDetail]:
    """Records created from this one that are still in a submitted state (they must be cancelled first)."""
    links = ctx.conn.execute(sa.select(created_links.c.target_entity, created_links.c.target_id).where(
        created_links.c.source_entity == entity.key, created_links.c.source_id == record_id)).all()
    found: list[ErrorDetail] = []
    for target_entity, target_id in links:
        process = workflow_defs(ctx.catalog).process_of(target_entity)
        target = ctx.catalog.entity(target_entity)
        if process is None or target is None:
            continue
        row = ctx.conn.execute(sa.select(ctx.tables[target_entity].c[target.field(process.state_field).column])  # type: ignore[union-attr]
                               .where(ctx.tables[target_entity].c.id == target_id,
                                      ctx.tables[target_entity].c._deleted_at.is_(None))).first()
        state = process.state(row[0] or process.initial) if row is not None else None
        if state is not None and state.phase == "submitted":
            found.append(detail("", "workflow.cancel_children_first", ctx.locale,
                                entity=label(target.label, ctx.locale), id=target_id,
                                title=record_title(ctx, target, target_id)))
    return found


def record_title(ctx: Context, entity: EntityDef, record_id: int) -> str:
    title = ctx.catalog.title_field(entity)
    if title is None or entity.field(title) is None:
        return f"#{record_id}"
    column = ctx.tables[entity.key].c[entity.field(title).column]  # type: ignore[union-attr]
    value = ctx.conn.execute(sa.select(column).where(ctx.tables[entity.key].c.id == record_id)).scalar_one_or_none()
    return str(value) if value is not None else f"#{record_id}"


def run(ctx: Context, entity_key: str, record_id: int, transition_key: str, *, expected_version: int | None = None,
        comment: str | None = None, dry_run: bool = False, idempotency_key: str | None = None,
        parent: Chain | None = None, parent_key: str | None = None) -> dict[str, Any]:
    """Run a transition; with `dry_run`, run it whole in a savepoint, roll it back and report its effects.

    A `parent` chain (a `transition` action) runs it inside itself: the same effects and depth, its key
    derived from `parent_key`, and no check of who may run it (the definition that runs it decides)."""
    if idempotency_key is not None and not dry_run:
        from .approvals import runtime

        previous = _previous_run(ctx, idempotency_key) or runtime.previous_start(ctx, idempotency_key)
        if previous is not None:
            return previous
    savepoint = ctx.conn.begin_nested()
    try:
        result = _run(ctx, entity_key, record_id, transition_key, expected_version=expected_version,
                      comment=comment, dry_run=dry_run, idempotency_key=idempotency_key, parent=parent,
                      parent_key=parent_key)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return result


def _run(ctx: Context, entity_key: str, record_id: int, transition_key: str, *, expected_version: int | None,
         comment: str | None, dry_run: bool, idempotency_key: str | None, parent: Chain | None = None,
         parent_key: str | None = None) -> dict[str, Any]:
    process = process_for(ctx, entity_key, record_id)
    transition = process.transition(transition_key)
    if transition is None:
        raise error(TransitionNotFoundError, "workflow.transition_not_found", ctx.locale, transition=transition_key,
                    process=process.key)
    entity = ctx.catalog.require_entity(entity_key)
    lock_record(ctx, entity, record_id)
    record = records.get(ctx, entity_key, record_id)
    if expected_version is not None and expected_version != record["_version"]:
        code = "records.version_conflict"
        raise error(ConflictError, code, ctx.locale, current_version=record["_version"],
                    details=[detail("_version", code, ctx.locale, current_version=record["_version"])])
    _require_runnable(ctx, process, transition, record, comment, system=parent is not None)
    withdrawn = _withdrawn(ctx, transition, entity_key, record_id, comment)
    if transition.approval is not None:  # the record waits for its approvers; approving the last level moves it
        from .approvals import runtime

        result = runtime.start(ctx, process, transition, record, comment=comment, dry_run=dry_run,
                               idempotency_key=idempotency_key)
    else:
        result = complete(ctx, process, transition, record, comment=comment, dry_run=dry_run,
                          idempotency_key=idempotency_key, parent=parent, parent_key=parent_key)
    if withdrawn:
        result["effects"] = withdrawn + list(result["effects"])
    return result


def _withdrawn(ctx: Context, transition: TransitionDef, entity_key: str, record_id: int,
               comment: str | None) -> list[dict[str, Any]]:
    """A transition that withdraws a pending approval closes it first (its effects; none when none)."""
    if transition.pending_approval != WITHDRAW:
        return []
    from .approvals.decisions import withdraw_pending

    return withdraw_pending(ctx, entity_key, record_id, transition=transition.key, comment=comment)


def complete(ctx: Context, process: ProcessDef, transition: TransitionDef, record: dict[str, Any], *,
             comment: str | None, dry_run: bool, idempotency_key: str | None,
             requested_by: int | None = None, parent: Chain | None = None,
             parent_key: str | None = None) -> dict[str, Any]:
    """The state change and the actions of a transition whose checks passed (the record's row locked): run
    directly, or by the approval of its last level (in the approving user's transaction; the run is noted as
    `requested_by` the submitter, the timeline names the approver)."""
    entity = ctx.catalog.require_entity(process.entity)
    record_id = int(record["id"])
    source = state_of(process, record)
    run_key = idempotency_key or f"{entity.key}:{record_id}:{transition.key}:{record['_version']}"
    if parent is not None:  # run by an action: inside its chain
        chain = parent.inner(f"{parent_key}|{run_key}")
    else:
        chain = Chain.start(ctx, workflow_defs(ctx.catalog), run_key, dry_run=dry_run)
    frame = transition_frame(chain, entity, record, transition)
    frame.record = records.update(chain.ctx, entity.key, record_id, {process.state_field: transition.target})
    run_actions(chain, frame, transition.actions, "actions")
    _note_run(chain.ctx, entity, record_id, transition, source, comment, idempotency_key, requested_by)
    chain.finish()  # the timeline line with the chain's audit rows, in one INSERT
    final = records.get(ctx, entity.key, record_id)
    return {"entity": entity.key, "id": record_id, "transition": transition.key, "from": source,
            "to": transition.target, "dry_run": dry_run, "record": final, "effects": chain.effects.items}


def _require_runnable(ctx: Context, process: ProcessDef, transition: TransitionDef, record: dict[str, Any],
                      comment: str | None, *, system: bool = False) -> None:
    found = check(ctx, process, transition, record)
    if not found.allowed and not system:
        raise error(TransitionNotAllowedError, "workflow.not_allowed", ctx.locale, transition=transition.key)
    if transition.pending_approval != WITHDRAW:
        found.reasons += _pending_approval(ctx, process, record)
    if transition.comment == "required" and not (comment or "").strip():
        found.reasons.append(detail("comment", "workflow.comment_required", ctx.locale))
    if found.reasons:
        raise error(TransitionBlockedError, "workflow.blocked", ctx.locale, transition=transition.key,
                    details=found.reasons)


def lock_record(ctx: Context, entity: EntityDef, record_id: int) -> None:
    """Take the record's row lock (PostgreSQL) so concurrent transitions of one record run one after the other;
    SQLite's write transaction already serialises them."""
    if ctx.dialect == "postgresql":
        table = ctx.tables[entity.key]
        ctx.conn.execute(sa.select(table.c.id).where(table.c.id == record_id).with_for_update())


def _note_run(ctx: Context, entity: EntityDef, record_id: int, transition: TransitionDef, source: str,
              comment: str | None, idempotency_key: str | None, requested_by: int | None = None) -> None:
    """The run (for idempotency) and its line in the record's timeline (the audit trail)."""
    now = ctx.now()
    ctx.conn.execute(sa.insert(runs).values(entity=entity.key, record_id=record_id, transition=transition.key,
                                            from_state=source, to_state=transition.target,
                                            idempotency_key=idempotency_key, user_id=requested_by or ctx.user_id,
                                            at=now, comment=comment))
    change = {"field": "_transition", "transition": transition.key, "old": source, "new": transition.target,
              "comment": comment}
    audit_entries(ctx, [AuditEntry(entity.key, record_id, TIMELINE_ACTION, None, [change])], at=now)


def _previous_run(ctx: Context, idempotency_key: str) -> dict[str, Any] | None:
    row = ctx.conn.execute(sa.select(runs).where(runs.c.idempotency_key == idempotency_key)).first()
    if row is None:
        return None
    record = records.get(ctx, row.entity, row.record_id)
    return {"entity": row.entity, "id": row.record_id, "transition": row.transition, "from": row.from_state,
            "to": row.to_state, "dry_run": False, "record": record, "effects": [], "repeated": True}


__all__ = ["Check", "available", "check", "complete", "lock_record", "process_for", "record_title", "run",
           "state_of", "transition_frame"]
