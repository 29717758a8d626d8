"""A field added with a default gives it to the rows already there; the diff and a dry run say so."""
from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError, SchemaChangeError
from jimu.platform.kernel import Kernel

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
APP: dict[str, Any] = {"key": "crm", "version": "1.0.0", "entities": [{"key": "customer", "title_field": "name", "fields": [
    {"name": "name", "type": "text", "required": True},
    {"name": "credit", "type": "money"},
]}]}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine, clock=lambda: NOW)
    kernel.apply_app(APP)
    with kernel.unit_of_work() as ctx:
        for name, credit in (("Ada", "10.00"), ("Bob", None), ("Cy", "2.50")):
            records.create(ctx, "customer", {"name": name, "credit": credit})
        records.delete(ctx, "customer", 3)
    return kernel


def _with(*fields: dict[str, Any], version: str = "1.1.0") -> dict[str, Any]:
    app = copy.deepcopy(APP)
    app["version"] = version
    app["entities"][0]["fields"] += list(fields)
    return app


def _column(kernel: Kernel, column: str) -> list[Any]:
    with kernel.engine.connect() as conn:
        table = sa.table("t_customer", sa.column("id"), sa.column(column))
        return list(conn.execute(sa.select(table.c[column]).order_by(table.c.id)).scalars())


def test_existing_rows_get_a_constant_default_and_the_diff_says_so(kernel: Kernel) -> None:
    result = kernel.apply_app(_with({"name": "tier", "type": "select", "default": "standard",
                                     "options": [{"value": "standard"}, {"value": "gold"}]},
                                    {"name": "visits", "type": "integer", "default": 0},
                                    {"name": "since", "type": "date", "default": "2024-05-06"}))
    assert "set default 'standard' on 3 existing rows of t_customer" in result.diff.describe()
    assert "set default 0 on 3 existing rows of t_customer" in result.diff.describe()
    fills = [c for c in result.diff.as_dict() if c["kind"] == "fill_default"]
    assert [(c["field_name"], c["details"]["rows"]) for c in fills] == [("tier", 3), ("visits", 3), ("since", 3)]
    assert _column(kernel, "tier") == ["standard"] * 3  # the soft-deleted row too
    assert _column(kernel, "visits") == [0, 0, 0]
    with kernel.unit_of_work() as ctx:
        assert records.get(ctx, "customer", 1)["since"] == date(2024, 5, 6)
        assert records.get(ctx, "customer", 2)["tier"] == "standard"


def test_an_expression_default_is_computed_per_row(kernel: Kernel) -> None:
    result = kernel.apply_app(_with({"name": "code", "type": "text", "default_expression": "UPPER({name}) & '-1'"},
                                    {"name": "limit", "type": "money", "default_expression": "{credit} * 1.005"}))
    assert "set default = UPPER({name}) & '-1' on 3 existing rows of t_customer" in result.diff.describe()
    assert _column(kernel, "code") == ["ADA-1", "BOB-1", "CY-1"]
    with kernel.unit_of_work() as ctx:  # rounded half-up to the money scale; NULL stays NULL
        assert [records.get(ctx, "customer", i)["limit"] for i in (1, 2)] == [Decimal("10.05"), None]


def test_a_dry_run_says_how_many_rows_and_changes_nothing(kernel: Kernel) -> None:
    result = kernel.apply_app(_with({"name": "kind", "type": "text", "default": "x"}), dry_run=True)
    assert not result.applied
    assert "set default 'x' on 3 existing rows of t_customer" in result.diff.describe()
    with kernel.engine.connect() as conn:
        assert "kind" not in {c["name"] for c in sa.inspect(conn).get_columns("t_customer")}


def test_a_definition_may_opt_out(kernel: Kernel) -> None:
    result = kernel.apply_app(_with({"name": "kind", "type": "text", "default": "x", "backfill_default": False}))
    assert not [c for c in result.diff.as_dict() if c["kind"] == "fill_default"]
    assert _column(kernel, "kind") == [None, None, None]
    with kernel.unit_of_work() as ctx:
        assert records.create(ctx, "customer", {"name": "New"})["kind"] == "x"  # new records still get it


def test_backfill_default_must_be_a_boolean(kernel: Kernel) -> None:
    with pytest.raises(DefinitionError) as raised:
        kernel.apply_app(_with({"name": "kind", "type": "text", "default": "x", "backfill_default": "no"}))
    assert [d.path for d in raised.value.details] == ["/entities/0/fields/2/backfill_default"]


def test_an_empty_table_and_later_default_changes_fill_nothing(kernel: Kernel) -> None:
    with kernel.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM t_customer"))
    assert not [c for c in kernel.apply_app(_with({"name": "kind", "type": "text", "default": "x"})).diff.as_dict()
                if c["kind"] == "fill_default"]
    with kernel.unit_of_work() as ctx:
        records.create(ctx, "customer", {"name": "Dee", "kind": None})
    changed = _with({"name": "kind", "type": "text", "default": "y"}, version="1.2.0")
    assert "fill_default" not in [c["kind"] for c in kernel.apply_app(changed).diff.as_dict()]
    assert _column(kernel, "kind") == [None]  # only added fields are filled


def test_a_unique_field_cannot_give_one_default_to_many_rows(kernel: Kernel) -> None:
    with pytest.raises(SchemaChangeError) as raised:
        kernel.apply_app(_with({"name": "ref", "type": "text", "default": "R", "unique": True}))
    assert [d.code for d in raised.value.details] == ["schema.default_not_unique"]
    assert "2 existing records" in raised.value.details[0].message
    assert "'{" not in str(raised.value)
    kernel.apply_app(_with({"name": "ref", "type": "text", "default": "R", "unique": True, "backfill_default": False}))
    assert _column(kernel, "ref") == [None, None, None]
