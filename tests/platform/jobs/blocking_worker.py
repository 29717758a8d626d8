"""A real worker process for the crash test: the installation's handlers plus `test.blocking`, whose first
attempt writes its effect, says so in a file and then blocks inside its unit of work (until killed).

    python blocking_worker.py DATABASE_URL STARTED_FILE [--once] [--lease S] [--clock-offset S]
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from jimu.platform.context import utcnow
from jimu.platform.database import create_engine
from jimu.platform.jobs import JobRun, Worker, WorkerOptions
from jimu.platform.kernel import Kernel
from jimu.web.assembly import job_handlers
from jimu.web.cli.jobs_commands import run_until_signalled

EFFECTS = sa.table("test_job_effect", sa.column("job_id"), sa.column("attempt"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("started", type=Path)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--clock-offset", type=float, default=0.0)
    args = parser.parse_args()
    offset = timedelta(seconds=args.clock_offset)

    def clock() -> datetime:
        return utcnow() + offset

    def blocking(run: JobRun) -> dict[str, int]:
        with run.unit_of_work() as ctx:
            ctx.conn.execute(sa.insert(EFFECTS).values(job_id=run.job.id, attempt=run.job.attempts))
            if run.job.attempts == 1:
                args.started.write_text(str(run.job.id))
                time.sleep(3600)  # killed here, its transaction open
        return {"attempt": run.job.attempts}

    handlers = job_handlers()
    handlers.register("test.blocking", blocking)
    kernel = Kernel(create_engine(args.url), clock=clock)
    worker = Worker(kernel, handlers, WorkerOptions(lease=args.lease, poll=0.1, name="crash-test"), clock=clock)
    if args.once:
        worker.run_once()
    else:
        run_until_signalled(worker)
    kernel.engine.dispose()


if __name__ == "__main__":
    main()
