"""Export: CSV and XLSX round trips, link titles, labels, access, and page-by-page streaming."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms.export import export_records
from jimu.engines.forms.listing import list_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.errors import PermissionDeniedError, ValidationError
from jimu.platform.fields.registry import FIELD_TYPES

from .test_listing_setup import Policy, SalesData, install, sales_app, seed


@pytest.fixture
def sales(engine: Engine) -> SalesData:
    return seed(install(engine, sales_app()))


TITLES = {1: "Acme", 2: "Bolt", 3: "Cogs & Co", 4: "Dyn_amo"}


def export(data: SalesData, query: ListQuery, fmt: str, **kw: Any) -> bytes:
    locale = kw.pop("locale", "en")
    access = kw.pop("access", None)
    with data.kernel.unit_of_work(locale=locale, access=access) as ctx:
        return b"".join(export_records(ctx, "sales_order", query, fmt, **kw))  # type: ignore[arg-type]


def listed(data: SalesData, query: ListQuery) -> list[dict[str, Any]]:
    with data.kernel.unit_of_work() as ctx:
        return list_records(ctx, "sales_order", ListQuery(sort=query.sort, filters=query.filters, limit=500)).rows


def test_csv_round_trip(sales: SalesData) -> None:
    query = ListQuery(sort="-order_date,number")
    data = export(sales, query, "csv", page_size=6)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = table[0], table[1:]
    assert header[:4] == ["number", "customer", "order_date", "status"] and "lines" not in header
    assert "net" in header and "customer_email" in header  # virtual fields are exported too
    rows = listed(sales, query)
    assert [line[0] for line in body] == [r["number"] for r in rows]
    with sales.kernel.unit_of_work() as ctx:
        entity = ctx.catalog.require_entity("sales_order")
        for line, row in zip(body, rows):
            record = dict(zip(header, line))
            assert record["customer"] == TITLES[row["customer"]]
            for name in ("order_date", "total", "discount", "status", "notes"):
                field = entity.field(name)
                assert field is not None
                back = FIELD_TYPES[field.type].coerce(field, record[name]) if field.type != "formula" else (
                    Decimal(record[name]) if record[name] else None)
                assert (back if back != "" else None) == row[name], name


def test_xlsx_round_trip_with_native_cells(sales: SalesData) -> None:
    with sales.kernel.unit_of_work() as ctx:
        ctx.conn.execute(sa.update(ctx.tables["sales_order"]).where(ctx.tables["sales_order"].c.id == 2)
                         .values(notes="=HYPERLINK(\"http://x\")"))
    query = ListQuery(sort="id")
    workbook = openpyxl.load_workbook(io.BytesIO(export(sales, query, "xlsx", page_size=5)))
    sheet = workbook.active
    assert sheet is not None and sheet.title == "Sales order"
    cells = list(sheet.iter_rows())
    header = [c.value for c in cells[0]]
    rows = listed(sales, query)
    assert len(cells) == len(rows) + 1
    for line, row in zip(cells[1:], rows):
        record = {name: cell for name, cell in zip(header, line)}
        assert record["number"].value == row["number"]
        assert record["customer"].value == TITLES[row["customer"]]
        if row["order_date"] is None:
            assert record["order_date"].value is None
        else:
            assert record["order_date"].value == datetime.combine(row["order_date"], datetime.min.time())
            assert record["order_date"].is_date and record["order_date"].number_format == "yyyy-mm-dd"
        if row["total"] is not None:
            assert Decimal(str(record["total"].value)) == row["total"]
            assert record["total"].number_format == "0.00" and record["total"].data_type == "n"
        assert record["over_limit"].value == row["over_limit"]
        assert record["notes"].value == row["notes"]
    assert cells[2][header.index("notes")].data_type == "s"  # text that looks like a formula stays text


def test_labels_in_the_users_locale_and_projection(sales: SalesData) -> None:
    with sales.kernel.unit_of_work(locale="zh-CN") as ctx:
        data = b"".join(export_records(ctx, "customer", ListQuery(fields=["name", "tier", "credit_limit"], sort="name"),
                                       "csv", headers="labels"))
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["名称", "tier", "credit_limit"]
    assert table[1] == ["Acme", "gold", "1000.00"]


def test_export_respects_access(sales: SalesData) -> None:
    policy = Policy({"sales_order": {"total", "notes"}, "customer": {"name"}}, rows=lambda t: t.c.status == "draft")
    data = export(sales, ListQuery(sort="id"), "csv", access=policy)
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert "total" not in table[0] and "notes" not in table[0]
    drafts = [o for o in sales.orders if o["status"] == "draft" and o["_deleted_at"] is None]
    assert len(table) == len(drafts) + 1
    # the customer's title (name) is not readable: the link exports the id
    assert table[1][table[0].index("customer")] == str(drafts[0]["customer"])

    class NoExport(Policy):
        def require(self, entity_key: str, action: str) -> None:
            if action == "export":
                raise PermissionDeniedError("no", code="permission_denied")

    with pytest.raises(PermissionDeniedError):
        export(sales, ListQuery(), "csv", access=NoExport({}))


def test_bad_format_or_headers(sales: SalesData) -> None:
    with pytest.raises(ValidationError) as error:
        export(sales, ListQuery(), "pdf")
    assert error.value.code == "query.invalid_export_format"
    with pytest.raises(ValidationError):
        export(sales, ListQuery(), "csv", headers="titles")


def test_export_streams_page_by_page(sales: SalesData) -> None:
    statements: list[tuple[str, Any]] = []
    engine = sales.kernel.engine

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "FROM t_sales_order" in statement:
            statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with sales.kernel.unit_of_work() as ctx:
            chunks = export_records(ctx, "sales_order", ListQuery(sort="-order_date"), "csv", page_size=8)
            first = next(chunks)
            assert first.decode("utf-8-sig").startswith("number,customer") and statements == []
            rest = b"".join(chunks)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    live = [o for o in sales.orders if o["_deleted_at"] is None]
    assert len(statements) == -(-len(live) // 8)  # one SELECT per page of 8
    # keyset, not OFFSET (SQLAlchemy's SQLite dialect always renders "LIMIT ? OFFSET ?", with 0)
    assert all(" OFFSET " not in s or params[-1] == 0 for s, params in statements)
    assert rest.count(b"\r\n") == len(live)
    assert date(2026, 1, 9).isoformat().encode() in rest
