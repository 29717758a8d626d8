"""Jobs per second through two `jimu worker`-like processes, each job a trivial transactional handler.

    .venv/bin/python bench/jobs_bench.py                 # a temporary SQLite file
    .venv/bin/python bench/jobs_bench.py --all           # SQLite, then PostgreSQL (JIMU_BENCH_PG_URL)
    .venv/bin/python bench/jobs_bench.py --jobs 5000 --workers 2 --concurrency 2

The jobs are enqueued first; the worker processes start, say they are ready, and are told to go at
once; the clock runs from "go" until both found nothing left. Each job is a claim (one transaction),
the handler's unit of work (one INSERT, the job marked done with it) — what every real job costs.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import sqlalchemy as sa
from run import DEFAULT_PG_URL, scratch_database

from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.jobs import DONE, JobHandlers, JobRun, Worker, WorkerOptions, enqueue
from jimu.platform.jobs.tables import jobs
from jimu.platform.kernel import Kernel

KIND = "bench.touch"
effects = sa.Table("bench_job_effect", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                   sa.Column("job_id", sa.Integer, nullable=False))


def touch(run: JobRun) -> None:
    with run.unit_of_work() as ctx:
        ctx.conn.execute(sa.insert(effects).values(job_id=run.job.id))


def prepare(url: str, count: int) -> None:
    engine = create_engine(url)
    try:
        init_database(engine)
        effects.metadata.create_all(engine)
        with engine.begin() as conn:
            now = Kernel(engine).clock()
            for _ in range(count):
                enqueue(conn, KIND, {}, now=now)
        with engine.begin() as conn:  # what autovacuum does soon on a real table: the claim plan uses the index
            conn.exec_driver_sql("ANALYZE jimu_job" if conn.dialect.name == "postgresql" else "ANALYZE")
    finally:
        engine.dispose()


def worker_process(url: str, concurrency: int, batch: int) -> int:
    """One worker: ready on stdout, waits for a line on stdin, runs until nothing is due, prints its count."""
    handlers = JobHandlers()
    handlers.register(KIND, touch)
    kernel = Kernel(create_engine(url))
    worker = Worker(kernel, handlers, WorkerOptions(concurrency=concurrency, batch=batch, builtin_schedules=False))
    print("ready", flush=True)
    sys.stdin.readline()
    if concurrency == 1:
        ran = len(worker.run_once())
    else:
        import concurrent.futures

        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            ran = sum(pool.map(lambda _: len(worker.run_once()), range(concurrency)))
    print(ran, flush=True)
    kernel.engine.dispose()
    return 0


def measure(url: str, count: int, workers: int, concurrency: int, batch: int) -> tuple[float, list[int]]:
    prepare(url, count)
    command = [sys.executable, __file__, "--worker", url, "--concurrency", str(concurrency), "--batch", str(batch)]
    processes = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                 for _ in range(workers)]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    counts = [int(process.communicate(timeout=600)[0].strip()) for process in processes]
    elapsed = time.perf_counter() - started
    engine = create_engine(url)
    with engine.connect() as conn:
        done = conn.execute(sa.select(sa.func.count()).select_from(jobs).where(jobs.c.state == DONE)).scalar_one()
        touched = conn.execute(sa.select(sa.func.count(sa.distinct(effects.c.job_id)))).scalar_one()
        rows = conn.execute(sa.select(sa.func.count()).select_from(effects)).scalar_one()
    engine.dispose()
    if not done == touched == rows == count == sum(counts):
        raise SystemExit(f"lost or repeated work: {count} jobs, {done} done, {rows} effects, ran {counts}")
    return elapsed, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--all", action="store_true", help="SQLite, then PostgreSQL (JIMU_BENCH_PG_URL)")
    parser.add_argument("--jobs", type=int, default=3000, help="jobs enqueued (default 3,000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--concurrency", type=int, default=1, help="threads per worker (default 1)")
    parser.add_argument("--batch", type=int, default=1, help="jobs claimed at once (default 1)")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_process(args.worker, args.concurrency, args.batch)
    urls = [args.database_url] if not args.all else [None, os.environ.get("JIMU_BENCH_PG_URL", DEFAULT_PG_URL)]
    print(f"{'database':<12}{'jobs':>8}{'workers':>9}{'threads':>9}{'batch':>7}{'seconds':>10}{'jobs/s':>10}"
          "  per worker")
    for url in urls:
        with scratch_database(url) as scratch:
            elapsed, counts = measure(scratch, args.jobs, args.workers, args.concurrency, args.batch)
        name = "sqlite" if scratch.startswith("sqlite") else "postgresql"
        print(f"{name:<12}{args.jobs:>8,}{args.workers:>9}{args.concurrency:>9}{args.batch:>7}{elapsed:>10.2f}"
              f"{args.jobs / elapsed:>10,.0f}  {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
