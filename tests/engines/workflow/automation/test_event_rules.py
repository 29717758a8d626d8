"""Event rules: create, update, field changed, state entered, delete; conditions; history; depth limit."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow import automation, transitions
from jimu.engines.workflow.automation.errors import AutomationFailedError
from jimu.engines.workflow.errors import WorkflowLimitError
from jimu.platform.kernel import Kernel

from .automation_support import rule


def _ticket(kernel: Kernel, **values: object) -> int:
    with kernel.unit_of_work() as ctx:
        return int(records.create(ctx, "ticket", {"title": "Printer jam", **values})["id"])


def _get(kernel: Kernel, ticket: int) -> dict[str, object]:
    with kernel.unit_of_work() as ctx:
        return records.get(ctx, "ticket", ticket)


def _runs(kernel: Kernel, **filters: object) -> list[dict[str, object]]:
    with kernel.unit_of_work() as ctx:
        return automation.list_runs(ctx, **filters)  # type: ignore[arg-type]


def test_a_create_rule_runs_when_its_condition_holds_and_is_skipped_otherwise(service: Kernel) -> None:
    urgent = _ticket(service, priority="urgent")
    normal = _ticket(service)
    assert _get(service, urgent)["escalated"] is True
    assert _get(service, normal)["escalated"] is False
    runs = _runs(service, rule="urgent_on_create")
    assert [(r["record_id"], r["status"], r["trigger"]) for r in runs] == [(normal, "skipped", "create"),
                                                                          (urgent, "ok", "create")]
    step = runs[1]["steps"][0]  # type: ignore[index]
    assert (step["path"], step["type"], step["status"]) == ("actions/0", "set", "ok")
    assert step["input"] == {"values": {"escalated": "true"}}
    assert step["output"][0]["changes"] == [{"field": "escalated", "old": False, "new": True}]


def test_a_field_changed_rule_runs_only_when_a_watched_field_changes(service: Kernel) -> None:
    ticket = _ticket(service)
    with service.unit_of_work() as ctx:
        records.update(ctx, "ticket", ticket, {"note": "called back"})
        assert records.get(ctx, "ticket", ticket)["touches"] == 0
        records.update(ctx, "ticket", ticket, {"priority": "high"})
        records.update(ctx, "ticket", ticket, {"priority": "urgent"})
    assert _get(service, ticket)["touches"] == 2
    runs = _runs(service, rule="count_priority_changes", status="ok")
    assert [r["event"] for r in runs] == [{"fields": ["priority"]}] * 2


def test_a_state_entered_rule_runs_inside_the_transition_and_shows_in_its_dry_run(service: Kernel) -> None:
    ticket = _ticket(service, priority="high")
    with service.unit_of_work() as ctx:
        dry = transitions.run(ctx, "ticket", ticket, "close", dry_run=True)
    assert dry["record"]["note"] == "closed as high"
    assert {"kind": "automation.ran", "rule": "note_on_close", "entity": "ticket", "id": ticket,
            "status": "ok"} in dry["effects"]
    assert _get(service, ticket)["note"] is None and _runs(service, rule="note_on_close") == []
    with service.unit_of_work() as ctx:
        transitions.run(ctx, "ticket", ticket, "close")
    assert _get(service, ticket)["note"] == "closed as high"
    assert [r["event"] for r in _runs(service, rule="note_on_close")] == [{"from": "open", "state": "closed"}]


def test_update_and_delete_rules(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[
        rule("mark_update", {"on": "update"}, [{"type": "set", "values": {"note": "'seen'"}}],
             condition="note != 'seen' or ISBLANK(note)"),
        rule("on_delete", {"on": "delete"}, [{"type": "let", "vars": {"was": "title"}}],
             vars={"was": {"type": "text"}}),
    ])
    ticket = _ticket(kernel)
    with kernel.unit_of_work() as ctx:
        records.update(ctx, "ticket", ticket, {"priority": "high"})
    assert _get(kernel, ticket)["note"] == "seen"
    # its own write triggered it once more, inside its run (so that run ends first); the condition stopped it
    assert [r["status"] for r in _runs(kernel, rule="mark_update")] == ["ok", "skipped"]
    with kernel.unit_of_work() as ctx:
        records.delete(ctx, "ticket", ticket)
    assert [(r["status"], r["record_id"]) for r in _runs(kernel, rule="on_delete")] == [("ok", ticket)]


def test_a_rule_that_keeps_triggering_itself_is_stopped_at_the_depth_limit(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[
        rule("forever", {"on": "field_changed", "fields": ["touches"]},
             [{"type": "set", "values": {"touches": "touches + 1"}}])])
    ticket = _ticket(kernel)
    with kernel.unit_of_work() as ctx, pytest.raises(WorkflowLimitError) as stopped:
        records.update(ctx, "ticket", ticket, {"touches": 1})
    assert stopped.value.code == "workflow.depth_exceeded"
    assert "16" in stopped.value.message
    assert _get(kernel, ticket)["touches"] == 0  # the write failed whole
    assert _runs(kernel, rule="forever") == []


def test_a_failing_sync_rule_fails_the_write_and_names_the_rule_and_action(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[
        rule("blank_title", {"on": "field_changed", "fields": ["priority"]},
             [{"key": "wipe", "type": "set", "values": {"title": "''"}}])])
    ticket = _ticket(kernel)
    with kernel.unit_of_work(locale="zh-CN") as ctx, pytest.raises(AutomationFailedError) as failed:
        records.update(ctx, "ticket", ticket, {"priority": "high"})
    assert failed.value.code == "automation.rule_failed"
    assert failed.value.params["rule"] == "blank_title"
    assert failed.value.message.startswith("规则“blank_title”执行失败")
    assert failed.value.details[0].path == "actions/0"
    assert _get(kernel, ticket)["priority"] == "normal"


def test_a_disabled_rule_does_not_run(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[
        rule("off", {"on": "create"}, [{"type": "set", "values": {"touches": "5"}}], enabled=False)])
    assert _get(kernel, _ticket(kernel))["touches"] == 0
