"""The row cap: a report with as many groups as the cap runs; one with a group more is refused (422), on the
plain grouping, a top-N and a pivot whose subtotals are queried (a distinct count)."""
from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.reports import RunOptions, run_report
from jimu.engines.reports.errors import ReportTooLargeError
from jimu.platform.kernel import Kernel

from .data import seed_shop


def _run(kernel: Kernel, key: str, cap: int) -> dict[str, Any]:
    with kernel.unit_of_work() as ctx:
        return run_report(ctx, "shop", key, {}, RunOptions(timezone="Asia/Shanghai", row_cap=cap))


@pytest.mark.parametrize("key", ["by_month", "top_customers", "status_by_quarter", "by_region"])
def test_the_cap_admits_its_number_of_groups_and_refuses_one_more(shop: Kernel, key: str) -> None:
    seed_shop(shop)
    groups = len(_run(shop, key, 10_000)["rows"])
    assert groups > 1
    assert len(_run(shop, key, groups)["rows"]) == groups
    with pytest.raises(ReportTooLargeError) as raised:
        _run(shop, key, groups - 1)
    assert raised.value.code == "reports.too_many_rows"
