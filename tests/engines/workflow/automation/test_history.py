"""Queued rules: the run is noted in the write's transaction, runs after it, keeps a failure and is retried."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow import automation
from jimu.engines.workflow.automation.errors import RuleRunNotFoundError, RuleRunNotRetryableError
from jimu.platform.kernel import Kernel

from .automation_support import rule

# Copies the note into the title: a blank note makes a blank title, which the entity refuses.
COPY_NOTE = rule("copy_note", {"on": "field_changed", "fields": ["priority"]},
                 [{"key": "count", "type": "set", "values": {"touches": "touches + 1"}},
                  {"key": "retitle", "type": "set", "values": {"title": "IF(ISBLANK(note), '', note)"}}],
                 mode="queued")


def _ticket(kernel: Kernel, **values: object) -> int:
    with kernel.unit_of_work() as ctx:
        return int(records.create(ctx, "ticket", {"title": "VPN", **values})["id"])


def test_a_queued_rule_is_noted_with_the_write_and_rolled_back_with_it(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[COPY_NOTE])
    ticket = _ticket(kernel)
    with pytest.raises(RuntimeError), kernel.unit_of_work() as ctx:
        records.update(ctx, "ticket", ticket, {"priority": "high"})
        assert [r["status"] for r in automation.list_runs(ctx)] == ["queued"]
        raise RuntimeError("the write fails after the rule was queued")
    with kernel.unit_of_work() as ctx:
        assert automation.list_runs(ctx) == []


def test_a_failing_step_is_kept_with_the_steps_before_it_and_can_be_retried(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[COPY_NOTE])
    ticket = _ticket(kernel)
    with kernel.unit_of_work() as ctx:
        records.update(ctx, "ticket", ticket, {"priority": "high"})
        [queued] = automation.list_runs(ctx, status="queued")
    with kernel.unit_of_work() as ctx:
        assert automation.run_queued(ctx, queued["id"]) == "failed"
    with kernel.unit_of_work() as ctx:
        failed = automation.get_run(ctx, queued["id"])
        assert records.get(ctx, "ticket", ticket)["touches"] == 0  # the first step rolled back with the second
        assert records.get(ctx, "ticket", ticket)["title"] == "VPN"
    assert failed is not None and failed["status"] == "failed" and failed["attempts"] == 1
    assert [(s["path"], s["status"]) for s in failed["steps"]] == [("actions/0", "ok"), ("actions/1", "failed")]
    assert failed["error"]["code"] == "workflow.action_failed"
    assert failed["error"]["params"]["action"] == "retitle"
    with kernel.unit_of_work() as ctx:
        assert [r["id"] for r in automation.list_runs(ctx, rule="copy_note", status="failed")] == [queued["id"]]
        records.update(ctx, "ticket", ticket, {"note": "VPN drops every hour"})
        assert automation.retry_run(ctx, queued["id"])["status"] == "queued"
    with kernel.unit_of_work() as ctx:
        assert automation.run_queued(ctx, queued["id"]) == "ok"
    with kernel.unit_of_work() as ctx:
        done = automation.get_run(ctx, queued["id"])
        assert records.get(ctx, "ticket", ticket)["title"] == "VPN drops every hour"
        assert records.get(ctx, "ticket", ticket)["touches"] == 1
    assert done is not None and (done["status"], done["attempts"], done["error"]) == ("ok", 2, None)


def test_only_a_failed_run_can_be_retried(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service()
    _ticket(kernel, priority="urgent")
    with kernel.unit_of_work() as ctx:
        [done] = automation.list_runs(ctx, rule="urgent_on_create")
        with pytest.raises(RuleRunNotRetryableError) as refused:
            automation.retry_run(ctx, done["id"])
        with pytest.raises(RuleRunNotFoundError):
            automation.retry_run(ctx, 999)
    assert refused.value.params == {"id": done["id"], "status": "ok"}


def test_a_queued_run_of_a_rule_no_longer_defined_is_skipped(make_service: Callable[..., Kernel]) -> None:
    kernel = make_service(automations=[COPY_NOTE])
    ticket = _ticket(kernel)
    with kernel.unit_of_work() as ctx:
        records.update(ctx, "ticket", ticket, {"priority": "high"})
        [queued] = automation.list_runs(ctx)
    kernel.apply_app({**kernel_app(), "automations": []})
    with kernel.unit_of_work() as ctx:
        assert automation.run_queued(ctx, queued["id"]) == "skipped"
        run = automation.get_run(ctx, queued["id"])
    assert run is not None and run["error"]["code"] == "automation.rule_gone"


def kernel_app() -> dict[str, object]:
    from .automation_support import service_app

    return service_app()
