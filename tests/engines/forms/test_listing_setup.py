"""Shared set-up of the listing and export tests: the sales app installed and a few dozen orders."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.context import AllowAll
from jimu.platform.kernel import Kernel

SALES = Path(__file__).parents[2] / "fixtures" / "apps" / "sales.json"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
STATUSES = ["draft", "confirmed", "cancelled"]
NOTES = ["100% sure", "a_b", "plain", None, "50%_off", "ab"]


def sales_app() -> dict[str, Any]:
    """The sales fixture plus a virtual money formula (`net`) and a `code` text with ties, for sorting."""
    raw: dict[str, Any] = copy.deepcopy(json.loads(SALES.read_text(encoding="utf-8")))
    order = next(e for e in raw["entities"] if e["key"] == "sales_order")
    order["fields"].append({"name": "net", "type": "formula", "expression": "total - 10", "result_type": "money"})
    order["fields"].append({"name": "code", "type": "text"})
    return raw


def install(engine: Engine, raw: dict[str, Any]) -> Kernel:
    """Bring up the platform tables and apply the app, as `jimu` does."""
    init_database(engine)
    kernel = Kernel(engine, clock=lambda: NOW)
    kernel.apply_app(raw)
    return kernel


def _system(n: int) -> dict[str, Any]:
    moment = NOW - timedelta(hours=n)
    return {"_created_at": moment, "_updated_at": moment}


@dataclass
class SalesData:
    kernel: Kernel
    customers: dict[str, int]
    orders: list[dict[str, Any]]  # what was inserted, with "id" and "customer_tier"


def seed(kernel: Kernel, n_orders: int = 41) -> SalesData:
    """Customers (one gold, one inactive) and orders with NULLs and ties in every sortable column."""
    with kernel.unit_of_work() as ctx:
        tables = ctx.tables
        customers: dict[str, int] = {}
        people = [("Acme", "gold", Decimal("1000.00"), "sales@acme.test"), ("Bolt", "standard", Decimal("50.00"), None),
                  ("Cogs & Co", "gold", Decimal("99999.00"), "cogs@x.test"), ("Dyn_amo", None, Decimal("10.00"), None)]
        for n, (name, tier, limit, email) in enumerate(people):
            row = {"name": name, "tier": tier, "credit_limit": limit, "email": email, "active": n != 1, **_system(n)}
            customers[name] = ctx.conn.execute(sa.insert(tables["customer"]).values(row)).inserted_primary_key[0]
        tier_of = {customers[p[0]]: p[1] for p in people}
        orders = []
        for n in range(n_orders):
            customer = list(customers.values())[n % 4]
            row = {
                "number": f"SO-2025-{n + 1:05d}",
                "customer": customer,
                "order_date": None if n % 7 == 3 else date(2026, 1, 1) + timedelta(days=n % 9),
                "status": STATUSES[n % 3],
                "discount": Decimal(n % 5 * 5),
                "total": None if n % 11 == 5 else Decimal(n * 37 % 700) + Decimal("0.25"),
                "notes": NOTES[n % len(NOTES)],
                "code": ["b", "a", None, "c"][n % 4],
                "_deleted_at": NOW if n == 13 else None,
                **_system(n),
            }
            row["id"] = ctx.conn.execute(sa.insert(tables["sales_order"]).values(row)).inserted_primary_key[0]
            row["customer_tier"] = tier_of[customer]
            orders.append(row)
        product = ctx.conn.execute(sa.insert(tables["product"]).values(
            sku="BIKE-1", name="Bike", price=Decimal("120.00"), **_system(0))).inserted_primary_key[0]
        for position, qty in enumerate((Decimal("1.000"), Decimal("2.500"))):
            ctx.conn.execute(sa.insert(tables["sales_order_line"]).values(
                _parent_id=orders[0]["id"], _position=position, product=product, qty=qty, price=Decimal("10.00"),
                amount=qty * 10, **_system(0)))
    return SalesData(kernel, customers, orders)


class Policy(AllowAll):
    """A policy hiding some fields and limiting the rows of one entity."""

    def __init__(self, hidden: dict[str, set[str]], rows: Any = None) -> None:
        self.hidden = hidden
        self.rows = rows

    def row_condition(self, entity_key: str, table: sa.FromClause, action: str) -> Any:
        return self.rows(table) if self.rows and entity_key == "sales_order" else None

    def readable_fields(self, entity_key: str) -> frozenset[str] | None:
        hidden = self.hidden.get(entity_key)
        if not hidden:
            return None
        kernel_free = sales_app()
        entity = next(e for e in kernel_free["entities"] if e["key"] == entity_key)
        return frozenset(f["name"] for f in entity["fields"] if f["name"] not in hidden)
