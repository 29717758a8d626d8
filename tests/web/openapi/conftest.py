"""Fixtures of the OpenAPI tests: a migrated database with the sales app, the API app and an admin's token."""
from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_api_token, create_user
from jimu.web.api import create_app

with warnings.catch_warnings():  # Starlette asks for httpx2; the venv has httpx, which still works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SALES = Path(__file__).resolve().parents[2] / "fixtures" / "apps" / "sales.json"


def sales_app() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SALES.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(sales_app())
    return kernel


@pytest.fixture
def app(kernel: Kernel) -> FastAPI:
    return create_app(kernel)


@pytest.fixture
def client(app: FastAPI, token: str) -> Iterator[TestClient]:
    """A client signed in as a superuser (who sees every entity and field in the document)."""
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def token(kernel: Kernel) -> str:
    """A personal API token of a superuser."""
    with kernel.engine.begin() as conn:
        user_id = create_user(conn, "admin", password="admin-password-1", is_superuser=True)
        _, secret = create_api_token(conn, user_id, "tests", now=kernel.clock())
    return secret
