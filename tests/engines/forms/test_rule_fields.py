"""An entity rule's `fields` place its message on those fields (a line rule: on the line's field)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError, ValidationError
from jimu.platform.kernel import Kernel

MESSAGE = {"en": "Start before end.", "zh-CN": "开始须早于结束。"}
APP: dict[str, Any] = {
    "key": "booking", "version": "1.0.0",
    "entities": [
        {"key": "booking", "fields": [
            {"name": "starts", "type": "date"}, {"name": "ends", "type": "date"},
            {"name": "lines", "type": "child_table", "entity": "booking_line"},
        ], "rules": [
            {"key": "order", "expression": "starts <= ends", "message": MESSAGE, "fields": ["starts", "ends"]},
            {"key": "whole", "expression": "COUNT(lines) < 3", "message": {"en": "Too many lines."}},
        ]},
        {"key": "booking_line", "child": True, "fields": [{"name": "qty", "type": "integer"}], "rules": [
            {"key": "positive", "expression": "qty > 0", "message": {"en": "Positive."}, "fields": ["qty"]},
        ]},
    ],
}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(APP)
    return kernel


def problems(kernel: Kernel, values: dict[str, Any], locale: str = "en") -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as caught, kernel.unit_of_work(locale=locale) as ctx:
        records.create(ctx, "booking", values)
    return [(d.path, d.code, d.message) for d in caught.value.details]


def test_messages_land_on_the_named_fields(kernel: Kernel) -> None:
    assert problems(kernel, {"starts": "2026-12-02", "ends": "2026-12-01", "lines": [{"qty": 1}, {"qty": 0}]}) == [
        ("starts", "records.rule_failed", "Start before end."), ("ends", "records.rule_failed", "Start before end."),
        ("lines/1/qty", "records.rule_failed", "Positive.")]
    assert problems(kernel, {"lines": [{"qty": 1}] * 3}) == [("", "records.rule_failed", "Too many lines.")]


def test_fields_must_exist(kernel: Kernel) -> None:
    broken = {**APP, "entities": [{**APP["entities"][0], "rules": [
        {"expression": "starts <= ends", "message": MESSAGE, "fields": ["start"]}]}, APP["entities"][1]]}
    with pytest.raises(DefinitionError) as caught:
        kernel.apply_app(broken)
    assert [(d.path, d.code) for d in caught.value.details] == [("/entities/0/rules/0/fields/0",
                                                                 "definition.unknown_field")]
