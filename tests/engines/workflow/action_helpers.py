"""Running actions directly in a chain (as a transition does), for the action tests."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.engines.workflow.chain import Chain, Frame, run_actions
from jimu.engines.workflow.definitions import workflow_defs
from jimu.platform.context import Context


def run_on(ctx: Context, entity: str, record_id: int, actions: Sequence[Mapping[str, Any]], *,
           run_key: str = "test-run", var_types: Mapping[str, ExprType] | None = None) -> Chain:
    """Run `actions` on a record in a chain of their own, in a savepoint rolled back when one fails (as every
    chain runs); the chain (effects) back, the frame in `chain.frame`."""
    chain = Chain.start(ctx, workflow_defs(ctx.catalog), run_key)
    frame = Frame.on_record(chain, ctx.catalog.require_entity(entity), records.get(ctx, entity, record_id),
                            var_types=var_types)
    with ctx.conn.begin_nested():
        run_actions(chain, frame, actions, "actions")
        chain.finish()
    chain.ctx.extras["test.frame"] = frame
    return chain


def ids(ctx: Context, entity: str) -> list[int]:
    table = ctx.tables[entity]
    return [int(i) for i in ctx.conn.execute(sa.select(table.c.id).order_by(table.c.id)).scalars()]


def all_of(ctx: Context, entity: str) -> list[dict[str, Any]]:
    return [records.get(ctx, entity, i) for i in ids(ctx, entity)]
