"""Benchmarks of Jimu against raw SQLAlchemy Core on the same database; prints medians and ratios.

    .venv/bin/python bench/run.py                      # a temporary SQLite file, 1,000,000 rows
    .venv/bin/python bench/run.py --all                # SQLite, then PostgreSQL (JIMU_BENCH_PG_URL)
    .venv/bin/python bench/run.py --rows 100000 --database-url postgresql+psycopg://...
    .venv/bin/python bench/run.py --all --only import --import-rows 20000   # just the import

A PostgreSQL URL names a server: the bench creates a scratch database there and drops it after.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import sqlalchemy as sa
from benchdata import BENCH_APP
from scenarios import Figure, bench_get, bench_import, bench_list, prepare_orders

from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.platform.registry.apply import apply_app

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MEASUREMENTS = frozenset({"import", "list", "get"})


@contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    """A URL of an empty database: a temp SQLite file, or a scratch database on a PostgreSQL server."""
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            yield url or f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"jimu_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run_one(url: str, rows: int, import_rows: int, repeats: int, import_repeats: int,
            only: frozenset[str] = MEASUREMENTS) -> list[Figure]:
    """Every measurement (or those in `only`) on one database."""
    engine = create_engine(url)
    try:
        init_database(engine)
        with engine.begin() as conn:
            apply_app(conn, BENCH_APP)
        kernel = Kernel(engine)
        figures = []
        if "import" in only:
            figures += guarded("import", lambda: [bench_import(kernel, import_rows, import_repeats)])
        if not only & {"list", "get"}:
            return figures
        started = time.perf_counter()
        prepare_orders(kernel, rows)
        print(f"  generated {rows:,} orders in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if "list" in only:
            figures += guarded("list", lambda: bench_list(kernel, rows, repeats))
        if "get" in only:
            figures += guarded("get", lambda: [bench_get(kernel, repeats)])
        return figures
    finally:
        engine.dispose()


def guarded(name: str, measure: Callable[[], list[Figure]]) -> list[Figure]:
    """The figures of one measurement, or one failed row (with the error) so the others still run."""
    try:
        return measure()
    except Exception as error:  # noqa: BLE001 -- a broken measurement must not hide the others
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        print(f"  {name} failed: {type(error).__name__}: {reason}", file=sys.stderr)
        return [Figure(f"{name} FAILED", "-", float("nan"), float("nan"), float("nan"), type(error).__name__, False)]


def print_table(results: list[tuple[str, list[Figure]]], file: TextIO = sys.stdout) -> None:
    header = f"{'database':<11} {'measurement':<30} {'jimu':>12} {'raw':>12} {'unit':<7} {'ratio':>7}  goal      met"
    print(header, file=file)
    print("-" * len(header), file=file)
    for database, figures in results:
        for f in figures:
            print(f"{database:<11} {f.name:<30} {f.jimu:>12,.2f} {f.raw:>12,.2f} {f.unit:<7} {f.ratio:>7.2f}  "
                  f"{f.goal:<9} {'yes' if f.met else 'NO'}", file=file)


def database_targets(both: bool, url: str | None) -> list[tuple[str, str | None]]:
    """(name, URL) of the databases to measure: SQLite and PostgreSQL, or the one URL given (None: SQLite)."""
    if both:
        return [("sqlite", None), ("postgresql", os.environ.get("JIMU_BENCH_PG_URL", DEFAULT_PG_URL))]
    return [("postgresql" if url and url.startswith("postgresql") else "sqlite", url)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--all", action="store_true",
                        help="SQLite and PostgreSQL (JIMU_BENCH_PG_URL or the local server)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows listed (default 1,000,000)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows imported (default 100,000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per list/get measurement; the median is reported")
    parser.add_argument("--import-repeats", type=int, default=3, help="runs of the import measurement (median)")
    parser.add_argument("--only", default=",".join(sorted(MEASUREMENTS)),
                        help="comma-separated measurements to run: import, list, get (default: all)")
    args = parser.parse_args(argv)
    only = frozenset(part.strip() for part in args.only.split(",") if part.strip())
    if not only or only - MEASUREMENTS:
        parser.error(f"--only takes some of {', '.join(sorted(MEASUREMENTS))}")
    results = []
    for name, url in database_targets(args.all, args.database_url):
        print(f"== {name}", file=sys.stderr)
        started = time.perf_counter()
        with scratch_database(url) as scratch:
            result = run_one(scratch, args.rows, args.import_rows, args.repeats, args.import_repeats, only)
            results.append((name, result))
        print(f"  {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        print_table(results[-1:], file=sys.stderr)
    print_table(results)
    return 0 if all(f.met for _, figures in results for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
