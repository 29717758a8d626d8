"""Schema changes around links: cycles, ON DELETE, targets, archived links, parents of line tables."""
from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.errors import SchemaChangeError
from jimu.platform.kernel import Kernel

NOW = datetime(2025, 1, 2, tzinfo=UTC)
SALES = Path(__file__).parents[2] / "fixtures" / "apps" / "sales.json"


def crm(on_delete: str = "restrict", target: str = "company", with_link: bool = True) -> dict[str, Any]:
    contact_fields: list[dict[str, Any]] = [{"name": "name", "type": "text"}]
    if with_link:
        contact_fields.append({"name": "company", "type": "link", "entity": target, "on_delete": on_delete})
    return {"key": "crm", "version": "1.0.0", "entities": [
        {"key": "company", "fields": [{"name": "name", "type": "text"},
                                      {"name": "main_contact", "type": "link", "entity": "contact", "on_delete": "set_null"}]},
        {"key": "contact", "fields": contact_fields},
    ]}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    return Kernel(engine, clock=lambda: NOW)


def insert(kernel: Kernel, entity_key: str, **row: Any) -> int:
    with kernel.engine.begin() as conn:
        table = kernel.definitions(conn).tables[entity_key]
        return int(conn.execute(sa.insert(table).values(_created_at=NOW, _updated_at=NOW, **row)).inserted_primary_key[0])


def foreign_keys(kernel: Kernel, table: str) -> dict[str, dict[str, Any]]:
    return {fk["constrained_columns"][0]: fk for fk in sa.inspect(kernel.engine).get_foreign_keys(table)}


def values(kernel: Kernel, table_name: str, column: str) -> dict[int, Any]:
    table = sa.table(table_name, sa.column("id"), sa.column(column))
    with kernel.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(sa.select(table.c.id, table.c[column]))}


def test_tables_linking_each_other_are_created(kernel: Kernel) -> None:
    kernel.apply_app(crm())
    assert foreign_keys(kernel, "t_company")["main_contact"]["referred_table"] == "t_contact"
    assert foreign_keys(kernel, "t_contact")["company"]["referred_table"] == "t_company"


def test_on_delete_change_replaces_the_foreign_key(kernel: Kernel) -> None:
    kernel.apply_app(crm())
    company = insert(kernel, "company", name="Acme")
    contact = insert(kernel, "contact", name="Ann", company=company)
    result = kernel.apply_app(crm(on_delete="set_null"))
    assert [c.kind.value for c in result.diff.changes] == ["change_on_delete"]
    if kernel.engine.dialect.name == "postgresql":  # SQLite does not reflect a column-level ON DELETE
        assert foreign_keys(kernel, "t_contact")["company"]["options"].get("ondelete") == "SET NULL"
    assert values(kernel, "t_contact", "company") == {contact: company}
    with kernel.engine.begin() as conn:
        conn.execute(sa.delete(sa.table("t_company", sa.column("id"))))
    assert values(kernel, "t_contact", "company") == {contact: None}


def test_link_target_change_is_refused_for_dangling_values(kernel: Kernel) -> None:
    kernel.apply_app(crm())
    company = insert(kernel, "company", name="Acme")
    insert(kernel, "company", name="Other")
    contact = insert(kernel, "contact", name="Ann", company=company + 1)
    with pytest.raises(SchemaChangeError) as refused:
        kernel.apply_app(crm(target="contact"))  # contact ids: only `contact`
    if company + 1 != contact:
        assert [d.params["id"] for d in refused.value.details] == [contact]
    assert foreign_keys(kernel, "t_contact")["company"]["referred_table"] == "t_company"


def test_archived_link_loses_its_foreign_key_and_gets_it_back(kernel: Kernel) -> None:
    kernel.apply_app(crm())
    company = insert(kernel, "company", name="Acme")
    contact = insert(kernel, "contact", name="Ann", company=company)
    kernel.apply_app(crm(with_link=False))
    assert "company" not in foreign_keys(kernel, "t_contact")
    assert values(kernel, "t_contact", "company") == {contact: company}
    result = kernel.apply_app(crm())
    assert [c.kind.value for c in result.diff.changes] == ["restore_field", "add_index"]
    assert foreign_keys(kernel, "t_contact")["company"]["referred_table"] == "t_company"
    assert values(kernel, "t_contact", "company") == {contact: company}


def test_replacing_a_parent_column_keeps_its_lines_and_recomputes_totals(kernel: Kernel) -> None:
    sales = json.loads(SALES.read_text(encoding="utf-8"))
    kernel.apply_app(sales)
    customer = insert(kernel, "customer", name="Acme")
    product = insert(kernel, "product", sku="B-1", name="Bolt", price=Decimal("2.00"))
    order = insert(kernel, "sales_order", customer=customer, discount=Decimal("10"), status="draft")
    for qty in (Decimal("1"), Decimal("4")):
        insert(kernel, "sales_order_line", _parent_id=order, product=product, qty=qty, price=Decimal("2.00"))
    wider = copy.deepcopy(sales)
    discount = next(f for f in wider["entities"][2]["fields"] if f["name"] == "discount")
    discount.update(type="decimal", precision=12, scale=4)
    result = kernel.apply_app(wider)
    assert [c.kind.value for c in result.diff.changes] == ["change_type"]
    assert len(values(kernel, "t_sales_order_line", "_parent_id")) == 2
    with kernel.engine.connect() as conn:
        tables = kernel.definitions(conn).tables
        row = conn.execute(sa.select(tables["sales_order"]).where(tables["sales_order"].c.id == order)).mappings().one()
        customer_total = conn.execute(sa.select(tables["customer"].c.order_total)).scalar_one()
    assert (row["discount"], row["subtotal"], row["total"]) == (Decimal("10.0000"), Decimal("10.00"), Decimal("9.00"))
    assert customer_total == Decimal("9.00")
