"""Story: every write leaves an audit trail, runs the hooks inside its transaction, and numbers stay gap-free."""
from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.platform.context import AllowAll, Context
from jimu.platform.hooks import RecordEvent

from .records_support import Shop


class HideCredit(AllowAll):
    def readable_fields(self, entity_key: str) -> frozenset[str] | None:
        if entity_key == "customer":
            return frozenset({"name", "email", "tier"})
        return None

    def writable_fields(self, entity_key: str) -> frozenset[str] | None:
        return frozenset({"name", "email"}) if entity_key == "customer" else None


def test_history_lists_changes_old_to_new_newest_first(shop: Shop) -> None:
    customer = shop.customer("ACME", email="a@acme.test")
    bike = shop.product()
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {
        "customer": customer["id"], "lines": [{"product": bike["id"], "qty": 1, "price": "100"}]}),
        user_id=None, request_id="req-1")
    line = dict(order["lines"][0], qty=2)
    shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"discount": 10, "lines": [line]}),
             request_id="req-2")
    shop.run(lambda ctx: records.delete(ctx, "sales_order", order["id"]))
    shop.run(lambda ctx: records.restore(ctx, "sales_order", order["id"]))
    trail = shop.run(lambda ctx: records.history(ctx, "sales_order", order["id"]))
    assert [(e["action"], e["version"]) for e in trail] == [("restore", 4), ("delete", 3), ("update", 2), ("create", 1)]
    update = trail[2]
    assert update["request_id"] == "req-2"
    assert {"field": "discount", "old": "0.00", "new": "10.00"} in update["changes"]
    assert {"field": "total", "old": "100.00", "new": "180.00"} in update["changes"]
    line_change = next(c for c in update["changes"] if c["field"] == "lines")
    assert line_change["row"] == line["id"] and line_change["action"] == "changed"
    assert {"field": "qty", "old": "1.000", "new": "2.000"} in line_change["changes"]
    created = trail[3]
    assert {"field": "number", "old": None, "new": "SO-2026-00001"} in created["changes"]
    assert any(c.get("action") == "added" for c in created["changes"])


def test_history_and_reads_hide_unreadable_fields_and_refuse_unwritable_ones(shop: Shop) -> None:
    customer = shop.customer("ACME")
    shop.run(lambda ctx: records.update(ctx, "customer", customer["id"], {"credit_limit": 5, "email": "x@y.test"}))
    seen = shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]), access=HideCredit())
    assert "credit_limit" not in seen and seen["email"] == "x@y.test"
    trail = shop.run(lambda ctx: records.history(ctx, "customer", customer["id"]), access=HideCredit())
    assert [c["field"] for c in trail[0]["changes"]] == ["email"]
    from jimu.platform.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        shop.run(lambda ctx: records.update(ctx, "customer", customer["id"], {"tier": "gold"}), access=HideCredit())
    assert [(d.path, d.code) for d in refused.value.details] == [("tier", "records.not_writable")]


def test_hooks_run_inside_the_transaction_and_a_raising_hook_rolls_back(shop: Shop) -> None:
    seen: list[tuple[str, Any, Any]] = []

    def spy(ctx: Context, event: RecordEvent) -> None:
        count = ctx.conn.execute(sa.select(sa.func.count()).select_from(ctx.tables["customer"])).scalar()
        seen.append((event.name, event.record_id, count))

    for name in ("before_create", "after_create", "before_update", "after_update"):
        shop.kernel.hooks.on(name, "customer", spy)
    customer = shop.customer("ACME")
    shop.run(lambda ctx: records.update(ctx, "customer", customer["id"], {"tier": "gold"}))
    assert seen == [("before_create", None, 0), ("after_create", customer["id"], 1),
                    ("before_update", customer["id"], 1), ("after_update", customer["id"], 1)]

    def veto(ctx: Context, event: RecordEvent) -> None:
        raise RuntimeError("no customers on Sundays")

    shop.kernel.hooks.on("after_create", "customer", veto)
    with pytest.raises(RuntimeError):
        shop.customer("Globex")
    assert shop.count("t_customer") == 1
    assert shop.scalar(sa.select(sa.func.count()).select_from(sa.table("jimu_audit"))) == 2


def test_a_rolled_back_create_gives_its_number_back(shop: Shop) -> None:
    customer = shop.customer()
    first = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))

    def boom(ctx: Context, event: RecordEvent) -> None:
        raise RuntimeError("rolled back")

    shop.kernel.hooks.on("after_create", "sales_order", boom)
    with pytest.raises(RuntimeError):
        shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    shop.kernel.hooks = type(shop.kernel.hooks)()
    second = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    assert (first["number"], second["number"]) == ("SO-2026-00001", "SO-2026-00002")


def test_numbers_restart_each_period_of_the_series(shop: Shop) -> None:
    from datetime import datetime

    customer = shop.customer()
    shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    shop.clock[0] = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    assert order["number"] == "SO-2027-00001" and order["order_date"].year == 2027
    assert order["total"] == Decimal("0.00")
