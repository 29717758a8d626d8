"""Evaluates a typed tree against a row in Python (no eval, no attribute access)."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from .env import EvalEnv
from .errors import ErrorCode, ExpressionEvaluationError, ExpressionLimitError
from .limits import DEFAULT_LIMITS, Limits, string_too_long
from .query import bind_outer
from .scope import RowAccess
from .typed import TAggregate, TCall, TField, TInList, TLiteral, TNode, TQuery
from .types import ExprType
from .values import NumberOutOfRangeError, to_decimal


class Interpreter:
    def __init__(self, row: RowAccess, env: EvalEnv, limits: Limits = DEFAULT_LIMITS) -> None:
        self._row = row
        self._child: RowAccess | None = None
        self._env = env
        self._limits = limits
        self._steps = 0
        self._dispatch: dict[type, Callable[[Any], Any]] = {
            TLiteral: self._literal, TField: self._field, TCall: self._call,
            TInList: self._in_list, TAggregate: self._aggregate, TQuery: self._query,
        }

    def run(self, node: TNode) -> Any:
        return coerce(self.eval(node), node.type)

    def eval(self, node: TNode) -> Any:
        self._steps += 1
        if self._steps > self._limits.max_steps:
            raise ExpressionLimitError(
                f"The evaluation took more than {self._limits.max_steps} steps.",
                code=ErrorCode.TOO_MANY_STEPS, params={"limit": self._limits.max_steps},
            )
        value = self._dispatch[type(node)](node)
        if isinstance(value, str) and len(value) > self._limits.max_string_length:
            raise string_too_long(len(value), self._limits)
        return value

    def _literal(self, node: TLiteral) -> Any:
        return node.value

    def _field(self, node: TField) -> Any:
        row = self._child if node.in_child else self._row
        for part in node.path[:-1]:
            if row is None:
                return None
            row = row.link(part)
        return None if row is None else coerce(row.get(node.path[-1]), node.type)

    def _call(self, node: TCall) -> Any:
        args = [self.eval(arg) for arg in node.args]
        try:
            if node.fn.typed_python is not None:
                return node.fn.typed_python(args, self._env, node.type)
            return node.fn.python(args, self._env)
        except NumberOutOfRangeError:
            raise _out_of_range(node.fn.name) from None
        except OverflowError:
            raise ExpressionEvaluationError(
                f"{node.fn.name} gives a date outside the supported range.",
                code=ErrorCode.DATE_OUT_OF_RANGE, params={"function": node.fn.name},
            ) from None
        except InvalidOperation:
            raise _out_of_range(node.fn.name) from None

    def _in_list(self, node: TInList) -> bool | None:
        value = self.eval(node.operand)
        items = [self.eval(item) for item in node.items]
        if value is None:
            return None
        if any(item is not None and item == value for item in items):
            found: bool | None = True
        elif any(item is None for item in items):
            found = None
        else:
            found = False
        return (not found if found is not None else None) if node.negated else found

    def _aggregate(self, node: TAggregate) -> Any:
        values: list[Any] = []
        outer = self._child
        try:
            for row in self._row.children(node.collection):
                self._child = row
                if node.condition is not None and self.eval(node.condition) is not True:
                    continue
                value = True if node.value is None else self.eval(node.value)
                if value is not None:
                    values.append(value)
        finally:
            self._child = outer
        return node.fn.python(values)


    def _query(self, node: TQuery) -> Any:
        runner = self._env.query_aggregate
        if runner is None:
            raise ExpressionEvaluationError(
                f"{node.fn.name}(... WHERE ...) reads other records: it can only be evaluated against the database.",
                code=ErrorCode.QUERY_NEEDS_DATABASE, params={"function": node.fn.name})
        return coerce(runner(bind_outer(node, self._field)), node.type)


def _out_of_range(function: str) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(f"{function} gives a number outside the supported range.",
                                     code=ErrorCode.NUMBER_OUT_OF_RANGE, params={"function": function})


def coerce(value: Any, t: ExprType) -> Any:
    """Normalise a value to its type's Python representation (e.g. int → Decimal)."""
    if value is None:
        return None
    if t is ExprType.DECIMAL and not isinstance(value, Decimal):
        return to_decimal(value)
    return value


def evaluate(node: TNode, row: RowAccess, env: EvalEnv, limits: Limits = DEFAULT_LIMITS) -> Any:
    return Interpreter(row, env, limits).run(node)
