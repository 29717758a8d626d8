"""Report benchmark: each report against the same hand-written SQL on the same database (goal: within 1.2x),
a 6-widget dashboard's total time, and a report through the HTTP API.

    .venv/bin/python bench/report_bench.py --rows 100000            # SQLite
    .venv/bin/python bench/report_bench.py --rows 100000 --all      # SQLite, then PostgreSQL

Orders (region through their customer, status, amount, order time) are written by raw inserts. Times are
medians of --repeats runs (a warm-up run first), in ms: wall clock, and beside it CPU time, which a shared
machine disturbs far less (SQLite: the process time of the whole call, statement and Python; PostgreSQL: the
statement's execution time in EXPLAIN (ANALYZE, TIMING OFF), the report's statement with its values inlined).
The hand-written SQL buckets months in the company zone too (Asia/Shanghai: `+8 hours` on SQLite,
`AT TIME ZONE` on PostgreSQL) and sums with the database's own SUM (inexact REAL on SQLite; the report's sums
are exact).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from run import DEFAULT_PG_URL, scratch_database
from scenarios import Figure

from jimu.engines.reports import RunOptions, run_report
from jimu.engines.reports.compiler import compile_report
from jimu.engines.reports.dashboards import run_dashboard
from jimu.engines.reports.definitions import report_plan
from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.platform.settings import Settings
from jimu.web.assembly import assemble

ZONE = "Asia/Shanghai"
GOAL = 1.2
REGIONS = ("north", "south", "east", "west")
STATUSES = ("open", "won", "lost")

REPORTS: list[dict[str, Any]] = [
    {"key": "month_region", "source": "order",
     "dimensions": [{"key": "month", "field": "ordered_at", "grain": "month"},
                    {"key": "region", "field": "customer.region"}],
     "measures": [{"key": "revenue", "aggregate": "sum", "field": "amount"}, {"key": "orders", "aggregate": "count"}]},
    {"key": "status_quarter", "source": "order",
     "dimensions": [{"key": "status", "field": "status"},
                    {"key": "quarter", "field": "ordered_at", "grain": "quarter"}],
     "measures": [{"key": "revenue", "aggregate": "sum", "field": "amount"}, {"key": "orders", "aggregate": "count"}],
     "pivot": {"rows": ["status"], "columns": ["quarter"], "subtotals": True}},
    {"key": "top_customers", "source": "order",
     "dimensions": [{"key": "customer", "field": "customer.name"}],
     "measures": [{"key": "revenue", "aggregate": "sum", "field": "amount"}, {"key": "orders", "aggregate": "count"}],
     "top": {"dimension": "customer", "by": "revenue", "n": 10, "others": True},
     "sort": [{"by": "revenue", "descending": True}]},
    {"key": "by_status", "source": "order", "dimensions": [{"key": "status", "field": "status"}],
     "measures": [{"key": "orders", "aggregate": "count"}, {"key": "revenue", "aggregate": "sum", "field": "amount"}]},
    {"key": "total", "source": "order",
     "measures": [{"key": "orders", "aggregate": "count"}, {"key": "revenue", "aggregate": "sum", "field": "amount"}]},
    {"key": "by_region", "source": "order", "dimensions": [{"key": "region", "field": "customer.region"}],
     "measures": [{"key": "revenue", "aggregate": "sum", "field": "amount"},
                  {"key": "share", "percent_of_total": "revenue"}]},
]
DASHBOARD = {"key": "home", "widgets": [
    {"key": "a", "report": "month_region",
     "chart": {"type": "line", "x": "month", "y": ["revenue"], "series": "region"}},
    {"key": "b", "report": "status_quarter", "chart": {"type": "pivot"}},
    {"key": "c", "report": "top_customers", "chart": {"type": "bar", "x": "customer", "y": ["revenue"]}},
    {"key": "d", "report": "by_status", "chart": {"type": "pie", "x": "status", "y": ["orders"]}},
    {"key": "e", "report": "total", "chart": {"type": "kpi", "y": ["revenue"]}},
    {"key": "f", "report": "by_region", "chart": {"type": "donut", "x": "region", "y": ["share"]}},
]}
APP: dict[str, Any] = {"key": "rbench", "version": "1.0.0", "entities": [
    {"key": "customer", "title_field": "name", "fields": [
        {"name": "name", "type": "text", "required": True},
        {"name": "region", "type": "select", "options": [{"value": r} for r in REGIONS]}]},
    {"key": "order", "fields": [
        {"name": "customer", "type": "link", "entity": "customer"},
        {"name": "status", "type": "select", "options": [{"value": s} for s in STATUSES]},
        {"name": "amount", "type": "money"},
        {"name": "ordered_at", "type": "datetime", "indexed": True}]},
], "reports": REPORTS, "dashboards": [DASHBOARD]}


def fill(kernel: Kernel, rows: int, customers: int = 500) -> None:
    rng = random.Random(3)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    system = {"_version": 1, "_created_at": now, "_updated_at": now}
    with kernel.unit_of_work() as ctx:
        cust, order = ctx.tables["customer"], ctx.tables["order"]
        ctx.conn.execute(sa.insert(cust), [{"name": f"C{n:04d}", "region": REGIONS[n % 4], **system}
                                           for n in range(customers)])
        ids = list(ctx.conn.execute(sa.select(cust.c.id)).scalars())
        start = datetime(2024, 1, 1, tzinfo=UTC)
        for first in range(0, rows, 20_000):
            ctx.conn.execute(sa.insert(order), [
                {"customer": rng.choice(ids), "status": rng.choice(STATUSES),
                 "amount": Decimal(rng.randint(1, 10**7)) / 100,
                 "ordered_at": start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)), **system}
                for _ in range(first, min(rows, first + 20_000))])
        ctx.conn.exec_driver_sql("ANALYZE")


def _month(dialect: str, unit: str) -> str:
    if dialect == "sqlite":
        fmt = "%Y-%m" if unit == "month" else "%Y"
        bucket = f"strftime('{fmt}', o.ordered_at, '+8 hours')"
        if unit == "quarter":
            bucket += " || '-Q' || ((CAST(strftime('%m', o.ordered_at, '+8 hours') AS INTEGER) + 2) / 3)"
        return bucket
    return f"date_trunc('{unit}', o.ordered_at AT TIME ZONE '{ZONE}')"


def hand_written(dialect: str) -> dict[str, str]:
    """The same reports written by hand (what a developer would write for each)."""
    month, quarter = _month(dialect, "month"), _month(dialect, "quarter")
    live = "o._deleted_at IS NULL"
    grouped = f"SELECT o.status, {quarter} AS q, sum(o.amount), count(*) FROM t_order o WHERE {live}"
    return {
        "month_region": f"SELECT {month} AS m, c.region, sum(o.amount), count(*) FROM t_order o "
                        f"LEFT JOIN t_customer c ON c.id = o.customer WHERE {live} GROUP BY m, c.region",
        "status_quarter": f"{grouped} GROUP BY o.status, q UNION ALL "
                          f"SELECT o.status, NULL, sum(o.amount), count(*) FROM t_order o WHERE {live} "
                          f"GROUP BY o.status UNION ALL SELECT NULL, {quarter} AS q, sum(o.amount), count(*) "
                          f"FROM t_order o WHERE {live} GROUP BY q UNION ALL "
                          f"SELECT NULL, NULL, sum(o.amount), count(*) FROM t_order o WHERE {live}",
        "top_customers": f"WITH s AS (SELECT o.customer, sum(o.amount) AS total FROM t_order o WHERE {live} "
                         f"GROUP BY o.customer), r AS (SELECT customer, ROW_NUMBER() OVER (ORDER BY total DESC) AS rn "
                         f"FROM s) SELECT CASE WHEN r.rn <= 10 THEN c.name END AS name, sum(o.amount), count(*) "
                         f"FROM t_order o JOIN r ON r.customer = o.customer JOIN t_customer c ON c.id = o.customer "
                         f"WHERE {live} GROUP BY 1",
    }


def median_ms(action: Callable[[], Any], repeats: int, clock: Callable[[], float] = time.perf_counter) -> float:
    action()  # warm-up (caches, plans)
    times = []
    for _ in range(repeats):
        started = clock()
        action()
        times.append((clock() - started) * 1000)
    return statistics.median(times)


def statement_ms(engine: sa.Engine, sql: str, repeats: int) -> float:
    """PostgreSQL's execution time of a statement (EXPLAIN ANALYZE without per-node timing), median, in ms."""
    with engine.connect() as conn:
        conn.exec_driver_sql(sql).all()  # warm-up
        times = [conn.exec_driver_sql(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}").scalar_one()[0]
                 ["Execution Time"] for _ in range(repeats)]
    return float(statistics.median(times))


def report_sql(kernel: Kernel, key: str) -> str:
    """The statement a report runs (no parameters), its bound values inlined."""
    with kernel.unit_of_work() as ctx:
        plan = report_plan(ctx, "rbench", key)
        compiled = compile_report(ctx, plan, [], ZONE, RunOptions().row_cap)
        return str(compiled.statement.compile(dialect=ctx.conn.dialect, compile_kwargs={"literal_binds": True}))


def run_on(url: str, rows: int, repeats: int) -> list[Figure]:
    engine = create_engine(url, statement_timeout=None)  # 1M rows on a busy machine: past 30 s
    try:
        init_database(engine)
        kernel = assemble(Kernel(engine, settings=Settings(database_url=url, timezone=ZONE)))
        kernel.apply_app(APP)
        fill(kernel, rows)
        dialect = engine.dialect.name
        options = RunOptions(timezone=ZONE)
        figures = []
        for key, sql in hand_written(dialect).items():
            def jimu(key: str = key) -> None:
                with kernel.unit_of_work() as ctx:
                    run_report(ctx, "rbench", key, {}, options)

            def raw(sql: str = sql) -> None:
                with engine.connect() as conn:
                    conn.exec_driver_sql(sql).all()

            j, r = median_ms(jimu, repeats), median_ms(raw, repeats)
            figures.append(Figure(f"report {key}", "ms", j, r, j / r, f"<= {GOAL}x", j / r <= GOAL))
            if dialect == "sqlite":
                j, r = median_ms(jimu, repeats, time.process_time), median_ms(raw, repeats, time.process_time)
                name = f"  {key}, process CPU"
            else:
                j, r = statement_ms(engine, report_sql(kernel, key), repeats), statement_ms(engine, sql, repeats)
                name = f"  {key}, statement exec"
            figures.append(Figure(name, "ms", j, r, j / r, f"<= {GOAL}x", j / r <= GOAL))

        def dashboard() -> None:
            with kernel.unit_of_work() as ctx:
                run_dashboard(ctx, "rbench", "home", {}, options)

        d = median_ms(dashboard, repeats)
        figures.append(Figure("dashboard, 6 widgets", "ms", d, float("nan"), float("nan"), "-", True))
        figures.append(_api_figure(kernel, repeats))
        return figures
    finally:
        engine.dispose()


def _api_figure(kernel: Kernel, repeats: int) -> Figure:
    from fastapi.testclient import TestClient

    from jimu.platform.security import create_api_token, create_user
    from jimu.web.api.app import create_app

    with kernel.unit_of_work() as ctx:
        user = create_user(ctx.conn, "bench_admin", is_superuser=True)
        token = create_api_token(ctx.conn, user, "bench", now=ctx.now())[1]
    options = RunOptions(timezone=ZONE)
    with TestClient(create_app(kernel)) as client:
        headers = {"Authorization": f"Bearer {token}"}

        def api() -> None:
            response = client.post("/api/v1/reports/rbench/month_region/run", headers=headers)
            assert response.status_code == 200, response.text

        def direct() -> None:
            with kernel.unit_of_work() as ctx:
                run_report(ctx, "rbench", "month_region", {}, options)

        a, d = median_ms(api, repeats), median_ms(direct, repeats)
    return Figure("month_region via HTTP API", "ms", a, d, a / d, "vs engine", True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="SQLite, then PostgreSQL")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    targets = [("sqlite", None)] + ([("postgresql", args.pg_url)] if args.all else [])
    missed = False
    print(f"{'database':<11} {'measurement':<30} {'jimu':>10} {'baseline':>10} {'unit':<4} {'ratio':>6}  goal")
    for name, url in targets:
        with scratch_database(url) as scratch:
            for f in run_on(scratch, args.rows, args.repeats):
                missed = missed or not f.met
                print(f"{name:<11} {f.name:<30} {f.jimu:>10.1f} {f.raw:>10.1f} {f.unit:<4} {f.ratio:>6.2f}  {f.goal}")
        sys.stdout.flush()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
