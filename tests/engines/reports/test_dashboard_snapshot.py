"""A dashboard's widgets read one snapshot: an order written while it runs (after its first widget) is in
none of them, so the widgets' totals agree (PostgreSQL read-only work, which is otherwise one snapshot per
statement; SQLite's unit of work is one transaction already)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.reports import RunOptions, dashboards
from jimu.engines.reports.dashboards import run_dashboard
from jimu.platform.kernel import Kernel

from .data import seed_shop


def test_the_widgets_of_a_dashboard_agree_while_orders_are_written(shop: Kernel,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if shop.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's unit of work is one transaction: nothing is written beside it")
    seed_shop(shop)
    run_report = dashboards.run_report
    with shop.unit_of_work() as ctx:
        orders = ctx.tables["order"]
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def writing_between(*args: Any, **kwargs: Any) -> Any:
        result = run_report(*args, **kwargs)
        with shop.engine.begin() as other:  # another connection commits an order after each widget
            other.execute(sa.insert(orders), {
                "amount": Decimal("1000.00"), "status": "won", "ordered_at": now,
                "_version": 1, "_created_at": now, "_updated_at": now})
        return result

    monkeypatch.setattr(dashboards, "run_report", writing_between)
    with shop.unit_of_work(read_only=True) as ctx:
        out = run_dashboard(ctx, "shop", "home", {}, RunOptions(timezone="Asia/Shanghai"))
    totals = {w["key"]: w["result"]["totals"] for w in out["widgets"]}
    assert totals["monthly"]["orders"] == totals["regions"]["orders"] == totals["kpi"]["orders"]
    assert totals["monthly"]["revenue"] == totals["kpi"]["revenue"]
