"""The records service: the one Python API every layer uses to read and write records.

    record = records.create(ctx, "sales_order", {"customer": 1, "lines": [{"product": 2, "qty": 3, "price": "9.90"}]})
    records.update(ctx, "sales_order", record["id"], {"discount": 5}, expected_version=record["_version"])
    records.delete(ctx, "sales_order", record["id"]); records.restore(ctx, "sales_order", record["id"])
    before, after = records.modify(ctx, "product", 7, lambda row: {"on_hand": row["on_hand"] - 3})  # locked

Records are dicts keyed by field name (Python values: Decimal, date, aware datetime, lists) plus the
system keys and, per child table, a list of line dicts. Every write is validated on the server,
keeps stored computed values right (here and in dependent records), is audited and runs the hooks,
all inside the caller's transaction.
"""
from __future__ import annotations

from .bulk import BulkResult, RowError, create_many
from .creating import create
from .lifecycle import delete, get, history, restore
from .updating import modify, update

__all__ = ["BulkResult", "RowError", "create", "create_many", "delete", "get", "history", "modify", "restore",
           "update"]
