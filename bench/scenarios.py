"""The measurements: each returns Jimu's figure, the raw SQLAlchemy Core figure, and their ratio."""
from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from benchdata import fill_orders, raw_item_rows, write_items_csv

from jimu.engines.forms import records
from jimu.engines.forms.importing import import_records
from jimu.engines.forms.listing import list_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.kernel import Kernel

PAGE = 50


@dataclass
class Figure:
    """One measurement: medians of Jimu and raw, in `unit`; `ratio` is oriented so 1.0 means parity."""

    name: str
    unit: str
    jimu: float
    raw: float
    ratio: float
    goal: str
    met: bool


def median_time(action: Callable[[], Any], repeats: int, before: Callable[[], Any] | None = None) -> float:
    """Median wall time of `action` over `repeats` runs (`before` runs untimed ahead of each)."""
    times = []
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_import(kernel: Kernel, rows: int, repeats: int) -> Figure:
    """import_records of a generated CSV vs executemany of the same (already typed) rows."""
    table = _table(kernel, "bench_item")
    raw_rows = raw_item_rows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.csv"
        write_items_csv(path, rows)

        def clear() -> None:
            with kernel.engine.begin() as conn:
                conn.execute(sa.delete(table))

        def jimu() -> None:
            with kernel.unit_of_work() as ctx:
                report = import_records(ctx, "bench_item", path, all_or_nothing=True)
            assert report.created == rows and report.ok, report.as_dict()

        def raw() -> None:
            with kernel.engine.begin() as conn:
                conn.execute(sa.insert(table), raw_rows)

        jimu_s = median_time(jimu, repeats, clear)
        raw_s = median_time(raw, repeats, clear)
        clear()
    jimu_rate, raw_rate = rows / jimu_s, rows / raw_s
    ratio = jimu_rate / raw_rate
    return Figure(f"import {rows:,} rows (rows/s)", "rows/s", jimu_rate, raw_rate, ratio, ">= 0.50", ratio >= 0.5)


def _table(kernel: Kernel, entity: str) -> sa.Table:
    with kernel.engine.connect() as conn:
        return kernel.definitions(conn).tables[entity]


def prepare_orders(kernel: Kernel, rows: int) -> None:
    fill_orders(kernel.engine, _table(kernel, "bench_order"), _table(kernel, "bench_order_line"), rows)
    with kernel.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # fresh planner statistics on both databases


def _query(cursor: str | None = None, limit: int = PAGE) -> ListQuery:
    return ListQuery(filters={"field": "status", "op": "eq", "value": "open"}, sort="-order_date", limit=limit,
                     cursor=cursor)


def _raw_page(table: sa.Table, after: tuple[Any, int] | None) -> sa.Select[Any]:
    """The page Jimu returns, hand-written: `sort=-order_date` breaks ties by id ascending (as Jimu does)."""
    query = sa.select(table).where(table.c.status == "open", table.c._deleted_at.is_(None))
    if after is not None:
        day, row_id = after
        query = query.where(sa.or_(table.c.order_date < day, sa.and_(table.c.order_date == day, table.c.id > row_id)))
    return query.order_by(table.c.order_date.desc(), table.c.id.asc()).limit(PAGE)


def _same_rows(kernel: Kernel, table: sa.Table, cursor: str | None, after: tuple[Any, int] | None) -> None:
    """Both sides of a measurement must return the same rows, or the comparison means nothing."""
    with kernel.unit_of_work() as ctx:
        jimu = [row["id"] for row in list_records(ctx, "bench_order", _query(cursor)).rows]
    with kernel.engine.connect() as conn:
        raw = [row.id for row in conn.execute(_raw_page(table, after))]
    assert jimu == raw, "Jimu and the raw query return different rows"


def bench_list(kernel: Kernel, rows: int, repeats: int) -> list[Figure]:
    """First page and a page 1,000 pages deep (keyset cursor), filtered on an indexed field and sorted."""
    table = _table(kernel, "bench_order")
    figures = []

    def jimu_first() -> None:
        with kernel.unit_of_work() as ctx:
            assert len(list_records(ctx, "bench_order", _query()).rows) == PAGE

    def raw_first() -> None:
        with kernel.engine.begin() as conn:
            assert len(conn.execute(_raw_page(table, None)).all()) == PAGE

    _same_rows(kernel, table, None, None)
    figures.append(_latency("list first page", jimu_first, raw_first, repeats, 1.5))
    with kernel.engine.connect() as conn:
        open_rows = conn.execute(sa.select(sa.func.count()).where(table.c.status == "open")).scalar_one()
    depth = max(1, min(1000, open_rows // PAGE - 1))
    cursor = None
    stride = next(s for s in (500, 250, 100, 50) if (depth * PAGE) % s == 0)
    with kernel.unit_of_work() as ctx:  # walk to row depth*PAGE in big pages: the cursor holds keys, not a size
        for _ in range(depth * PAGE // stride):
            cursor = list_records(ctx, "bench_order", _query(cursor, stride)).next_cursor
    with kernel.engine.connect() as conn:
        last = conn.execute(sa.select(table.c.order_date, table.c.id).where(table.c.status == "open")
                            .order_by(table.c.order_date.desc(), table.c.id.asc())
                            .offset(depth * PAGE - 1).limit(1)).one()
    after = (last.order_date, last.id)
    _same_rows(kernel, table, cursor, after)

    def jimu_deep() -> None:
        with kernel.unit_of_work() as ctx:
            assert len(list_records(ctx, "bench_order", _query(cursor)).rows) == PAGE

    def raw_deep() -> None:
        with kernel.engine.begin() as conn:
            assert len(conn.execute(_raw_page(table, after)).all()) == PAGE

    figures.append(_latency(f"list page {depth + 1:,} (keyset)", jimu_deep, raw_deep, repeats, 1.5))
    return figures


def bench_get(kernel: Kernel, repeats: int, reads: int = 200) -> Figure:
    """records.get of an order with its 5 lines vs two raw SELECTs (order, then lines)."""
    orders, lines = _table(kernel, "bench_order"), _table(kernel, "bench_order_line")
    with kernel.engine.connect() as conn:
        parents = sa.select(lines.c._parent_id).distinct().order_by(lines.c._parent_id).limit(reads)
        ids = conn.execute(parents).scalars().all()

    def jimu() -> None:
        with kernel.unit_of_work() as ctx:
            for record_id in ids:
                records.get(ctx, "bench_order", record_id)

    def raw() -> None:
        with kernel.engine.begin() as conn:
            for record_id in ids:
                conn.execute(sa.select(orders).where(orders.c.id == record_id, orders.c._deleted_at.is_(None))).one()
                conn.execute(sa.select(lines).where(lines.c._parent_id == record_id, lines.c._deleted_at.is_(None))
                             .order_by(lines.c._position)).all()

    return _latency(f"get with lines ({len(ids)} reads)", jimu, raw, repeats, 2.0)


def _latency(name: str, jimu: Callable[[], Any], raw: Callable[[], Any], repeats: int, limit: float) -> Figure:
    jimu()  # warm caches (definitions, compiled statements) on both sides
    raw()
    jimu_s, raw_s = median_time(jimu, repeats), median_time(raw, repeats)
    ratio = jimu_s / raw_s
    return Figure(name, "ms", jimu_s * 1000, raw_s * 1000, ratio, f"<= {limit:.1f}x", ratio <= limit)
