"""What people do with an approval: approve, reject (with a comment), delegate, add a signer (on their own
pending task), recall (the submitter, while it is pending). Each checks who acts, takes the record's row
lock, writes its timeline line, and runs in a savepoint: a dry run rolls it back and reports the effects
(approving the last level runs the transition's actions, exactly as a real approval would).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, NotFoundError, PermissionDeniedError
from jimu.platform.i18n import translate
from jimu.platform.meta import users

from .. import transitions
from ..errors import error
from . import store, timeline
from .errors import ApprovalClosedError, ApprovalInputError, ApprovalNotAllowedError, ApprovalNotFoundError
from .notices import TASK, notify
from .runtime import current_level, reject_choices, settle
from .tables import APPROVED, CLOSED, DELEGATE, DELEGATED, PENDING, RECALLED, REJECTED, SIGNER, WITHDRAWN
from .views import approval_view

Effects = list[dict[str, Any]]


def approve(ctx: Context, task_id: int, *, comment: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    return _in_savepoint(ctx, dry_run, lambda: _decide(ctx, task_id, APPROVED, comment, dry_run))


def reject(ctx: Context, task_id: int, *, comment: str | None, dry_run: bool = False,
           to: str | None = None) -> dict[str, Any]:
    """Reject one's task with a comment; `to` chooses the state the record goes back to among
    `reject_choices` (default: the level's `reject_to`, the approval's, else the state it was submitted from)."""
    if not (comment or "").strip():
        raise _invalid(ctx, "comment", "approval.comment_required")
    return _in_savepoint(ctx, dry_run, lambda: _decide(ctx, task_id, REJECTED, comment, dry_run, to))


def delegate(ctx: Context, task_id: int, to_user: int, *, comment: str | None = None) -> dict[str, Any]:
    """Hand one's pending task to another user, who then decides in one's place."""
    def work() -> tuple[int, Effects]:
        approval, task = _own_task(ctx, task_id)
        _require_newcomer(ctx, approval, int(task.level), to_user, "user")
        now, effects = ctx.now(), list[dict[str, Any]]()
        store.decide(ctx.conn, task_id, DELEGATED, comment, now)
        store.add_tasks(ctx.conn, int(approval.id), int(task.level), task.level_key, [to_user], origin=DELEGATE,
                        now=now, added_by=ctx.user_id, delegated_from=task_id)
        timeline.note(ctx, approval.entity, approval.record_id, int(approval.id), timeline.DELEGATED, effects,
                      level=task.level_key, task=task_id, to=to_user, comment=comment)
        notify(ctx, approval, current_level(ctx, approval), [to_user], TASK, effects)
        return int(approval.id), effects
    return _in_savepoint(ctx, False, work)


def add_signer(ctx: Context, task_id: int, user_id: int, *, comment: str | None = None) -> dict[str, Any]:
    """An approver asks another user to sign the current level too (the level's mode counts them)."""
    def work() -> tuple[int, Effects]:
        approval, task = _own_task(ctx, task_id)
        _require_newcomer(ctx, approval, int(task.level), user_id, "user")
        effects: Effects = []
        store.add_tasks(ctx.conn, int(approval.id), int(task.level), task.level_key, [user_id], origin=SIGNER,
                        now=ctx.now(), added_by=ctx.user_id)
        timeline.note(ctx, approval.entity, approval.record_id, int(approval.id), timeline.SIGNER_ADDED, effects,
                      level=task.level_key, task=task_id, user=user_id, comment=comment)
        notify(ctx, approval, current_level(ctx, approval), [user_id], TASK, effects)
        return int(approval.id), effects
    return _in_savepoint(ctx, False, work)


def recall(ctx: Context, approval_id: int, *, comment: str | None = None) -> dict[str, Any]:
    """The submitter withdraws a pending approval; the record stays where it was (it never moved)."""
    def work() -> tuple[int, Effects]:
        approval = _locked_approval(ctx, approval_id)
        if approval.submitted_by is None or approval.submitted_by != ctx.user_id:
            raise error(ApprovalNotAllowedError, "approval.not_submitter", ctx.locale, approval=approval_id)
        if approval.status != PENDING:
            raise error(ApprovalClosedError, "approval.not_pending", ctx.locale, approval=approval_id,
                        status=approval.status)
        now, effects = ctx.now(), list[dict[str, Any]]()
        store.close_pending(ctx.conn, approval_id, CLOSED, now)
        store.finish(ctx.conn, approval_id, RECALLED, now)
        timeline.note(ctx, approval.entity, approval.record_id, approval_id, timeline.RECALLED, effects,
                      comment=comment)
        return approval_id, effects
    return _in_savepoint(ctx, False, work)


def withdraw_pending(ctx: Context, entity: str, record_id: int, *, transition: str,
                     comment: str | None) -> Effects:
    """Close the record's pending approval because `transition` (one that withdraws it) runs now; in the
    transition's transaction (its row is locked by it). The effects: nothing when none was pending."""
    pending = store.pending_of(ctx.conn, entity, record_id)
    effects: Effects = []
    if pending is None:
        return effects
    now = ctx.now()
    store.close_pending(ctx.conn, int(pending.id), CLOSED, now)
    store.finish(ctx.conn, int(pending.id), WITHDRAWN, now)
    timeline.note(ctx, entity, record_id, int(pending.id), timeline.WITHDRAWN, effects, by=transition,
                  comment=comment)
    return effects


def _decide(ctx: Context, task_id: int, status: str, comment: str | None, dry_run: bool,
            reject_to: str | None = None) -> tuple[int, Effects]:
    approval, task = _own_task(ctx, task_id)
    if reject_to is not None:
        choices = reject_choices(ctx, approval)
        if reject_to not in choices:
            raise _invalid(ctx, "to", "approval.reject_target", state=reject_to, states=", ".join(choices))
    effects: Effects = []
    store.decide(ctx.conn, task_id, status, comment, ctx.now())
    event = timeline.APPROVED if status == APPROVED else timeline.REJECTED
    timeline.note(ctx, approval.entity, approval.record_id, int(approval.id), event, effects, level=task.level_key,
                  task=task_id, comment=comment)
    settle(ctx, int(approval.id), effects, comment=comment, dry_run=dry_run, reject_to=reject_to)
    return int(approval.id), effects


def _in_savepoint(ctx: Context, dry_run: bool, work: Callable[[], tuple[int, Effects]]) -> dict[str, Any]:
    savepoint = ctx.conn.begin_nested()
    try:
        approval_id, effects = work()
        result = _answer(ctx, approval_id, effects, dry_run)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return result


def _answer(ctx: Context, approval_id: int, effects: Effects, dry_run: bool) -> dict[str, Any]:
    view = approval_view(ctx, approval_id)
    return {"approval": view, "record": _readable_record(ctx, view["entity"], view["record_id"]), "effects": effects,
            "dry_run": dry_run}


def _readable_record(ctx: Context, entity: str, record_id: int) -> dict[str, Any] | None:
    """The record as the caller may see it (None when they may not read it: an approver without read access)."""
    try:
        return records.get(ctx, entity, record_id)
    except (PermissionDeniedError, NotFoundError):
        return None


def _locked_approval(ctx: Context, approval_id: int) -> Any:
    """The approval, read again after its record's row lock is held (every change takes that lock first)."""
    found = store.approval_row(ctx.conn, approval_id)
    if found is None:
        raise error(ApprovalNotFoundError, "approval.not_found", ctx.locale, approval=approval_id)
    transitions.lock_record(ctx, ctx.catalog.require_entity(found.entity), found.record_id)
    return store.approval_row(ctx.conn, approval_id)


def _own_task(ctx: Context, task_id: int) -> tuple[Any, Any]:
    """The caller's pending task of the current level, and its approval (the record's row locked)."""
    found = store.task_row(ctx.conn, task_id)
    if found is None:
        raise error(ApprovalNotFoundError, "approval.task_not_found", ctx.locale, task=task_id)
    approval = _locked_approval(ctx, int(found.approval_id))
    task = store.task_row(ctx.conn, task_id)
    assert task is not None and approval is not None
    if task.user_id != ctx.user_id:
        raise error(ApprovalNotAllowedError, "approval.not_yours", ctx.locale, task=task_id)
    if approval.status != PENDING or task.status != PENDING or task.level != approval.level:
        raise error(ApprovalClosedError, "approval.closed", ctx.locale, task=task_id, status=task.status)
    return approval, task


def _require_newcomer(ctx: Context, approval: Any, level: int, user_id: int, path: str) -> None:
    """A user who may join the level: an active user, not the caller, without a task there yet."""
    active = ctx.conn.execute(sa.select(users.c.id).where(users.c.id == user_id, users.c.is_active)).first()
    if active is None:
        raise _invalid(ctx, path, "approval.unknown_user", user=user_id)
    if user_id == ctx.user_id:
        raise _invalid(ctx, path, "approval.self", user=user_id)
    if user_id in store.live_users(ctx.conn, int(approval.id), level):
        raise _invalid(ctx, path, "approval.already_approver", user=user_id)


def _invalid(ctx: Context, path: str, code: str, **params: Any) -> ApprovalInputError:
    message = translate(code, ctx.locale, **params)
    return ApprovalInputError(message, details=[ErrorDetail(path, code, params, message)], code=code, **params)
