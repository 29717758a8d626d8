"""Starting an approval, opening its levels in sequence, and settling it: the last level approved runs the
transition (its state change and actions, the same chain as a direct run, in the approver's transaction);
a rejection sends the record to `reject_to`.

Every change of an approval first takes its record's row lock (`transitions.lock_record`), so decisions on
one approval run one after the other on PostgreSQL (SQLite's write transaction serialises them anyway).
"""
from __future__ import annotations

from typing import Any

from jimu.engines.forms import records
from jimu.platform.context import Context
from jimu.platform.i18n import label

from .. import transitions
from ..chain import Chain
from ..definitions import process_of_record, workflow_defs
from ..errors import TransitionBlockedError, TransitionNotFoundError, error
from ..model import ProcessDef, TransitionDef
from . import store, timeline
from .deadlines import next_timer, queue_timer
from .errors import NoApproversError
from .model import ApprovalDef, LevelDef
from .modes import COMPLETION_MODES
from .notices import TASK, notify
from .sources import resolve_all
from .tables import APPROVED, APPROVER, CLOSED, REJECTED


def start(ctx: Context, process: ProcessDef, transition: TransitionDef, record: dict[str, Any], *,
          comment: str | None, dry_run: bool, idempotency_key: str | None) -> dict[str, Any]:
    """Start the transition's approval (its checks passed, the record's row is locked). Without a level that
    applies (every condition false), the transition runs at once."""
    approval = ApprovalDef.build(transition.approval or {})
    first = next_level(ctx, process, transition, approval, record, after=-1)
    if first is None:
        return transitions.complete(ctx, process, transition, record, comment=comment, dry_run=dry_run,
                                    idempotency_key=idempotency_key)
    source = transitions.state_of(process, record)
    approval_id = store.insert_approval(
        ctx.conn, entity=process.entity, record_id=int(record["id"]), process=process.key,
        transition=transition.key, from_state=source, submitted_by=ctx.user_id, comment=comment,
        idempotency_key=idempotency_key, started_at=ctx.now())
    effects: list[dict[str, Any]] = []
    timeline.note(ctx, process.entity, int(record["id"]), approval_id, timeline.STARTED, effects,
                  transition=transition.key, comment=comment)
    open_level(ctx, approval_id, first, record, ctx.user_id, effects)
    return pending_result(ctx, process, transition, record, approval_id, effects, dry_run=dry_run)


def pending_result(ctx: Context, process: ProcessDef, transition: TransitionDef, record: dict[str, Any],
                   approval_id: int, effects: list[dict[str, Any]], *, dry_run: bool,
                   repeated: bool = False) -> dict[str, Any]:
    source = transitions.state_of(process, record)
    result = {"entity": process.entity, "id": int(record["id"]), "transition": transition.key, "from": source,
              "to": source, "dry_run": dry_run, "record": records.get(ctx, process.entity, int(record["id"])),
              "effects": effects, "pending": True, "approval": approval_id}
    if repeated:
        result["repeated"] = True
    return result


def previous_start(ctx: Context, idempotency_key: str) -> dict[str, Any] | None:
    """The answer of an approval started with this idempotency key (a retry returns it, doing nothing)."""
    row = store.by_idempotency_key(ctx.conn, idempotency_key)
    if row is None:
        return None
    process, transition = process_and_transition(ctx, row)
    record = records.get(ctx, row.entity, row.record_id)
    return pending_result(ctx, process, transition, record, int(row.id), [], dry_run=False, repeated=True)


def process_and_transition(ctx: Context, row: Any) -> tuple[ProcessDef, TransitionDef]:
    """The process version the record follows and the approval's transition in it."""
    process = process_of_record(ctx, row.entity, row.record_id)
    transition = process.transition(row.transition) if process is not None else None
    if process is None or transition is None:
        raise error(TransitionNotFoundError, "workflow.transition_not_found", ctx.locale,
                    transition=row.transition, process=row.process)
    return process, transition


def reject_choices(ctx: Context, row: Any) -> list[str]:
    """The states a rejection at the approval's current level may send its record back to (default first)."""
    _, transition = process_and_transition(ctx, row)
    approval = ApprovalDef.build(transition.approval or {})
    level = approval.level(int(row.level))
    return approval.reject_choices(level, row.from_state) if level is not None else [row.from_state]


def current_level(ctx: Context, row: Any) -> LevelDef:
    """The level an approval (a jimu_wf_approval row) is at, in the process version its record follows."""
    _, transition = process_and_transition(ctx, row)
    level = ApprovalDef.build(transition.approval or {}).level(int(row.level))
    assert level is not None
    return level


def next_level(ctx: Context, process: ProcessDef, transition: TransitionDef, approval: ApprovalDef,
               record: dict[str, Any], *, after: int) -> LevelDef | None:
    """The first level after index `after` whose condition holds on the record as it is now."""
    entity = ctx.catalog.require_entity(process.entity)
    chain = Chain.start(ctx, workflow_defs(ctx.catalog), "approval")
    frame = transitions.transition_frame(chain, entity, record, transition)
    return next((level for level in approval.levels[after + 1:] if frame.holds(chain, level.condition)), None)


def open_level(ctx: Context, approval_id: int, level: LevelDef, record: dict[str, Any], submitter: int | None,
               effects: list[dict[str, Any]]) -> None:
    """Make `level` the current one: its approvers get a task each (refused when it names nobody)."""
    row = store.approval_row(ctx.conn, approval_id)
    assert row is not None
    approvers = resolve_all(ctx, level.approvers, record, submitter)
    if not approvers:
        raise error(NoApproversError, "approval.no_approvers", ctx.locale, level=label(level.label, ctx.locale))
    now = ctx.now()
    first_timer = next_timer(level, now, reminded=False)
    store.set_level(ctx.conn, approval_id, level.index, level.key, now, first_timer)
    queue_timer(ctx, approval_id, level, first_timer)
    store.add_tasks(ctx.conn, approval_id, level.index, level.key, approvers, origin=APPROVER, now=now)
    timeline.note(ctx, row.entity, row.record_id, approval_id, timeline.LEVEL_OPENED, effects, level=level.key,
                  approvers=approvers)
    notify(ctx, row, level, approvers, TASK, effects)


def settle(ctx: Context, approval_id: int, effects: list[dict[str, Any]], *, comment: str | None,
           dry_run: bool, reject_to: str | None = None) -> str | None:
    """After a decision: if the current level's mode says it is over, move on — to the next level, to the
    transition (the last level approved) or back to `reject_to` (rejected; the rejector's choice, else the
    definition's). The outcome when the approval
    ended (APPROVED or REJECTED), else None; what happened is added to `effects`."""
    row = store.approval_row(ctx.conn, approval_id)
    assert row is not None
    process, transition = process_and_transition(ctx, row)
    approval = ApprovalDef.build(transition.approval or {})
    level = approval.level(int(row.level))
    assert level is not None
    outcome = COMPLETION_MODES[level.mode].outcome(store.tally(ctx.conn, approval_id, level.index), level.n)
    if outcome is None:
        return None
    now = ctx.now()
    store.close_pending(ctx.conn, approval_id, CLOSED, now, level=level.index)
    record = records.get(ctx, row.entity, row.record_id)
    if outcome == REJECTED:
        return _rejected(ctx, row, process, transition, reject_to or approval.reject_state(level, row.from_state),
                         record, effects, dry_run)
    following = next_level(ctx, process, transition, approval, record, after=level.index)
    if following is not None:
        open_level(ctx, approval_id, following, record, row.submitted_by, effects)
        return None
    return _approved(ctx, row, process, transition, record, effects, comment, dry_run)


def _approved(ctx: Context, row: Any, process: ProcessDef, transition: TransitionDef, record: dict[str, Any],
              effects: list[dict[str, Any]], comment: str | None, dry_run: bool) -> str:
    found = transitions.check(ctx, process, transition, record)  # guards and required fields still hold?
    if found.reasons:
        raise error(TransitionBlockedError, "workflow.blocked", ctx.locale, transition=transition.key,
                    details=found.reasons)
    store.finish(ctx.conn, int(row.id), APPROVED, ctx.now())
    timeline.note(ctx, row.entity, row.record_id, int(row.id), timeline.COMPLETED, effects, outcome=APPROVED)
    result = transitions.complete(ctx, process, transition, record, comment=row.comment or comment,
                                  dry_run=dry_run, idempotency_key=None, requested_by=row.submitted_by)
    effects += result["effects"]
    return APPROVED


def _rejected(ctx: Context, row: Any, process: ProcessDef, transition: TransitionDef, target: str,
              record: dict[str, Any], effects: list[dict[str, Any]], dry_run: bool) -> str:
    store.finish(ctx.conn, int(row.id), REJECTED, ctx.now())
    timeline.note(ctx, row.entity, row.record_id, int(row.id), timeline.COMPLETED, effects, outcome=REJECTED,
                  to=target)
    source = transitions.state_of(process, record)
    if target != source:  # back to a chosen state: written by the engine, past the state's locks
        chain = Chain.start(ctx, workflow_defs(ctx.catalog), f"approval:{row.id}:rejected", dry_run=dry_run)
        records.update(chain.ctx, row.entity, row.record_id, {process.state_field: target})
        chain.finish()
        effects += chain.effects.items
    return REJECTED
