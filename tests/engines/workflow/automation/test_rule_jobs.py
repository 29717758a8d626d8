"""Automation through the durable job queue: a real worker on the test clock runs queued rules and, every
minute, the schedule and date rules; a failed run is retried through a new job."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from jimu.engines.forms import records
from jimu.engines.workflow import automation
from jimu.engines.workflow.automation.jobs import PRUNE_KIND
from jimu.platform.jobs import Worker, WorkerOptions, enqueue, job_view, list_jobs
from jimu.platform.kernel import Kernel
from jimu.web.assembly import job_handlers

from .automation_support import Clock, rule


def _worker(kernel: Kernel, clock: Clock) -> Worker:
    return Worker(kernel, job_handlers(), WorkerOptions(builtin_schedules=True), clock=clock)


def test_a_queued_rule_runs_after_commit_from_its_job(make_service: Callable[..., Kernel], clock: Clock) -> None:
    kernel = make_service(automations=[
        rule("count", {"on": "field_changed", "fields": ["priority"]},
             [{"type": "set", "values": {"touches": "touches + 1"}}], mode="queued")])
    with kernel.unit_of_work() as ctx:
        ticket = records.create(ctx, "ticket", {"title": "Wi-Fi"})["id"]
        records.update(ctx, "ticket", ticket, {"priority": "high"})
        assert records.get(ctx, "ticket", ticket)["touches"] == 0  # not in the write's transaction
    attempts = _worker(kernel, clock).run_once()
    assert [a.outcome for a in attempts] == ["done"]
    with kernel.unit_of_work() as ctx:
        assert records.get(ctx, "ticket", ticket)["touches"] == 1
        [run] = automation.list_runs(ctx, rule="count")
        [job] = list_jobs(ctx.conn, kind="workflow.automation.run").data
        shown = job_view(ctx.conn, job["id"])
    assert run["status"] == "ok"
    assert (shown["state"], shown["result"]) == ("done", {"run": run["id"], "status": "ok"})


def test_the_worker_ticks_the_date_rules_and_a_failed_run_is_retried(make_service: Callable[..., Kernel],
                                                                     clock: Clock) -> None:
    kernel = make_service(automations=[
        rule("remind", {"on": "date", "field": "due_date", "offset": "-1d", "at": "09:00",
                        "timezone": "Asia/Shanghai"},
             [{"key": "retitle", "type": "set", "values": {"title": "IF(ISBLANK(note), '', note)"}}])])
    worker = _worker(kernel, clock)
    worker.run_once()  # installs the minute tick
    clock.advance(minutes=1)
    worker.run_once()  # the first tick starts the rule's clock
    with kernel.unit_of_work() as ctx:
        ticket = records.create(ctx, "ticket", {"title": "Desk", "due_date": "2026-03-04"})["id"]
    clock.now = datetime(2026, 3, 3, 1, 0, 30, tzinfo=UTC)  # 3 March 09:00:30 in Shanghai
    worker.run_once()  # the tick queues the occurrence, then its run job runs it: it fails (blank title)
    with kernel.unit_of_work() as ctx:
        [run] = automation.list_runs(ctx, rule="remind")
        assert run["status"] == "failed"
        records.update(ctx, "ticket", ticket, {"note": "Desk 4 wobbles"})
        automation.retry_run(ctx, run["id"])
    worker.run_once()
    with kernel.unit_of_work() as ctx:
        assert records.get(ctx, "ticket", ticket)["title"] == "Desk 4 wobbles"
        done = automation.get_run(ctx, run["id"])
    assert done is not None and (done["status"], done["attempts"]) == ("ok", 2)


def test_the_history_of_runs_that_went_well_is_pruned_after_30_days(service: Kernel, clock: Clock) -> None:
    with service.unit_of_work() as ctx:
        records.create(ctx, "ticket", {"title": "Old", "priority": "urgent"})
    with service.unit_of_work() as ctx:
        enqueue(ctx.conn, PRUNE_KIND, {"keep_days": 30}, now=ctx.now())
    clock.advance(days=29)
    _worker(service, clock).run_once()
    with service.unit_of_work() as ctx:
        assert len(automation.list_runs(ctx)) == 1
        enqueue(ctx.conn, PRUNE_KIND, {"keep_days": 30}, now=clock.advance(days=2))
    _worker(service, clock).run_once()
    with service.unit_of_work() as ctx:
        assert automation.list_runs(ctx) == []
