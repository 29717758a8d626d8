"""A filter that would build huge texts in SQL is refused before it runs, naming where (both databases)."""
from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.engines.forms.listing import list_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.errors import DefinitionError, ValidationError

from .records_support import install

APP: dict[str, Any] = {"key": "docs", "entities": [{"key": "doc", "fields": [
    {"name": "title", "type": "text", "max_length": 200},
    {"name": "body", "type": "long_text"},
    {"name": "summary", "type": "long_text", "max_length": 2000},
]}]}


def test_a_filter_joining_fifty_long_texts_is_refused_at_once(engine: Engine) -> None:
    shop = install(engine, APP)
    with shop.kernel.unit_of_work() as ctx:
        records.create(ctx, "doc", {"title": "a", "body": "x" * 1_000_000})
    started = time.monotonic()
    with shop.kernel.unit_of_work() as ctx, pytest.raises(ValidationError) as caught:
        list_records(ctx, "doc", ListQuery(expression="CONCAT(" + ", ".join(["body"] * 50) + ") = 'x'"))
    assert time.monotonic() - started < 5
    assert caught.value.code == "query.invalid_expression"
    (detail,) = caught.value.details
    assert (detail.path, detail.code) == ("where", "expression.limit.text_may_be_too_long")
    assert detail.params["length"] == 50_000_000 and detail.params["column"] == 1


def test_declared_lengths_let_longer_joins_through(engine: Engine) -> None:
    shop = install(engine, APP)
    with shop.kernel.unit_of_work() as ctx:
        records.create(ctx, "doc", {"title": "a", "summary": "s"})
        joined = " & ".join(["summary"] * 50) + " & title"  # 50 × 2000 + 200: well within the bound
        rows = list_records(ctx, "doc", ListQuery(expression=f"LEN({joined}) = 51")).rows
    assert [row["title"] for row in rows] == ["a"]


def test_a_formula_that_could_grow_past_the_bound_is_refused_in_the_definition(engine: Engine) -> None:
    grown = {**APP, "entities": [{**APP["entities"][0], "fields": [
        *APP["entities"][0]["fields"],
        {"name": "echo", "type": "formula", "expression": " & ".join(["body"] * 5)}]}]}
    with pytest.raises(DefinitionError) as caught:
        install(engine, grown)
    (detail,) = caught.value.details
    assert detail.path == "/entities/0/fields/3" and detail.code == "definition.expression_invalid"
    assert "4000000" in detail.message
