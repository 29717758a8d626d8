"""Running one rule on one record: its condition, then its actions in a chain, each step noted.

A rule fired by a write made inside a chain (a transition's action, another rule's action) runs in that
chain one level deeper, so a rule that keeps triggering itself stops at the chain's depth limit
(`workflow.depth_exceeded`), and a dry run of a transition reports what its rules did too.

    fire_sync(ctx, Firing(rule, 7, "update", {"fields": ["priority"]}))   # in the write's transaction
    run_queued(ctx, run_id)                                               # a queued run, from its job
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.forms import records
from jimu.platform.context import Context
from jimu.platform.errors import JimuError, NotFoundError
from jimu.platform.i18n import translate

from ..chain import Chain, Frame, chain_of, run_actions
from ..definitions import workflow_defs
from ..errors import WorkflowLimitError, error
from ..scope import VARIABLE_TYPES
from . import history
from .errors import AutomationFailedError
from .old_values import OLD_EVENT, old_values
from .rules import RuleDef, rules_of


@dataclass(frozen=True)
class Firing:
    """A rule fired on a record: which trigger, and what about it (changed fields, state, occurrence);
    `before`: the record before the write, for the rules that see it as `old`."""

    rule: RuleDef
    record_id: int | None
    trigger: str
    event: Mapping[str, Any] = field(default_factory=dict)
    before: Mapping[str, Any] | None = None


def execute(ctx: Context, firing: Firing, record: dict[str, Any] | None, steps: list[dict[str, Any]]) -> str:
    """Run the rule (condition, vars, actions) and return OK or SKIPPED; a failing step raises (the caller
    rolls back). Every step run or skipped is appended to `steps`."""
    rule = firing.rule
    outer = chain_of(ctx)
    path = f"automations/{rule.key}"
    if outer is not None:
        chain = outer.deeper(path)
        saved, chain.journal = chain.journal, steps
    else:
        run_key = f"rule:{rule.key}:{firing.record_id}:{firing.event.get('occurrence') or ctx.now().isoformat()}"
        chain = Chain.start(ctx, workflow_defs(ctx.catalog), run_key)
        chain.journal = steps
    try:
        status = _run(chain, firing, record)
        if outer is None:
            chain.finish()
        return status
    finally:
        if outer is not None:
            outer.journal = saved
            outer.shallower()


def _run(chain: Chain, firing: Firing, record: dict[str, Any] | None) -> str:
    rule = firing.rule
    entity = chain.ctx.catalog.require_entity(rule.entity)
    if record is None:
        if firing.record_id is None:
            raise error(NotFoundError, "automation.no_record", chain.ctx.locale, rule=rule.key)
        record = records.get(chain.ctx, entity.key, firing.record_id)
    var_types = {v.name: VARIABLE_TYPES[v.type] for v in rule.vars}
    frame = Frame.on_record(chain, entity, record, var_types=var_types)
    if rule.sees_old:
        frame.see_old(chain, firing.before or {})
    for variable in rule.vars:
        frame.vars[variable.name] = frame.value(chain, variable.value, var_types[variable.name]) \
            if variable.value else None
    if not frame.holds(chain, rule.condition):
        return history.SKIPPED
    run_actions(chain, frame, rule.actions, "actions")
    return history.OK


def fire_sync(ctx: Context, firing: Firing, record: dict[str, Any] | None = None) -> None:
    """Run a synchronous rule in the write's transaction and keep its history row (ok or skipped).

    A failure fails the write: AutomationFailedError naming the rule, the action and why (a chain too
    deep stays `workflow.depth_exceeded`); the write, the rule's effects and its history row roll back
    together, so the caller sees the error and nothing is half done.
    """
    steps: list[dict[str, Any]] = []
    try:
        status = execute(ctx, firing, record, steps)
    except WorkflowLimitError:
        raise
    except JimuError as failure:
        raise _rule_failed(ctx, firing.rule, failure) from failure
    history.open_run(ctx, firing.rule, firing.record_id, trigger=firing.trigger, event=firing.event, status=status,
                     steps=steps, finished=True)
    outer = chain_of(ctx)
    if outer is not None:
        outer.effects.add("automation.ran", rule=firing.rule.key, entity=firing.rule.entity, id=firing.record_id,
                          status=status)


def _rule_failed(ctx: Context, rule: RuleDef, failure: JimuError) -> AutomationFailedError:
    found = error(AutomationFailedError, "automation.rule_failed", ctx.locale, details=list(failure.details),
                  rule=rule.key, reason=failure.message)
    assert isinstance(found, AutomationFailedError)
    return found


def run_queued(ctx: Context, run_id: int) -> str | None:
    """Run a queued history row (from its job, in the job's transaction); its status, or None when it was not
    queued (run already: a job run twice does nothing twice). A failing step is rolled back to the savepoint
    and the run kept as failed with its steps and error; it can be retried."""
    if not history.start_run(ctx, run_id):
        return None
    row = history.run_row(ctx, run_id)
    assert row is not None
    rule = rules_of(ctx.catalog).by_key.get(row.rule)
    if rule is None:
        gone = "automation.rule_gone"
        history.finish_run(ctx, run_id, status=history.SKIPPED, steps=[],
                           error={"code": gone, "message": translate(gone, ctx.locale, rule=row.rule)})
        return history.SKIPPED
    steps: list[dict[str, Any]] = []
    savepoint = ctx.conn.begin_nested()
    try:
        before = old_values(ctx, rule, row.event.get(OLD_EVENT)) if rule.sees_old else None
        status = execute(ctx, Firing(rule, row.record_id, row.trigger, row.event, before), None, steps)
    except JimuError as failure:
        savepoint.rollback()
        steps.append({"path": failure.params.get("path", ""), "status": history.FAILED, "error": failure.message})
        history.finish_run(ctx, run_id, status=history.FAILED, steps=steps, error=history.error_of(failure))
        return history.FAILED
    savepoint.commit()
    history.finish_run(ctx, run_id, status=status, steps=steps)
    return status
