"""Bulk import: encodings, XLSX cells, label mapping, links by title, all-or-nothing and per-row reports."""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from jimu.engines.forms import importing, records
from jimu.engines.forms.importing import import_records
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import ImportFileError
from jimu.platform.kernel import Kernel
from jimu.platform.registry.apply import apply_app

from .generated_csv import GeneratedCsv

APP: dict[str, Any] = {
    "key": "crm", "version": "1.0.0",
    "entities": [
        {"key": "region", "title_field": "name", "fields": [{"name": "name", "type": "text", "required": True}]},
        {"key": "client", "title_field": "name", "label": {"en": "Client", "zh-CN": "客户"}, "fields": [
            {"name": "name", "type": "text", "required": True, "unique": True, "label": {"en": "Name", "zh-CN": "名称"}},
            {"name": "email", "type": "email", "label": {"en": "E-mail", "zh-CN": "邮箱"}},
            {"name": "phone", "type": "text", "label": {"en": "Phone", "zh-CN": "电话"}},
            {"name": "credit", "type": "money", "label": {"en": "Credit limit", "zh-CN": "信用额度"}},
            {"name": "rate", "type": "decimal", "scale": 6},
            {"name": "visits", "type": "integer"},
            {"name": "since", "type": "date", "label": {"en": "Client since", "zh-CN": "开始日期"}},
            {"name": "region", "type": "link", "entity": "region", "label": {"en": "Region", "zh-CN": "地区"}},
        ]},
    ],
}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    with engine.begin() as conn:
        apply_app(conn, APP)
    return Kernel(engine)


def _import(kernel: Kernel, data: bytes | Path, fmt: str | None = "csv", **options: Any) -> importing.ImportReport:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with kernel.unit_of_work() as ctx:
        return import_records(ctx, "client", source, fmt=fmt, **options)


def _clients(kernel: Kernel) -> list[dict[str, Any]]:
    with kernel.unit_of_work() as ctx:
        table = ctx.tables["client"]
        return [dict(r._mapping) for r in ctx.conn.execute(sa.select(table).order_by(table.c.id))]


def _regions(kernel: Kernel, *names: str) -> list[int]:
    with kernel.unit_of_work() as ctx:
        return [records.create(ctx, "region", {"name": n})["id"] for n in names]


def test_csv_with_bom_is_imported(kernel: Kernel) -> None:
    report = _import(kernel, "\ufeffname,email,credit\nAda,ada@example.com,1200.50\nBob,,\n".encode())
    assert (report.created, report.error_count) == (2, 0)
    rows = _clients(kernel)
    assert [(r["name"], r["email"], r["credit"]) for r in rows] == [
        ("Ada", "ada@example.com", Decimal("1200.50")), ("Bob", None, None)]


def test_gb18030_csv_with_chinese_label_headers(kernel: Kernel) -> None:
    data = "名称,邮箱,信用额度,开始日期\n张三,z@example.com,\"1,000.5\",2024年3月5日\n".encode("gb18030")
    report = _import(kernel, data)
    assert report.ok and report.created == 1
    row = _clients(kernel)[0]
    assert (row["name"], row["credit"], row["since"]) == ("张三", Decimal("1000.50"), date(2024, 3, 5))


def test_headers_match_names_and_english_labels_case_insensitively(kernel: Kernel) -> None:
    report = _import(kernel, b"NAME,Credit Limit,client since\nAda,5,2024-01-02\n")
    assert report.ok and _clients(kernel)[0]["since"] == date(2024, 1, 2)


def test_xlsx_numbers_become_exact_decimals_and_dates(kernel: Kernel, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "credit", "rate", "visits", "since", "phone"])
    sheet.append(["Ada", 0.1 + 0.2, 1.1, 3.0, datetime(2024, 5, 1), 13800138000])
    sheet.append(["Bob", 19.99, 0.000001, 7, datetime(2023, 12, 31, 0, 0), 12.5])
    path = tmp_path / "clients.xlsx"
    book.save(path)
    report = _import(kernel, path, fmt=None)
    assert report.ok, report.as_dict()
    ada, bob = _clients(kernel)
    assert (ada["credit"], ada["rate"], ada["visits"], ada["since"], ada["phone"]) == (
        Decimal("0.30"), Decimal("1.100000"), 3, date(2024, 5, 1), "13800138000")
    assert (bob["credit"], bob["rate"], bob["since"], bob["phone"]) == (
        Decimal("19.99"), Decimal("0.000001"), date(2023, 12, 31), "12.5")


def test_links_accept_ids_and_titles(kernel: Kernel) -> None:
    north, south = _regions(kernel, "North", "South")
    report = _import(kernel, f"name,region\nA,North\nB,{south}\nC,\n".encode())
    assert report.ok, report.as_dict()
    assert [r["region"] for r in _clients(kernel)] == [north, south, None]


def test_unknown_and_ambiguous_link_titles_are_row_errors(kernel: Kernel) -> None:
    _regions(kernel, "East", "East", "West")
    report = _import(kernel, b"name,region\nA,West\nB,East\nC,Nowhere\n", all_or_nothing=False)
    assert report.created == 1
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (3, "region", "import.link_ambiguous"), (4, "region", "import.link_unknown")]
    assert "Nowhere" in report.errors[1].message


def test_all_or_nothing_writes_nothing_and_reports_every_bad_row(kernel: Kernel) -> None:
    data = b"name,visits,email\nA,1,a@example.com\nB,many,b@example.com\nC,3,not-an-email\nD,4,\n"
    report = _import(kernel, data, all_or_nothing=True)
    assert report.rolled_back and report.created == 0
    assert [(e.row, e.column) for e in report.errors] == [(3, "visits"), (4, "email")]
    assert _clients(kernel) == []


def test_rows_with_several_problems_count_once(kernel: Kernel) -> None:
    data = b"name,visits,email\nA,many,not-an-email\nB,2,b@example.com\nC,x,c@example.com\n"
    report = _import(kernel, data, all_or_nothing=True)
    assert (report.error_count, report.bad_row_count) == (3, 2)
    assert report.as_dict()["bad_row_count"] == 2


def test_per_row_mode_keeps_good_rows_and_numbers_bad_ones(kernel: Kernel) -> None:
    data = b"name,visits\nA,1\n\nB,x\nA,2\nC,3\n"
    report = _import(kernel, data, all_or_nothing=False, batch_size=2)
    assert (report.created, report.skipped, report.rows) == (2, 1, 5)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (4, "visits", "value.not_integer"), (5, "name", "records.unique")]
    assert [r["name"] for r in _clients(kernel)] == ["A", "C"]


def test_unknown_headers_fail_before_any_row_is_read(kernel: Kernel) -> None:
    with pytest.raises(ImportFileError) as caught:
        _import(kernel, b"name,colour,size\nA,red,XL\n")
    assert caught.value.code == "import.unknown_columns"
    assert "colour, size" in caught.value.message


def test_a_mapping_reads_any_header_into_a_field(kernel: Kernel) -> None:
    report = _import(kernel, b"Client,Colour\nAda,red\n", mapping={"Client": "name", "Colour": "phone"})
    assert report.ok and (_clients(kernel)[0]["phone"]) == "red"


def test_missing_required_columns_fail_up_front(kernel: Kernel) -> None:
    with pytest.raises(ImportFileError) as caught:
        _import(kernel, b"email\na@example.com\n")
    assert caught.value.code == "import.missing_columns"
    assert _clients(kernel) == []


def _generated_clients(rows: int) -> GeneratedCsv:
    """A CSV of `rows` clients produced on demand."""
    return GeneratedCsv(rows, "name,visits,credit", lambda i: f"Client {i},{i % 50},{i}.25")


def test_a_20k_row_csv_is_streamed_in_batches(kernel: Kernel, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = _generated_clients(20_000)
    served_at_batch: list[int] = []
    original = records.create_many

    def watching(*args: Any, **kwargs: Any) -> records.BulkResult:
        rows = args[2]
        assert isinstance(rows, list) and len(rows) <= 1000
        served_at_batch.append(stream.served)
        return original(*args, **kwargs)

    monkeypatch.setattr(importing.records, "create_many", watching)
    with kernel.unit_of_work() as ctx:
        report = import_records(ctx, "client", io.BufferedReader(stream), fmt="csv")
    assert report.created == 20_000 and report.ok
    assert len(served_at_batch) == 20
    total = stream.served
    assert served_at_batch[0] < total / 4  # the first batch was written long before the file was read
    assert served_at_batch == sorted(served_at_batch)
