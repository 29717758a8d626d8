"""Durable jobs: enqueued in the transaction of the change that causes them, run by workers.

    job_id = enqueue(ctx.conn, "workflow.timer", {"instance": 7}, now=ctx.now(), run_at=deadline,
                     idempotency_key=f"timer:7:{step}")        # runs only if ctx's transaction commits
    schedule(conn, "sales.daily_digest", "0 9 * * 1-5", "reports.digest", {}, now=now,
             timezone="Asia/Shanghai")                          # 09:00 Shanghai time, Monday to Friday

    handlers = builtin_handlers()
    handlers.register("workflow.timer", fire_timer)            # fire_timer(run: JobRun) -> dict | None
    Worker(kernel, handlers, WorkerOptions(concurrency=2)).run(stop_event)

A handler's database effects go in `run.unit_of_work()`, whose transaction also marks the job done.
States: queued → running → done, or failed (waiting to retry, with backoff) → ... → dead after
`max_attempts` (or at once when its handler raises GiveUp); a dead or failed job is queued again by
`retry`. See docs/jobs.md.
"""
from __future__ import annotations

from jimu.platform.jobs.backoff import Backoff
from jimu.platform.jobs.builtin import BUILTIN_SCHEDULES, builtin_handlers, install_builtin_schedules
from jimu.platform.jobs.claims import Claim, claim
from jimu.platform.jobs.errors import GiveUp, JobNotFound, JobNotRetryable, LeaseLost, ScheduleInvalid
from jimu.platform.jobs.handlers import JobHandler, JobHandlers
from jimu.platform.jobs.queue import Job, enqueue, retry
from jimu.platform.jobs.run import Attempt, JobRun
from jimu.platform.jobs.schedules import Cron, enqueue_due, schedule, unschedule
from jimu.platform.jobs.tables import DEAD, DONE, FAILED, QUEUED, RUNNING, STATES
from jimu.platform.jobs.views import counts_by_state, job_view, list_jobs
from jimu.platform.jobs.worker import BackgroundWorker, Worker, WorkerOptions

__all__ = ["BUILTIN_SCHEDULES", "DEAD", "DONE", "FAILED", "QUEUED", "RUNNING", "STATES", "Attempt", "Backoff",
           "BackgroundWorker", "Claim", "Cron", "GiveUp", "Job", "JobHandler", "JobHandlers", "JobNotFound",
           "JobNotRetryable", "JobRun", "LeaseLost", "ScheduleInvalid", "Worker", "WorkerOptions", "builtin_handlers",
           "claim", "counts_by_state", "enqueue", "enqueue_due", "install_builtin_schedules", "job_view", "list_jobs",
           "retry", "schedule", "unschedule"]
