"""The benchmark app and its generated rows (deterministic, typed for raw inserts, text for CSV)."""
from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

BENCH_APP: dict[str, Any] = {
    "key": "bench",
    "version": "1.0.0",
    "label": {"en": "Benchmark", "zh-CN": "基准测试"},
    "entities": [
        {"key": "bench_item", "title_field": "code", "fields": [
            {"name": "code", "type": "text", "required": True},
            {"name": "name", "type": "text"},
            {"name": "qty", "type": "integer"},
            {"name": "price", "type": "money"},
            {"name": "day", "type": "date"},
            {"name": "status", "type": "select", "options": [{"value": "open"}, {"value": "closed"}]},
        ]},
        {"key": "bench_order", "title_field": "code", "fields": [
            {"name": "code", "type": "text", "required": True},
            {"name": "status", "type": "select", "indexed": True,
             "options": [{"value": "open"}, {"value": "closed"}]},
            {"name": "amount", "type": "money"},
            {"name": "order_date", "type": "date", "indexed": True},
            {"name": "lines", "type": "child_table", "entity": "bench_order_line"},
        ], "indexes": [{"key": "status_date", "fields": ["status", "order_date"]}]},
        {"key": "bench_order_line", "child": True, "fields": [
            {"name": "product", "type": "text"},
            {"name": "qty", "type": "integer"},
            {"name": "price", "type": "money"},
        ]},
    ],
}

EPOCH = date(2020, 1, 1)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ("open", "closed")


def item_values(n: int) -> dict[str, Any]:
    """The typed field values of the n-th bench_item."""
    return {"code": f"IT-{n:07d}", "name": f"Item number {n}", "qty": n % 97,
            "price": Decimal(n % 10000) / 100, "day": EPOCH + timedelta(days=n % 2000),
            "status": STATUSES[n % 2]}


def system_values() -> dict[str, Any]:
    """The system columns a create writes (the same columns as Jimu's insert; no user here)."""
    return {"_version": 1, "_created_at": NOW, "_created_by": None, "_updated_at": NOW, "_updated_by": None}


def write_items_csv(path: Path, rows: int) -> None:
    """A CSV of `rows` bench_items, as a person would export them."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "qty", "price", "day", "status"])
        for n in range(rows):
            v = item_values(n)
            writer.writerow([v["code"], v["name"], v["qty"], f"{v['price']:.2f}", v["day"].isoformat(), v["status"]])


def raw_item_rows(rows: int) -> list[dict[str, Any]]:
    return [{**item_values(n), **system_values()} for n in range(rows)]


def order_tuples(start: int, stop: int, dialect: str) -> list[tuple[Any, ...]]:
    """Orders as driver-ready tuples (SQLite gets the text forms SQLAlchemy would have written)."""
    sqlite = dialect == "sqlite"
    stamp: Any = NOW.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else NOW
    out = []
    for n in range(start, stop):
        day = EPOCH + timedelta(days=(n * 37) % 2500)
        amount = Decimal(n % 100000) / 100
        out.append((f"SO-{n:08d}", STATUSES[(n * 7) % 3 % 2], str(amount) if sqlite else amount,
                    day.isoformat() if sqlite else day, 1, stamp, stamp))
    return out


def fill_orders(engine: sa.Engine, table: sa.Table, lines: sa.Table, rows: int, chunk: int = 50000,
                with_lines: int = 2000) -> None:
    """`rows` orders by raw DBAPI executemany (COPY on PostgreSQL).

    And 5 lines for each of the first `with_lines` orders.
    """
    columns = ("code", "status", "amount", "order_date", "_version", "_created_at", "_updated_at")
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # COPY: PostgreSQL's own bulk path
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")  # one COPY of every row: past a request's limit
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for start in range(0, rows, chunk):
                    for row in order_tuples(start, min(rows, start + chunk), "postgresql"):
                        copy.write_row(row)
        else:
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"
            for start in range(0, rows, chunk):
                conn.exec_driver_sql(sql, order_tuples(start, min(rows, start + chunk), "sqlite"))
        ids = conn.execute(sa.select(table.c.id).order_by(table.c.id).limit(with_lines)).scalars().all()
        system = system_values()
        conn.execute(sa.insert(lines), [
            {"_parent_id": i, "_position": p, "product": f"P-{p}", "qty": p + 1, "price": Decimal("9.95"), **system}
            for i in ids for p in range(5)])

