"""Fixtures of the workflow tests: a kernel with the workflow engine and an expense-claim app."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines import workflow
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"


def expenses_app() -> dict[str, Any]:
    """The expense-claim app (tests/fixtures/apps/expenses.json): a claim with lines and its process."""
    app: dict[str, Any] = json.loads((FIXTURES / "expenses.json").read_text(encoding="utf-8"))
    return app


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    return workflow.install(Kernel(engine))


@pytest.fixture
def expenses(kernel: Kernel) -> Kernel:
    """The kernel with the expense-claim app applied."""
    kernel.apply_app(expenses_app())
    return kernel


@pytest.fixture
def trade(kernel: Kernel) -> Kernel:
    """The kernel with the trading app of the action tests applied (tests/engines/workflow/trade_app.py)."""
    from .trade_app import trade_app

    kernel.apply_app(trade_app())
    return kernel
