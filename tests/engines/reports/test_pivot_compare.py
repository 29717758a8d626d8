"""Pivots with exact subtotals at every level, and comparison with the previous period or the same period a
year earlier (change as a value and a percent), against an independent computation in Python."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jimu.engines.forms.listing import count_records
from jimu.engines.forms.query import parse_list_params
from jimu.engines.reports import RunOptions, run_report
from jimu.engines.reports.presets import compared_range
from jimu.platform.kernel import Kernel

from .data import seed_shop

ZONE = "Asia/Shanghai"
TZ = ZoneInfo(ZONE)


@pytest.fixture
def orders(shop: Kernel) -> list[dict[str, Any]]:
    return seed_shop(shop)


def _run(kernel: Kernel, key: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    with kernel.unit_of_work() as ctx:
        return run_report(ctx, "shop", key, params or {}, RunOptions(timezone=ZONE))


def _quarter(order: dict[str, Any]) -> date:
    local = order["ordered_at"].astimezone(TZ).date()
    return date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)


def _measures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"orders": len(rows), "revenue": sum((r["amount"] for r in rows if r["amount"] is not None), Decimal("0.00")),
            "customers": len({r["customer"] for r in rows})}


def _expected(orders: list[dict[str, Any]], key: Any) -> dict[Any, dict[str, Any]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for order in orders:
        groups[key(order)].append(order)
    return {k: _measures(v) for k, v in groups.items()}


def test_a_pivot_has_exact_subtotals_at_every_level(shop: Kernel, orders: list[dict[str, Any]]) -> None:
    result = _run(shop, "status_by_quarter")
    measures = ("orders", "revenue", "customers")
    cells = {(r["status"], r["quarter"]): {m: r[m] for m in measures} for r in result["rows"]}
    assert cells == _expected(orders, lambda o: (o["status"], _quarter(o)))
    levels: dict[tuple[str, ...], dict[Any, dict[str, Any]]] = defaultdict(dict)
    for subtotal in result["pivot"]["subtotals"]:
        keys = tuple(subtotal["dimensions"])
        levels[keys][tuple(subtotal["values"][k] for k in keys)] = {m: subtotal["values"][m] for m in measures}
    assert set(levels) == {("status",), ("quarter",)}
    assert levels[("status",)] == {(k,): v for k, v in _expected(orders, lambda o: o["status"]).items()}
    assert levels[("quarter",)] == {(k,): v for k, v in _expected(orders, _quarter).items()}
    assert {m: result["totals"][m] for m in measures} == _measures(orders)
    with shop.unit_of_work() as ctx:
        for subtotal in result["pivot"]["subtotals"]:
            drill = subtotal["drill"]
            params = parse_list_params({k: v for k, v in drill.items() if k != "entity"})
            assert count_records(ctx, "order", params).value == subtotal["values"]["orders"]


def _in(order: dict[str, Any], span: tuple[date, date]) -> bool:
    return span[0] <= order["ordered_at"].astimezone(TZ).date() < span[1]


@pytest.mark.parametrize("kind", ["previous_period", "same_period_last_year"])
def test_comparison_with_another_period(shop: Kernel, orders: list[dict[str, Any]], kind: str) -> None:
    key = "regions_vs_previous" if kind == "previous_period" else "regions_vs_last_year"
    result = _run(shop, key, {"period": {"from": "2026-02-01", "to": "2026-02-28"}})
    current = (date(2026, 2, 1), date(2026, 3, 1))
    before = compared_range(current, kind)
    assert before == ((date(2026, 1, 1), date(2026, 2, 1)) if kind == "previous_period"
                      else (date(2025, 2, 1), date(2025, 3, 1)))
    assert result["params"]["compared_with"] == {"from": before[0].isoformat(),
                                                 "to": date.fromordinal(before[1].toordinal() - 1).isoformat()}
    now = _expected([o for o in orders if _in(o, current)], lambda o: o["region"])
    then = _expected([o for o in orders if _in(o, before)], lambda o: o["region"])
    for row in result["rows"]:
        a = now.get(row["region"], {"orders": 0, "revenue": Decimal("0.00")})
        b = then.get(row["region"], {"orders": 0, "revenue": Decimal("0.00")})
        assert (row["orders"], row["orders_previous"]) == (a["orders"], b["orders"])
        assert (row["revenue"], row["revenue_previous"]) == (a["revenue"], b["revenue"])
        assert row["revenue_change"] == a["revenue"] - b["revenue"]
        expected_pct = None if not b["revenue"] else (
            (a["revenue"] - b["revenue"]) * 100 / b["revenue"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert row["revenue_change_pct"] == expected_pct
    keys = {c["key"] for c in result["columns"]}
    assert {"orders_previous", "orders_change", "orders_change_pct", "revenue_change_pct"} <= keys
    with shop.unit_of_work() as ctx:  # the drill-down lists the current period's records
        for row, drill in zip(result["rows"], result["drill"]):
            params = parse_list_params({k: v for k, v in drill.items() if k != "entity"})
            assert count_records(ctx, "order", params).value == row["orders"]


def test_a_comparison_needs_the_period(shop: Kernel) -> None:
    from jimu.platform.errors import ValidationError

    with shop.unit_of_work() as ctx, pytest.raises(ValidationError) as refused:
        run_report(ctx, "shop", "regions_vs_previous", {"period": None})
    assert [d.path for d in refused.value.details] == ["params.period"]
