"""Formula, rollup, lookup and auto-number: result types, storage and series checks."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError
from jimu.platform.fields.computed import sa_type_for
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.validation import validate_app

from .helpers import field


def _app(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"key": "demo", "entities": [
        {"key": "order", "fields": [
            {"name": "qty", "type": "integer"},
            {"name": "price", "type": "money"},
            {"name": "due", "type": "date"},
            {"name": "lines", "type": "child_table", "entity": "order_line"},
            *fields,
        ]},
        {"key": "order_line", "child": True, "fields": [{"name": "amount", "type": "money"}]},
    ]}


def _codes(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        validate_app(raw)
    return [d.code for d in caught.value.details]


def _entity_field_types(raw: dict[str, Any]) -> dict[str, ExprType | None]:
    _, catalog = validate_app(raw)
    order = catalog.entity("order")
    assert order is not None
    return {f.name: catalog.field_expr_type(f) for f in order.fields}


def test_result_types() -> None:
    types = _entity_field_types(_app(
        {"name": "total", "type": "formula", "expression": "qty * price"},
        {"name": "label", "type": "formula", "expression": "'#' & qty"},
        {"name": "late", "type": "formula", "expression": "due < TODAY()"},
        {"name": "shown", "type": "formula", "expression": "qty", "result_type": "money"},
        {"name": "line_count", "type": "rollup", "relation": "lines", "function": "count"},
        {"name": "line_sum", "type": "rollup", "relation": "lines", "function": "sum", "field": "amount"},
        {"name": "line_avg", "type": "rollup", "relation": "lines", "function": "avg", "field": "amount"},
        {"name": "number", "type": "auto_number", "series": "O-{#####}"},
    ))
    assert types["total"] == ExprType.DECIMAL
    assert types["label"] == ExprType.TEXT
    assert types["late"] == ExprType.BOOLEAN
    assert types["shown"] == ExprType.DECIMAL
    assert types["line_count"] == ExprType.INTEGER
    assert types["line_sum"] == ExprType.DECIMAL
    assert types["line_avg"] == ExprType.DECIMAL
    assert types["number"] == ExprType.TEXT


def test_what_is_stored() -> None:
    cases = [
        ("virtual formula", "formula", {}), ("stored formula", "formula", {"stored": True}),
        ("rollup", "rollup", {}), ("lookup", "lookup", {}), ("stored lookup", "lookup", {"stored": True}),
        ("child table", "child_table", {}), ("auto number", "auto_number", {}),
    ]
    stored = {name: FIELD_TYPES[t].stored(field(t, **props)) for name, t, props in cases}
    assert stored == {"virtual formula": False, "stored formula": True, "rollup": True, "lookup": False,
                      "stored lookup": True, "child table": False, "auto number": True}


def test_column_types_of_computed_values() -> None:
    assert isinstance(sa_type_for(ExprType.INTEGER), sa.BigInteger)
    numeric = sa_type_for(ExprType.DECIMAL, 4)
    assert isinstance(numeric, sa.Numeric) and numeric.scale == 4
    assert isinstance(sa_type_for(ExprType.TEXT), sa.Text)
    assert isinstance(sa_type_for(None), sa.Text)


@pytest.mark.parametrize("series", ["SO-{YYYY}-{#####}", "{YY}{MM}{DD}-{###}", "N{#}"])
def test_good_series(series: str) -> None:
    validate_app(_app({"name": "number", "type": "auto_number", "series": series}))


@pytest.mark.parametrize(("series", "code"), [
    ("SO-{YYYY}", "definition.series_needs_one_counter"),
    ("{###}-{###}", "definition.series_needs_one_counter"),
    ("SO-{YEAR}-{###}", "definition.series_unknown_token"),
])
def test_bad_series(series: str, code: str) -> None:
    assert _codes(_app({"name": "number", "type": "auto_number", "series": series})) == [code]


def test_stored_formulas_cannot_read_the_clock() -> None:
    late = {"name": "late", "type": "formula", "expression": "due < TODAY()", "stored": True}
    assert _codes(_app(late)) == ["definition.stored_formula_uses_now"]


def test_formula_result_type_must_match() -> None:
    assert _codes(_app({"name": "x", "type": "formula", "expression": "'a'", "result_type": "money"})) == [
        "definition.expression_invalid"]


def test_rollup_of_text_cannot_be_summed() -> None:
    raw = _app({"name": "s", "type": "rollup", "relation": "lines", "function": "sum", "field": "note"})
    raw["entities"][1]["fields"].append({"name": "note", "type": "text"})
    assert _codes(raw) == ["definition.rollup_field_type"]


def test_computed_fields_take_no_default() -> None:
    assert _codes(_app({"name": "x", "type": "formula", "expression": "qty", "default": 1})) == [
        "definition.default_on_computed"]
