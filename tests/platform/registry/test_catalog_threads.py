"""A fresh catalog shared by many request threads gives every thread the answers one thread gets.

The thread switch interval is made tiny so threads interleave inside the catalog's code; the app
(the sales fixture) has formulas, a lookup, and rollups over lines and over a back-link.
"""
from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.engines.forms.listing import list_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.bootstrap import init_database
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import AppDef

SALES = Path(__file__).parents[2] / "fixtures" / "apps" / "sales.json"
THREADS = 8
ITERATIONS = 6  # reads, lists and writes per thread in each run
TRIALS = 2  # fresh catalogs in the database test
CATALOG_TRIALS = 40  # fresh catalogs in the catalog-only test


@pytest.fixture
def tiny_switch_interval() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_threads(work: Callable[[int], Any], count: int = THREADS) -> list[Any]:
    """`work(n)` in `count` threads started together; the results in order, or the first error raised."""
    results: list[Any] = [None] * count
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def sales_app() -> AppDef:
    return AppDef.build(json.loads(SALES.read_text(encoding="utf-8")))


def describe(catalog: Catalog) -> list[tuple[str, str, Any, Any]]:
    """What request code asks a catalog: expression types, compiled formulas and their references."""
    answers: list[tuple[str, str, Any, Any]] = []
    for entity in catalog.entities.values():
        for field in entity.fields:
            answers.append((entity.key, field.name, catalog.field_expr_type(field), None))
        answers.append((entity.key, "filter", catalog.compile(entity.key, "id > 0", ExprType.BOOLEAN).type, None))
    order = catalog.require_entity("sales_order")
    total = catalog.compile("sales_order", order.field("total").get("expression"))  # type: ignore[union-attr]
    answers.append(("sales_order", "total", total.type, sorted(total.references)))
    answers.append(("deps", "sales_order_line",
                    [(d.target, sorted(d.fields)) for d in catalog.dependencies.dependents("sales_order_line")], None))
    return answers


def test_a_fresh_catalog_answers_every_thread_alike(tiny_switch_interval: None) -> None:
    app = sales_app()
    expected = describe(Catalog([app]))
    for _ in range(CATALOG_TRIALS):
        catalog = Catalog([app])
        assert run_threads(lambda n, catalog=catalog: describe(catalog)) == [expected] * THREADS


# ---- reads, lists and writes through a kernel whose catalog is fresh --------------------------------


class Shop:
    """One customer, product and order per worker, so workers write apart and results are theirs alone."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.ids: list[dict[str, int]] = [self.run(lambda ctx, n=n: self._setup(ctx, n)) for n in range(THREADS)]

    def run(self, work: Callable[[Context], Any]) -> Any:
        with self.kernel.unit_of_work() as ctx:
            return work(ctx)

    @staticmethod
    def _setup(ctx: Context, n: int) -> dict[str, int]:
        customer = records.create(ctx, "customer", {"name": f"C{n}", "email": f"c{n}@example.com",
                                                    "credit_limit": Decimal(60 + 10 * n)})
        product = records.create(ctx, "product", {"sku": f"P{n}", "name": f"Product {n}", "price": Decimal("9.90")})
        order = records.create(ctx, "sales_order", {"customer": customer["id"],
                                                    "lines": [{"product": product["id"], "qty": 1, "price": "9.90"}]})
        return {"customer": customer["id"], "product": product["id"], "order": order["id"]}

    def work(self, n: int) -> list[Any]:
        """Each step sets values outright, so its results depend only on this worker's own writes."""
        ids = self.ids[n]
        return [self.run(lambda ctx, step=step: self._step(ctx, ids, n, step)) for step in range(ITERATIONS)]

    @staticmethod
    def _step(ctx: Context, ids: dict[str, int], n: int, step: int) -> Any:
        qty = Decimal((n + step) % 5 + 1)
        discount = Decimal(step % 3 * 5)
        lines = [{"product": ids["product"], "qty": qty, "price": "9.90"},
                 {"product": ids["product"], "qty": step % 2, "price": "1.25"}]
        records.update(ctx, "sales_order", ids["order"], {"discount": discount, "lines": lines})
        order = records.get(ctx, "sales_order", ids["order"])
        customer = records.get(ctx, "customer", ids["customer"])
        page = list_records(ctx, "sales_order", ListQuery(
            expression=f"customer = {ids['customer']} and total >= 0 and customer.credit_limit > 0",
            fields=("subtotal", "total", "customer_email", "over_limit")))
        return (
            [order[name] for name in ("subtotal", "total", "customer_email", "over_limit")],
            [line["amount"] for line in order["lines"]],
            [customer["order_total"], customer["order_count"]],
            [[row[name] for name in ("subtotal", "total", "customer_email", "over_limit")] for row in page.rows],
        )


@pytest.fixture
def shop(engine: Engine) -> Shop:
    if engine.dialect.name == "sqlite":  # eight writers queue for SQLite's one write lock: let them wait it out
        sa.event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=120000"))
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(json.loads(SALES.read_text(encoding="utf-8")))
    return Shop(kernel)


def fresh_catalog(kernel: Kernel) -> Catalog:
    """Drop the kernel's definitions and load them again: the catalog every thread then shares."""
    kernel.invalidate()
    with kernel.engine.connect() as conn:
        return kernel.definitions(conn).catalog


def test_threads_sharing_a_fresh_catalog_read_list_and_write_as_one_thread_does(
        shop: Shop, tiny_switch_interval: None) -> None:
    fresh_catalog(shop.kernel)
    alone = [shop.work(n) for n in range(THREADS)]
    assert alone[1][0][0] == [Decimal("19.80"), Decimal("19.80"), "c1@example.com", False]
    for _ in range(TRIALS):
        catalog = fresh_catalog(shop.kernel)
        assert run_threads(shop.work) == alone
        with shop.kernel.engine.connect() as conn:
            assert shop.kernel.definitions(conn).catalog is catalog  # all of them shared this one
