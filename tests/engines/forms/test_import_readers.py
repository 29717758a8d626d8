"""Streaming readers: encodings, XLSX cells, row numbers, and laziness."""
from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from jimu.engines.forms.readers import (
    SheetRow,
    detect_format,
    open_table,
    sniff_encoding,
)
from jimu.platform.errors import ImportFileError

from .generated_csv import GeneratedCsv


def _rows(table_rows: Iterator[SheetRow]) -> list[tuple[int, list[object]]]:
    return [(r.number, r.values) for r in table_rows]


def test_utf8_bom_is_dropped_from_the_first_header() -> None:
    data = "\ufeffname,email\nAda,ada@example.com\n".encode()
    with open_table(io.BytesIO(data), "csv") as table:
        assert table.header == ["name", "email"]
        assert _rows(table.rows) == [(2, ["Ada", "ada@example.com"])]


def test_gb18030_is_detected_when_utf8_fails() -> None:
    data = "名称,邮箱\n张三,z@example.com\n".encode("gb18030")
    assert sniff_encoding(data) == "gb18030"
    with open_table(io.BytesIO(data)) as table:
        assert table.header == ["名称", "邮箱"]
        assert _rows(table.rows) == [(2, ["张三", "z@example.com"])]


def test_row_numbers_are_file_lines_even_with_multiline_cells() -> None:
    data = b'name,note\nA,"two\nlines"\nB,x\n'
    with open_table(io.BytesIO(data), "csv") as table:
        assert [r.number for r in table.rows] == [2, 4]


def test_utf8_split_across_the_sniffed_chunk_is_still_utf8() -> None:
    text = "name\n" + "é" * 40000 + "\n"
    assert sniff_encoding(text.encode()[: 64 * 1024]) == "utf-8-sig"
    with open_table(io.BytesIO(text.encode()), "csv") as table:
        assert _rows(table.rows) == [(2, ["é" * 40000])]


def test_xlsx_rows_keep_python_values_and_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "price", "when", None])
    sheet.append(["Bike", 19.99, datetime(2024, 5, 1, 8, 30)])
    sheet.append([])
    sheet.append(["Pump", 5])
    path = tmp_path / "products.xlsx"
    book.save(path)
    with open_table(path) as table:
        assert table.header == ["name", "price", "when"]
        rows = _rows(table.rows)
    assert rows[0] == (2, ["Bike", 19.99, datetime(2024, 5, 1, 8, 30)])
    assert rows[2][0] == 4 and rows[2][1][:2] == ["Pump", 5]


def test_format_detection_by_extension_then_magic() -> None:
    assert detect_format("a.XLSX", b"") == "xlsx"
    assert detect_format(None, b"PK\x03\x04") == "xlsx"
    assert detect_format("upload", b"name,x") == "csv"


def test_empty_file_is_an_import_error() -> None:
    with pytest.raises(ImportFileError) as caught, open_table(io.BytesIO(b""), "csv"):
        pass
    assert caught.value.code == "import.empty_file"


def test_missing_file_is_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as caught, open_table(tmp_path / "nope.csv"):
        pass
    assert caught.value.code == "import.cannot_open"


def _counting_stream(rows: int) -> GeneratedCsv:
    """A generated CSV of `rows` lines, produced on demand; counts the bytes handed out."""
    return GeneratedCsv(rows, "code,name,amount", lambda i: f"{i},name {i},{i}.25")


def test_csv_reader_is_lazy_over_a_20k_row_file() -> None:
    stream = _counting_stream(20_000)
    with open_table(io.BufferedReader(stream), "csv") as table:
        first = next(table.rows)
        assert first.values == ["0", "name 0", "0.25"]
        assert stream.served < 200_000  # the first row needs the first chunk only, not ~450 kB
        count = 1 + sum(1 for _ in table.rows)
    assert count == 20_000
    assert stream.served > 400_000
