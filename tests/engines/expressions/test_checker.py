from __future__ import annotations

import pytest

from jimu.engines.expressions import ExpressionTypeError, ExprType

from .conftest import check


def test_types() -> None:
    assert check("n + 1").type is ExprType.INTEGER
    assert check("n + 1.5").type is ExprType.DECIMAL
    assert check("n / 2").type is ExprType.DECIMAL
    assert check("d + 1").type is ExprType.DATE
    assert check("d2 - d").type is ExprType.INTEGER
    assert check("IF(flag, n, amount)").type is ExprType.DECIMAL
    assert check("null").type is ExprType.NULL
    assert check("MIN(lines.qty)").type is ExprType.INTEGER
    assert check("MIN(n, 2)").type is ExprType.INTEGER


def test_expected_type() -> None:
    assert check("n", expected=ExprType.DECIMAL).type is ExprType.INTEGER  # widens
    assert check("null", expected=ExprType.DATE).type is ExprType.NULL
    with pytest.raises(ExpressionTypeError) as caught:
        check("name", expected=ExprType.BOOLEAN)
    assert caught.value.code == "expression.type.expected_type"
    assert caught.value.params == {"expected": "boolean", "actual": "text"}


@pytest.mark.parametrize(("source", "code", "column"), [
    ("nope + 1", "expression.type.unknown_field", 1),
    ("customer.nope", "expression.type.unknown_field", 1),
    ("name.first", "expression.type.not_a_link", 1),
    ("FOO(1)", "expression.type.unknown_function", 1),
    ("ROUND(1, 2, 3)", "expression.type.wrong_arity", 1),
    ("LEFT(name, 'x')", "expression.type.wrong_argument_type", 12),
    ("n = name", "expression.type.incompatible_types", 3),
    ("flag < true", "expression.type.incompatible_types", 6),
    ("name - 1", "expression.type.operator_type", 6),
    ("not n", "expression.type.operator_type", 1),
    ("lines.amount", "expression.type.collection_outside_aggregate", 1),
    ("COUNT(lines) + lines.qty", "expression.type.collection_outside_aggregate", 16),
    ("SUM(n)", "expression.type.aggregate_needs_collection", 5),
    ("SUM(lines)", "expression.type.wrong_argument_type", 5),
    ("SUM(lines.label)", "expression.type.wrong_argument_type", 5),
    ("SUM(lines.amount, lines.qty)", "expression.type.wrong_argument_type", 19),
    ("SUM(lines.amount + COUNT(lines))", "expression.type.nested_aggregate", 20),
    ("DATEADD(d, 1, name)", "expression.type.literal_required", 15),
    ("DATEDIFF(d, d2, 'hour')", "expression.type.invalid_unit", 17),
    ("DATE('31/01/2024')", "expression.type.invalid_date", 6),
    ("IF(flag, 1, 'a')", "expression.type.incompatible_types", 13),
    ("n in (1, 'a')", "expression.type.incompatible_types", 3),
    ("tags = tags", "expression.type.incompatible_types", 6),
])
def test_type_errors(source: str, code: str, column: int) -> None:
    with pytest.raises(ExpressionTypeError) as caught:
        check(source)
    assert caught.value.code == code, caught.value
    assert (caught.value.line, caught.value.column) == (1, column), caught.value
    assert caught.value.message


def test_error_params_for_translation() -> None:
    with pytest.raises(ExpressionTypeError) as caught:
        check("ROUND(name)")
    assert caught.value.params == {"function": "ROUND", "index": 1, "expected": ["decimal", "integer"],
                                   "actual": "text"}
    assert "ROUND expects a number as argument 1, got text." in str(caught.value)


def test_references_and_uses_now() -> None:
    c = check("SUM(lines.amount, lines.qty > n) + customer.credit_limit + COUNT(lines)")
    assert c.references == frozenset({("lines", "amount"), ("lines", "qty"), ("n",), ("customer", "credit_limit"),
                                      ("lines",)})
    assert not c.uses_now
    assert check("d < TODAY()").uses_now
    assert check("NOW()").uses_now
    assert check("IF(CURRENT_USER() = 1, 1, 2)").uses_now
    assert check("customer.region.name").references == frozenset({("customer", "region", "name")})
