"""Rules fired by an update see the record before it as `old`: in their condition and their actions,
sync (the values the write saw) and queued (kept with the run, read back after the commit)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jimu.engines.forms import records
from jimu.engines.workflow import automation, transitions
from jimu.platform.jobs import Worker, WorkerOptions
from jimu.platform.kernel import Kernel
from jimu.web.assembly import job_handlers

from .automation_support import Clock, rule


def _ticket(kernel: Kernel, **values: object) -> int:
    with kernel.unit_of_work() as ctx:
        return int(records.create(ctx, "ticket", {"title": "Printer jam", **values})["id"])


def _update(kernel: Kernel, ticket: int, **values: object) -> dict[str, object]:
    with kernel.unit_of_work() as ctx:
        records.update(ctx, "ticket", ticket, values)
        return records.get(ctx, "ticket", ticket)


def test_a_condition_on_the_old_and_new_value_fires_only_on_that_change(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[
        rule("jumped", {"on": "field_changed", "fields": ["priority"]},
             [{"type": "set", "values": {"escalated": "true", "touches": "old.touches + 10",
                                         "note": "old.priority"}}],
             condition="old.priority = 'normal' AND priority = 'urgent'")])
    stepped = _ticket(kernel, priority="normal")
    assert _update(kernel, stepped, priority="high")["escalated"] is False  # normal -> high: not the change
    assert _update(kernel, stepped, priority="urgent")["escalated"] is False  # high -> urgent: neither
    jumped = _ticket(kernel, priority="normal", touches=3)
    after = _update(kernel, jumped, priority="urgent", touches=5)
    assert (after["escalated"], after["touches"], after["note"]) == (True, 13, "normal")  # old.touches was 3
    with kernel.unit_of_work() as ctx:
        statuses = [r["status"] for r in automation.list_runs(ctx, rule="jumped")]
    assert statuses == ["ok", "skipped", "skipped"]


def test_a_state_rule_sees_the_state_it_left_and_a_create_sees_no_old_values(
        make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[
        rule("left", {"on": "state_entered", "states": ["open", "closed"]},
             [{"type": "set", "values": {"note": "IF(ISBLANK(old.state), 'new', old.state)"}}])])
    ticket = _ticket(kernel)
    assert _update(kernel, ticket)["note"] == "new"  # created open: nothing before it
    with kernel.unit_of_work() as ctx:
        transitions.run(ctx, "ticket", ticket, "close")
        assert records.get(ctx, "ticket", ticket)["note"] == "open"


def test_a_queued_rule_reads_the_old_values_of_its_own_write_not_of_later_ones(
        make_service: Callable[..., Kernel], clock: Clock) -> None:
    kernel = make_service(automations=[
        rule("postponed", {"on": "field_changed", "fields": ["due_date"]},
             [{"type": "set", "values": {"touches": "touches + (due_date - old.due_date)"}}],
             condition="due_date > old.due_date", mode="queued")])
    ticket = _ticket(kernel, due_date="2026-03-10")
    _update(kernel, ticket, due_date="2026-03-13")  # postponed by 3 days
    _update(kernel, ticket, note="called")  # a later write: not what the queued run compares with
    [attempt] = Worker(kernel, job_handlers(), WorkerOptions(builtin_schedules=False), clock=clock).run_once()
    assert attempt.outcome == "done"
    with kernel.unit_of_work() as ctx:
        done = records.get(ctx, "ticket", ticket)
        [run] = automation.list_runs(ctx, rule="postponed")
    assert (done["touches"], done["due_date"], run["status"]) == (3, date(2026, 3, 13), "ok")
    assert run["event"]["old"]["due_date"] == "2026-03-10"  # type: ignore[index]
