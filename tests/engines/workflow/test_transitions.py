"""An expense claim moves through its process: guards, required fields, roles, locks, actions, dry runs."""
from __future__ import annotations

from datetime import date

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.errors import (
    FieldLockedError,
    TransitionBlockedError,
    TransitionNotFoundError,
)
from jimu.platform.kernel import Kernel

from .conftest import expenses_app


def _claim(kernel: Kernel, **values: object) -> int:
    with kernel.unit_of_work() as ctx:
        return int(records.create(ctx, "claim", {"title": "Taxi", **values})["id"])


def test_a_new_claim_starts_in_draft_and_offers_submit(expenses: Kernel) -> None:
    claim = _claim(expenses, amount="12.50")
    with expenses.unit_of_work() as ctx:
        assert records.get(ctx, "claim", claim)["state"] == "draft"
        shown = transitions.available(ctx, "claim", claim)
    assert shown["state"] == "draft"
    assert [(t["key"], t["allowed"]) for t in shown["transitions"]] == [("submit", True)]


def test_submit_is_blocked_by_required_field_and_guard_with_reasons(expenses: Kernel) -> None:
    empty = _claim(expenses)
    negative = _claim(expenses, amount="-1")
    with expenses.unit_of_work() as ctx:
        with pytest.raises(TransitionBlockedError) as missing:
            transitions.run(ctx, "claim", empty, "submit")
        with pytest.raises(TransitionBlockedError) as guarded:
            transitions.run(ctx, "claim", negative, "submit")
    assert [(d.path, d.code) for d in missing.value.details] == [("amount", "workflow.field_required")]
    assert [d.message for d in guarded.value.details] == ["The amount must be positive."]


def test_submitted_claim_is_locked_but_for_editable_fields(expenses: Kernel) -> None:
    claim = _claim(expenses, amount="30")
    with expenses.unit_of_work() as ctx:
        result = transitions.run(ctx, "claim", claim, "submit")
        assert (result["from"], result["to"], result["record"]["state"]) == ("draft", "submitted", "submitted")
        records.update(ctx, "claim", claim, {"note": "receipt attached"})
    with expenses.unit_of_work() as ctx, pytest.raises(FieldLockedError) as locked:
        records.update(ctx, "claim", claim, {"amount": "31"})
    assert [d.path for d in locked.value.details] == ["amount"]
    with expenses.unit_of_work() as ctx, pytest.raises(FieldLockedError):
        records.update(ctx, "claim", claim, {"lines": [{"what": "tip", "cost": "2"}]})
    with expenses.unit_of_work() as ctx, pytest.raises(FieldLockedError):
        records.update(ctx, "claim", claim, {"state": "paid"})
    with expenses.unit_of_work() as ctx, pytest.raises(FieldLockedError):
        records.delete(ctx, "claim", claim)


def test_state_cannot_be_given_at_create(expenses: Kernel) -> None:
    with expenses.unit_of_work() as ctx, pytest.raises(FieldLockedError):
        records.create(ctx, "claim", {"title": "x", "state": "approved"})


def test_actions_run_and_dry_run_reports_the_same_effects_leaving_no_trace(expenses: Kernel) -> None:
    claim = _claim(expenses, amount="30")
    with expenses.unit_of_work() as ctx:
        transitions.run(ctx, "claim", claim, "submit")
        transitions.run(ctx, "claim", claim, "approve")
        before = records.get(ctx, "claim", claim)
        dry = transitions.run(ctx, "claim", claim, "pay", dry_run=True)
        assert records.get(ctx, "claim", claim) == before
        history_before = len(records.history(ctx, "claim", claim))
    with expenses.unit_of_work() as ctx:
        assert len(records.history(ctx, "claim", claim)) == history_before
        real = transitions.run(ctx, "claim", claim, "pay")
    assert dry["effects"] == real["effects"]
    assert real["record"]["paid_on"] == date.today()
    changed = {c["field"]: c["new"] for e in real["effects"] for c in e["changes"]}
    assert changed == {"state": "paid", "paid_on": date.today().isoformat()}


def test_cancel_needs_a_comment_and_unknown_transitions_are_404(expenses: Kernel) -> None:
    claim = _claim(expenses, amount="5")
    with expenses.unit_of_work() as ctx:
        transitions.run(ctx, "claim", claim, "submit")
        with pytest.raises(TransitionBlockedError) as blocked:
            transitions.run(ctx, "claim", claim, "cancel")
        assert [d.path for d in blocked.value.details] == ["comment"]
        with pytest.raises(TransitionNotFoundError):
            transitions.run(ctx, "claim", claim, "explode")
        done = transitions.run(ctx, "claim", claim, "cancel", comment="duplicate")
        assert done["to"] == "cancelled"
        timeline = [h for h in records.history(ctx, "claim", claim) if h["action"] == "transition"]
    assert [h["changes"][0]["transition"] for h in timeline] == ["cancel", "submit"]
    assert timeline[0]["changes"][0]["comment"] == "duplicate"


def test_a_guard_can_aggregate_over_other_records(expenses: Kernel) -> None:
    app = expenses_app()
    app["processes"][0]["transitions"][0]["guards"].append({
        "condition": 'SUM(claim.amount WHERE state = "submitted" AND title = this.title) + amount <= 100',
        "message": {"en": "Over the budget of this title.", "zh-CN": "超出该标题的预算。"}})
    expenses.apply_app(app)
    first, second = _claim(expenses, amount="60"), _claim(expenses, amount="50")
    with expenses.unit_of_work() as ctx:
        transitions.run(ctx, "claim", first, "submit")
        with pytest.raises(TransitionBlockedError) as refused:
            transitions.run(ctx, "claim", second, "submit")
    assert [d.message for d in refused.value.details] == ["Over the budget of this title."]
