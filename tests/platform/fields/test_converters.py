"""Per-field converters and checkers (made once per import batch) give exactly what coerce / check_value give."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from jimu.platform.fields.base import Problem, ValueConversionError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.model import FieldDef

from .helpers import field

OPTIONS = [{"value": "open", "label": {"en": "Open", "zh-CN": "打开"}}, {"value": "closed"}]
CASES: list[tuple[str, dict[str, Any], list[Any]]] = [
    ("text", {}, ["  a  ", "", "x" * 1001, 12, Decimal("1.5"), True, [], None, "αβ"]),
    ("text", {"strip": False, "max_length": 3, "min_length": 2, "pattern": "[a-z]+"}, [" ab ", "a", "abcd", "A1", "ab"]),
    ("text", {"pattern": "[0-9]+"}, ["12", "x" * 1001, "ab"]),
    ("long_text", {}, ["  a ", 3, True]),
    ("email", {}, [" A@B.CO ", "nope", 5]),
    ("phone", {}, ["+86 10 1234 5678", "abc"]),
    ("url", {}, ["https://x.y", "ftp://x"]),
    ("integer", {}, ["42", " 42 ", "1,234", "4_2", "1.0", "1.5", "1e3", "abc", "+7", "-0", "٤٢", "", None, 3, 3.0,
                     True, str(2**63), "9" * 5000, Decimal("7")]),
    ("integer", {"min": 0, "max": "10"}, ["-1", "5", "11"]),
    ("decimal", {"scale": 4}, ["1.23456", "1,234.5", "-0.00005", "NaN", "inf", "", "x", 1.1, 2, Decimal("3.14159"),
                               True, "1" * 20]),
    ("money", {"min": "0.01", "max": 100}, ["0", "0.005", "100.004", "100.005", "12.5"]),
    ("percent", {}, ["12.5%", "12.5", " 7 % ", "%"]),
    ("date", {}, ["2020-01-05", " 2020-01-05 ", "2020/01/05", "2020.1.5", "20200105", "2020年1月5日", "2020-1-5",
                  "2020-02-30", "2020-13-01", "0000-01-01", "2020-01-05T10:00:00", "", "x", datetime(2020, 1, 5, 3),
                  date(2020, 1, 5), 5]),
    ("date", {"min": "2020-01-01", "max": "2020-12-31"}, ["2019-12-31", "2020-06-01", "2021-01-01"]),
    ("datetime", {"min": "2020-01-01T00:00:00Z"}, ["2019-12-31T23:00:00", "2020-06-01 10:00:00+08:00", "x"]),
    ("select", {"options": OPTIONS}, ["open", " open ", "OPEN", "Open", "打开", "closed", "other", "", 1, None]),
    ("multi_select", {"options": OPTIONS}, ["open, closed", "closed，open", ["open"], "x", ""]),
    ("boolean", {}, ["yes", "是", "0", 1, 2, "maybe", ""]),
]


def outcome(convert: Any, check: Any, value: Any) -> tuple[str, Any]:
    """What conversion then checking make of a value: the value and its problems, or the error."""
    try:
        result = convert(value)
    except ValueConversionError as error:
        return "error", (error.code, error.params)
    found: list[Problem] = check(result) if check is not None and result is not None else []
    return "value", (result, type(result), found)


def slow(field_def: FieldDef) -> tuple[Any, Any]:
    field_type = FIELD_TYPES[field_def.type]
    return (lambda v: field_type.coerce(field_def, v)), (lambda v: field_type.check_value(field_def, v))


def fast(field_def: FieldDef) -> tuple[Any, Any]:
    field_type = FIELD_TYPES[field_def.type]
    return field_type.converter(field_def), field_type.checker(field_def)


@pytest.mark.parametrize(("type_name", "props", "values"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_converter_and_checker_agree_with_coerce_and_check_value(type_name: str, props: dict[str, Any],
                                                                 values: list[Any]) -> None:
    field_def = field(type_name, **props)
    for value in values:
        assert outcome(*fast(field_def), value) == outcome(*slow(field_def), value), value


def test_no_checker_when_nothing_can_fail() -> None:
    assert FIELD_TYPES["integer"].checker(field("integer")) is None
    assert FIELD_TYPES["date"].checker(field("date")) is None
    assert FIELD_TYPES["select"].checker(field("select", options=OPTIONS)) is None
    at_least_zero = FIELD_TYPES["integer"].checker(field("integer", min=0))
    assert at_least_zero is not None
    assert list(at_least_zero(0)) == []
    assert [problem.code for problem in at_least_zero(-1)] == ["value.below_min"]
