"""One run of a chain of actions (a transition, a rule firing) and the frames it runs them in.

The chain holds the context its actions write through (the system's access policy: an action does
what the definition says, whoever pressed the button; the user stays the author in the audit trail),
the effects seen so far (every record created, changed or deleted, field by field, and what each
action adds: ledger rows, notifications queued...), the call depth and the run's idempotency key.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.expressions import EvalEnv, RowAccess
from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.engines.forms.common import ENCLOSED
from jimu.engines.forms.reading import eval_env
from jimu.engines.forms.rows import LinkCache, RecordRow
from jimu.platform.audit import AUDIT_BUFFER, AuditBuffer
from jimu.platform.context import AllowAll, Context
from jimu.platform.errors import ErrorDetail, JimuError
from jimu.platform.registry.model import EntityDef

from .errors import ActionFailedError, WorkflowLimitError, error
from .expressions import value_of
from .model import WorkflowDefs
from .scope import OLD, PARAMS, VARS, ActionRow, ActionScope, old_scope, values_row, variables_scope

CHAIN_KEY = "workflow.chain"  # ctx.extras: the chain a write belongs to (hooks read it)
MAX_DEPTH = 16  # nested action lists, transitions run by actions, rules triggered by actions
MAX_STEPS = 100_000  # actions run by one chain, loops included


@dataclass
class Effects:
    """What a chain did, in order: each item a dict with a `kind` (record.created, record.updated, ...)."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, **data: Any) -> None:
        self.items.append({"kind": kind, **data})


@dataclass
class Chain:
    ctx: Context  # the system context the actions write through
    defs: WorkflowDefs
    run_key: str  # idempotency key of this run: actions derive theirs from it
    effects: Effects = field(default_factory=Effects)
    depth: int = 0
    steps: int = 0
    dry_run: bool = False
    journal: list[dict[str, Any]] | None = None  # when a list: each step run or skipped (a rule run's history)
    audit: AuditBuffer | None = None  # the audit rows of the chain's writes, when this chain holds them

    @staticmethod
    def start(ctx: Context, defs: WorkflowDefs, run_key: str, *, dry_run: bool = False) -> Chain:
        """A chain on a system copy of `ctx` (same connection, user, clock and locale; every permission).

        Every chain runs inside a savepoint (or transaction) that its caller rolls back whole when an action
        fails, nobody carrying on past the failure (a transition's, a queued rule run's, an approval's; a
        synchronous rule's failure fails the write that fired it): its writes take no savepoint of their own
        (`ENCLOSED`), and their audit rows are held in one buffer (the outermost chain's), inserted together
        by `finish` in the same transaction."""
        chain = Chain(ctx=ctx, defs=defs, run_key=run_key, dry_run=dry_run)
        extras: dict[str, Any] = {**ctx.extras, CHAIN_KEY: chain, ENCLOSED: True}
        if not isinstance(extras.get(AUDIT_BUFFER), AuditBuffer):
            extras[AUDIT_BUFFER] = chain.audit = AuditBuffer()
        chain.ctx = dataclasses.replace(ctx, access=AllowAll(), extras=extras)
        return chain

    def finish(self) -> None:
        """Insert the audit rows the chain holds (the chain that started the buffer; inner ones share it)."""
        if self.audit is not None:
            self.audit.flush(self.ctx.conn)

    def env(self) -> EvalEnv:
        return eval_env(self.ctx)

    def step(self, path: str) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise error(WorkflowLimitError, "workflow.too_many_steps", self.ctx.locale, limit=MAX_STEPS, path=path)

    def deeper(self, path: str) -> Chain:
        """The same chain one call deeper (refused past MAX_DEPTH)."""
        if self.depth + 1 > MAX_DEPTH:
            raise error(WorkflowLimitError, "workflow.depth_exceeded", self.ctx.locale, limit=MAX_DEPTH, path=path)
        self.depth += 1
        return self

    def shallower(self) -> None:
        self.depth -= 1

    def note_step(self, path: str, action: Mapping[str, Any], status: str, since: int) -> None:
        """Note a step in the journal (if kept): its input (the action's definition) and output (its effects)."""
        if self.journal is not None:
            self.journal.append({"path": path, "type": action.get("type"), "key": action.get("key"), "status": status,
                                 "input": {k: v for k, v in action.items() if k not in ("type", "key")},
                                 "output": self.effects.items[since:]})

    def inner(self, run_key: str) -> Chain:
        """The chain of a transition an action runs: the same effects, journal, depth, steps and dry-run flag."""
        inner = Chain.start(self.ctx, self.defs, run_key, dry_run=self.dry_run)
        inner.effects, inner.journal, inner.depth, inner.steps = self.effects, self.journal, self.depth, self.steps
        return inner


def chain_of(ctx: Context) -> Chain | None:
    """The chain a context belongs to (None for a user's own write)."""
    found = ctx.extras.get(CHAIN_KEY)
    return found if isinstance(found, Chain) else None


@dataclass
class Frame:
    """Where actions run: the record (entity, id, current values), variables, parameters, loop rows."""

    entity: EntityDef
    record_id: int
    record: dict[str, Any]
    scope: ActionScope
    vars: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, RowAccess] = field(default_factory=dict)
    stopped: bool = False  # a `stop` action ended this list (and the loop it is in)
    at: str = ""  # the path of the action running (set by run_actions)
    trail: str = ""  # where this frame is in loops and calls (`/actions/0#line=7`): part of idempotency keys

    @staticmethod
    def on_record(chain: Chain, entity: EntityDef, record: dict[str, Any], *,
                  var_types: Mapping[str, ExprType] | None = None, param_types: Mapping[str, ExprType] | None = None,
                  params: Mapping[str, Any] | None = None) -> Frame:
        scope = ActionScope(chain.ctx.catalog.scope(entity.key), {
            VARS: variables_scope(VARS, var_types or {}), PARAMS: variables_scope(PARAMS, param_types or {})})
        return Frame(entity=entity, record_id=int(record["id"]), record=record, scope=scope,
                     params=dict(params or {}))

    def row(self, chain: Chain) -> ActionRow:
        base = RecordRow(LinkCache(chain.ctx), self.entity, self.record)
        return ActionRow(base, {VARS: values_row(self.vars), PARAMS: values_row(self.params), **self.rows})

    def value(self, chain: Chain, source: str, expected: ExprType | None = None) -> Any:
        return value_of(chain.ctx.catalog, self.scope, source, self.row(chain), chain.env(), expected)

    def holds(self, chain: Chain, source: str | None) -> bool:
        return source is None or self.value(chain, source, ExprType.BOOLEAN) is True

    def see_old(self, chain: Chain, before: Mapping[str, Any]) -> None:
        """Put the record as it was before the write in scope as `old` (its own fields)."""
        self.scope = self.scope.with_names(**{OLD: old_scope(self.scope.base)})
        self.rows[OLD] = RecordRow(LinkCache(chain.ctx), self.entity, before)

    def reload(self, chain: Chain) -> None:
        """Read the record again (after an action changed it)."""
        self.record = records.get(chain.ctx, self.entity.key, self.record_id)


def run_actions(chain: Chain, frame: Frame, actions: Sequence[Mapping[str, Any]], path: str) -> None:
    """Run actions in order; one failing raises ActionFailedError naming it (the caller rolls back)."""
    from .actions import ACTION_TYPES

    for index, action in enumerate(actions):
        if frame.stopped:
            return
        at = f"{path}/{index}"
        chain.step(at)
        frame.at = at
        if not frame.holds(chain, action.get("when")):
            chain.note_step(at, action, "skipped", len(chain.effects.items))
            continue
        action_type = ACTION_TYPES.get(str(action.get("type")))
        if action_type is None:  # validation refuses it; an older definition may still hold one
            raise error(ActionFailedError, "workflow.unknown_action", chain.ctx.locale, where=at,
                        type=str(action.get("type")))
        since = len(chain.effects.items)
        try:
            action_type.run(action, frame, chain)
        except (ActionFailedError, WorkflowLimitError):
            raise
        except JimuError as failure:
            raise _failed(chain, at, action, failure) from failure
        chain.note_step(at, action, "ok", since)


def _failed(chain: Chain, path: str, action: Mapping[str, Any], failure: JimuError) -> ActionFailedError:
    name = str(action.get("key") or action.get("type"))
    details = [ErrorDetail(path=path, code=failure.code, params=failure.params, message=failure.message)]
    details += [dataclasses.replace(d, path=f"{path}:{d.path}" if d.path else path) for d in failure.details]
    found = error(ActionFailedError, "workflow.action_failed", chain.ctx.locale, details=details, action=name,
                  path=path, reason=failure.message)
    assert isinstance(found, ActionFailedError)
    return found
