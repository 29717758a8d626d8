"""The automation rules' job kinds: running a queued rule run, and the minute tick of the time-based rules.

    handlers = builtin_handlers(); register_job_kinds(handlers)    # web/assembly.job_handlers does this

- `workflow.automation.run` {"run": id}: runs the queued history row in the job's transaction (its effects
  and the job's completion commit together). A rule's failure is the run's (kept `failed`, retried by
  hand: a rule failing on its data fails again); an unexpected error (the database gone) fails the job,
  which the queue retries with backoff — the run stays queued until then.
- `workflow.automation.tick`, every minute: queues each due schedule or date occurrence once
  (`queue_due_rules` at the worker's clock), each with its own run job.
- `workflow.automation.prune`, daily: the history of runs that went well (`ok`, `skipped`) is kept 30
  days; failed runs stay until they are retried.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from jimu.platform.context import Context
from jimu.platform.jobs import JobHandlers, JobRun, enqueue

RUN_KIND = "workflow.automation.run"
TICK_KIND = "workflow.automation.tick"
TICK_SCHEDULE = "workflow.automation_tick"
TICK_CRON = "* * * * *"
PRUNE_KIND = "workflow.automation.prune"
PRUNE_SCHEDULE = "workflow.automation_prune"
PRUNE_CRON = "37 4 * * *"
KEEP_DAYS = 30


def enqueue_run_job(ctx: Context, run_id: int, attempt: int) -> int:
    """The job running history row `run_id` (in the caller's transaction): once per attempt."""
    return enqueue(ctx.conn, RUN_KIND, {"run": run_id}, now=ctx.now(), idempotency_key=f"automation:{run_id}:{attempt}")


def run_job(run: JobRun) -> dict[str, Any]:
    from .runner import run_queued

    run_id = int(run.job.payload["run"])
    with run.unit_of_work() as ctx:
        status = run_queued(ctx, run_id)
    return {"run": run_id, "status": status}


def tick_job(run: JobRun) -> dict[str, Any]:
    from .due import queue_due_rules

    with run.unit_of_work() as ctx:
        queued = queue_due_rules(ctx, run.now())
    return {"queued": len(queued)}


def prune_job(run: JobRun) -> dict[str, Any]:
    from . import history

    before = run.now() - timedelta(days=float(run.job.payload.get("keep_days", KEEP_DAYS)))
    with run.unit_of_work() as ctx:
        return {"deleted": history.prune(ctx, before=before)}


def register_job_kinds(handlers: JobHandlers) -> JobHandlers:
    handlers.register(RUN_KIND, run_job)
    handlers.register(TICK_KIND, tick_job)
    handlers.register(PRUNE_KIND, prune_job)
    handlers.register_schedule(TICK_SCHEDULE, TICK_CRON, TICK_KIND)
    handlers.register_schedule(PRUNE_SCHEDULE, PRUNE_CRON, PRUNE_KIND, {"keep_days": KEEP_DAYS})
    return handlers
