"""The audit row of a bulk create (built in SQL) holds what a single create's audit row holds."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.registry.apply import apply_app

APP: dict[str, Any] = {"key": "trail", "version": "1.0.0", "label": {"en": "Trail"}, "entities": [
    {"key": "thing", "title_field": "code", "fields": [
        {"name": "code", "type": "text"},
        {"name": "tags", "type": "multi_select", "options": [{"value": "a"}, {"value": "b"}]},
        {"name": "ok", "type": "boolean"},
        {"name": "at", "type": "datetime"},
        {"name": "amount", "type": "decimal", "scale": 3},
        {"name": "count", "type": "integer"},
        {"name": "day", "type": "date", "default": "2024-02-29"},
        {"name": "state", "type": "select", "options": [{"value": "open"}]},
    ]},
]}
ROWS = [
    {"code": "x", "tags": None},
    {"code": "y", "tags": "a,b", "ok": "yes", "at": "2024-01-02T03:04:05+08:00", "amount": "1.5", "count": "42",
     "state": "open"},
    {"code": 'z "q" \\ \n\t é', "ok": "no", "amount": "0", "count": -7},
]


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    with engine.begin() as conn:
        apply_app(conn, APP)
    return Kernel(engine)


def test_bulk_and_single_creates_leave_the_same_changes(kernel: Kernel) -> None:
    with kernel.unit_of_work() as ctx:
        bulk = records.create_many(ctx, "thing", ROWS).ids
        single = [records.create(ctx, "thing", row)["id"] for row in ROWS]
    with kernel.unit_of_work() as ctx:
        trails = [(records.history(ctx, "thing", b)[0], records.history(ctx, "thing", s)[0]) for b, s in zip(bulk, single)]
    for bulk_entry, single_entry in trails:
        assert (bulk_entry["action"], bulk_entry["version"]) == (single_entry["action"], single_entry["version"])
        assert bulk_entry["changes"] == single_entry["changes"]
