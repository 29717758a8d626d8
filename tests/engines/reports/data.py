"""Test data of the shop: a deterministic spread of orders over regions, statuses, month ends and time zones."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from jimu.engines.forms import records
from jimu.engines.forms.bulk import create_many
from jimu.platform.kernel import Kernel

REGIONS = ("north", "south", None)
STATUSES = ("open", "won", "lost")


def seed_shop(kernel: Kernel, orders: int = 300, seed: int = 7) -> list[dict[str, Any]]:
    """Customers and orders; returns each order as the reference computation sees it (region resolved)."""
    rng = random.Random(seed)
    with kernel.unit_of_work() as ctx:
        customers = []
        for n in range(8):
            region = REGIONS[n % 3]
            cid = records.create(ctx, "customer", {"name": f"C{n:02d}", "region": region})["id"]
            customers.append((cid, f"C{n:02d}", region))
        rows, reference = [], []
        start = datetime(2025, 12, 31, 12, tzinfo=UTC)
        for _ in range(orders):
            cid, name, region = rng.choice(customers)
            amount = Decimal(rng.randint(1, 99999)) / 100 if rng.random() > 0.05 else None
            at = start + timedelta(hours=rng.randint(0, 24 * 120), minutes=rng.choice((0, 30, 59)))
            closed = at + timedelta(minutes=rng.randint(1, 60 * 24 * 9)) if rng.random() > 0.3 else None
            status = rng.choice(STATUSES)
            rows.append({"customer": cid, "amount": amount, "status": status, "ordered_at": at,
                         "order_date": at.date(), "closed_at": closed})
            reference.append({"customer": cid, "name": name, "region": region, "amount": amount, "status": status,
                              "ordered_at": at, "order_date": at.date(), "closed_at": closed})
        create_many(ctx, "order", rows)
    return reference
