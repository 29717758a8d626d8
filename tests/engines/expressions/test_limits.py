from __future__ import annotations

import pytest

from jimu.engines.expressions import (
    DictRow,
    ExpressionEvaluationError,
    ExpressionLimitError,
    ExpressionSyntaxError,
    ExpressionTypeError,
    Limits,
    compile_expression,
    evaluate,
    parse,
)

from .conftest import ENV, SCOPE, check


def _limit_code(source: str) -> str:
    with pytest.raises(ExpressionLimitError) as caught:
        parse(source)
    return caught.value.code


def test_deep_parentheses_fail_fast() -> None:
    assert _limit_code("(" * 10_000 + "1" + ")" * 10_000) == "expression.limit.source_too_long"
    assert _limit_code("(" * 4000 + "1" + ")" * 4000) == "expression.limit.too_deep"
    assert _limit_code("(" * 4000) == "expression.limit.too_deep"
    assert parse("(" * 60 + "1" + ")" * 60) is not None


def test_parentheses_inside_strings_do_not_count() -> None:
    assert parse("'" + "(" * 500 + "'") is not None


def test_long_chains_and_unary_runs() -> None:
    assert _limit_code("1" + "+1" * 3000) in ("expression.limit.too_deep", "expression.limit.too_many_nodes")
    assert _limit_code("-" * 5000 + "1") == "expression.limit.too_deep"
    assert _limit_code("not " * 2000 + "true") == "expression.limit.too_deep"


def test_huge_source() -> None:
    assert _limit_code("1" * 1_000_000) == "expression.limit.source_too_long"
    assert _limit_code("a" * 1_000_000) == "expression.limit.source_too_long"


def test_huge_literals() -> None:
    assert _limit_code("1" * 39) == "expression.limit.number_too_large"
    assert _limit_code("0." + "1" * 40) == "expression.limit.number_too_large"
    assert parse("9" * 38) is not None


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
