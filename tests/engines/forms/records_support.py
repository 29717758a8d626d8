"""Shared set-up of the records tests: the sales app installed on a scratch database, a fixed clock.

The `shop` fixture built from it is in conftest.py.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel

SALES = Path(__file__).parents[2] / "fixtures" / "apps" / "sales.json"
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def sales_app() -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(json.loads(SALES.read_text(encoding="utf-8")))
    return raw


@dataclass
class Shop:
    """The sales app installed, with a kernel on a fixed clock and helpers to run units of work."""

    kernel: Kernel
    clock: list[datetime]

    def work(self, **kwargs: Any) -> Any:
        return self.kernel.unit_of_work(**kwargs)

    def run(self, action: Callable[[Context], Any], **kwargs: Any) -> Any:
        with self.work(**kwargs) as ctx:
            return action(ctx)

    def customer(self, name: str = "ACME", **values: Any) -> dict[str, Any]:
        return self.run(lambda ctx: records.create(ctx, "customer", {"name": name, **values}))

    def product(self, sku: str = "BIKE-1", price: str = "100.00", **values: Any) -> dict[str, Any]:
        return self.run(lambda ctx: records.create(ctx, "product", {"sku": sku, "name": sku, "price": price, **values}))

    def scalar(self, statement: Any) -> Any:
        with self.kernel.engine.connect() as conn:
            return conn.execute(statement).scalar()

    def count(self, table: str) -> int:
        return int(self.scalar(sa.select(sa.func.count()).select_from(sa.table(table))))


def install(engine: Engine, raw: dict[str, Any]) -> Shop:
    init_database(engine)
    clock = [NOW]
    kernel = Kernel(engine, clock=lambda: clock[0])
    kernel.apply_app(raw)
    return Shop(kernel, clock)


def money(text: str) -> Decimal:
    return Decimal(text)
