"""Each report against an independent computation in Python over the same rows (run on SQLite, and on
PostgreSQL with JIMU_TEST_DATABASE_URL): the same numbers, exactly, whichever database runs it."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jimu.engines.forms.listing import count_records
from jimu.engines.forms.query import parse_list_params
from jimu.engines.reports import RunOptions, run_report
from jimu.platform.kernel import Kernel

from .data import seed_shop

ZONE = "Asia/Shanghai"
CENTS = Decimal("0.01")


@pytest.fixture
def orders(shop: Kernel) -> list[dict[str, Any]]:
    return seed_shop(shop)


def _run(kernel: Kernel, key: str, params: dict[str, Any] | None = None, zone: str = ZONE) -> dict[str, Any]:
    with kernel.unit_of_work() as ctx:
        return run_report(ctx, "shop", key, params or {}, RunOptions(timezone=zone))


def _groups(rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict[Any, list[dict[str, Any]]]:
    found: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[key(row)].append(row)
    return found


def _amounts(rows: Iterable[dict[str, Any]]) -> list[Decimal]:
    return [r["amount"] for r in rows if r["amount"] is not None]


def _expected_region(rows: list[dict[str, Any]]) -> dict[str, Any]:
    amounts = _amounts(rows)
    revenue = sum(amounts, Decimal("0.00"))
    mean = (revenue / len(amounts)).quantize(Decimal("0.000001"), ROUND_HALF_UP) if amounts else None
    return {"orders": len(rows), "revenue": revenue,
            "won": sum(_amounts(r for r in rows if r["status"] == "won"), Decimal("0.00")),
            "customers": len({r["customer"] for r in rows}), "average": mean,
            "smallest": min(amounts, default=None), "largest": max(amounts, default=None),
            "ticket": (revenue / len(rows)).quantize(CENTS, ROUND_HALF_UP)}


def test_measures_by_region_match_python(shop: Kernel, orders: list[dict[str, Any]]) -> None:
    result = _run(shop, "by_region")
    expected = {region: _expected_region(rows) for region, rows in _groups(orders, lambda r: r["region"]).items()}
    got = {row["region"]: {k: row[k] for k in expected[row["region"]]} for row in result["rows"]}
    assert got == expected
    total = sum(e["revenue"] for e in expected.values())
    assert result["totals"]["revenue"] == total and result["totals"]["orders"] == len(orders)
    assert result["totals"]["customers"] == len({r["customer"] for r in orders})
    revenues = [row["revenue"] for row in result["rows"]]
    assert revenues == sorted(revenues, reverse=True)
    assert [row["running"] for row in result["rows"]] == [sum(revenues[:n + 1]) for n in range(len(revenues))]
    assert [row["share"] for row in result["rows"]] == [
        (r * 100 / total).quantize(CENTS, ROUND_HALF_UP) for r in revenues]


def _month(moment: Any, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date().replace(day=1)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_month_buckets_are_the_company_zone_months(shop: Kernel, orders: list[dict[str, Any]], zone: str) -> None:
    result = _run(shop, "by_month", zone=zone)
    expected = {(m, s): (len(rows), sum(_amounts(rows), Decimal("0.00"))) for (m, s), rows in
                _groups(orders, lambda r: (_month(r["ordered_at"], zone), r["status"])).items()}
    assert {(r["month"], r["status"]): (r["orders"], r["revenue"]) for r in result["rows"]} == expected
    keys = [(r["month"], r["status"]) for r in result["rows"]]
    assert keys == sorted(keys)


def test_a_date_range_parameter_and_a_select_parameter(shop: Kernel, orders: list[dict[str, Any]]) -> None:
    period = {"from": "2026-02-01", "to": "2026-02-28"}
    result = _run(shop, "by_month", {"period": period, "status": ["won", "lost"]})
    tz = ZoneInfo(ZONE)
    chosen = [r for r in orders if date(2026, 2, 1) <= r["ordered_at"].astimezone(tz).date() <= date(2026, 2, 28)
              and r["status"] in ("won", "lost")]
    assert sum(r["orders"] for r in result["rows"]) == len(chosen) == result["totals"]["orders"]
    assert {r["month"] for r in result["rows"]} == {date(2026, 2, 1)}
    assert result["params"] == {"period": period, "status": ["won", "lost"]}


def test_top_customers_with_others(shop: Kernel, orders: list[dict[str, Any]]) -> None:
    result = _run(shop, "top_customers")
    by_name = {name: sum(_amounts(rows), Decimal("0.00")) for name, rows in _groups(orders, lambda r: r["name"]).items()}
    ranked = sorted(by_name.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[:2]
    assert [(r["customer"], r["revenue"]) for r in result["rows"][:2]] == top
    assert result["others"] == [False, False, True]
    assert result["rows"][2]["revenue"] == sum(v for _, v in ranked[2:])
    assert result["rows"][2]["orders"] == sum(1 for r in orders if r["name"] not in dict(top))


def test_durations_in_hours_and_days(shop: Kernel, orders: list[dict[str, Any]]) -> None:
    result = _run(shop, "repair_time")
    closed = [r for r in orders if r["closed_at"] is not None]
    for size, rows in _groups(closed, lambda r: "big" if (r["amount"] or 0) >= 100 else "small").items():
        seconds = [int((r["closed_at"] - r["ordered_at"]).total_seconds()) for r in rows]
        got = next(row for row in result["rows"] if row["size"] == size)
        mean = (Decimal(sum(seconds)) / len(seconds) / 3600).quantize(CENTS, ROUND_HALF_UP)
        assert got["mean_hours"] == mean
        assert got["total_days"] == (Decimal(sum(seconds)) / 86400).quantize(CENTS, ROUND_HALF_UP)


def test_a_report_without_dimensions_is_one_row_of_totals(shop: Kernel, orders: list[dict[str, Any]]) -> None:
    result = _run(shop, "summary")
    assert result["rows"] == [result["totals"]]
    assert result["totals"] == {"orders": len(orders), "revenue": sum(_amounts(orders), Decimal("0.00"))}


@pytest.mark.parametrize("key", ["by_region", "by_month", "top_customers", "repair_time"])
def test_every_rows_drill_down_lists_as_many_records_as_it_counts(shop: Kernel, orders: list[dict[str, Any]],
                                                                  key: str) -> None:
    result = _run(shop, key, {"period": "last_12_months"} if key == "by_month" else None)
    count_key = "orders" if key != "repair_time" else None
    with shop.unit_of_work() as ctx:
        for row, drill in zip(result["rows"], result["drill"]):
            listed = count_records(ctx, drill["entity"], parse_list_params(
                {k: v for k, v in drill.items() if k != "entity"}))
            if count_key is not None:
                assert listed.value == row[count_key], (row, drill)
            else:
                assert listed.value > 0


def test_presets_follow_the_company_calendar(shop: Kernel) -> None:
    from datetime import UTC, datetime

    from jimu.engines.reports.presets import PRESETS

    today = date(2026, 5, 14)  # a Thursday
    assert PRESETS["this_week"].span(today) == (date(2026, 5, 11), date(2026, 5, 18))
    assert PRESETS["last_quarter"].span(today) == (date(2026, 1, 1), date(2026, 4, 1))
    assert PRESETS["year_to_date"].span(today) == (date(2026, 1, 1), date(2026, 5, 15))
    assert PRESETS["last_12_months"].span(today) == (date(2025, 6, 1), date(2026, 5, 15))
    assert PRESETS["today"].span(today) == (today, today + timedelta(days=1))
    with shop.unit_of_work() as ctx:
        ctx.clock = lambda: datetime(2026, 1, 31, 20, tzinfo=UTC)
        out = run_report(ctx, "shop", "by_month", {"period": "this_month"}, RunOptions(timezone=ZONE))
    assert out["params"]["period"] == {"from": "2026-02-01", "to": "2026-02-28"}


def test_an_empty_source_gives_no_rows_and_zero_totals(shop: Kernel) -> None:
    for key in ("by_region", "status_by_quarter", "top_customers"):
        result = _run(shop, key)
        assert result["rows"] == [] and result["totals"]["orders"] == 0, key
        assert result["totals"]["revenue"] == Decimal("0.00"), key
