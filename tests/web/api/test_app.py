"""The application shell: health check, request ids, the last-resort 500, streamed body limits."""
from __future__ import annotations

import re
from collections.abc import Iterator

from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.web.api import create_app

from .conftest import TestClient, World


def test_healthz_is_503_without_a_database() -> None:
    engine = create_engine("sqlite:////nonexistent-folder/jimu.db")
    with TestClient(create_app(Kernel(engine))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["code"] == "api.database_unavailable"
    assert re.fullmatch("[0-9a-f]{32}", response.headers["X-Request-ID"])  # a fresh one: the client sent none


def test_unexpected_errors_are_500_problems_without_internals(world: World) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    world.client.app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    response = world.client.get("/boom", headers={"X-Request-ID": "trace-1", "Accept-Language": "zh-CN"})
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert response.headers["X-Request-ID"] == "trace-1"
    assert "hunter2" not in response.text and "trace-1" in response.json()["detail"]


def test_a_streamed_body_over_the_limit_is_413(world: World, admin: dict[str, str]) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b'{"name": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = world.client.post("/api/v1/records/customer", content=chunks(),
                                 headers={**admin, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "api.body_too_large"
    assert world.client.get("/api/v1/records/customer", params={"count": "true"}, headers=admin).json()["count"] == 0
