"""Month buckets at the edges of a month in the company zone (stored UTC), on both databases: the instant
before local midnight stays in its month (a fraction of a second SQLite would round up), the instant of it
starts the next, and an instant outside the zone's fixed-offset span (before 1991 in Asia/Shanghai, which
then kept daylight saving) takes the exact path."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from jimu.engines.forms.bulk import create_many
from jimu.engines.reports import RunOptions, run_report
from jimu.platform.kernel import Kernel

EDGES = [  # (UTC instant, its month in Asia/Shanghai, in UTC)
    (datetime(2026, 1, 31, 15, 59, 59, 999999, tzinfo=UTC), date(2026, 1, 1), date(2026, 1, 1)),
    (datetime(2026, 1, 31, 16, 0, tzinfo=UTC), date(2026, 2, 1), date(2026, 1, 1)),
    (datetime(2026, 1, 31, 20, 0, tzinfo=UTC), date(2026, 2, 1), date(2026, 1, 1)),
    (datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC), date(2026, 3, 1), date(2026, 2, 1)),
    (datetime(1990, 6, 30, 15, 30, tzinfo=UTC), date(1990, 7, 1), date(1990, 6, 1)),  # +9 in summer 1990
    (datetime(1990, 6, 30, 14, 30, tzinfo=UTC), date(1990, 6, 1), date(1990, 6, 1)),
]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_an_order_at_a_month_edge_falls_in_its_local_month(shop: Kernel, zone: str) -> None:
    with shop.unit_of_work() as ctx:
        create_many(ctx, "order", [{"ordered_at": at, "status": "won", "amount": Decimal(n + 1) / 100}
                                   for n, (at, _, _) in enumerate(EDGES)])
    expected: dict[date, Decimal] = {}
    for n, (_, shanghai, utc) in enumerate(EDGES):
        month = shanghai if zone == "Asia/Shanghai" else utc
        expected[month] = expected.get(month, Decimal("0.00")) + Decimal(n + 1) / 100
    with shop.unit_of_work() as ctx:
        out = run_report(ctx, "shop", "by_month", {}, RunOptions(timezone=zone))
    assert {r["month"]: r["revenue"] for r in out["rows"]} == expected
