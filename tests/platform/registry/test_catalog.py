"""A catalog is complete once built: types, expressions and dependencies resolved, loops recorded."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError
from jimu.platform.registry.catalog import Catalog, FormulaCycleError
from jimu.platform.registry.model import AppDef

SALES = Path(__file__).parents[2] / "fixtures" / "apps" / "sales.json"


def sales() -> Catalog:
    return Catalog([AppDef.build(json.loads(SALES.read_text(encoding="utf-8")))])


def test_everything_derived_from_the_definitions_is_there_when_built() -> None:
    catalog = sales()
    order = catalog.require_entity("sales_order")
    expression = order.field("total").get("expression")  # type: ignore[union-attr]
    checked = catalog.compile("sales_order", expression)
    assert checked is catalog.compile("sales_order", expression)
    assert len(catalog.caches["expressions"]) == 0  # definitions' own expressions are not cached ad hoc
    types = {f.name: catalog.field_expr_type(f) for f in order.fields}
    assert (types["subtotal"], types["total"], types["customer_email"], types["over_limit"]) == (
        ExprType.DECIMAL, ExprType.DECIMAL, ExprType.TEXT, ExprType.BOOLEAN)
    assert {d.target for d in catalog.dependencies.dependents("sales_order_line", ["qty"])} == {
        "sales_order_line", "sales_order", "customer"}  # amount, subtotal, order_total


def test_an_ad_hoc_expression_goes_to_the_bounded_cache() -> None:
    catalog = sales()
    first = catalog.compile("sales_order", "total > 10", ExprType.BOOLEAN)
    assert catalog.compile("sales_order", "total > 10", ExprType.BOOLEAN) is first
    assert len(catalog.caches["expressions"]) == 1


def loop() -> Catalog:
    return Catalog([AppDef.build({"key": "calc", "entities": [{"key": "sheet", "fields": [
        {"name": "a", "type": "formula", "expression": "b + 1"},
        {"name": "b", "type": "formula", "expression": "a + 1"},
        {"name": "c", "type": "formula", "expression": "a * 2"},
        {"name": "d", "type": "integer"},
    ]}]})])


def test_a_loop_is_recorded_from_each_field_and_reading_it_is_a_definition_error() -> None:
    catalog = loop()
    a, b, c, d = catalog.require_entity("sheet").fields
    assert catalog.formula_cycle(a) == ["sheet.a", "sheet.b", "sheet.a"]
    assert catalog.formula_cycle(b) == ["sheet.b", "sheet.a", "sheet.b"]
    assert catalog.formula_cycle(c) == ["sheet.a", "sheet.b", "sheet.a"]  # reads the loop
    assert catalog.formula_cycle(d) is None
    with pytest.raises(FormulaCycleError) as raised:
        catalog.compile("sheet", "c + d")
    assert isinstance(raised.value, DefinitionError)
    assert (raised.value.code, raised.value.http_status) == ("definition.formula_cycle", 422)
    assert catalog.compile("sheet", "d + 1").type == ExprType.INTEGER
