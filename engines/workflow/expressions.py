"""Expressions of guards, conditions and actions: compiled in an action scope, cached with the catalog."""
from __future__ import annotations

from typing import Any

from jimu.engines.expressions import CheckedExpression, EvalEnv, compile_expression, evaluate
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.base import Problem
from jimu.platform.i18n.expressions import expression_problem_params
from jimu.platform.registry.catalog import Catalog, FormulaCycleError
from jimu.platform.registry.model import FieldDef

from .scope import ActionRow, ActionScope


def compiled(catalog: Catalog, scope: ActionScope, source: str, expected: ExprType | None) -> CheckedExpression:
    """The checked expression (raises ExpressionError), from the catalog's bounded `expressions` cache.

    Guards, conditions and actions may aggregate over a query of any entity (`SUM(invoice.outstanding WHERE
    customer = this.customer)`): evaluated through the chain's EvalEnv, as the system sees the rows."""
    # A decimal accepts an integer expression: compiled untyped, its type checked by check_in_scope.
    wanted = None if expected is ExprType.DECIMAL else expected
    key = ("workflow", id(scope.base), scope.signature(), source, wanted)
    cache = catalog.caches["expressions"]
    found: CheckedExpression | None = cache.get(key)
    if found is None:
        found = cache.put(key, compile_expression(source, scope, expected=wanted, queries=catalog))
    return found


def check_in_scope(catalog: Catalog, scope: ActionScope, source: Any, expected: ExprType | None) -> list[Problem]:
    """Problems of an expression (none when it type-checks to `expected`)."""
    if not isinstance(source, str) or not source.strip():
        return [Problem("definition.expression_missing", {})]
    try:
        checked = compiled(catalog, scope, source, expected)
    except FormulaCycleError as cycle:
        return [Problem("definition.formula_cycle", {"cycle": str(cycle)})]
    except ExpressionError as error:
        return [Problem("definition.expression_invalid", expression_problem_params(error))]
    if expected is ExprType.DECIMAL and checked.type not in (ExprType.DECIMAL, ExprType.INTEGER, ExprType.NULL):
        return [Problem("workflow.expression_type", {"expected": expected.value, "actual": checked.type.value})]
    return []


def value_of(catalog: Catalog, scope: ActionScope, source: str, row: ActionRow, env: EvalEnv,
             expected: ExprType | None = None) -> Any:
    """The value of an expression on a row (the expression was checked with the definition)."""
    return evaluate(compiled(catalog, scope, source, expected), row, env)


def field_value_type(catalog: Catalog, field: FieldDef) -> ExprType | None:
    """The expression type a value written to `field` must have (None: any, e.g. a field type with none)."""
    return catalog.field_expr_type(field)
