"""Type checking: syntax tree + scope → typed tree, references and volatility; every node's text bound
is checked on the way (bounds.py), so no part of an accepted expression can build an unbounded text."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import ast
from .bounds import check_bound, field_bound, value_bound, widest
from .errors import ErrorCode, ExpressionTypeError
from .functions import AGGREGATES, FUNCTIONS, OPERATORS, AggregateDef, Arg, FunctionDef, SignatureError
from .limits import DEFAULT_LIMITS, Limits
from .scope import QueryScopes, ScopeField, TypeScope
from .typed import TAggregate, TCall, TField, TInList, TLiteral, TNode, TQuery
from .types import ORDERED_TYPES, ExprType, assignable, unify_all

_UNARY = {"-": "neg", "not": "not"}
THIS = "this"  # `this.x`: the current record's field x, wherever the expression stands (inside a query too)


@dataclass(frozen=True)
class _Child:
    """Inside an aggregate: the child collection's (or the queried entity's) scope.

    In a child aggregate only `collection.x` names a child field; in a query (`query`) every name but
    `this.x` is the queried record's, with or without the `entity.` prefix.
    """

    collection: str
    scope: TypeScope
    query: bool = False


@dataclass
class CheckResult:
    node: TNode
    references: set[tuple[str, ...]] = field(default_factory=set)
    uses_now: bool = False
    queries: set[str] = field(default_factory=set)  # entities aggregated over a query


def _error(message: str, code: ErrorCode, node: ast.Node, **params: Any) -> ExpressionTypeError:
    return ExpressionTypeError(message, code=code, params=params, line=node.line, column=node.column)


class Checker:
    def __init__(self, scope: TypeScope, limits: Limits = DEFAULT_LIMITS, queries: QueryScopes | None = None) -> None:
        self._scope = scope
        self._queries = queries
        self._limits = limits
        self._bounds: dict[int, int] = {}  # id(typed node) → the longest text it can make (bounds.py)
        self._result = CheckResult(TLiteral(None, ExprType.NULL))
        self._dispatch: dict[type, Callable[[Any, _Child | None], TNode]] = {
            ast.Literal: self._literal, ast.FieldRef: self._field, ast.Unary: self._unary,
            ast.Binary: self._binary, ast.Chain: self._chain, ast.InList: self._in_list, ast.Call: self._call,
            ast.Query: self._query,
        }

    def run(self, node: ast.Node, expected: ExprType | None) -> CheckResult:
        typed = self._check(node, None)
        if expected is not None and not assignable(typed.type, expected):
            raise _error(
                f"The expression gives {typed.type.value} but {expected.value} is expected.",
                ErrorCode.EXPECTED_TYPE, node, expected=expected.value, actual=typed.type.value,
            )
        self._result.node = typed
        return self._result

    def _check(self, node: ast.Node, child: _Child | None) -> TNode:
        typed = self._dispatch[type(node)](node, child)
        bound = self._bound(typed)
        check_bound(bound, self._limits, node.line, node.column)
        self._bounds[id(typed)] = bound
        return typed

    def _bound(self, typed: TNode) -> int:
        """The node's text bound from its arguments' (already checked) bounds."""
        known = self._bounds.get(id(typed))
        if known is not None:  # a field's, recorded where its declared length is known
            return known
        if isinstance(typed, TLiteral):
            return value_bound(typed.value, typed.type)
        if isinstance(typed, TCall):
            bounds = [self._bounds.get(id(arg), 0) for arg in typed.args]
            rule = typed.fn.text_bound
            if rule is not None and typed.type is ExprType.TEXT:
                return rule(bounds, typed.args)
            return widest(bounds, typed.type)
        if isinstance(typed, (TAggregate, TQuery)) and typed.value is not None:
            return widest([self._bounds.get(id(typed.value), 0)], typed.type)
        return widest([], typed.type)

    # -- leaves -------------------------------------------------------------------------

    def _literal(self, node: ast.Literal, child: _Child | None) -> TNode:
        return TLiteral(node.value, node.type)

    def _field(self, node: ast.FieldRef, child: _Child | None) -> TNode:
        path, skipped = node.path, 0
        if path[0] == THIS and len(path) > 1:  # the current record's field, from anywhere
            path, skipped, child = path[1:], 1, None
        inner = child is not None and (child.query or path[0] == child.collection)
        if child is not None and inner and path[0] == child.collection:
            if len(path) > 1:  # the prefix: required in a child aggregate, optional in a query
                path, skipped = path[1:], 1
            elif not child.query or child.scope.lookup(path[0]) is None:
                raise self._collection_error(node)  # the bare collection: only COUNT takes it, handled there
        if not inner:
            self._result.references.add(path)
        elif child is not None and not child.query:
            self._result.references.add(node.path)
        scope = child.scope if child is not None and inner else self._scope
        for index, part in enumerate(path):
            found = scope.lookup(part)
            shown = ".".join(node.path[: index + 1 + skipped])
            if found is None:
                raise _error(f"Unknown field {shown!r}.", ErrorCode.UNKNOWN_FIELD, node, field=shown)
            if found.children is not None:
                raise self._collection_error(node)
            if index == len(path) - 1:
                result = TField(path, found.type, inner)
                self._bounds[id(result)] = field_bound(found.type, found.max_length, self._limits)
                return result
            if found.link is None:
                raise _error(f"{shown!r} is not a link, so it has no field {path[index + 1]!r}.",
                             ErrorCode.NOT_A_LINK, node, field=shown)
            scope = found.link
        raise AssertionError("unreachable")

    def _collection_error(self, node: ast.FieldRef) -> ExpressionTypeError:
        name = ".".join(node.path)
        return _error(
            f"{name!r} is a collection; use it inside SUM, AVG, MIN, MAX or COUNT.",
            ErrorCode.COLLECTION_OUTSIDE_AGGREGATE, node, field=name,
        )

    # -- operators ----------------------------------------------------------------------

    def _unary(self, node: ast.Unary, child: _Child | None) -> TNode:
        return self._apply(OPERATORS.get(_UNARY[node.op]), node, (node.operand,), child)  # type: ignore[arg-type]

    def _binary(self, node: ast.Binary, child: _Child | None) -> TNode:
        return self._apply(OPERATORS.get(node.op), node, (node.left, node.right), child)  # type: ignore[arg-type]

    def _chain(self, node: ast.Chain, child: _Child | None) -> TNode:
        return self._apply(OPERATORS.get(node.op), node, node.operands, child)  # type: ignore[arg-type]

    def _in_list(self, node: ast.InList, child: _Child | None) -> TNode:
        operand = self._check(node.operand, child)
        items = tuple(self._check(item, child) for item in node.items)
        joined = unify_all([operand.type, *(i.type for i in items)])
        if joined is None or joined not in ORDERED_TYPES | {ExprType.BOOLEAN, ExprType.NULL}:
            types = sorted({operand.type.value, *(i.type.value for i in items)})
            raise _error(f"Cannot look for a value among items of types {', '.join(types)}.",
                         ErrorCode.INCOMPATIBLE_TYPES, node, operator="in", types=types)
        return TInList(operand, items, node.negated)

    # -- calls --------------------------------------------------------------------------

    def _call(self, node: ast.Call, child: _Child | None) -> TNode:
        aggregate = AGGREGATES.get(node.name)
        function = FUNCTIONS.get(node.name)
        if aggregate is not None and (function is None or self._collection_of(node) is not None):
            return self._aggregate(aggregate, node, child)
        if function is None:
            raise _error(f"Unknown function {node.name}.", ErrorCode.UNKNOWN_FUNCTION, node, function=node.name)
        return self._apply(function, node, node.args, child)

    def _apply(self, fn: FunctionDef, node: ast.Node, args: tuple[ast.Node, ...], child: _Child | None) -> TNode:
        name = fn.name if fn.name.isalpha() and fn.name.isupper() else repr(fn.name)
        if len(args) < fn.min_args or (fn.max_args is not None and len(args) > fn.max_args):
            expected = str(fn.min_args) if fn.min_args == fn.max_args else (
                f"at least {fn.min_args}" if fn.max_args is None else f"{fn.min_args} to {fn.max_args}")
            raise _error(f"{name} takes {expected} arguments, got {len(args)}.", ErrorCode.WRONG_ARITY, node,
                         function=fn.name, expected=expected, actual=len(args))
        typed_args = tuple(self._check(arg, child) for arg in args)
        if fn.volatile:
            self._result.uses_now = True
        try:
            infos = [Arg(t.type, a) for t, a in zip(typed_args, args)]
            result = fn.check(infos)
        except SignatureError as exc:
            where = args[exc.index] if exc.index is not None and exc.index < len(args) else node
            raise ExpressionTypeError(exc.message, code=exc.code, params=exc.params,
                                      line=where.line, column=where.column) from None
        return TCall(fn, typed_args, result, tuple(i.null_type for i in infos))

    def _collection_of(self, node: ast.Call) -> str | None:
        """The child collection an aggregate call's first argument reads, if any."""
        if not node.args:
            return None
        names: set[str] = set()
        stack: list[ast.Node] = [node.args[0]]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.FieldRef):
                found: ScopeField | None = self._scope.lookup(current.path[0])
                if found is not None and found.children is not None:
                    names.add(found.name)
            stack.extend(ast.children(current))
        if len(names) > 1:
            raise _error(f"{node.name} can read only one collection, got {', '.join(sorted(names))}.",
                         ErrorCode.MIXED_COLLECTIONS, node, function=node.name, collections=sorted(names))
        return names.pop() if names else None

    def _aggregate(self, fn: AggregateDef, node: ast.Call, child: _Child | None) -> TNode:
        if child is not None:
            raise _error(f"{fn.name} cannot be used inside another aggregate.",
                         ErrorCode.NESTED_AGGREGATE, node, function=fn.name)
        if not 1 <= len(node.args) <= 2:
            raise _error(f"{fn.name} takes 1 to 2 arguments, got {len(node.args)}.", ErrorCode.WRONG_ARITY,
                         node, function=fn.name, expected="1 to 2", actual=len(node.args))
        collection = self._collection_of(node)
        first = node.args[0]
        if collection is None:
            raise _error(f"{fn.name} needs a child collection, e.g. {fn.name}(lines.amount).",
                         ErrorCode.AGGREGATE_NEEDS_COLLECTION, first, function=fn.name)
        found = self._scope.lookup(collection)
        assert found is not None and found.children is not None
        inner = _Child(collection, found.children)
        value: TNode | None = None
        if isinstance(first, ast.FieldRef) and len(first.path) == 1:
            self._result.references.add(first.path)
        else:
            value = self._check(first, inner)
        try:
            result = fn.check(None if value is None else value.type)
        except SignatureError as exc:
            raise ExpressionTypeError(exc.message, code=exc.code, params=exc.params,
                                      line=first.line, column=first.column) from None
        condition = None
        if len(node.args) == 2:
            condition = self._check(node.args[1], inner)
            if condition.type not in (ExprType.BOOLEAN, ExprType.NULL):
                raise _error(f"The condition of {fn.name} must be true/false, got {condition.type.value}.",
                             ErrorCode.WRONG_ARGUMENT_TYPE, node.args[1], function=fn.name, index=2,
                             actual=condition.type.value)
        return TAggregate(fn, collection, value, condition, result)


    # -- aggregates over a query of another entity -------------------------------------

    def _query(self, node: ast.Query, child: _Child | None) -> TNode:
        fn = AGGREGATES.get(node.name)
        if fn is None:
            raise _error(f"{node.name} cannot aggregate records; use SUM, AVG, MIN, MAX or COUNT with WHERE.",
                         ErrorCode.QUERY_NEEDS_AGGREGATE, node, function=node.name)
        if child is not None:
            raise _error(f"{fn.name} cannot be used inside another aggregate.",
                         ErrorCode.NESTED_AGGREGATE, node, function=fn.name)
        entity, first = self._queried_entity(node)
        inner = _Child(entity, self._query_scope(entity, first), query=True)
        value: TNode | None = None
        if not (fn.counts_rows and isinstance(node.value, ast.FieldRef) and node.value.path == (entity,)):
            value = self._check(node.value, inner)
        try:
            result = fn.check(None if value is None else value.type)
        except SignatureError as exc:
            raise ExpressionTypeError(exc.message, code=exc.code, params=exc.params,
                                      line=node.value.line, column=node.value.column) from None
        condition = self._check(node.condition, inner)
        if condition.type not in (ExprType.BOOLEAN, ExprType.NULL):
            raise _error(f"The condition of {fn.name} must be true/false, got {condition.type.value}.",
                         ErrorCode.WRONG_ARGUMENT_TYPE, node.condition, function=fn.name, index=2,
                         actual=condition.type.value)
        self._result.queries.add(entity)
        return TQuery(fn, entity, value, condition, result)

    def _queried_entity(self, node: ast.Query) -> tuple[str, ast.FieldRef]:
        """The entity a query reads: the first name written in its value (`SUM(invoice.total WHERE ...)`)."""
        names: list[ast.FieldRef] = []
        stack: list[ast.Node] = [node.value]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.FieldRef) and current.path[0] != THIS:
                names.append(current)
            stack.extend(ast.children(current))
        if not names:
            raise _error(f"{node.name}(... WHERE ...) needs the entity to read first, e.g. "
                         f"{node.name}(invoice.total WHERE customer = this.id).",
                         ErrorCode.QUERY_NEEDS_ENTITY, node.value, function=node.name)
        first = min(names, key=lambda ref: (ref.line, ref.column))
        return first.path[0], first

    def _query_scope(self, entity: str, where: ast.FieldRef) -> TypeScope:
        if self._queries is None:
            raise _error("Aggregates over other records (SUM(entity.field WHERE ...)) cannot be used here.",
                         ErrorCode.QUERY_NOT_AVAILABLE, where, entity=entity)
        scope = self._queries.query_scope(entity)
        if scope is None:
            raise _error(f"Unknown entity {entity!r}: SUM(entity.field WHERE ...) reads the entity named first.",
                         ErrorCode.UNKNOWN_ENTITY, where, entity=entity)
        return scope


def check(node: ast.Node, scope: TypeScope, expected: ExprType | None = None,
          limits: Limits = DEFAULT_LIMITS, queries: QueryScopes | None = None) -> CheckResult:
    return Checker(scope, limits, queries).run(node, expected)
