"""A file whose rows are all refused (every code already used) against a clean import of the same file.

    .venv/bin/python bench/import_refused.py                  # SQLite, 50,000 rows
    .venv/bin/python bench/import_refused.py --all --rows 20000   # SQLite, then PostgreSQL

The clean import writes every row into an empty table; the same file imported again is refused row
by row (`records.unique`), all-or-nothing and per row. Goal: a refused file costs at most twice a
clean one (the duplicates are found with one query per unique field set and batch, before inserting).
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from typing import Any

from run import database_targets, scratch_database

from jimu.engines.forms.importing import import_records
from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel

APP: dict[str, Any] = {"key": "refused", "version": "1.0.0", "entities": [{
    "key": "customer", "title_field": "code", "fields": [
    {"name": "code", "type": "text", "required": True, "unique": True},
    {"name": "name", "type": "text"},
    {"name": "visits", "type": "integer"},
]}]}
GOAL = 2.0


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(url: str, rows: int) -> list[tuple[str, float, float]]:
    """(name, seconds, ratio to the clean import) of the clean import and the two refused ones."""
    engine = create_engine(url)
    try:
        init_database(engine)
        kernel = Kernel(engine)
        kernel.apply_app(APP)
        data = ("code,name,visits\n" + "".join(f"C{i:07d},Customer {i},{i % 97}\n" for i in range(rows))).encode()

        def run(all_or_nothing: bool, created: int) -> None:
            with kernel.unit_of_work() as ctx:
                report = import_records(ctx, "customer", io.BytesIO(data), fmt="csv", all_or_nothing=all_or_nothing)
            assert report.created == created and report.bad_row_count == rows - created, report.as_dict()

        clean = _timed(lambda: run(True, rows))
        strict = _timed(lambda: run(True, 0))
        partial = _timed(lambda: run(False, 0))
    finally:
        engine.dispose()
    return [("clean import", clean, 1.0), ("all refused, all-or-nothing", strict, strict / clean),
            ("all refused, per row", partial, partial / clean)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--all", action="store_true",
                        help="SQLite and PostgreSQL (JIMU_BENCH_PG_URL or the local server)")
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the file (default 50,000)")
    args = parser.parse_args(argv)
    met = True
    for name, url in database_targets(args.all, args.database_url):
        with scratch_database(url) as scratch:
            for what, seconds, ratio in measure(scratch, args.rows):
                ok = ratio <= GOAL
                met = met and ok
                print(f"{name:<11} {what:<30} {args.rows:>8,} rows {seconds:>8.2f} s {ratio:>6.2f}x clean"
                      f"  (goal <= {GOAL}x: {'yes' if ok else 'NO'})")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
