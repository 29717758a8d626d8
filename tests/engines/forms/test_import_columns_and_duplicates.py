"""Import: blank cells take the field's default, headers after a rename, and refused duplicates found set-based."""
from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.engines.forms.export import export_records
from jimu.engines.forms.importing import ImportReport, import_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel

APP: dict[str, Any] = {
    "key": "shop", "version": "1.0.0",
    "entities": [{"key": "item", "title_field": "code", "fields": [
        {"name": "code", "type": "text", "required": True, "unique": True},
        {"name": "kind", "type": "text", "default": "standard", "label": {"en": "Kind", "zh-CN": "种类"}},
        {"name": "qty", "type": "integer", "required": True, "default": 1},
        {"name": "label", "type": "text", "default_expression": "{code} & '-' & {kind}"},
        {"name": "note", "type": "text"},
        {"name": "region", "type": "text"}, {"name": "slot", "type": "integer"},
    ], "indexes": [{"fields": ["region", "slot"], "unique": True}]}],
}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(APP)
    return kernel


def _import(kernel: Kernel, text: str, **options: Any) -> ImportReport:
    with kernel.unit_of_work() as ctx:
        return import_records(ctx, "item", io.BytesIO(text.encode()), fmt="csv", **options)


def _items(kernel: Kernel, *columns: str) -> list[tuple[Any, ...]]:
    with kernel.unit_of_work() as ctx:
        table = ctx.tables["item"]
        return [tuple(row) for row in ctx.conn.execute(sa.select(*[table.c[c] for c in columns]).order_by(table.c.id))]


def test_blank_cells_take_constant_and_expression_defaults(kernel: Kernel) -> None:
    report = _import(kernel, "code,kind,qty,label,note\nA,,,,\nB,special,5,own,text\nC, ,  ,,\n")
    assert report.ok and report.created == 3, report.as_dict()
    assert _items(kernel, "code", "kind", "qty", "label", "note") == [
        ("A", "standard", 1, "A-standard", None), ("B", "special", 5, "own", "text"), ("C", "standard", 1, "C-standard", None)]


def test_blank_spreadsheet_cells_take_defaults(kernel: Kernel, tmp_path: Any) -> None:
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["code", "kind", "qty"])
    book.active.append(["X", None, None])
    book.active.append(["Y", "big", 3])
    path = tmp_path / "items.xlsx"
    book.save(path)
    with kernel.unit_of_work() as ctx:
        report = import_records(ctx, "item", path)
    assert report.ok, report.as_dict()
    assert _items(kernel, "code", "kind", "qty", "label") == [("X", "standard", 1, "X-standard"), ("Y", "big", 3, "Y-big")]


def _renamed(kernel: Kernel) -> None:
    """`kind` renamed `category` (its key stays `kind`); a new field takes the name `kind`."""
    app = {**APP, "version": "1.1.0", "entities": [{**APP["entities"][0], "fields": [
        *[f for f in APP["entities"][0]["fields"] if f["name"] not in ("kind", "label")],
        {"name": "category", "key": "kind", "type": "text", "default": "standard"},
        {"name": "kind", "key": "kind2", "type": "text"},
    ]}]}
    kernel.apply_app(app)


def test_after_a_rename_a_header_feeds_the_field_with_that_name_now(kernel: Kernel) -> None:
    _renamed(kernel)
    report = _import(kernel, "code,kind,category\nA,new-kind,old-kind\n")
    assert report.ok, report.as_dict()
    assert _items(kernel, "code", "kind2", "kind") == [("A", "new-kind", "old-kind")]
    assert _import(kernel, "code,kind\nB,only-new\n").ok
    assert _items(kernel, "code", "kind2", "kind")[-1] == ("B", "only-new", "standard")


def test_an_export_after_a_rename_can_be_imported_again(kernel: Kernel) -> None:
    _renamed(kernel)
    assert _import(kernel, "code,kind,category\nA,k,c\nB,,d\n").ok
    with kernel.unit_of_work() as ctx:
        exported = b"".join(export_records(ctx, "item", ListQuery(sort="id"), "csv")).decode("utf-8-sig")
        assert exported.splitlines()[0].split(",")[:3] == ["code", "qty", "note"]
        table = ctx.tables["item"]
        for record_id in ctx.conn.execute(sa.select(table.c.id)).scalars().all():
            records.delete(ctx, "item", record_id)
    report = _import(kernel, exported)
    assert report.ok, report.as_dict()
    assert _items(kernel, "code", "kind2", "kind")[-2:] == [("A", "k", "c"), ("B", None, "d")]


def test_an_old_name_still_feeds_the_renamed_field_when_nothing_current_matches(kernel: Kernel) -> None:
    app = {**APP, "version": "1.1.0", "entities": [{**APP["entities"][0], "fields": [
        *[f for f in APP["entities"][0]["fields"] if f["name"] not in ("note", "label")],
        {"name": "remark", "key": "note", "type": "text"}]}]}
    kernel.apply_app(app)
    assert _import(kernel, "code,note\nA,kept\n").ok
    assert _items(kernel, "code", "note") == [("A", "kept")]


def _count_statements(engine: Engine) -> tuple[list[str], Any]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())
    sa.event.listen(engine, "before_cursor_execute", listen)
    return seen, listen


@pytest.mark.parametrize("all_or_nothing", [True, False])
def test_a_file_of_duplicates_is_refused_without_a_savepoint_per_row(kernel: Kernel, engine: Engine,
                                                                      all_or_nothing: bool) -> None:
    rows = 600
    text = "code,region,slot\n" + "".join(f"C{i},R{i % 7},{i}\n" for i in range(rows))
    assert _import(kernel, text).created == rows
    seen, listen = _count_statements(engine)
    try:
        report = _import(kernel, text, all_or_nothing=all_or_nothing, batch_size=200)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    assert (report.created, report.bad_row_count, report.error_count) == (0, rows, 2 * rows)
    assert {e.code for e in report.errors} == {"records.unique"}
    assert report.errors[0].message == "The value 'C0' is already used by another record."
    assert report.errors[1].params == {"value": "R0, 0"} and report.errors[1].field == "region"
    assert seen.count("SAVEPOINT") < 10, seen.count("SAVEPOINT")
    assert len(seen) < 50, len(seen)


def test_duplicates_inside_the_file_and_against_the_table_are_refused_row_by_row(kernel: Kernel) -> None:
    assert _import(kernel, "code,region,slot\nOLD,N,1\n").ok
    report = _import(kernel, "code,region,slot\nA,N,2\nOLD,S,1\nA,S,2\nB,N,2\nC,N,1\nD,,\nE,,\n",
                     all_or_nothing=False, batch_size=3)
    assert report.created == 3
    assert sorted((e.row, e.field, e.params["value"]) for e in report.errors) == [
        (3, "code", "OLD"), (4, "code", "A"), (5, "region", "N, 2"), (6, "region", "N, 1")]
    assert _items(kernel, "code")[1:] == [("A",), ("D",), ("E",)]


def test_a_row_refused_for_one_value_does_not_hold_its_other_values(kernel: Kernel) -> None:
    assert _import(kernel, "code\nOLD\n").ok
    report = _import(kernel, "code,region,slot\nOLD,N,1\nNEW,N,1\n", all_or_nothing=False)
    assert [(e.row, e.field) for e in report.errors] == [(2, "code")]
    assert _items(kernel, "code", "region", "slot")[1:] == [("NEW", "N", 1)]
