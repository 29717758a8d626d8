"""Source text → syntax tree, with positions, limits and a parse cache."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer_NonRecursive, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import ast
from .errors import ErrorCode, ExpressionError, ExpressionLimitError, ExpressionSyntaxError
from .limits import DEFAULT_LIMITS, INTEGER_MAX, Limits, check_source
from .types import ExprType

_GRAMMAR = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
_LARK = Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)

_ASSOCIATIVE = frozenset({"+", "*", "&", "and", "or"})
_CANONICAL_OPS = {"==": "=", "<>": "!=", "&&": "and", "||": "or", "!": "not"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}

_TOKEN_NAMES = {
    "RPAR": "')'", "LPAR": "'('", "COMMA": "','", "DOT": "'.'", "$END": "the end of the expression",
}


def parse(source: str, limits: Limits = DEFAULT_LIMITS) -> ast.Node:
    """Parse an expression; raises ExpressionSyntaxError or ExpressionLimitError."""
    if limits is DEFAULT_LIMITS:
        return _parse_cached(source)
    return _parse(source, limits)


@lru_cache(maxsize=4096)
def _parse_cached(source: str) -> ast.Node:
    return _parse(source, DEFAULT_LIMITS)


def _parse(source: str, limits: Limits) -> ast.Node:
    check_source(source, limits)
    try:
        tree = _LARK.parse(source)
    except UnexpectedInput as exc:
        raise _syntax_error(source, exc) from None
    try:
        node = _Builder(limits).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, ExpressionError):
            raise exc.orig_exc from None
        raise
    _check_shape(node, limits)
    return node


def _syntax_error(source: str, exc: UnexpectedInput) -> ExpressionSyntaxError:
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = source[pos] if pos < len(source) else ""
        if char == "_":
            return ExpressionSyntaxError(
                "Names cannot start with an underscore.",
                code=ErrorCode.UNDERSCORE_IDENTIFIER, line=line, column=column,
            )
        return ExpressionSyntaxError(
            f"Unexpected character {char!r}.",
            code=ErrorCode.UNEXPECTED_CHARACTER, params={"character": char}, line=line, column=column,
        )
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        end_line = source.count("\n") + 1
        end_column = len(source) - (source.rfind("\n") + 1) + 1
        return ExpressionSyntaxError(
            "The expression ends too early.",
            code=ErrorCode.UNEXPECTED_END, line=end_line, column=end_column,
        )
    assert isinstance(exc, UnexpectedToken)
    text = str(exc.token)
    return ExpressionSyntaxError(
        f"Unexpected {text!r}.",
        code=ErrorCode.UNEXPECTED_TOKEN, params={"token": text}, line=line, column=column,
    )


def _pos(item: Any) -> tuple[int, int]:
    if isinstance(item, Token):
        return item.line or 1, item.column or 1
    return item.line, item.column


def _unescape(raw: str) -> str:
    body = raw[1:-1]
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append(_ESCAPES.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


class _Builder(Transformer_NonRecursive[Token, ast.Node]):
    """Turns lark's parse tree into ast nodes without recursion."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self._limits = limits

    def _digits(self, token: Token) -> None:
        digits = sum(c.isdigit() for c in token.lstrip("0") or "0")
        if digits > self._limits.max_literal_digits:
            raise ExpressionLimitError(
                f"A number literal has more than {self._limits.max_literal_digits} digits.",
                code=ErrorCode.NUMBER_TOO_LARGE,
                params={"limit": self._limits.max_literal_digits},
                line=token.line, column=token.column,
            )

    def integer(self, items: list[Token]) -> ast.Literal:
        self._digits(items[0])
        value = int(items[0])
        if value > INTEGER_MAX:  # a literal is never negative: `-` is an operator
            raise ExpressionLimitError(
                f"The integer {value} is larger than {INTEGER_MAX}; write it as a decimal ({value}.0).",
                code=ErrorCode.INTEGER_TOO_LARGE, params={"value": str(value), "limit": str(INTEGER_MAX)},
                line=items[0].line, column=items[0].column,
            )
        return ast.Literal(value, ExprType.INTEGER, *_pos(items[0]))

    def decimal(self, items: list[Token]) -> ast.Literal:
        self._digits(items[0])
        return ast.Literal(Decimal(str(items[0])), ExprType.DECIMAL, *_pos(items[0]))

    def string(self, items: list[Token]) -> ast.Literal:
        return ast.Literal(_unescape(str(items[0])), ExprType.TEXT, *_pos(items[0]))

    def true(self, items: list[Token]) -> ast.Literal:
        return ast.Literal(True, ExprType.BOOLEAN, *_pos(items[0]))

    def false(self, items: list[Token]) -> ast.Literal:
        return ast.Literal(False, ExprType.BOOLEAN, *_pos(items[0]))

    def null(self, items: list[Token]) -> ast.Literal:
        return ast.Literal(None, ExprType.NULL, *_pos(items[0]))

    def path(self, items: list[Token]) -> ast.FieldRef:
        parts = tuple(str(t).strip("{}") for t in items)
        return ast.FieldRef(parts, *_pos(items[0]))

    def binary(self, items: list[Any]) -> ast.Binary | ast.Chain:
        left, op, right = items
        text = str(op).lower()
        symbol = _CANONICAL_OPS.get(text, text)
        if symbol in _ASSOCIATIVE:
            # Left-nested runs of one associative operator become one flat node (the grammar nests
            # them on the left; a parenthesised right operand stays its own node).
            if isinstance(left, ast.Chain) and left.op == symbol:
                return self._chain(symbol, (*left.operands, right), left)
            if isinstance(left, ast.Binary) and left.op == symbol:
                return self._chain(symbol, (left.left, left.right, right), left)
        return ast.Binary(symbol, left, right, *_pos(op))

    def _chain(self, symbol: str, operands: tuple[ast.Node, ...], first: ast.Binary | ast.Chain) -> ast.Chain:
        if len(operands) > self._limits.max_nodes:  # fail while building, not after
            raise _too_many_nodes(self._limits, first)
        return ast.Chain(symbol, operands, first.line, first.column)

    def unary(self, items: list[Any]) -> ast.Unary:
        op, operand = items
        text = str(op).lower()
        return ast.Unary(_CANONICAL_OPS.get(text, text), operand, *_pos(op))

    def args(self, items: list[Any]) -> tuple[ast.Node, ...]:
        return tuple(items)

    def in_list(self, items: list[Any]) -> ast.InList:
        operand, in_token, args = items
        return ast.InList(operand, args, False, *_pos(in_token))

    def not_in_list(self, items: list[Any]) -> ast.InList:
        operand, not_token, _in, args = items
        return ast.InList(operand, args, True, *_pos(not_token))

    def call(self, items: list[Any]) -> ast.Call:
        name = items[0]
        args = items[1] if len(items) > 1 else ()
        return ast.Call(str(name).upper(), args, *_pos(name))

    def query_call(self, items: list[Any]) -> ast.Query:
        name, value, _where, condition = items
        return ast.Query(str(name).upper(), value, condition, *_pos(name))

    def __default__(self, data: Any, children: Any, meta: Any) -> Any:  # pragma: no cover
        return Tree(data, children, meta)


def _too_many_nodes(limits: Limits, node: ast.Node) -> ExpressionLimitError:
    return ExpressionLimitError(
        f"The expression has more than {limits.max_nodes} parts.",
        code=ErrorCode.TOO_MANY_NODES, params={"limit": limits.max_nodes}, line=node.line, column=node.column,
    )


def _check_shape(root: ast.Node, limits: Limits) -> None:
    """Reject trees that are too deep or too large (iteratively: no recursion).

    A flat chain (`a + b + c ...`) is one level however many operands it has; every operand
    still counts toward the node limit.
    """
    count = 0
    stack: list[tuple[ast.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.max_nodes:
            raise _too_many_nodes(limits, node)
        if depth > limits.max_tree_depth:
            raise ExpressionLimitError(
                f"The expression is nested more than {limits.max_tree_depth} levels deep.",
                code=ErrorCode.TOO_DEEP, params={"limit": limits.max_tree_depth},
                line=node.line, column=node.column,
            )
        stack.extend((child, depth + 1) for child in ast.children(node))
