"""Schedule and date rules on an injectable clock: what is due, once per rule + record + occurrence."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from jimu.engines.forms import records
from jimu.engines.workflow import automation
from jimu.platform.kernel import Kernel

from .automation_support import Clock, rule, service_app


def _ticket(kernel: Kernel, **values: object) -> int:
    with kernel.unit_of_work() as ctx:
        return int(records.create(ctx, "ticket", {"title": "Router down", **values})["id"])


def _due(kernel: Kernel, now: datetime) -> list[tuple[str, int, datetime]]:
    with kernel.unit_of_work() as ctx:
        return [(o.rule.key, o.record_id, o.moment) for o in automation.due_rules(ctx, now)]


def _queue(kernel: Kernel, now: datetime) -> list[int]:
    with kernel.unit_of_work() as ctx:
        return automation.queue_due_rules(ctx, now)


def _run_all(kernel: Kernel, run_ids: list[int]) -> list[str | None]:
    with kernel.unit_of_work() as ctx:
        return [automation.run_queued(ctx, run_id) for run_id in run_ids]


def test_a_date_rule_is_due_at_its_time_before_the_field_once(service: Kernel, clock: Clock) -> None:
    assert _queue(service, clock.now) == []  # the first check starts the rule's clock
    ticket = _ticket(service, due_date="2026-03-10")
    later = _ticket(service, due_date="2026-03-11")
    # 3 days before 10 March at 09:00 Shanghai time is 7 March 01:00 UTC
    moment = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    assert _due(service, datetime(2026, 3, 7, 0, 59, tzinfo=UTC)) == []
    assert _due(service, moment) == [("escalate_before_due", ticket, moment)]
    queued = _queue(service, clock.advance(days=5))
    assert _due(service, clock.now) == []  # the clock moved past it
    assert _queue(service, clock.now) == []
    assert _run_all(service, queued) == ["ok"]
    assert _run_all(service, queued) == [None]  # a job run twice does it once
    with service.unit_of_work() as ctx:
        first, second = records.get(ctx, "ticket", ticket), records.get(ctx, "ticket", later)
    assert (first["priority"], first["escalated"]) == ("urgent", True)
    assert second["escalated"] is False


def test_the_same_occurrence_is_queued_once_even_when_the_window_is_computed_again(service: Kernel,
                                                                                    clock: Clock) -> None:
    _queue(service, clock.now)
    ticket = _ticket(service, due_date="2026-03-06")
    with service.unit_of_work() as ctx:
        first = automation.queue_due_rules(ctx, clock.advance(days=2))
        # a second worker computing from the same clock, in the same window
        automation.due_rules(ctx, clock.now)
    with service.unit_of_work() as ctx:
        from jimu.engines.workflow.automation.tables import rule_clocks
        ctx.conn.execute(rule_clocks.update().values(checked_until=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)))
        again = automation.queue_due_rules(ctx, clock.now)
    assert len(first) == 1 and again == []
    with service.unit_of_work() as ctx:
        assert [r["record_id"] for r in automation.list_runs(ctx, rule="escalate_before_due")] == [ticket]


def test_the_condition_filters_date_occurrences(service: Kernel, clock: Clock) -> None:
    _queue(service, clock.now)
    _ticket(service, due_date="2026-03-06", escalated=True)
    assert _due(service, clock.advance(days=2)) == []


def test_a_date_time_field_fires_at_the_instant_moved_by_the_offset(make_service: Callable[..., Kernel],
                                                                    clock: Clock) -> None:
    kernel = make_service(automations=[
        rule("remind", {"on": "date", "field": "follow_up_at", "offset": "-2h"},
             [{"type": "set", "values": {"touches": "touches + 1"}}])])
    _queue(kernel, clock.now)
    ticket = _ticket(kernel, follow_up_at="2026-03-02T05:30:00+00:00")
    assert _due(kernel, datetime(2026, 3, 2, 3, 29, tzinfo=UTC)) == []
    assert _due(kernel, datetime(2026, 3, 2, 3, 30, tzinfo=UTC)) == [
        ("remind", ticket, datetime(2026, 3, 2, 3, 30, tzinfo=UTC))]


def test_a_schedule_rule_runs_over_the_matching_records_at_its_latest_occurrence(
        make_service: Callable[..., Kernel], clock: Clock) -> None:
    kernel = make_service(automations=[
        rule("daily_touch", {"on": "schedule", "cron": "0 9 * * *", "timezone": "Asia/Shanghai"},
             [{"type": "set", "values": {"touches": "touches + 1"}}], condition="state = 'open'")])
    _queue(kernel, clock.now)  # Monday 09:00 Shanghai: the clock starts here
    open_one = _ticket(kernel)
    closed = _ticket(kernel)
    with kernel.unit_of_work() as ctx:
        from jimu.engines.workflow import transitions
        transitions.run(ctx, "ticket", closed, "close")
    assert _due(kernel, clock.advance(hours=23, minutes=59)) == []
    # three days pass with no worker: the missed occurrences coalesce into the latest
    queued = _queue(kernel, clock.advance(days=3))
    assert len(queued) == 1
    assert _run_all(kernel, queued) == ["ok"]
    with kernel.unit_of_work() as ctx:
        assert records.get(ctx, "ticket", open_one)["touches"] == 1
        run = automation.get_run(ctx, queued[0])
    assert run is not None and run["event"] == {"occurrence": "2026-03-05T01:00:00+00:00"}
    assert run["trigger"] == "schedule" and run["mode"] == "queued"


def test_changing_a_rules_trigger_restarts_its_clock(make_service: Callable[..., Kernel], clock: Clock) -> None:
    kernel = make_service()
    _queue(kernel, clock.now)
    _ticket(kernel, due_date="2026-03-08")
    changed = service_app()  # the same app, its date rule now one day before
    changed["automations"][3]["trigger"]["offset"] = "-1d"
    kernel.apply_app(changed)
    assert _due(kernel, clock.advance(days=3)) == []  # not looked at since the change
    _queue(kernel, clock.now)
    assert [key for key, _, _ in _due(kernel, clock.advance(days=2))] == ["escalate_before_due"]


def test_dates_between_holds_for_each_day_in_a_long_window() -> None:
    from jimu.engines.workflow.automation.timing import DateTiming, Offset, time_of_day

    timing = DateTiming(Offset.parse("-3d"), time_of_day("09:00"), "Asia/Shanghai")
    low, high = timing.dates_between(datetime(2026, 3, 7, 1, 0, tzinfo=UTC), datetime(2026, 3, 9, 1, 0, tzinfo=UTC))
    assert (low, high) == (date(2026, 3, 11), date(2026, 3, 12))
