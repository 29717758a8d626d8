"""Applying changed definitions of the sales app to a database holding data: the data survives."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError, SchemaChangeError
from jimu.platform.kernel import Kernel
from jimu.platform.meta import apps, archived_columns
from jimu.platform.registry.repository import get_version, list_versions
from jimu.platform.storage.tables import index_name

SALES = Path(__file__).parents[2] / "fixtures" / "apps" / "sales.json"
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def sales() -> dict[str, Any]:
    return json.loads(SALES.read_text(encoding="utf-8"))


def entity(raw: dict[str, Any], key: str) -> dict[str, Any]:
    return next(e for e in raw["entities"] if e["key"] == key)


def field(raw: dict[str, Any], entity_key: str, name: str) -> dict[str, Any]:
    return next(f for f in entity(raw, entity_key)["fields"] if f["name"] == name)


def changed(edit: Callable[[dict[str, Any]], None], base: dict[str, Any] | None = None) -> dict[str, Any]:
    raw = copy.deepcopy(base or sales())
    edit(raw)
    return raw


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    k = Kernel(engine, clock=lambda: NOW)
    k.apply_app(sales())
    return k


def insert(kernel: Kernel, entity_key: str, *rows: dict[str, Any]) -> list[int]:
    with kernel.engine.begin() as conn:
        table = kernel.definitions(conn).tables[entity_key]
        system = {"_created_at": NOW, "_updated_at": NOW}
        return [int(conn.execute(sa.insert(table).values(**system, **row)).inserted_primary_key[0]) for row in rows]


def column_values(kernel: Kernel, entity_key: str, column: str) -> dict[int, Any]:
    """Raw values of any physical column (also archived ones), by id."""
    table = sa.table(f"t_{entity_key}", sa.column("id"), sa.column(column))
    with kernel.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(sa.select(table.c.id, table.c[column]))}


def typed_values(kernel: Kernel, entity_key: str, column: str) -> dict[int, Any]:
    with kernel.engine.connect() as conn:
        table = kernel.definitions(conn).tables[entity_key]
        return {row[0]: row[1] for row in conn.execute(sa.select(table.c.id, table.c[column]))}


def columns(kernel: Kernel, table: str) -> dict[str, Any]:
    return {c["name"]: c["type"] for c in sa.inspect(kernel.engine).get_columns(table)}


def index_names(kernel: Kernel, table: str) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(kernel.engine).get_indexes(table)}


def revision(kernel: Kernel) -> int:
    with kernel.engine.connect() as conn:
        return int(conn.execute(sa.select(apps.c.revision).where(apps.c.key == "sales")).scalar_one())


def customers(kernel: Kernel) -> list[int]:
    return insert(kernel, "customer", {"name": "Acme", "phone": "+86 21 5555 0101", "tier": "gold"},
                  {"name": "Globex", "phone": "+1 555 0100", "tier": "standard"})


def test_install_creates_the_tables_and_the_first_version(kernel: Kernel) -> None:
    assert {"t_customer", "t_product", "t_sales_order", "t_sales_order_line"} <= set(sa.inspect(kernel.engine).get_table_names())
    with kernel.engine.connect() as conn:
        versions = list_versions(conn, "sales")
    assert [v["revision"] for v in versions] == [1]
    assert {c["kind"] for c in versions[0]["diff"]} == {"create_entity"}


def test_unchanged_definition_is_not_applied_again(kernel: Kernel) -> None:
    result = kernel.apply_app(sales())
    assert not result.applied and result.revision == 1 and revision(kernel) == 1


def test_add_field_keeps_data(kernel: Kernel) -> None:
    ids = customers(kernel)
    result = kernel.apply_app(changed(lambda r: entity(r, "customer")["fields"].append({"name": "website", "type": "url"})))
    assert result.applied and result.revision == 2
    assert [c.kind.value for c in result.diff.changes] == ["add_field"]
    assert "website" in columns(kernel, "t_customer")
    assert column_values(kernel, "customer", "name") == {ids[0]: "Acme", ids[1]: "Globex"}


def test_rename_keeps_the_column_and_its_data(kernel: Kernel) -> None:
    ids = customers(kernel)

    def rename(raw: dict[str, Any]) -> None:
        field(raw, "customer", "phone").update(name="telephone", key="phone")
        entity(raw, "customer")["layout"]["sections"][0]["fields"][2] = "telephone"

    result = kernel.apply_app(changed(rename))
    kinds = {c.kind.value for c in result.diff.changes}
    assert "rename_field" in kinds and not kinds & {"add_field", "archive_field", "change_type"}
    assert column_values(kernel, "customer", "phone")[ids[0]] == "+86 21 5555 0101"
    with kernel.engine.connect() as conn:
        assert kernel.definitions(conn).catalog.entities["customer"].field("telephone").column == "phone"


def test_decimal_to_integer_is_refused_while_values_have_fractions(kernel: Kernel) -> None:
    ids = insert(kernel, "product", {"sku": "A-1", "name": "Bolt", "price": Decimal("1.50"), "stock": Decimal("1.5")},
                 {"sku": "A-2", "name": "Nut", "price": Decimal("0.20"), "stock": Decimal("12")})
    to_integer = changed(lambda r: field(r, "product", "stock").update(type="integer", precision=None, scale=None))
    for prop in ("precision", "scale"):
        del field(to_integer, "product", "stock")[prop]
    before = str(columns(kernel, "t_product")["stock"])
    with pytest.raises(SchemaChangeError) as refused:
        kernel.apply_app(to_integer)
    assert [d.params["id"] for d in refused.value.details] == [ids[0]]
    assert refused.value.details[0].code == "schema.value_not_convertible"
    assert str(columns(kernel, "t_product")["stock"]) == before and revision(kernel) == 1

    with kernel.engine.begin() as conn:
        table = kernel.definitions(conn).tables["product"]
        conn.execute(sa.update(table).where(table.c.id == ids[0]).values(stock=Decimal("2")))
    result = kernel.apply_app(to_integer)
    assert [c.kind.value for c in result.diff.changes] == ["change_type"]
    assert typed_values(kernel, "product", "stock") == {ids[0]: 2, ids[1]: 12}
    assert isinstance(columns(kernel, "t_product")["stock"], sa.Integer)


def test_text_to_integer_converts_the_values(kernel: Kernel) -> None:
    with_code = changed(lambda r: entity(r, "product")["fields"].append({"name": "code", "type": "text"}))
    kernel.apply_app(with_code)
    ids = insert(kernel, "product", {"sku": "A-1", "name": "Bolt", "price": 1, "code": " 1,200 "},
                 {"sku": "A-2", "name": "Nut", "price": 1, "code": None})
    result = kernel.apply_app(changed(lambda r: field(r, "product", "code").update(type="integer"), with_code))
    assert result.diff.changes[0].details["old_type"] == "text"
    assert typed_values(kernel, "product", "code") == {ids[0]: 1200, ids[1]: None}


def test_text_to_integer_is_refused_for_words(kernel: Kernel) -> None:
    with_code = changed(lambda r: entity(r, "product")["fields"].append({"name": "code", "type": "text"}))
    kernel.apply_app(with_code)
    ids = insert(kernel, "product", *[{"sku": f"A-{n}", "name": "x", "price": 1, "code": f"n{n}"} for n in range(25)])
    with pytest.raises(SchemaChangeError) as refused:
        kernel.apply_app(changed(lambda r: field(r, "product", "code").update(type="integer"), with_code))
    assert [d.params["id"] for d in refused.value.details] == ids[:20]
    assert refused.value.details[0].params["value"] == "n0"
    assert column_values(kernel, "product", "code")[ids[0]] == "n0"


def test_select_options(kernel: Kernel) -> None:
    ids = customers(kernel)
    drop_gold = changed(lambda r: field(r, "customer", "tier")["options"].pop())
    with pytest.raises(SchemaChangeError) as refused:
        kernel.apply_app(drop_gold)
    assert [d.params["id"] for d in refused.value.details] == [ids[0]]
    add_option = changed(lambda r: field(r, "customer", "tier")["options"].append({"value": "platinum"}))
    assert [c.kind.value for c in kernel.apply_app(add_option).diff.changes] == ["metadata"]
    as_text = changed(lambda r: field(r, "customer", "tier").update(type="text") or field(r, "customer", "tier").pop("options"))
    kernel.apply_app(as_text)
    assert typed_values(kernel, "customer", "tier") == {ids[0]: "gold", ids[1]: "standard"}


def test_removed_field_is_archived_and_restored_by_its_key(kernel: Kernel) -> None:
    ids = customers(kernel)

    def remove_phone(raw: dict[str, Any]) -> None:
        fields = entity(raw, "customer")["fields"]
        fields.remove(field(raw, "customer", "phone"))
        entity(raw, "customer")["layout"]["sections"][0]["fields"].remove("phone")

    without = changed(remove_phone)
    result = kernel.apply_app(without)
    assert [c.kind.value for c in result.diff.changes if c.field_key == "phone"] == ["archive_field"]
    assert column_values(kernel, "customer", "phone")[ids[1]] == "+1 555 0100"
    with kernel.engine.connect() as conn:
        archived = conn.execute(sa.select(archived_columns)).mappings().one()
    assert (archived["entity"], archived["column_name"], archived["revision"]) == ("customer", "phone", 2)

    restored = kernel.apply_app(sales())
    assert [c.kind.value for c in restored.diff.changes if c.field_key == "phone"] == ["restore_field"]
    assert typed_values(kernel, "customer", "phone") == {ids[0]: "+86 21 5555 0101", ids[1]: "+1 555 0100"}
    with kernel.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(archived_columns)).scalar_one() == 0


def test_unique_is_refused_with_the_duplicates_then_accepted(kernel: Kernel) -> None:
    ids = insert(kernel, "product", *[{"sku": f"A-{n}", "name": "Bolt" if n < 3 else "Nut", "price": 1} for n in range(4)])
    insert(kernel, "product", {"sku": "D-1", "name": "Nut", "price": 1, "_deleted_at": NOW})  # deleted: ignored
    unique_name = changed(lambda r: field(r, "product", "name").update(unique=True))
    with pytest.raises(SchemaChangeError) as refused:
        kernel.apply_app(unique_name)
    [detail] = refused.value.details
    assert (detail.code, detail.params["ids"], detail.params["values"]) == ("schema.duplicate_value", ids[:3], ["Bolt"])
    assert index_name("ux", "t_product", "name", "field") not in index_names(kernel, "t_product")

    with kernel.engine.begin() as conn:
        table = kernel.definitions(conn).tables["product"]
        conn.execute(sa.update(table).where(table.c.id.in_(ids[1:3])).values(name=table.c.sku))
    result = kernel.apply_app(unique_name)
    assert [c.kind.value for c in result.diff.changes] == ["add_unique"]
    assert index_name("ux", "t_product", "name", "field") in index_names(kernel, "t_product")


def test_add_and_remove_an_index(kernel: Kernel) -> None:
    customers(kernel)
    indexed = changed(lambda r: field(r, "customer", "email").update(indexed=True))
    kernel.apply_app(indexed)
    assert index_name("ix", "t_customer", "email", "field") in index_names(kernel, "t_customer")
    result = kernel.apply_app(sales())
    assert [c.kind.value for c in result.diff.changes] == ["drop_index"]
    assert index_name("ix", "t_customer", "email", "field") not in index_names(kernel, "t_customer")


def test_added_stored_formula_is_backfilled(kernel: Kernel) -> None:
    ids = insert(kernel, "product", {"sku": "A-1", "name": "Bolt", "price": Decimal("10.00")},
                 {"sku": "A-2", "name": "Nut", "price": Decimal("0.25")})
    gross = {"name": "gross", "type": "formula", "expression": "ROUND(price * 1.13, 2)", "result_type": "money", "stored": True}
    result = kernel.apply_app(changed(lambda r: entity(r, "product")["fields"].append(gross)))
    assert [c.kind.value for c in result.diff.changes] == ["add_field", "computed_changed"]
    assert typed_values(kernel, "product", "gross") == {ids[0]: Decimal("11.30"), ids[1]: Decimal("0.28")}


def test_dry_run_changes_nothing_but_returns_the_diff(kernel: Kernel) -> None:
    customers(kernel)
    before = columns(kernel, "t_customer").keys(), index_names(kernel, "t_customer")
    result = kernel.apply_app(changed(lambda r: field(r, "customer", "email").update(indexed=True) or
                                      entity(r, "customer")["fields"].append({"name": "vip", "type": "boolean"})),
                              dry_run=True)
    assert not result.applied and result.revision == 2
    assert [c.kind.value for c in result.diff.changes] == ["add_field", "add_index"]
    assert (columns(kernel, "t_customer").keys(), index_names(kernel, "t_customer")) == before
    assert revision(kernel) == 1


def test_dry_run_reports_refusals(kernel: Kernel) -> None:
    customers(kernel)
    with pytest.raises(SchemaChangeError):
        kernel.apply_app(changed(lambda r: field(r, "customer", "tier")["options"].pop()), dry_run=True)


def test_every_version_is_kept_with_its_diff(kernel: Kernel) -> None:
    second = changed(lambda r: entity(r, "customer")["fields"].append({"name": "vip", "type": "boolean"}))
    kernel.apply_app(second)
    kernel.apply_app(sales())
    with kernel.engine.connect() as conn:
        versions = list_versions(conn, "sales")
        two = get_version(conn, "sales", 2)
    assert [v["revision"] for v in versions] == [1, 2, 3]
    assert [c["kind"] for c in versions[1]["diff"]] == ["add_field"]
    assert [c["kind"] for c in versions[2]["diff"]] == ["archive_field"]
    assert two["definition"] == second


def test_invalid_definition_changes_nothing(kernel: Kernel) -> None:
    bad = changed(lambda r: entity(r, "customer")["fields"].append({"name": "x", "type": "no_such_type"}))
    with pytest.raises(DefinitionError) as error:
        kernel.apply_app(bad)
    assert error.value.details[0].path.startswith("/entities/0/fields/")
    assert revision(kernel) == 1 and "x" not in columns(kernel, "t_customer")
