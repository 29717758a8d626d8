"""Fixtures of the automation tests: the service-desk app (tickets with due dates) on a clock we move."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines import workflow
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel

from .automation_support import START, Clock, service_app


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def make_service(engine: Engine, clock: Clock) -> Callable[..., Kernel]:
    """A kernel on the clock with the service app applied (with other automations when given)."""
    init_database(engine)

    def make(**changes: Any) -> Kernel:
        kernel = workflow.install(Kernel(engine, clock=clock))
        kernel.apply_app(service_app(**changes))
        return kernel

    return make


@pytest.fixture
def service(make_service: Callable[..., Kernel]) -> Kernel:
    return make_service()
