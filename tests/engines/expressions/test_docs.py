"""Every example in docs/expressions.md is executed here."""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.expressions import (
    DictRow,
    DictScope,
    EvalEnv,
    ExpressionError,
    ExprType,
    ScopeField,
    compile_expression,
    evaluate,
)
from jimu.engines.expressions.interpreter import evaluate as evaluate_tree
from jimu.engines.expressions.typed import TAggregate, TQuery
from jimu.engines.expressions.types import unify

from .conftest import ENV

T = ExprType
DOC = Path(__file__).parents[3] / "docs" / "expressions.md"
CUSTOMER = DictScope({"name": T.TEXT, "credit_limit": T.DECIMAL})
LINE = DictScope({"amount": T.DECIMAL, "qty": T.INTEGER, "label": T.TEXT})
SCOPE = DictScope({
    "amount": T.DECIMAL, "qty": T.INTEGER, "name": T.TEXT, "note": T.TEXT, "discount": T.DECIMAL,
    "due": T.DATE, "shipped": T.DATETIME, "rush": T.BOOLEAN, "tags": T.LIST,
    "customer": ScopeField("customer", T.INTEGER, link=CUSTOMER),
    "lines": ScopeField("lines", T.INTEGER, children=LINE),
})
INVOICE = DictScope({"id": T.INTEGER, "customer": T.INTEGER, "outstanding": T.DECIMAL, "status": T.TEXT,
                     "qty": T.INTEGER})
QUERIES = DictScope({}, {"invoice": INVOICE})


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def _examples(kind: str) -> list[tuple[str, str]]:
    pairs = []
    for block in _blocks(kind):
        for line in block.strip().splitlines():
            source, _, result = line.partition("  →  ")
            pairs.append((source.strip(), result.strip()))
    return pairs


def _typed(value: Any, t: ExprType) -> Any:
    if value is None:
        return None
    return {T.DECIMAL: lambda v: Decimal(str(v)), T.DATE: date.fromisoformat,
            T.DATETIME: datetime.fromisoformat}.get(t, lambda v: v)(value)


def _record() -> dict[str, Any]:
    raw = json.loads(_blocks("json sample-record")[0])
    record = {k: _typed(v, SCOPE.lookup(k).type) for k, v in raw.items() if k not in ("customer", "lines")}
    record["customer"] = {k: v if k == "id" else _typed(v, CUSTOMER.lookup(k).type) for k, v in raw["customer"].items()}
    record["lines"] = [{k: _typed(v, LINE.lookup(k).type) for k, v in line.items()} for line in raw["lines"]]
    return record


ROW = DictRow(_record())


def _invoices() -> list[dict[str, Any]]:
    rows = json.loads(_blocks("json sample-invoices")[0])
    return [{k: _typed(v, INVOICE.lookup(k).type) for k, v in row.items()} for row in rows]


def _in_memory(node: TQuery) -> Any:
    """The documented semantics of a query, without a database: the same rows as a child collection."""
    as_children = TAggregate(node.fn, "rows", node.value, node.condition, node.type)
    return evaluate_tree(as_children, DictRow({"rows": _invoices()}), ENV)


QUERY_ENV = EvalEnv(ENV.current_user, ENV.now, query_aggregate=_in_memory)


@pytest.mark.parametrize(("source", "result"), _examples("expr"))
def test_example(source: str, result: str) -> None:
    checked = compile_expression(source, SCOPE, queries=QUERIES)
    expected = compile_expression(result, SCOPE)
    assert unify(checked.type, expected.type) is not None, (checked.type, expected.type)
    got, want = evaluate(checked, ROW, QUERY_ENV), evaluate(expected, ROW, ENV)
    assert got == want and (got is None) == (want is None), f"{source}: {got!r} != {want!r}"


@pytest.mark.parametrize(("source", "code"), _examples("expr-error"))
def test_error_example(source: str, code: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, SCOPE, queries=QUERIES)
    assert caught.value.code == code
    assert caught.value.line == 1 and isinstance(caught.value.column, int) and caught.value.column >= 1


def test_doc_has_examples() -> None:
    assert len(_examples("expr")) > 100
