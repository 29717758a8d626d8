"""SLA timers through the durable jobs queue: a level opening queues its reminder's job, the reminder queues
the escalation's; a worker on the injected clock runs each when due, once; a dry run queues nothing."""
from __future__ import annotations

import random

import sqlalchemy as sa

from jimu.engines.workflow.approvals.deadlines import TIMER_JOB
from jimu.engines.workflow.approvals.timer_jobs import register_approval_jobs
from jimu.platform.jobs import JobHandlers, Worker, WorkerOptions
from jimu.platform.jobs.tables import jobs

from .conftest import Office
from .test_approval_flows import act, notices, task_of, tasks_of


def _worker(office: Office) -> Worker:
    options = WorkerOptions(builtin_schedules=False, name="approvals-test")
    return Worker(office.kernel, register_approval_jobs(JobHandlers()), options, clock=office.clock,
                  rng=random.Random(1))


def _results(worker: Worker) -> list[list[str]]:
    """What each job run by the worker fired (from the job's stored result)."""
    ids = [a.job_id for a in worker.run_once()]
    with worker.kernel.engine.connect() as conn:
        results = dict(conn.execute(sa.select(jobs.c.id, jobs.c.result).where(jobs.c.id.in_(ids))).all())
    return [list((results[i] or {}).get("fired", [])) for i in ids]


def _timer_jobs(office: Office) -> list[str]:
    with office.kernel.engine.connect() as conn:
        rows = conn.execute(sa.select(jobs.c.state).where(jobs.c.kind == TIMER_JOB).order_by(jobs.c.id))
        return list(rows.scalars())


def test_a_worker_reminds_then_escalates_on_time_and_once(office: Office) -> None:
    worker = _worker(office)
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    assert _timer_jobs(office) == ["queued"]
    office.clock.advance(hours=23)
    assert _results(worker) == []  # not due yet
    office.clock.advance(hours=2)
    assert _results(worker) == [["remind"]]
    assert notices(office, "mona")[0].startswith("Reminder:")
    assert _timer_jobs(office) == ["done", "queued"]  # the reminder queued the escalation's job
    office.clock.advance(days=2)
    assert _results(worker) == [["escalate"]]
    assert tasks_of(office, "mona") == [] and len(tasks_of(office, "dan")) == 1
    office.clock.advance(days=30)
    assert _results(worker) == []
    assert _timer_jobs(office) == ["done", "done"]


def test_a_decided_level_makes_its_timer_job_do_nothing(office: Office) -> None:
    worker = _worker(office)
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    act(office, "mona", "approve", task_of(office, "mona"))
    office.clock.advance(days=5)
    assert _results(worker) == [[]]
    assert _timer_jobs(office) == ["done"]


def test_a_dry_run_queues_no_timer(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit", dry_run=True)
    assert _timer_jobs(office) == []
