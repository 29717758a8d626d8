from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.expressions import (
    DictRow,
    ExpressionEvaluationError,
    ExpressionLimitError,
    ExpressionSyntaxError,
    ExpressionTypeError,
    Limits,
    ast,
    compile_expression,
    evaluate,
    parse,
    to_sql_predicate,
)

from .conftest import ENV, SCOPE, Database, T, binding, check, orders


def _value(node: ast.Node) -> tuple[Any, T]:
    """The value and type of a literal (the parse of a source holding only one)."""
    assert isinstance(node, ast.Literal), node
    return node.value, node.type


def _limit_code(source: str) -> str:
    with pytest.raises(ExpressionLimitError) as caught:
        parse(source)
    return caught.value.code


def test_deep_parentheses_fail_fast() -> None:
    assert _limit_code("(" * 10_000 + "1" + ")" * 10_000) == "expression.limit.source_too_long"
    assert _limit_code("(" * 4000 + "1" + ")" * 4000) == "expression.limit.too_deep"
    assert _limit_code("(" * 4000) == "expression.limit.too_deep"
    assert _value(parse("(" * 60 + "1" + ")" * 60)) == (1, T.INTEGER)


def test_parentheses_inside_strings_do_not_count() -> None:
    assert _value(parse("'" + "(" * 500 + "'")) == ("(" * 500, T.TEXT)


def test_long_chains_and_unary_runs() -> None:
    assert _limit_code("1" + "+1" * 3000) == "expression.limit.too_many_nodes"
    assert _limit_code("-" * 5000 + "1") == "expression.limit.too_deep"
    assert _limit_code("not " * 2000 + "true") == "expression.limit.too_deep"


def test_huge_source() -> None:
    assert _limit_code("1" * 1_000_000) == "expression.limit.source_too_long"
    assert _limit_code("a" * 1_000_000) == "expression.limit.source_too_long"


def test_huge_literals() -> None:
    assert _limit_code("1" * 39) == "expression.limit.number_too_large"
    assert _limit_code("0." + "1" * 40) == "expression.limit.number_too_large"
    assert _value(parse("9" * 37 + ".5")) == (Decimal("9" * 37 + ".5"), T.DECIMAL)


def test_integer_literals_fit_64_bits() -> None:
    """A larger integer would overflow SQLite's binding and PostgreSQL's BIGINT: refused with its position."""
    assert _value(parse(str(2**63 - 1))) == (2**63 - 1, T.INTEGER)
    for source in (str(2**63), f"LEFT('a', {2**63})", f"-{2**63} < 0", "1" * 38):
        with pytest.raises(ExpressionLimitError) as caught:
            parse(source)
        assert caught.value.code == "expression.limit.integer_too_large"
        assert caught.value.column == source.index(str(caught.value.params["value"])) + 1
    assert parse(f"{2**63}.0") is not None  # the same number as a decimal is fine


def test_node_count() -> None:
    with pytest.raises(ExpressionLimitError) as caught:
        parse("MAX(" + ", ".join(["1"] * 3000) + ")")
    assert caught.value.code == "expression.limit.too_many_nodes"


def test_dunder_names_are_rejected() -> None:
    for source in ("__class__", "a.__class__", "x._y", "__import__('os')"):
        with pytest.raises(ExpressionSyntaxError):
            parse(source)
    with pytest.raises(ExpressionTypeError):
        check("{class}")


def test_string_size_limit() -> None:
    limits = Limits(max_string_length=100)
    checked = compile_expression("name & name & name", SCOPE, limits=limits)
    with pytest.raises(ExpressionLimitError) as caught:
        evaluate(checked, DictRow({"name": "x" * 40}), ENV, limits=limits)
    assert caught.value.code == "expression.limit.string_too_long"


def test_step_limit() -> None:
    limits = Limits(max_steps=50)
    checked = compile_expression("SUM(lines.qty)", SCOPE, limits=limits)
    with pytest.raises(ExpressionLimitError) as caught:
        evaluate(checked, DictRow({"lines": [{"qty": 1}] * 100}), ENV, limits=limits)
    assert caught.value.code == "expression.limit.too_many_steps"


def test_date_overflow_is_an_evaluation_error() -> None:
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate(check("DATEADD(DATE('9999-12-01'), 1, 'month')"), DictRow({}), ENV)
    assert caught.value.code == "expression.evaluation.date_out_of_range"
    with pytest.raises(ExpressionEvaluationError):
        evaluate(check("DATE('9999-12-31') + 1"), DictRow({}), ENV)


@pytest.mark.parametrize(("op", "term", "row", "count", "want"), [
    ("+", "n", {"n": 1}, 500, 500), ("+", "n", {"n": 1}, 1999, 1999), ("*", "n", {"n": 1}, 1999, 1),
    ("&", "name", {"name": "x"}, 500, "x" * 500), ("&", "'y'", {}, 1999, "y" * 1999),
    (" and ", "flag", {"flag": True}, 500, True), ("&&", "flag", {"flag": True}, 1600, True),
    ("||", "flag", {"flag": False}, 1600, False), ("||", "flag", {"flag": None}, 1600, None),
])
def test_long_chain_of_one_operator_is_flat(
    db: Database, op: str, term: str, row: dict[str, Any], count: int, want: Any,
) -> None:
    """A run of one associative operator is one level deep, so it passes the depth limit of 100; up to the
    node limit it evaluates in Python and in SQL (SQLite refuses SQL trees over 1000 deep)."""
    checked = check(op.join([term] * count))
    assert evaluate(checked, DictRow(row), ENV) == want
    db.load(row)
    assert db.values([checked]) == [want]
    if checked.type is T.BOOLEAN:  # and as a WHERE condition
        condition = to_sql_predicate(checked, binding(), ENV, db.engine.dialect.name)
        with db.engine.connect() as conn:
            assert list(conn.scalars(sa.select(orders.c.id).where(condition))) == ([1] if want else [])


def test_chains_still_count_every_node_and_real_nesting() -> None:
    big = "+".join(["1"] * 10_000)
    assert _limit_code(big) == "expression.limit.source_too_long"
    with pytest.raises(ExpressionLimitError) as caught:
        parse(big, Limits(max_source_length=100_000))
    assert caught.value.code == "expression.limit.too_many_nodes"
    assert "more than 2000 parts" in caught.value.message
    assert _limit_code("1" + "-1" * 150) == "expression.limit.too_deep"  # - is not associative
    left_grouped = parse("(" * 40 + "1" + "+1)" * 40 + "+1" * 10)  # same order as without parentheses
    assert isinstance(left_grouped, ast.Chain) and len(left_grouped.operands) == 51
    nested = "1"
    for _ in range(120):
        nested = f"ABS({nested}) + 1"
    assert _limit_code(nested) == "expression.limit.too_deep"


def test_parenthesised_right_operand_stays_its_own_node() -> None:
    node = parse("a + (b + c) + d")
    assert isinstance(node, ast.Chain) and node.op == "+" and len(node.operands) == 3
    assert isinstance(node.operands[1], ast.Binary)
    assert isinstance(parse("a + b * c + d"), ast.Chain)
