"""Queued rule runs: a history row in status `queued` and its job (`workflow.automation.run`), both written in
the transaction of the change that causes them (so they exist only if it commits), run after the commit."""
from __future__ import annotations

from jimu.platform.context import Context

from ..chain import chain_of
from . import history
from .jobs import enqueue_run_job
from .old_values import OLD_EVENT, old_json
from .runner import Firing


def enqueue_run(ctx: Context, firing: Firing, *, occurrence_key: str | None = None) -> int:
    """Queue a run of `firing` (in the caller's transaction); the history row's id."""
    event = dict(firing.event)
    if firing.rule.sees_old:
        event[OLD_EVENT] = old_json(ctx, firing.rule, firing.before)
    run_id = history.open_run(ctx, firing.rule, firing.record_id, trigger=firing.trigger, event=event,
                              status=history.QUEUED, occurrence_key=occurrence_key)
    enqueue_run_job(ctx, run_id, 0)
    outer = chain_of(ctx)
    if outer is not None:
        outer.effects.add("automation.queued", rule=firing.rule.key, entity=firing.rule.entity,
                          id=firing.record_id, run=run_id)
    return run_id
