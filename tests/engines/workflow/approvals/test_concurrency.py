"""Decisions racing on one approval: three board members approve an `any` level at the same moment —
the transition runs once, the others find their task closed. Two users starting the same approval at
once: one approval. (SQLite and PostgreSQL: each change of an approval takes its record's row lock.)"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from jimu.engines.workflow import transitions
from jimu.engines.workflow.approvals import decisions
from jimu.platform.errors import JimuError

from .conftest import Office
from .test_approval_flows import task_of, tasks_of


def _race(office: Office, calls: list[tuple[str, Callable[[Any], Any]]]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def one(user: str, call: Callable[[Any], Any]) -> None:
        barrier.wait()
        try:
            with office.kernel.unit_of_work(user_id=office.people[user]) as ctx:
                call(ctx)
            outcomes.append("ok")
        except JimuError as failure:
            outcomes.append(failure.code)

    threads = [threading.Thread(target=one, args=c) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(outcomes)


def test_three_approvals_of_an_any_level_at_once_run_the_transition_once(office: Office) -> None:
    request = office.create(amount="300", approved_note="")
    office.run("erin", request, "quick")
    tasks = {name: task_of(office, name) for name in ("b1", "b2", "b3")}
    outcomes = _race(office, [(name, lambda ctx, t=task: decisions.approve(ctx, t)) for name, task in tasks.items()])
    assert outcomes == ["approval.closed", "approval.closed", "ok"]
    record = office.record(request)
    assert (record["state"], record["approved_note"]) == ("approved", "+")
    assert all(tasks_of(office, name) == [] for name in tasks)


def test_two_starts_at_once_make_one_approval(office: Office) -> None:
    request = office.create(amount="300")
    outcomes = _race(office, [(user, lambda ctx: transitions.run(ctx, "request", request, "submit"))
                              for user in ("erin", "erin")])
    assert outcomes == ["ok", "workflow.blocked"]
    assert len(tasks_of(office, "mona")) == 1
