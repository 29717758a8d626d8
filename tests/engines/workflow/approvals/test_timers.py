"""SLA timers with an injected clock: a day without a decision reminds the manager, three escalate the
task to the director, each once; nothing sleeps."""
from __future__ import annotations

from jimu.engines.forms import records
from jimu.engines.workflow.approvals import timers, views

from .conftest import Office
from .test_approval_flows import act, notices, task_of, tasks_of


def _due(office: Office) -> list[str]:
    with office.kernel.unit_of_work() as ctx:
        return [t.kind for t in timers.due_approval_timers(ctx, office.clock())]


def _fire(office: Office) -> list[str]:
    with office.kernel.unit_of_work() as ctx:
        return [t.kind for t in timers.fire_due_timers(ctx, office.clock())]


def test_remind_after_a_day_then_escalate_to_the_director_after_three(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    office.clock.advance(hours=23)
    assert _due(office) == []
    office.clock.advance(hours=2)
    assert _due(office) == ["remind"]
    assert _fire(office) == ["remind"]
    assert _fire(office) == []  # once per level
    assert task_of(office, "mona")  # a reminder leaves the task where it is
    assert notices(office, "mona")[0] == "Reminder: Purchase request Laptops still waits for your approval " \
        "(Department manager)."
    office.clock.advance(days=2)
    assert _fire(office) == ["escalate"]
    assert tasks_of(office, "mona") == []
    escalated = tasks_of(office, "dan")
    assert notices(office, "dan") == ["Purchase request Laptops waits for your approval (Department manager)."]
    assert [(t["level"], t["origin"]) for t in escalated] == [("lead", "escalation")]
    office.clock.advance(days=10)
    assert _fire(office) == []
    done = act(office, "dan", "approve", escalated[0]["task"])
    assert done["record"]["state"] == "approved"
    with office.kernel.unit_of_work() as ctx:
        events = [e["changes"][0] for e in records.history(ctx, "request", request) if e["action"] == "approval"]
    reminded = next(e for e in events if e["event"] == "reminded")
    escalation = next(e for e in events if e["event"] == "escalated")
    assert reminded["users"] == [office.people["mona"]]
    assert (escalation["users"], escalation["to"]) == ([office.people["mona"]], [office.people["dan"]])


def test_escalation_overdue_at_once_skips_the_reminder_and_a_new_level_restarts_the_clock(office: Office) -> None:
    request = office.create(amount="90000")
    office.run("erin", request, "submit")
    office.clock.advance(days=4)
    assert _fire(office) == ["escalate"]
    act(office, "dan", "approve", task_of(office, "dan"))  # on to finance, which has no timers
    office.clock.advance(days=30)
    assert _due(office) == []
    with office.kernel.unit_of_work(user_id=office.people["fay"]) as ctx:
        assert views.inbox(ctx)["items"][0]["level"] == "finance"


def test_timers_ignore_finished_approvals(office: Office) -> None:
    request = office.create(amount="300")
    started = office.run("erin", request, "submit")
    act(office, "erin", "recall", started["approval"])
    office.clock.advance(days=5)
    assert _due(office) == []


def test_approvals_without_timers_never_crowd_out_due_ones(office: Office) -> None:
    timerless = office.create(amount="300")
    office.run("erin", timerless, "panel")  # the board level has no timers
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    office.clock.advance(days=2)
    with office.kernel.unit_of_work() as ctx:
        assert [t.kind for t in timers.due_approval_timers(ctx, office.clock(), limit=1)] == ["remind"]
