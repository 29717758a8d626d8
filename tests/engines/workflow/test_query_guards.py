"""A guard that reads other records: nobody may have more than two claims waiting for approval.

Bob submits two claims; his third is blocked by a guard counting his submitted claims (the claim
being submitted is still a draft, so it does not count itself). Once one of the two is approved he
may submit again. An action can write such an aggregate into a field too.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.errors import TransitionBlockedError
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_user

from .conftest import expenses_app

WAITING = "COUNT(claim WHERE owner = this.owner AND state = 'submitted')"


@pytest.fixture
def limited(kernel: Kernel) -> Kernel:
    app = expenses_app()
    flow = app["processes"][0]
    submit = next(t for t in flow["transitions"] if t["key"] == "submit")
    submit["guards"].append({"key": "two_waiting", "condition": f"{WAITING} < 2",
                             "message": {"en": "Two claims are already waiting.", "zh-CN": "已有两张报销单在等待。"}})
    pay = next(t for t in flow["transitions"] if t["key"] == "pay")
    pay["actions"][0]["values"]["note"] = (
        f"'waiting ' & {WAITING} & ' of ' & SUM(claim.amount WHERE owner = this.owner)")
    kernel.apply_app(app)
    return kernel


def _claim(kernel: Kernel, owner: int, amount: str) -> int:
    with kernel.unit_of_work() as ctx:
        return int(records.create(ctx, "claim", {"title": "Taxi", "amount": amount, "owner": owner})["id"])


def test_a_third_waiting_claim_is_blocked(limited: Kernel) -> None:
    with limited.unit_of_work() as ctx:
        bob, ann = create_user(ctx.conn, "bob"), create_user(ctx.conn, "ann")
    first, second, third = (_claim(limited, bob, amount) for amount in ("10", "20", "30"))
    other = _claim(limited, ann, "5")
    with limited.unit_of_work() as ctx:
        transitions.run(ctx, "claim", first, "submit")
        transitions.run(ctx, "claim", second, "submit")
        transitions.run(ctx, "claim", other, "submit")  # ann's count is her own
    with limited.unit_of_work() as ctx, pytest.raises(TransitionBlockedError) as blocked:
        transitions.run(ctx, "claim", third, "submit")
    assert [d.message for d in blocked.value.details] == ["Two claims are already waiting."]
    with limited.unit_of_work() as ctx:
        transitions.run(ctx, "claim", first, "approve")
        transitions.run(ctx, "claim", third, "submit")  # one waiting again
        paid = transitions.run(ctx, "claim", first, "pay")["record"]
    assert paid["note"] == "waiting 2 of 60"  # the second and third claims; 10 + 20 + 30
    assert paid["amount"] == Decimal("10.00")
