from __future__ import annotations

from decimal import Decimal

import pytest

from jimu.engines.expressions import ExpressionSyntaxError, ExprType, ast, parse


def test_precedence_and_positions() -> None:
    node = parse("1 + 2 * 3")
    assert isinstance(node, ast.Binary) and node.op == "+" and (node.line, node.column) == (1, 3)
    assert isinstance(node.right, ast.Binary) and node.right.op == "*"


def test_literals() -> None:
    assert parse("12") == ast.Literal(12, ExprType.INTEGER, 1, 1)
    assert parse("12.50").value == Decimal("12.50")  # type: ignore[union-attr]
    assert parse(r"'a\'b\n'").value == "a'b\n"  # type: ignore[union-attr]
    assert parse('"x"').value == "x"  # type: ignore[union-attr]
    assert parse("NULL").type is ExprType.NULL  # type: ignore[union-attr]
    assert parse("True").value is True  # type: ignore[union-attr]


def test_paths_braces_and_keywords_as_names() -> None:
    assert parse("{customer}.credit_limit") == ast.FieldRef(("customer", "credit_limit"), 1, 1)
    assert parse("{in}") == ast.FieldRef(("in",), 1, 1)
    assert parse("android").path == ("android",)  # type: ignore[union-attr]
    assert parse("notes").path == ("notes",)  # type: ignore[union-attr]


def test_operator_aliases() -> None:
    assert parse("a == b").op == "=" and parse("a <> b").op == "!="  # type: ignore[union-attr]
    assert parse("a && b").op == "and" and parse("a || b").op == "or"  # type: ignore[union-attr]
    assert parse("!a").op == "not" and parse("a != b").op == "!="  # type: ignore[union-attr]
    node = parse("x NOT IN (1, 2)")
    assert isinstance(node, ast.InList) and node.negated and len(node.items) == 2


def test_function_names_are_case_insensitive() -> None:
    assert parse("round(x)").name == "ROUND"  # type: ignore[union-attr]


@pytest.mark.parametrize(("source", "code", "line", "column"), [
    ("1 +", "expression.syntax.unexpected_end", 1, 4),
    ("1 2", "expression.syntax.unexpected_token", 1, 3),
    ("a\n  + ?", "expression.syntax.unexpected_character", 2, 5),
    ("_x", "expression.syntax.underscore_identifier", 1, 1),
    ("a._b", "expression.syntax.underscore_identifier", 1, 3),
    ("a[0]", "expression.syntax.unexpected_character", 1, 2),
    ("'open", "expression.syntax.unexpected_character", 1, 1),
    ("true = ", "expression.syntax.unexpected_end", 1, 8),
    ("f(1,)", "expression.syntax.unexpected_token", 1, 5),
])
def test_syntax_errors_have_positions(source: str, code: str, line: int, column: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(source)
    assert (caught.value.code, caught.value.line, caught.value.column) == (code, line, column)
    assert caught.value.message
