"""Story: a six-entity trading app, written only as JSON, filled from CSV files and taken through
every kind of schema change while it holds data.

After each change the data is intact (compared column by column with a snapshot) and records
are still writable: changing an order line moves the order's totals and the supplier's rollup,
a new stock movement moves the item's stock.
"""
from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.engines.forms.importing import ImportReport, import_records
from jimu.platform.bootstrap import init_database
from jimu.platform.context import Context
from jimu.platform.errors import SchemaChangeError, ValidationError
from jimu.platform.kernel import Kernel
from jimu.platform.meta import apps, archived_columns

TRADING = Path(__file__).parents[1] / "fixtures" / "apps" / "trading.json"
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
ENTITIES = ("supplier", "warehouse", "item", "purchase_order", "purchase_order_line", "stock_movement")
Snapshot = dict[str, dict[int, dict[str, Any]]]

# ---- the CSV files (headers in Chinese labels or field names; values as people type them) --------

SUPPLIERS = """编码,名称,国家,类别,邮箱,rating,active
HD001,华东五金,中国,"金属，工具",Sales@HD.example,4,是
HN002,华南塑料,China,plastic,info@hn.example,3,yes
JP003,大阪工具,日本,tools,,5,true
DE004,Berlin Metall,Germany,metal,kontakt@bm.example,,1
HD005,华东五金,cn,metal,east2@hd.example,2,是
SZ006,深圳精密,cn,"tools, metal",,4,是
OL007,旧供应商,cn,,,,否
"""

WAREHOUSES = """code,name,city,capacity
SH1,上海一号库,上海,10000
BJ1,北京仓,北京,5000
GZ1,广州仓,广州,"8,000"
"""

# sku, name, unit (label or value), cost, weight, shelf, supplier code, reorder level
ITEMS = [
    ("BOLT-M8", "M8 螺栓", "件", "0.35", "0.012", "1", "HD001", 500),
    ("NUT-M8", "M8 螺母", "pcs", "0.12", "0.004", "2", "HD001", 500),
    ("PIPE-20", "PVC 管 20mm", "箱", "45.00", "12.5", "3", "HN002", 10),
    ("CAP-20", "管帽 20mm", "pcs", "1.20", "", "4", "HN002", 100),
    ("DRILL-6", "钻头 6mm", "件", "18.80", "0.05", "5", "JP003", 20),
    ("SAW-300", "手锯 300mm", "件", "65.50", "0.6", "6", "JP003", 5),
    ("SHEET-2", "钢板 2mm", "千克", "7.25", "1", "A3", "DE004", 200),
    ("WIRE-1", "钢丝 1mm", "kg", "12.00", "1", "8", "DE004", 50),
    ("RIVET-4", "铆钉 4mm", "件", "0.08", "0.001", "9", "HD005", 1000),
    ("GLUE-500", "胶水 500ml", "box", "22.00", "0.55", "10", "HN002", 30),
    ("TAPE-48", "胶带 48mm", "件", "3.50", "0.2", "11", "SZ006", 100),
    ("CLAMP-50", "夹具 50mm", "件", "28.00", "0.9", "12", "SZ006", 10),
]
WAREHOUSE_CODES = ("SH1", "BJ1", "GZ1")


def _items_csv() -> str:
    lines = ["sku,名称,unit,unit_cost,weight,shelf,supplier,reorder_level"]
    lines += [",".join(str(v) for v in row) for row in ITEMS]
    return "\n".join(lines) + "\n"


def _movements() -> list[tuple[str, str, str, Decimal, str, str]]:
    """Three movements per item: a receipt, an issue and (for every third item) an adjustment."""
    rows = []
    for n, (sku, *_rest) in enumerate(ITEMS):
        warehouse = WAREHOUSE_CODES[n % 3]
        received = Decimal(100 + 10 * n)
        rows.append((sku, warehouse, "入库", received, "2025/01/05", str(100000 + 3 * n)))
        rows.append((sku, warehouse, "出库", -Decimal(5 + n), "2025年2月6日", str(100001 + 3 * n)))
        if n % 3 == 0:
            rows.append((sku, warehouse, "adjust", Decimal("-0.5"), "2025-03-01", str(100002 + 3 * n)))
    return rows


def _movements_csv() -> str:
    lines = ["item,warehouse,kind,qty,moved_on,reference"]
    lines += [f"{sku},{wh},{kind},{qty},{day},{ref}" for sku, wh, kind, qty, day, ref in _movements()]
    return "\n".join(lines) + "\n"


PURCHASE_ORDERS = """supplier,warehouse,order_date,status,tax_rate
HD001,SH1,2025-02-01,草稿,13
HN002,BJ1,2025/02/03,draft,9
JP003,GZ1,2025年2月10日,Draft,13%
DE004,SH1,2025-02-20,draft,0
SZ006,BJ1,2025-03-01,draft,13
"""

# ---- the fixture -------------------------------------------------------------------------------


@dataclass
class Trading:
    kernel: Kernel
    definition: dict[str, Any]
    ids: dict[str, dict[str, int]] = field(default_factory=dict)  # entity -> title -> id
    names: dict[str, str] = field(default_factory=lambda: {"line_price": "unit_price", "item_name": "name"})

    def run(self, work: Callable[[Context], Any]) -> Any:
        with self.kernel.unit_of_work() as ctx:
            return work(ctx)

    def get(self, entity: str, record_id: int) -> dict[str, Any]:
        return self.run(lambda ctx: records.get(ctx, entity, record_id))  # type: ignore[no-any-return]

    def apply(self, edit: Callable[[dict[str, Any]], None]) -> Any:
        """Apply an edited copy of the current definition; it becomes current when applied."""
        raw = copy.deepcopy(self.definition)
        edit(raw)
        raw["version"] = _bump(raw["version"])
        result = self.kernel.apply_app(raw)
        assert result.applied
        self.definition = raw
        return result

    def import_csv(self, entity: str, text: str) -> ImportReport:
        report: ImportReport = self.run(lambda ctx: import_records(ctx, entity, io.BytesIO(text.encode("utf-8")), fmt="csv"))
        assert report.ok, [e.as_dict() for e in report.errors]
        return report


def money(value: Decimal) -> Decimal:
    """Rounded to cents half-up, as Jimu's ROUND does."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bump(version: str) -> str:
    major, minor, patch = (int(p) for p in version.split("."))
    return f"{major}.{minor}.{patch + 1}"


def _entity(raw: dict[str, Any], key: str) -> dict[str, Any]:
    return next(e for e in raw["entities"] if e["key"] == key)


def _field(raw: dict[str, Any], entity: str, name: str) -> dict[str, Any]:
    return next(f for f in _entity(raw, entity)["fields"] if f["name"] == name)


def _titles(t: Trading, entity: str, title: str) -> dict[str, int]:
    with t.kernel.engine.connect() as conn:
        table = t.kernel.definitions(conn).tables[entity]
        return {row[0]: row[1] for row in conn.execute(sa.select(table.c[title], table.c.id))}


@pytest.fixture
def trading(engine: Engine) -> Trading:
    init_database(engine)
    kernel = Kernel(engine, clock=lambda: NOW)
    definition = json.loads(TRADING.read_text(encoding="utf-8"))
    assert kernel.apply_app(definition).applied
    t = Trading(kernel, definition)
    assert t.import_csv("supplier", SUPPLIERS).created == 7
    assert t.import_csv("warehouse", WAREHOUSES).created == 3
    assert t.import_csv("item", _items_csv()).created == len(ITEMS)
    assert t.import_csv("stock_movement", _movements_csv()).created == len(_movements())
    assert t.import_csv("purchase_order", PURCHASE_ORDERS).created == 5
    t.ids = {"supplier": _titles(t, "supplier", "code"), "warehouse": _titles(t, "warehouse", "code"),
             "item": _titles(t, "item", "sku"), "purchase_order": _titles(t, "purchase_order", "number")}
    _add_lines(t)
    return t


def _add_lines(t: Trading) -> None:
    """Lines for every order (prices from the items), then order, receive and cancel some."""
    items = t.ids["item"]
    plan = {
        "PO-2025-0001": [("BOLT-M8", "1000", "0.33"), ("NUT-M8", "1000", "0.11"), ("RIVET-4", "5000", "0.075")],
        "PO-2025-0002": [("PIPE-20", "12", "44.50"), ("CAP-20", "150", "1.15"), ("GLUE-500", "20", "21.00")],
        "PO-2025-0003": [("DRILL-6", "40", "18.00"), ("SAW-300", "6", "66.00")],
        "PO-2025-0004": [("SHEET-2", "250.5", "7.10"), ("WIRE-1", "60", "11.95")],
        "PO-2025-0005": [("TAPE-48", "200", "3.40"), ("CLAMP-50", "12", "27.50")],
    }
    for number, lines in plan.items():
        rows = [{"item": items[sku], "qty": qty, "unit_price": price} for sku, qty, price in lines]
        order_id = t.ids["purchase_order"][number]
        t.run(lambda ctx, order_id=order_id, rows=rows: records.update(ctx, "purchase_order", order_id, {"lines": rows}))
    orders = t.ids["purchase_order"]
    t.run(lambda ctx: records.update(ctx, "purchase_order", orders["PO-2025-0001"], {"status": "ordered"}))
    t.run(lambda ctx: records.update(ctx, "purchase_order", orders["PO-2025-0002"], {"status": "received"}))
    t.run(lambda ctx: records.update(ctx, "purchase_order", orders["PO-2025-0005"],
                                     {"status": "cancelled", "cancel_reason": "供应商缺货"}))


# ---- checks shared by every step ----------------------------------------------------------------


def snapshot(t: Trading) -> Snapshot:
    """Every stored column of every trading table, by record id (columns named by key)."""
    out: Snapshot = {}
    with t.kernel.engine.connect() as conn:
        tables = t.kernel.definitions(conn).tables
        for entity in ENTITIES:
            table = tables[entity]
            out[entity] = {row.id: dict(row._mapping) for row in conn.execute(sa.select(table).order_by(table.c.id))}
    return out


def assert_intact(before: Snapshot, after: Snapshot, *, changed: dict[str, set[str]] | None = None) -> None:
    """The same records with the same values, except `changed` columns (entity -> keys) and new columns."""
    changed = changed or {}
    for entity in ENTITIES:
        assert after[entity].keys() == before[entity].keys(), entity
        for record_id, old in before[entity].items():
            new = after[entity][record_id]
            kept = {k: v for k, v in old.items() if k in new and k not in changed.get(entity, set())}
            assert {k: new[k] for k in kept} == kept, f"{entity} {record_id}"


def raw_column(t: Trading, entity: str, column: str) -> dict[int, Any]:
    """A physical column's values (archived columns too), by id."""
    table = sa.table(f"t_{entity}", sa.column("id"), sa.column(column))
    with t.kernel.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(sa.select(table.c.id, table.c[column]))}


def revision(t: Trading) -> int:
    with t.kernel.engine.connect() as conn:
        return int(conn.execute(sa.select(apps.c.revision).where(apps.c.key == "trading")).scalar_one())


def assert_totals(t: Trading) -> None:
    """Stored totals agree with the lines, and suppliers' rollups with the orders."""
    price = t.names["line_price"]
    orders = {n: t.get("purchase_order", i) for n, i in t.ids["purchase_order"].items()}
    for order in orders.values():
        amounts = [line["amount"] for line in order["lines"]]
        assert amounts == [money(line["qty"] * line[price]) for line in order["lines"]]
        assert order["line_count"] == len(order["lines"])
        assert order["subtotal"] == sum(amounts, Decimal("0"))
        assert order["tax"] == money(order["subtotal"] * order["tax_rate"] / 100)
        assert order["total"] == order["subtotal"] + order["tax"]
    for code, supplier_id in t.ids["supplier"].items():
        supplier = t.get("supplier", supplier_id)
        mine = [o for o in orders.values() if o["supplier"] == supplier_id]
        assert supplier["po_count"] == len(mine), code
        open_total = sum((o["total"] for o in mine if o["status"] != "cancelled"), Decimal("0"))
        assert supplier["open_po_total"] == open_total, code


def assert_writable(t: Trading) -> None:
    """Change a line (totals and the supplier's rollup follow) and record a movement (stock follows)."""
    price = t.names["line_price"]
    order_id = t.ids["purchase_order"]["PO-2025-0003"]
    order = t.get("purchase_order", order_id)
    lines = [dict(line) for line in order["lines"]]
    lines[0]["qty"] = lines[0]["qty"] + 1
    updated = t.run(lambda ctx: records.update(ctx, "purchase_order", order_id, {"lines": lines},
                                               expected_version=order["_version"]))
    step = lines[0][price]
    assert updated["subtotal"] == order["subtotal"] + step
    assert updated["total"] > order["total"]
    assert_totals(t)

    item_id = t.ids["item"]["DRILL-6"]
    before = t.get("item", item_id)
    t.run(lambda ctx: records.create(ctx, "stock_movement", {
        "item": item_id, "warehouse": t.ids["warehouse"]["GZ1"], "kind": "in", "qty": "4", "moved_on": "2025-03-10"}))
    after = t.get("item", item_id)
    assert after["on_hand"] == before["on_hand"] + 4
    assert after["stock_value"] == money(after["on_hand"] * after["unit_cost"])


# ---- the story -----------------------------------------------------------------------------------


def test_the_app_is_filled_from_csv(trading: Trading) -> None:
    t = trading
    suppliers = {code: t.get("supplier", i) for code, i in t.ids["supplier"].items()}
    assert suppliers["HD001"]["categories"] == ["metal", "tools"]  # option order, from Chinese labels
    assert suppliers["SZ006"]["categories"] == ["metal", "tools"]
    assert suppliers["HD001"]["country"] == "cn" and suppliers["HN002"]["country"] == "cn"
    assert suppliers["HD001"]["email"] == "sales@hd.example"
    assert suppliers["OL007"]["active"] is False and suppliers["DE004"]["active"] is True
    assert suppliers["OL007"]["categories"] is None and suppliers["OL007"]["rating"] is None
    assert t.get("warehouse", t.ids["warehouse"]["GZ1"])["capacity"] == 8000

    item = t.get("item", t.ids["item"]["SHEET-2"])
    assert item["unit"] == "kg" and item["unit_cost"] == Decimal("7.25") and item["shelf"] == "A3"
    assert item["supplier_name"] == "Berlin Metall"
    assert item["on_hand"] == sum(qty for sku, _w, _k, qty, _d, _r in _movements() if sku == "SHEET-2")
    assert item["on_hand"] == Decimal("148.500")  # 160 in, 11 out, 0.5 written off
    assert item["stock_value"] == money(item["on_hand"] * Decimal("7.25"))
    assert item["needs_reorder"] is True  # reorder at 200

    moves = snapshot(t)["stock_movement"]
    assert sorted(m["number"] for m in moves.values())[:2] == ["SM-00001", "SM-00002"]
    assert {m["moved_on"] for m in moves.values()} == {date(2025, 1, 5), date(2025, 2, 6), date(2025, 3, 1)}

    assert sorted(t.ids["purchase_order"]) == [f"PO-2025-{n:04d}" for n in range(1, 6)]
    first = t.get("purchase_order", t.ids["purchase_order"]["PO-2025-0001"])
    assert [line["unit_price"] for line in first["lines"]] == [Decimal("0.33"), Decimal("0.11"), Decimal("0.08")]
    assert first["subtotal"] == Decimal("330.00") + Decimal("110.00") + Decimal("400.00")  # 0.075 was money: 0.08
    assert first["tax"] == Decimal("109.20") and first["total"] == Decimal("949.20")
    assert first["supplier_country"] == "cn"
    assert [line["item_unit"] for line in first["lines"]] == ["pcs", "pcs", "pcs"]
    third = t.get("purchase_order", t.ids["purchase_order"]["PO-2025-0003"])
    assert third["order_date"] == date(2025, 2, 10) and third["tax_rate"] == Decimal("13.00")
    assert [line["above_cost"] for line in third["lines"]] == [False, True]
    assert_totals(t)


def test_every_kind_of_schema_change_keeps_the_data(trading: Trading) -> None:
    t = trading
    assert_writable(t)
    for step in (_add_fields, _rename_fields, _convert_a_type, _refuse_a_type_change, _archive_and_restore,
                 _add_and_remove_an_index, _add_unique):
        step(t)
        assert_totals(t)
        assert_writable(t)
    assert revision(t) == 10  # install + 9 applied changes (the 2 refused ones left no revision)


def _kinds(result: Any) -> set[str]:
    """Kinds of the schema changes applied (not metadata such as labels, layout and the version)."""
    return {c.kind.value for c in result.diff.changes} - {"metadata", "app_metadata"}


def _add_fields(t: Trading) -> None:
    before = snapshot(t)

    def edit(raw: dict[str, Any]) -> None:
        _entity(raw, "supplier")["fields"].append({"name": "website", "type": "url"})
        _entity(raw, "item")["fields"].append({"name": "barcode", "type": "text", "label": {"en": "Barcode", "zh-CN": "条码"}})

    assert _kinds(t.apply(edit)) == {"add_field"}
    after = snapshot(t)
    assert_intact(before, after)
    assert after["supplier"] and all(row["website"] is None for row in after["supplier"].values())
    assert after["item"] and all(row["barcode"] is None for row in after["item"].values())
    t.run(lambda ctx: records.update(ctx, "supplier", t.ids["supplier"]["HD001"], {"website": "https://hd.example"}))
    assert t.get("supplier", t.ids["supplier"]["HD001"])["website"] == "https://hd.example"


def _rename_fields(t: Trading) -> None:
    before = snapshot(t)

    def edit(raw: dict[str, Any]) -> None:
        _field(raw, "item", "name").update(name="title", key="name")
        item = _entity(raw, "item")
        item["search_fields"] = ["sku", "title"]
        item["layout"]["tabs"][0]["sections"][0]["fields"][1] = "title"
        item["layout"]["list_columns"][1] = "title"
        _field(raw, "purchase_order_line", "unit_price").update(name="price", key="unit_price")
        _field(raw, "purchase_order_line", "amount")["expression"] = "ROUND(qty * price, 2)"
        _field(raw, "purchase_order_line", "above_cost")["expression"] = "price > item.unit_cost"

    assert "rename_field" in _kinds(t.apply(edit))
    t.names.update(line_price="price", item_name="title")
    assert_intact(before, snapshot(t))  # columns are keys: nothing moved
    item = t.get("item", t.ids["item"]["BOLT-M8"])
    assert item["title"] == "M8 螺栓" and "name" not in item
    line = t.get("purchase_order", t.ids["purchase_order"]["PO-2025-0001"])["lines"][0]
    assert line["price"] == Decimal("0.33") and "unit_price" not in line


def _convert_a_type(t: Trading) -> None:
    before = snapshot(t)
    references = {i: row["reference"] for i, row in before["stock_movement"].items()}
    assert sum(isinstance(ref, str) for ref in references.values()) == len(_movements())  # the rest are None
    assert _kinds(t.apply(lambda raw: _field(raw, "stock_movement", "reference").update(type="integer"))) == {"change_type"}
    after = snapshot(t)
    assert_intact(before, after, changed={"stock_movement": {"reference"}})
    assert {i: row["reference"] for i, row in after["stock_movement"].items()} == {
        i: (int(ref) if ref is not None else None) for i, ref in references.items()}


def _refuse_a_type_change(t: Trading) -> None:
    before, rev = snapshot(t), revision(t)
    def shelf_to_integer(raw: dict[str, Any]) -> None:
        _field(raw, "item", "shelf").update(type="integer")
    with pytest.raises(SchemaChangeError) as refused:
        t.apply(shelf_to_integer)
    sheet = t.ids["item"]["SHEET-2"]
    assert [(d.path, d.code, d.params["id"], d.params["value"]) for d in refused.value.details] == [
        ("item.shelf", "schema.value_not_convertible", sheet, "A3")]
    assert f"Record {sheet}" in refused.value.details[0].message
    assert revision(t) == rev
    assert_intact(before, snapshot(t))  # nothing changed

    t.run(lambda ctx: records.update(ctx, "item", sheet, {"shelf": "7"}))
    t.apply(shelf_to_integer)
    shelves = {i: row["shelf"] for i, row in snapshot(t)["item"].items()}
    assert shelves == {t.ids["item"][sku]: (int(shelf) if shelf != "A3" else 7) for sku, _n, _u, _c, _w, shelf, *_ in ITEMS}


def _archive_and_restore(t: Trading) -> None:
    before = snapshot(t)
    emails = {i: row["email"] for i, row in before["supplier"].items()}

    def remove(raw: dict[str, Any]) -> None:
        supplier = _entity(raw, "supplier")
        supplier["fields"] = [f for f in supplier["fields"] if f["name"] != "email"]
        supplier["layout"]["sections"][0]["fields"].remove("email")

    assert _kinds(t.apply(remove)) == {"archive_field"}
    assert_intact(before, snapshot(t))
    hd001 = t.ids["supplier"]["HD001"]
    assert "email" not in t.get("supplier", hd001)
    assert raw_column(t, "supplier", "email") == emails  # the column and its data are kept
    with t.kernel.engine.connect() as conn:
        archived = conn.execute(sa.select(archived_columns.c.entity, archived_columns.c.field_key)).all()
    assert ("supplier", "email") in {tuple(row) for row in archived}
    newcomer = t.run(lambda ctx: records.create(ctx, "supplier", {"code": "NB007", "name": "宁波紧固件"}))

    def restore(raw: dict[str, Any]) -> None:
        supplier = _entity(raw, "supplier")
        supplier["fields"].insert(4, {"name": "email", "type": "email", "label": {"en": "Email", "zh-CN": "邮箱"}})
        supplier["layout"]["sections"][0]["fields"].insert(4, "email")

    assert _kinds(t.apply(restore)) == {"restore_field"}
    t.ids["supplier"]["NB007"] = newcomer["id"]
    assert t.get("supplier", hd001)["email"] == "sales@hd.example"
    assert {i: row["email"] for i, row in snapshot(t)["supplier"].items()} == {**emails, newcomer["id"]: None}
    with t.kernel.engine.connect() as conn:
        left = conn.execute(sa.select(archived_columns.c.field_key).where(archived_columns.c.entity == "supplier")).all()
    assert left == []


def _index_names(t: Trading, table: str) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(t.kernel.engine).get_indexes(table)}


def _add_and_remove_an_index(t: Trading) -> None:
    before = snapshot(t)
    existing = _index_names(t, "t_stock_movement")
    def add(raw: dict[str, Any]) -> None:
        _entity(raw, "stock_movement").setdefault("indexes", []).append({"key": "item_day", "fields": ["item", "moved_on"]})
    assert _kinds(t.apply(add)) == {"add_index"}
    added = _index_names(t, "t_stock_movement") - existing
    assert len(added) == 1 and "item_day" in added.pop()
    assert_intact(before, snapshot(t))

    assert _kinds(t.apply(lambda raw: _entity(raw, "stock_movement").pop("indexes"))) == {"drop_index"}
    assert _index_names(t, "t_stock_movement") == existing
    assert_intact(before, snapshot(t))


def _add_unique(t: Trading) -> None:
    before, rev = snapshot(t), revision(t)
    def unique_name(raw: dict[str, Any]) -> None:
        _field(raw, "supplier", "name").update(unique=True)
    with pytest.raises(SchemaChangeError) as refused:
        t.apply(unique_name)
    first, second = t.ids["supplier"]["HD001"], t.ids["supplier"]["HD005"]
    assert [(d.code, d.params["ids"], d.params["values"]) for d in refused.value.details] == [
        ("schema.duplicate_value", [first, second], ["华东五金"])]
    assert revision(t) == rev
    assert_intact(before, snapshot(t))

    t.run(lambda ctx: records.update(ctx, "supplier", second, {"name": "华东五金二厂"}))
    assert _kinds(t.apply(unique_name)) == {"add_unique"}
    with pytest.raises(ValidationError) as duplicate:
        t.run(lambda ctx: records.create(ctx, "supplier", {"code": "HD008", "name": "华东五金"}))
    assert [d.code for d in duplicate.value.details] == ["records.unique"]


def _iter_versions(t: Trading) -> Iterator[int]:  # pragma: no cover - debugging aid
    with t.kernel.engine.connect() as conn:
        yield from conn.execute(sa.select(apps.c.revision)).scalars()
