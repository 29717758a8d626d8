"""Texts an expression builds are bounded before it runs: a node that could pass `max_text_bound`
(judged from the fields' declared lengths) is refused where it stands, so SQL never builds it."""
from __future__ import annotations

import pytest

from jimu.engines.expressions import DictScope, ExpressionLimitError, Limits, ScopeField, compile_expression
from jimu.engines.expressions.types import ExprType as T

MB = 1_000_000
SCOPE = DictScope({
    "notes": ScopeField("notes", T.TEXT, max_length=MB),  # a long text
    "code": ScopeField("code", T.TEXT, max_length=40),
    "free": T.TEXT,  # length unknown: as long as any text may be
    "n": T.INTEGER, "amount": T.DECIMAL, "flag": T.BOOLEAN,
})


DEFAULT = Limits()


def _refused(source: str, limits: Limits = DEFAULT) -> ExpressionLimitError:
    with pytest.raises(ExpressionLimitError) as caught:
        compile_expression(source, SCOPE, limits=limits)
    assert caught.value.code == "expression.limit.text_may_be_too_long"
    return caught.value


def test_fifty_copies_of_a_long_text_are_refused_wherever_they_stand() -> None:
    copies = ", ".join(["notes"] * 50)
    error = _refused(f"CONCAT({copies}) = 'x'")
    assert error.params == {"length": 50 * MB, "limit": 4 * MB}
    assert (error.line, error.column) == (1, 1)
    assert _refused(f"LEN(CONCAT({copies})) > 5").column == 5  # inside another call: still refused
    assert _refused(f"LEFT(CONCAT({copies}), 10) = 'x'").column == 6  # cutting the result comes too late
    assert _refused(" & ".join(["notes"] * 5) + " = 'x'").line == 1


def test_texts_within_the_bound_are_accepted() -> None:
    for source in ("notes & ' (edited)'", "CONCAT(notes, notes, notes, notes)", "UPPER(notes)",
                   "CONCAT(" + ", ".join(["code"] * 1000) + ")", "LEFT(notes, 10) & LEFT(notes, 10)",
                   "IF(flag, notes, code) & code", "CONCAT(n, amount, flag, code)"):
        assert compile_expression(source, SCOPE).type is T.TEXT


def test_each_function_says_how_its_text_grows() -> None:
    limits = Limits(max_text_bound=100)
    assert compile_expression("LEFT(code & code, 30) & code", SCOPE, limits=limits)  # 30 + 40
    _refused("LEFT(code & code, n) & code", limits)  # n unknown: as long as its text, 80 + 40
    _refused("UPPER(code)", limits)  # case mapping can triple ('ß' → 'SS')
    assert compile_expression("UPPER(LEFT(code, 30))", SCOPE, limits=limits)
    _refused("code & code & code", limits)  # 120
    assert compile_expression("IF(flag, code, 'x') & code", SCOPE, limits=limits)  # the longer branch, 40 + 40
    _refused("COALESCE(free, code)", limits)  # an unknown length counts as the longest text
    assert compile_expression("CONCAT(n, n, n, n)", SCOPE, limits=limits)  # numbers have short text forms
    _refused("'" + "x" * 101 + "'", limits)
