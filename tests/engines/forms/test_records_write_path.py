"""The lean write path: a locked read-modify-write reads once and takes the row its UPDATE returned; changed
lines go in one statement; new lines in one INSERT, in order; a recomputed record is read back."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.platform.context import Context
from jimu.platform.errors import NotFoundError

from .records_support import Shop


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """The SQL sent on the context's connection inside the block (one entry per execute or executemany),
    without SAVEPOINT / RELEASE."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "SAVEPOINT" not in statement:
            seen.append(" ".join(statement.split()))

    sa.event.listen(ctx.conn, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(ctx.conn, "before_cursor_execute", note)


def _order(shop: Shop, qty: list[str]) -> dict[str, Any]:
    customer, product = shop.customer(), shop.product()
    lines = [{"product": product["id"], "qty": q, "price": "10.00"} for q in qty]
    return shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"], "lines": lines}))


def test_modify_locks_and_reads_once_and_keeps_the_row_it_wrote(shop: Shop) -> None:
    product = shop.product(stock="5")
    take: Callable[[dict[str, Any]], dict[str, Any]] = lambda row: {"stock": row["stock"] - 2}  # noqa: E731
    with shop.work() as ctx:
        with statements(ctx) as sent:
            before, after = records.modify(ctx, "product", product["id"], take)
        assert after == records.get(ctx, "product", product["id"])
        history = records.history(ctx, "product", product["id"])
    assert (before["stock"], after["stock"], after["_version"]) == (Decimal("5"), Decimal("3"), before["_version"] + 1)
    assert len(sent) == 3, sent  # the locking read, the UPDATE ... RETURNING, the audit row
    select, update, audit = sent
    assert select.startswith("SELECT") and ("FOR UPDATE" in select) == (shop.kernel.engine.dialect.name == "postgresql")
    assert update.startswith("UPDATE t_product") and "RETURNING" in update
    assert audit.startswith("INSERT INTO jimu_audit")
    assert history[0]["changes"] == [{"field": "stock", "old": "5.000", "new": "3.000"}]


def test_modify_of_a_deleted_record_is_not_found(shop: Shop) -> None:
    product = shop.product(stock="5")
    shop.run(lambda ctx: records.delete(ctx, "product", product["id"]))
    with shop.work() as ctx, pytest.raises(NotFoundError) as missing:
        records.modify(ctx, "product", product["id"], lambda row: {"stock": 1})
    assert missing.value.code == "records.not_found"


def test_a_write_that_recomputes_the_record_gives_it_as_recomputed(shop: Shop) -> None:
    order = _order(shop, ["1", "2"])
    with shop.work() as ctx:
        updated = records.update(ctx, "sales_order", order["id"], {"discount": "10"})
        assert updated == records.get(ctx, "sales_order", order["id"])
    assert updated["total"] != order["total"] and updated["subtotal"] == order["subtotal"]


def test_changed_lines_are_written_in_one_statement(shop: Shop) -> None:
    order = _order(shop, ["1", "2", "3"])
    lines = [{"id": line["id"], "qty": str(line["qty"] + 1)} for line in order["lines"]]
    with shop.work() as ctx:
        with statements(ctx) as sent:
            updated = records.update(ctx, "sales_order", order["id"], {"lines": lines})
        assert updated == records.get(ctx, "sales_order", order["id"])
    assert [line["qty"] for line in updated["lines"]] == [Decimal("2"), Decimal("3"), Decimal("4")]
    written = [s for s in sent if s.startswith("UPDATE t_sales_order_line SET _version")]
    assert len(written) == 1, sent  # the three lines (then their amounts recomputed, in one statement too)
    assert updated["subtotal"] == Decimal("90.00")


def test_new_lines_go_in_one_insert_and_keep_their_order(shop: Shop) -> None:
    customer, product = shop.customer(), shop.product()
    lines = [{"product": product["id"], "qty": str(n), "price": "1.00"} for n in range(1, 8)]
    with shop.work() as ctx:
        with statements(ctx) as sent:
            order = records.create(ctx, "sales_order", {"customer": customer["id"], "lines": lines})
    assert sum(s.startswith("INSERT INTO t_sales_order_line") for s in sent) == 1
    assert [line["qty"] for line in order["lines"]] == [Decimal(n) for n in range(1, 8)]
    assert [line["_position"] for line in order["lines"]] == list(range(7))
    assert [line["id"] for line in order["lines"]] == sorted(line["id"] for line in order["lines"])
