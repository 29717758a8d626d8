"""Fixtures of the report tests: a kernel with the report engine and a small shop (customers in regions,
orders with an amount, a status, an order time and a close time)."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines import reports
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel

REPORTS: list[dict[str, Any]] = [
    {"key": "by_region", "source": "order", "label": {"en": "Revenue by region", "zh-CN": "各区域收入"},
     "dimensions": [{"key": "region", "field": "customer.region"}],
     "measures": [{"key": "orders", "aggregate": "count"},
                  {"key": "revenue", "aggregate": "sum", "field": "amount"},
                  {"key": "won", "aggregate": "sum", "field": "amount", "where": "status = 'won'"},
                  {"key": "customers", "aggregate": "count_distinct", "field": "customer"},
                  {"key": "average", "aggregate": "avg", "field": "amount"},
                  {"key": "smallest", "aggregate": "min", "field": "amount"},
                  {"key": "largest", "aggregate": "max", "field": "amount"},
                  {"key": "ticket", "formula": "revenue / orders", "scale": 2},
                  {"key": "share", "percent_of_total": "revenue"},
                  {"key": "running", "running_total": "revenue"}],
     "sort": [{"by": "revenue", "descending": True}]},
    {"key": "by_month", "source": "order",
     "dimensions": [{"key": "month", "field": "ordered_at", "grain": "month"}, {"key": "status", "field": "status"}],
     "measures": [{"key": "orders", "aggregate": "count"}, {"key": "revenue", "aggregate": "sum", "field": "amount"}],
     "params": [{"key": "period", "type": "date_range", "field": "ordered_at"},
                {"key": "status", "type": "select", "field": "status", "multiple": True}]},
    {"key": "top_customers", "source": "order",
     "dimensions": [{"key": "customer", "field": "customer.name"}],
     "measures": [{"key": "revenue", "aggregate": "sum", "field": "amount"}, {"key": "orders", "aggregate": "count"}],
     "top": {"dimension": "customer", "by": "revenue", "n": 2, "others": True},
     "sort": [{"by": "revenue", "descending": True}]},
    {"key": "repair_time", "source": "order", "where": "not ISBLANK(closed_at)",
     "dimensions": [{"key": "size", "expression": "IF(amount >= 100, 'big', 'small')"}],
     "measures": [{"key": "mean_hours", "aggregate": "avg",
                   "duration": {"from": "ordered_at", "to": "closed_at", "unit": "hours"}},
                  {"key": "total_days", "aggregate": "sum",
                   "duration": {"from": "ordered_at", "to": "closed_at", "unit": "days"}}]},
    {"key": "summary", "source": "order",
     "measures": [{"key": "orders", "aggregate": "count"}, {"key": "revenue", "aggregate": "sum", "field": "amount"}]},
]

SHOP: dict[str, Any] = {
    "key": "shop", "version": "1.0.0",
    "entities": [
        {"key": "customer", "title_field": "name", "fields": [
            {"name": "name", "type": "text", "required": True},
            {"name": "region", "type": "select", "options": [
                {"value": "north", "label": {"en": "North", "zh-CN": "北区"}}, {"value": "south"}]},
            {"name": "owner", "type": "user"}]},
        {"key": "order", "fields": [
            {"name": "customer", "type": "link", "entity": "customer"},
            {"name": "amount", "type": "money"},
            {"name": "status", "type": "select", "options": [{"value": "open"}, {"value": "won"}, {"value": "lost"}]},
            {"name": "ordered_at", "type": "datetime"},
            {"name": "order_date", "type": "date"},
            {"name": "closed_at", "type": "datetime"},
            {"name": "note", "type": "text"},
            {"name": "owner", "type": "user"}]},
    ],
    "reports": REPORTS,
}


def shop_app(**changes: Any) -> dict[str, Any]:
    app = copy.deepcopy(SHOP)
    app.update(changes)
    return app


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    return reports.install(Kernel(engine))


@pytest.fixture
def shop(kernel: Kernel) -> Kernel:
    kernel.apply_app(shop_app())
    return kernel
