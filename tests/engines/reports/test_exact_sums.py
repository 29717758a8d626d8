"""Sums of money are exact to the cent on both databases: many two-decimal amounts whose float sum drifts."""
from __future__ import annotations

import random
from decimal import Decimal

from jimu.engines.forms.bulk import create_many
from jimu.engines.reports import run_report
from jimu.platform.kernel import Kernel


def test_sums_of_many_cents_equal_the_decimal_sum(shop: Kernel) -> None:
    rng = random.Random(11)
    amounts = [Decimal(rng.choice((10, 20, 30, 70, 1, 3))) / 100 + rng.randint(0, 10**9) for _ in range(5000)]
    amounts = [a.quantize(Decimal("0.01")) for a in amounts]
    with shop.unit_of_work() as ctx:
        create_many(ctx, "order", [{"amount": a, "status": "won"} for a in amounts])
    with shop.unit_of_work() as ctx:
        out = run_report(ctx, "shop", "summary")
    assert out["totals"]["revenue"] == sum(amounts)  # 15+ significant digits: a REAL sum would drift
    assert isinstance(out["totals"]["revenue"], Decimal)
