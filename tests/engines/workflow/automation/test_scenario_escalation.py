"""A service desk story: a ticket due on Tuesday 10 March escalates on Saturday 7 March at 09:00 Shanghai time,
once, and a ticket closed before then does not."""
from __future__ import annotations

from datetime import UTC, datetime

from jimu.engines.forms import records
from jimu.engines.workflow import automation, transitions
from jimu.platform.kernel import Kernel

from .automation_support import Clock


def _tick(kernel: Kernel, clock: Clock) -> list[str | None]:
    """What a worker does every minute: queue the due occurrences, then run what was queued."""
    with kernel.unit_of_work() as ctx:
        queued = automation.queue_due_rules(ctx, clock.now)
    outcomes = []
    for run_id in queued:
        with kernel.unit_of_work() as ctx:
            outcomes.append(automation.run_queued(ctx, run_id))
    return outcomes


def test_a_ticket_escalates_three_days_before_its_due_date(service: Kernel, clock: Clock) -> None:
    assert _tick(service, clock) == []  # Monday 2 March, 09:00 in Shanghai: the desk opens
    with service.unit_of_work() as ctx:
        printer = records.create(ctx, "ticket", {"title": "Printer on floor 3", "due_date": "2026-03-10"})["id"]
        badge = records.create(ctx, "ticket", {"title": "New badge", "due_date": "2026-03-10"})["id"]
    clock.advance(days=1)
    assert _tick(service, clock) == []
    with service.unit_of_work() as ctx:
        transitions.run(ctx, "ticket", badge, "close")  # the badge is handed over on Tuesday

    clock.now = datetime(2026, 3, 7, 0, 59, tzinfo=UTC)  # Saturday 08:59 in Shanghai
    assert _tick(service, clock) == []
    clock.advance(minutes=1)  # 09:00
    assert _tick(service, clock) == ["ok"]
    clock.advance(minutes=1)
    assert _tick(service, clock) == []  # once

    with service.unit_of_work() as ctx:
        escalated = records.get(ctx, "ticket", printer)
        closed = records.get(ctx, "ticket", badge)
        [run] = automation.list_runs(ctx, rule="escalate_before_due")
    assert (escalated["priority"], escalated["escalated"]) == ("urgent", True)
    assert (closed["priority"], closed["escalated"]) == ("normal", False)
    assert (run["record_id"], run["trigger"], run["status"]) == (printer, "date", "ok")
    assert run["event"] == {"occurrence": "2026-03-07T01:00:00+00:00"}
    # the escalation changed the priority, which another rule counts: it ran inside the escalation's run
    assert escalated["touches"] == 1
    assert [s["key"] for s in run["steps"]] == ["raise"]
