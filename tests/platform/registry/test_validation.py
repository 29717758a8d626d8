"""Validation of app definitions: every problem is listed, each at its JSON path."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from jimu.platform.errors import DefinitionError
from jimu.platform.registry.model import AppDef
from jimu.platform.registry.validation import validate_app

FIXTURES = Path(__file__).parents[2] / "fixtures" / "apps"


def _problems(raw: Any, installed: tuple[AppDef, ...] = (), locale: str = "en") -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as caught:
        validate_app(raw, installed, locale=locale)
    return [(d.path, d.code) for d in caught.value.details]


def _details(raw: Any, locale: str = "en") -> list[Any]:
    with pytest.raises(DefinitionError) as caught:
        validate_app(raw, locale=locale)
    return caught.value.details


BROKEN: dict[str, Any] = {
    "key": "broken",
    "entities": [
        {
            "key": "order",
            "title_field": "nothing",
            "search_fields": ["number", "ghost"],
            "fields": [
                {"name": "number", "type": "text"},
                {"name": "colour", "type": "colour"},                                  # unknown type
                {"name": "customer", "type": "link", "entity": "customer"},            # missing entity
                {"name": "a", "type": "formula", "expression": "b + 1"},               # a -> b -> a
                {"name": "b", "type": "formula", "expression": "a + 1"},
                {"name": "number", "type": "integer"},                                 # duplicate name (and key)
                {"name": "amount", "key": "total", "type": "money"},
                {"name": "total", "type": "money"},                                    # duplicate key
                {"name": "select", "type": "text"},                                    # reserved
                {"name": "x; drop table", "type": "text"},                             # unsafe identifiers
                {"name": "Name", "type": "text"},
                {"name": "_x", "type": "text"},
                {"name": "n" * 49, "type": "text"},
                {"name": "bad", "type": "formula", "expression": "amount +\n  nope"},  # line 2, column 3
                {"name": "note", "type": "text", "visible_if": "amount"},              # not a boolean
                {"name": "tier", "type": "select", "options": [{"value": "a"}, {"value": "a"}], "default": "b"},
                {"name": "tags", "type": "multi_select", "options": [{"value": "x"}], "unique": True},
                {"name": "lines", "type": "child_table", "entity": "order"},           # not a child entity
            ],
            "indexes": [{"key": "by_ghost", "fields": ["number", "ghost"]}],
            "rules": [{"expression": "amount * 2", "message": "bad rule"}],
            "layout": {
                "tabs": [{"sections": [{"fields": ["number", "phantom"]}, {"fields": ["number"]}]}],
                "list_columns": ["number", "spectre"],
            },
        },
        {"key": "order_line", "child": True, "fields": [{"name": "qty", "type": "integer"}]},  # owned by nobody
    ],
}

EXPECTED = [
    ("/entities/0/fields/9/name", "definition.invalid_identifier"),
    ("/entities/0/fields/10/name", "definition.invalid_identifier"),
    ("/entities/0/fields/11/name", "definition.invalid_identifier"),
    ("/entities/0/fields/12/name", "definition.invalid_identifier"),
    ("/entities/0/fields/1/type", "definition.unknown_type"),
    ("/entities/0/fields/2", "definition.unknown_entity"),
    ("/entities/0/fields/3", "definition.formula_cycle"),
    ("/entities/0/fields/4", "definition.formula_cycle"),
    ("/entities/0/fields/5/name", "definition.duplicate_field"),
    ("/entities/0/fields/5/key", "definition.duplicate_key"),
    ("/entities/0/fields/7/key", "definition.duplicate_key"),
    ("/entities/0/fields/8/name", "definition.reserved_name"),
    ("/entities/0/fields/13", "definition.expression_invalid"),
    ("/entities/0/fields/14/visible_if", "definition.expression_invalid"),
    ("/entities/0/fields/15", "definition.duplicate_option"),
    ("/entities/0/fields/15/default", "value.not_option"),
    ("/entities/0/fields/16/unique", "definition.not_indexable"),
    ("/entities/0/fields/17", "definition.child_table_needs_child_entity"),
    ("/entities/0/title_field", "definition.unknown_field"),
    ("/entities/0/search_fields/1", "definition.unknown_field"),
    ("/entities/0/indexes/0/fields/1", "definition.unknown_field"),
    ("/entities/0/rules/0/expression", "definition.expression_invalid"),
    ("/entities/0/layout/tabs/0/sections/0/fields/1", "definition.unknown_field"),
    ("/entities/0/layout/tabs/0/sections/1/fields/0", "definition.field_placed_twice"),
    ("/entities/0/layout/list_columns/1", "definition.unknown_field"),
    ("/entities/1/child", "definition.child_entity_unused"),
]


def test_every_problem_is_listed_with_its_path() -> None:
    assert _problems(BROKEN) == EXPECTED


def test_the_definition_is_not_changed_by_validation() -> None:
    raw = copy.deepcopy(BROKEN)
    _problems(raw)
    assert raw == BROKEN


def test_expression_problems_carry_line_and_column() -> None:
    details = {d.path: d for d in _details(BROKEN)}
    bad = details["/entities/0/fields/13"]
    assert (bad.params["line"], bad.params["column"]) == (2, 3)
    assert bad.params["expression_code"] == "expression.type.unknown_field"
    assert bad.message.startswith("Invalid expression at line 2, column 3:")
    assert "nope" in bad.message
    rule = details["/entities/0/rules/0/expression"]
    assert rule.params["expression_code"] == "expression.type.expected_type"


def test_cycles_are_named_from_each_field_of_the_loop() -> None:
    details = {d.path: d for d in _details(BROKEN)}
    assert details["/entities/0/fields/3"].params["cycle"] == "order.a -> order.b -> order.a"
    assert details["/entities/0/fields/4"].params["cycle"] == "order.b -> order.a -> order.b"


def test_messages_in_chinese() -> None:
    details = {d.path: d.message for d in _details(BROKEN, locale="zh-CN")}
    assert details["/entities/0/fields/2"] == "没有定义或安装实体“customer”。"
    assert details["/entities/0/fields/8/name"] == "“select”是保留名称，请换一个。"
    assert details["/entities/0/fields/9/name"].startswith("“x; drop table”不是合法的键或名称")


def test_a_valid_definition_passes() -> None:
    raw = json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8"))
    app, catalog = validate_app(raw)
    assert app.key == "sales"
    assert [e.key for e in app.entities] == ["customer", "product", "sales_order", "sales_order_line"]
    assert catalog.parent_of("sales_order_line")[0].key == "sales_order"  # type: ignore[index]


def test_structural_problems_are_all_listed_and_stop_there() -> None:
    raw = {
        "key": "shop",
        "version": "one",
        "entities": [
            {"key": "item", "fields": [{"name": "name"}], "colour": "red"},
            {"key": "empty", "fields": []},
        ],
        "extra": True,
    }
    assert _problems(raw) == [
        ("/", "definition.schema"),
        ("/entities/0", "definition.schema"),
        ("/entities/0/fields/0", "definition.schema"),
        ("/entities/1/fields", "definition.schema"),
        ("/version", "definition.schema"),
    ]


def test_unknown_field_properties_are_refused() -> None:
    raw = {"key": "shop", "entities": [{"key": "item", "fields": [
        {"name": "name", "type": "text", "max_lenght": 3},
        {"name": "price", "type": "money", "scale": 20},
        {"name": "tier", "type": "select"},
    ]}]}
    assert _problems(raw) == [
        ("/entities/0/fields/0", "definition.schema"),
        ("/entities/0/fields/1/scale", "definition.schema"),
        ("/entities/0/fields/2", "definition.schema"),
    ]


def test_rollup_cycle_through_a_child_formula() -> None:
    raw = {"key": "shop", "entities": [
        {"key": "order", "fields": [
            {"name": "lines", "type": "child_table", "entity": "order_line"},
            {"name": "total", "type": "rollup", "relation": "lines", "function": "sum", "field": "share"},
        ]},
        {"key": "order_line", "child": True, "fields": [
            {"name": "share", "type": "formula", "expression": "parent.total / 2"},
        ]},
    ]}
    problems = _details(raw)
    assert [(d.path, d.code) for d in problems] == [
        ("/entities/0/fields/1", "definition.formula_cycle"),
        ("/entities/1/fields/0", "definition.formula_cycle"),
    ]
    assert problems[0].params["cycle"] == "order.total -> order_line.share -> order.total"
    assert problems[1].params["cycle"] == "order_line.share -> order.total -> order_line.share"


def test_rollup_cycle_through_a_back_link() -> None:
    raw = {"key": "crm", "entities": [
        {"key": "customer", "fields": [
            {"name": "name", "type": "text"},
            {"name": "spent", "type": "rollup", "relation": "invoice.customer", "function": "sum", "field": "score"},
        ]},
        {"key": "invoice", "fields": [
            {"name": "customer", "type": "link", "entity": "customer"},
            {"name": "score", "type": "formula", "expression": "customer.spent + 1", "stored": True},
        ]},
    ]}
    assert [code for _, code in _problems(raw)] == ["definition.formula_cycle", "definition.formula_cycle"]


def test_a_chain_without_a_loop_is_fine() -> None:
    raw = {"key": "calc", "entities": [{"key": "sheet", "fields": [
        {"name": "a", "type": "integer"},
        {"name": "b", "type": "formula", "expression": "a + 1"},
        {"name": "c", "type": "formula", "expression": "b * 2", "stored": True},
        {"name": "d", "type": "formula", "expression": "b + c"},
    ]}]}
    validate_app(raw)


def test_child_entities_have_exactly_one_owner() -> None:
    raw = {"key": "shop", "entities": [
        {"key": "quote", "fields": [{"name": "lines", "type": "child_table", "entity": "line"}]},
        {"key": "order", "fields": [{"name": "lines", "type": "child_table", "entity": "line"}]},
        {"key": "line", "child": True, "fields": [{"name": "qty", "type": "integer"}]},
        {"key": "note", "fields": [{"name": "line", "type": "link", "entity": "line"}]},
    ]}
    assert _problems(raw) == [
        ("/entities/0/fields/0", "definition.child_entity_shared"),
        ("/entities/1/fields/0", "definition.child_entity_shared"),
    ]  # a link may point at a line (a delivery line at its order line)


def test_relations_of_rollups_and_lookups() -> None:
    raw = {"key": "shop", "entities": [
        {"key": "customer", "fields": [
            {"name": "name", "type": "text"},
            {"name": "n", "type": "rollup", "relation": "order.nobody", "function": "count"},
            {"name": "m", "type": "rollup", "relation": "name", "function": "count"},
            {"name": "s", "type": "rollup", "relation": "order.customer", "function": "sum", "field": "ghost"},
            {"name": "c", "type": "rollup", "relation": "order.customer", "function": "count", "condition": "qty"},
        ]},
        {"key": "order", "fields": [
            {"name": "customer", "type": "link", "entity": "customer"},
            {"name": "qty", "type": "integer"},
            {"name": "l1", "type": "lookup", "link": "qty", "field": "name"},
            {"name": "l2", "type": "lookup", "link": "customer", "field": "ghost"},
        ]},
    ]}
    assert _problems(raw) == [
        ("/entities/0/fields/1", "definition.unknown_relation"),
        ("/entities/0/fields/2", "definition.unknown_relation"),
        ("/entities/0/fields/3", "definition.unknown_field"),
        ("/entities/0/fields/4", "definition.expression_invalid"),
        ("/entities/1/fields/2", "definition.lookup_needs_link"),
        ("/entities/1/fields/3", "definition.unknown_field"),
    ]


def test_defaults_are_checked_against_the_field() -> None:
    raw = {"key": "shop", "entities": [{"key": "item", "fields": [
        {"name": "qty", "type": "integer", "default": "many"},
        {"name": "price", "type": "money", "default": -1, "min": 0},
        {"name": "due", "type": "date", "default_expression": "TODAY() + 7"},
        {"name": "code", "type": "text", "default_expression": "1 + 1"},
        {"name": "rate", "type": "decimal", "default_expression": "2"},
        {"name": "lines", "type": "child_table", "entity": "item_line", "default_expression": "1"},
    ]}, {"key": "item_line", "child": True, "fields": [{"name": "qty", "type": "integer"}]}]}
    assert _problems(raw) == [
        ("/entities/0/fields/0/default", "value.not_integer"),
        ("/entities/0/fields/1/default", "value.below_min"),
        ("/entities/0/fields/3/default_expression", "definition.expression_invalid"),
        ("/entities/0/fields/5/default_expression", "definition.default_not_supported"),
    ]


def test_entities_belong_to_one_app() -> None:
    sales = AppDef.build(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    raw = {"key": "crm", "entities": [
        {"key": "customer", "fields": [{"name": "name", "type": "text"}]},
        {"key": "contact", "fields": [{"name": "name", "type": "text"}]},
        {"key": "contact", "fields": [{"name": "name", "type": "text"}]},
    ]}
    assert _problems(raw, (sales,)) == [
        ("/entities/0/key", "definition.entity_owned_elsewhere"),
        ("/entities/2/key", "definition.duplicate_entity"),
    ]


def test_links_may_point_into_installed_apps() -> None:
    sales = AppDef.build(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    raw = {"key": "support", "depends_on": ["sales"], "entities": [{"key": "ticket", "fields": [
        {"name": "customer", "type": "link", "entity": "customer"},
        {"name": "customer_name", "type": "lookup", "link": "customer", "field": "name"},
    ]}]}
    validate_app(raw, (sales,))
    assert _problems(raw) == [("/entities/0/fields/0", "definition.unknown_entity")]


def test_stored_fields_only_can_be_indexed() -> None:
    raw = {"key": "shop", "entities": [{"key": "item", "fields": [
        {"name": "qty", "type": "integer"},
        {"name": "double", "type": "formula", "expression": "qty * 2"},
        {"name": "kept", "type": "formula", "expression": "qty * 3", "stored": True, "indexed": True},
        {"name": "notes", "type": "long_text", "indexed": True},
    ], "indexes": [{"fields": ["double"]}, {"fields": ["kept", "qty"], "unique": True},
                   {"key": "kept_qty", "fields": ["qty"]}]}]}
    assert _problems(raw) == [
        ("/entities/0/fields/3/indexed", "definition.not_indexable"),
        ("/entities/0/indexes/0/fields/0", "definition.not_indexable"),
        ("/entities/0/indexes/2/key", "definition.duplicate_index"),
    ]


def _viewed(layout: dict[str, Any]) -> dict[str, Any]:
    return {"key": "views", "entities": [{"key": "task", "fields": [
        {"name": "title", "type": "text"}, {"name": "due", "type": "date"},
        {"name": "stage", "type": "select", "options": [{"value": "todo"}, {"value": "done"}]}],
        "layout": layout}]}


def test_a_board_and_a_calendar_are_declared_in_the_layout() -> None:
    validate_app(_viewed({"board": {"field": "stage", "card_fields": ["due"]}, "calendar": {"field": "due"}}))
    assert _problems(_viewed({"board": {"field": "title"}, "calendar": {"field": "stage", "card_fields": ["x"]}})) == [
        ("/entities/0/layout/board/field", "definition.board_field_not_choice"),
        ("/entities/0/layout/calendar/field", "definition.calendar_field_not_date"),
        ("/entities/0/layout/calendar/card_fields/0", "definition.unknown_field")]
    assert _problems(_viewed({"board": {"field": "ghost"}})) == [
        ("/entities/0/layout/board/field", "definition.unknown_field")]
    assert {p for _, p in _problems(_viewed({"board": {"colour": "red"}}))} == {"definition.schema"}
