"""A request cannot hold the database after its client left, nor run past the statement limit:
its statement is stopped and the answer is a 503 problem, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import sqlalchemy as sa

from jimu.platform.bootstrap import init_database
from jimu.platform.context import Context
from jimu.platform.database import create_engine
from jimu.platform.hooks import RecordEvent
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_api_token, create_user
from jimu.web.api import create_app

from .conftest import World

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _slow(conn: sa.Connection) -> sa.TextClause:
    if conn.dialect.name == "sqlite":
        return sa.text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000000) "
                       "SELECT count(*) FROM c")
    return sa.text("SELECT pg_sleep(600)")


def _run_slow_query(ctx: Context, event: RecordEvent) -> None:
    ctx.conn.execute(_slow(ctx.conn))


def _post_then_leave(app: Any, path: str, body: dict[str, Any], headers: dict[str, str], after: float) -> list[Any]:
    """Send a POST straight to the ASGI app, and disconnect `after` seconds later; the messages sent back."""
    sent: list[Any] = []
    pending = [{"type": "http.request", "body": json.dumps(body).encode(), "more_body": False}]

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await anyio.sleep(after)
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in {**headers, "content-type": "application/json"}.items()],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    anyio.run(app, scope, receive, send)
    return sent


def test_the_query_of_a_client_that_left_is_cancelled(world: World, admin: dict[str, str]) -> None:
    world.kernel.hooks.on("before_create", "task", _run_slow_query)
    started = time.monotonic()
    sent = _post_then_leave(world.client.app, "/api/v1/records/task", {"title": "never"}, admin, after=0.3)
    assert time.monotonic() - started < 10  # not the minutes the statement would have run
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))
    assert (start["status"], body["code"]) == (503, "query.cancelled")
    with world.kernel.unit_of_work() as ctx:
        assert ctx.conn.execute(sa.text("SELECT count(*) FROM t_task")).scalar() == 0


def test_a_request_that_finishes_first_is_answered_and_stops_watching_its_client(world: World,
                                                                                  admin: dict[str, str]) -> None:
    started = time.monotonic()
    sent = _post_then_leave(world.client.app, "/api/v1/records/task", {"title": "kept"}, admin, after=30)
    assert time.monotonic() - started < 10  # the watcher is stopped with the work, not left waiting
    assert next(m for m in sent if m["type"] == "http.response.start")["status"] == 201


@pytest.fixture
def impatient(database_url: str) -> Iterator[tuple[TestClient, dict[str, str], Kernel]]:
    """An API whose statements may run half a second, with a superuser's token."""
    engine = create_engine(database_url, statement_timeout=0.5)
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app({"key": "tasks", "entities": [{"key": "task", "fields": [{"name": "title", "type": "text"}]}]})
    with kernel.unit_of_work() as ctx:
        user = create_user(ctx.conn, "root", is_superuser=True)
        token = create_api_token(ctx.conn, user, "tests", now=ctx.now())[1]
    try:
        with TestClient(create_app(kernel)) as client:
            yield client, {"Authorization": f"Bearer {token}"}, kernel
    finally:
        engine.dispose()


@pytest.mark.parametrize("locale, words", [("en", "0.5 s"), ("zh-CN", "0.5 秒")])
def test_a_statement_past_the_limit_is_a_503_problem(impatient: tuple[TestClient, dict[str, str], Kernel],
                                                      locale: str, words: str) -> None:
    client, headers, kernel = impatient
    kernel.hooks.on("before_create", "task", _run_slow_query)
    response = client.post("/api/v1/records/task", json={"title": "slow"},
                           headers={**headers, "Accept-Language": locale})
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "query.timeout"
    assert words in response.json()["detail"]
    assert client.get("/api/v1/records/task", headers=headers).json()["data"] == []
