"""Fixtures of the notification tests: the loopback fakes of fakes.py."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database

from .fakes import FakeReceivers, FakeSmtp, run_receivers, run_smtp_server


@pytest.fixture
def receivers() -> Iterator[FakeReceivers]:
    with contextmanager(run_receivers)() as fake:
        yield fake


@pytest.fixture
def smtp_server() -> Iterator[FakeSmtp]:
    with contextmanager(run_smtp_server)() as fake:
        yield fake


@pytest.fixture
def db(engine: Engine) -> Engine:
    """The scratch database at the newest platform revision (notification tables included)."""
    init_database(engine)
    return engine
