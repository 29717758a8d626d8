"""Expressions that read other records (`SUM(invoice.outstanding WHERE customer = this.id)`), run in SQL.

`query_runner` is what `EvalEnv.query_aggregate` calls when Python evaluates a rule, a condition or a
default on a record in memory: the query, its current-record references already replaced by values,
becomes one `SELECT (<subquery>)`. `evaluate_on_record` evaluates a whole expression on a stored record
as ONE `SELECT <expr> FROM t_entity WHERE id = :id` (the workflow engine's guards and actions).

Soft-deleted records never count. `evaluate_on_record` follows the reader's record rules (unless asked
`as_system`): a record of the queried entity the reader may not read counts as absent, as through links
(docs/security.md). The checks of a write see what the system sees, as they do through links: a credit
rule must count every invoice, not only those the clerk confirming the order may read.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions import CheckedExpression, ExprType, to_sql
from jimu.engines.expressions.env import EvalEnv, QueryRunner
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.interpreter import coerce
from jimu.engines.expressions.typed import TQuery
from jimu.platform.context import Context
from jimu.platform.errors import DefinitionError, ErrorDetail, NotFoundError
from jimu.platform.i18n import translate
from jimu.platform.i18n.expressions import expression_problem_params
from jimu.platform.registry.catalog import FormulaCycleError
from jimu.platform.storage.bindings import EntityBinding, RowGuard


def reader_guard(ctx: Context) -> RowGuard:
    """The reader's record rules on any entity's rows, as an EntityBinding `guard`."""
    return lambda entity_key, table: ctx.access.row_condition(entity_key, table, "read")


def query_runner(ctx: Context, *, guarded: bool = False) -> QueryRunner:
    """Runs an aggregate over a query (no current-record references left) as one SELECT in ctx's transaction;
    `guarded`: only the records the reader may read count."""

    def run(node: TQuery) -> Any:
        entity = ctx.catalog.require_entity(node.entity)
        env = EvalEnv(ctx.user_id, ctx.now())
        guard = reader_guard(ctx) if guarded else None
        binding = EntityBinding(ctx.catalog, ctx.tables, entity, env, ctx.dialect, guard=guard)
        checked = CheckedExpression("", node.type, node, frozenset(), False, frozenset({node.entity}))
        return ctx.conn.execute(sa.select(to_sql(checked, binding, env, ctx.dialect))).scalar_one()

    return run


def evaluate_on_record(ctx: Context, entity_key: str, record_id: int, expression_text: str,
                       expected_type: ExprType | None = None, *, as_system: bool = False) -> Any:
    """The expression's value on one live record the reader may read, in ONE SELECT (query aggregates,
    links and lookups as subqueries); Decimal for decimals on every database. `as_system`: no record rule
    limits the record or what the expression reads (a business guard that must count every record).

    Raises NotFoundError when there is no such record, DefinitionError when the expression does not check.
    """
    entity = ctx.catalog.require_entity(entity_key)
    checked = _compiled(ctx, entity_key, expression_text, expected_type)
    table = ctx.tables[entity_key]
    env = EvalEnv(ctx.user_id, ctx.now())
    guard = None if as_system else reader_guard(ctx)
    binding = EntityBinding(ctx.catalog, ctx.tables, entity, env, ctx.dialect, table, guard=guard)
    conditions: list[ColumnElement[bool]] = [table.c.id == record_id, table.c._deleted_at.is_(None)]
    own = None if guard is None else guard(entity_key, table)
    if own is not None:
        conditions.append(own)
    statement = sa.select(to_sql(checked, binding, env, ctx.dialect).label("value")).where(*conditions)
    row = ctx.conn.execute(statement).first()
    if row is None:
        code = "records.not_found"
        raise NotFoundError(translate(code, ctx.locale, entity=entity_key, id=record_id), code=code,
                            entity=entity_key, id=record_id)
    return coerce(row[0], checked.type)


def _compiled(ctx: Context, entity_key: str, source: str, expected: ExprType | None) -> CheckedExpression:
    try:
        return ctx.catalog.compile(entity_key, source, expected)
    except (ExpressionError, FormulaCycleError) as error:
        code = "definition.expression_invalid"
        if isinstance(error, FormulaCycleError):
            code, params = "definition.formula_cycle", {"cycle": str(error)}
        else:
            params = expression_problem_params(error)
        message = translate(code, ctx.locale, **params)
        raise DefinitionError(message, details=[ErrorDetail("expression", code, params, message)],
                              code=code, **params) from None
