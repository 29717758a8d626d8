"""Sums of money are exact to the cent on both databases: many two-decimal amounts whose float sum drifts."""
from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.forms.bulk import create_many
from jimu.engines.reports import run_report, runner
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


def test_a_sum_past_64_bits_of_cents_is_still_exact(shop: Kernel, monkeypatch: pytest.MonkeyPatch) -> None:
    # ~10**14 cents each, 10**19 in all: SQLite's one-part integer SUM overflows and the report runs split
    splits: list[bool] = []
    compile_report = runner.compile_report

    def spied(*args: Any, split_sums: bool = False) -> Any:
        splits.append(split_sums)
        return compile_report(*args, split_sums=split_sums)

    monkeypatch.setattr(runner, "compile_report", spied)
    amounts = [Decimal("999999999999.99") - n for n in range(100_000)]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with shop.unit_of_work() as ctx:
        ctx.conn.execute(sa.insert(ctx.tables["order"]), [
            {"amount": a, "status": "won", "_version": 1, "_created_at": now, "_updated_at": now} for a in amounts])
    with shop.unit_of_work() as ctx:
        out = run_report(ctx, "shop", "summary")
    assert out["totals"]["revenue"] == sum(amounts)
    assert out["totals"]["orders"] == len(amounts)
    assert splits == ([False, True] if shop.engine.dialect.name == "sqlite" else [False])
