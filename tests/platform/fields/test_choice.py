"""Boolean, select and multi-select."""
from __future__ import annotations

from typing import Any

import pytest

from jimu.platform.fields.registry import FIELD_TYPES

from .helpers import coerce, field, refused

OPTIONS: dict[str, Any] = {"options": [
    {"value": "standard", "label": {"en": "Standard", "zh-CN": "标准"}},
    {"value": "gold", "label": {"en": "Gold", "zh-CN": "黄金"}},
    {"value": "vip", "label": {"en": "VIP", "zh-CN": "贵宾"}},
]}


@pytest.mark.parametrize("text", ["true", "TRUE", " yes ", "Y", "1", "on", "是", "真", "对"])
def test_true(text: str) -> None:
    assert coerce("boolean", text) is True


@pytest.mark.parametrize("text", ["false", "No", "n", "0", "off", "否", "假", "错"])
def test_false(text: str) -> None:
    assert coerce("boolean", text) is False


def test_boolean_from_values() -> None:
    assert coerce("boolean", True) is True
    assert coerce("boolean", 0) is False
    assert coerce("boolean", 1) is True
    assert coerce("boolean", "") is None
    assert coerce("boolean", None) is None


@pytest.mark.parametrize("value", ["maybe", 2, "是的", 1.0, [True]])
def test_not_booleans(value: object) -> None:
    assert refused("boolean", value).code == "value.not_boolean"


def test_boolean_text_form_and_blankness() -> None:
    boolean, f = FIELD_TYPES["boolean"], field("boolean")
    assert [boolean.to_text(f, v) for v in (True, False, None)] == ["true", "false", ""]
    assert not boolean.is_blank(False)


def test_select_by_value_or_label() -> None:
    assert coerce("select", "gold", **OPTIONS) == "gold"
    assert coerce("select", " gold ", **OPTIONS) == "gold"
    assert coerce("select", "黄金", **OPTIONS) == "gold"
    assert coerce("select", "Gold", **OPTIONS) == "gold"
    assert coerce("select", "vip", **OPTIONS) == "vip"
    assert coerce("select", "GOLD", **OPTIONS) == "gold"
    assert coerce("select", "", **OPTIONS) is None


def test_select_refuses_unknown_options() -> None:
    error = refused("select", "silver", **OPTIONS)
    assert error.code == "value.not_option"
    assert error.params == {"value": "silver", "options": "standard, gold, vip"}
    assert refused("select", True, **OPTIONS).code == "value.not_option"


def test_select_numbers_match_numeric_option_values() -> None:
    assert coerce("select", 2, options=[{"value": "1"}, {"value": "2"}]) == "2"


def test_multi_select_keeps_option_order() -> None:
    assert coerce("multi_select", "vip, standard", **OPTIONS) == ["standard", "vip"]
    assert coerce("multi_select", ["贵宾", "gold", "vip"], **OPTIONS) == ["gold", "vip"]
    assert coerce("multi_select", "黄金，标准", **OPTIONS) == ["standard", "gold"]  # full-width comma
    assert coerce("multi_select", "", **OPTIONS) is None
    assert coerce("multi_select", [], **OPTIONS) is None


def test_multi_select_refuses_unknown_options_and_non_lists() -> None:
    assert refused("multi_select", "gold, silver", **OPTIONS).code == "value.not_option"
    assert refused("multi_select", {"gold": True}, **OPTIONS).code == "value.not_list"


def test_multi_select_text_round_trip() -> None:
    multi, f = FIELD_TYPES["multi_select"], field("multi_select", **OPTIONS)
    text = multi.to_text(f, ["standard", "vip"])
    assert text == "standard, vip"
    assert multi.coerce(f, text) == ["standard", "vip"]
