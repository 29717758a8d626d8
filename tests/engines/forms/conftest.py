"""Fixtures of the records tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from .records_support import Shop, install, sales_app


@pytest.fixture
def shop(engine: Engine) -> Iterator[Shop]:
    """The sales app installed on the test's scratch database, with a clock the test can move."""
    yield install(engine, sales_app())
