"""Fixtures of the report tests: a kernel with the report engine and a small shop (tests/fixtures/apps/
shop_reports.json: customers in regions, orders with an amount, a status, an order time and a close time)."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines import reports
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"
SHOP: dict[str, Any] = json.loads((FIXTURES / "shop_reports.json").read_text(encoding="utf-8"))
REPORTS: list[dict[str, Any]] = SHOP["reports"]


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
