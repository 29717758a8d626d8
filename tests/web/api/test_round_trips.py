"""What each kind of request sends PostgreSQL, counted on the wire (bench/wire.py), so it cannot grow silently.

A GET by id is the credential check with its read in the same statement, with no BEGIN/COMMIT and no liveness check; a GET with
lines reads header and lines in one REPEATABLE READ snapshot; a create is four round trips. Counts are per request, on a warmed
pool, with the token's `last_used_at` already fresh (a touch adds one statement once a minute).
"""
from __future__ import annotations

import importlib.util
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_api_token, create_user
from jimu.web.api import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

WIRE_PATH = Path(__file__).resolve().parents[3] / "bench" / "wire.py"
APP: dict[str, Any] = {"key": "trips", "version": "1.0.0", "entities": [
    {"key": "note", "title_field": "title", "fields": [{"name": "title", "type": "text"}]},
    {"key": "order", "title_field": "title", "fields": [
        {"name": "title", "type": "text"},
        {"name": "lines", "type": "child_table", "entity": "order_line"}]},
    {"key": "order_line", "child": True, "fields": [{"name": "label", "type": "text"}]},
]}
APPLICATION = "jimu_round_trips"  # the metered engine's connections, to end them
WARM_UP, MEASURED = 6, 4  # psycopg prepares a statement on its 5th use (one extra round trip, once)

# (statements, round trips) per request. Writes run in psycopg's pipeline: BEGIN travels with the token
# lookup, SAVEPOINT with the write, RELEASE SAVEPOINT and the audit row with the COMMIT.
EXPECTED = {
    "GET by id": (1, 1),             # token lookup with the read joined (platform/read_ahead.py)
    "GET by id with lines": (5, 4),  # token lookup, [BEGIN REPEATABLE READ, header], lines, COMMIT
    "list": (2, 2),                  # token lookup, page
    # [BEGIN, token lookup], [SAVEPOINT, INSERT], read back, [audit, RELEASE, COMMIT]
    "create": (8, 4),
    # [BEGIN, token lookup], read for the write, [SAVEPOINT, UPDATE ... RETURNING the record], [audit, RELEASE, COMMIT]
    "update": (8, 4),
    "delete": (9, 5),  # as an update (a soft delete)
}


def load_wire() -> ModuleType:
    """bench/wire.py (bench/ is scripts, not a package)."""
    name = "jimu_bench_wire"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, WIRE_PATH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # before running it: its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Metered:
    meter: Any
    engine: sa.Engine
    client: TestClient
    headers: dict[str, str]

    def per_request(self, send: Callable[[], httpx.Response], expected_status: int) -> tuple[float, float]:
        for _ in range(WARM_UP):
            assert send().status_code == expected_status
        before = self.meter.snapshot()
        for _ in range(MEASURED):
            assert send().status_code == expected_status
        used = self.meter.snapshot() - before
        return used.statements / MEASURED, used.round_trips / MEASURED


@pytest.fixture
def metered(database_url: str) -> Iterator[Metered]:
    if not database_url.startswith("postgresql"):
        pytest.skip("round trips are counted on PostgreSQL")
    with load_wire().WireMeter(*_host_port(database_url)) as meter:
        url = sa.make_url(meter.url(database_url)).update_query_dict({"application_name": APPLICATION})
        engine = create_engine(url.render_as_string(hide_password=False))
        try:
            init_database(engine)
            kernel = Kernel(engine)
            kernel.apply_app(APP)
            with kernel.unit_of_work() as ctx:
                user_id = create_user(ctx.conn, "admin", is_superuser=True)
                token = create_api_token(ctx.conn, user_id, "trips", now=ctx.now())[1]
            with TestClient(create_app(kernel)) as client:
                yield Metered(meter, engine, client, {"Authorization": f"Bearer {token}"})
        finally:
            engine.dispose()


def _host_port(database_url: str) -> tuple[str, int]:
    url = sa.make_url(database_url)
    return url.host or "127.0.0.1", url.port or 5432


def test_each_kind_of_request_sends_what_it_needs_and_no_more(metered: Metered) -> None:
    client, headers = metered.client, metered.headers
    records = "/api/v1/records"
    note = client.post(f"{records}/note", json={"title": "first"}, headers=headers).json()["id"]
    order = client.post(f"{records}/order", json={"title": "o", "lines": [{"label": "a"}, {"label": "b"}]},
                        headers=headers).json()["id"]
    to_delete = iter([client.post(f"{records}/note", json={"title": "gone"}, headers=headers).json()["id"]
                      for _ in range(WARM_UP + MEASURED)])
    titles = iter(range(1000))
    sends: dict[str, tuple[Callable[[], httpx.Response], int]] = {
        "GET by id": (lambda: client.get(f"{records}/note/{note}", headers=headers), 200),
        "GET by id with lines": (lambda: client.get(f"{records}/order/{order}", headers=headers), 200),
        "list": (lambda: client.get(f"{records}/note?limit=20", headers=headers), 200),
        "create": (lambda: client.post(f"{records}/note", json={"title": "n"}, headers=headers), 201),
        "update": (lambda: client.patch(f"{records}/note/{note}", json={"title": f"t{next(titles)}"},
                                        headers=headers), 200),
        "delete": (lambda: client.delete(f"{records}/note/{next(to_delete)}", headers=headers), 204),
    }
    counted = {kind: metered.per_request(send, status) for kind, (send, status) in sends.items()}
    assert counted == EXPECTED


def test_a_get_with_lines_reads_header_and_lines_in_one_snapshot(metered: Metered, database_url: str) -> None:
    """A change committed between the header's and the lines' statements is not half seen."""
    client, headers = metered.client, metered.headers
    order = client.post("/api/v1/records/order", json={"title": "before", "lines": [{"label": "before"}]},
                        headers=headers).json()["id"]
    other = create_engine(database_url, poolclass=sa.pool.NullPool)
    changed: list[bool] = []

    def change_between(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM t_order_line" in statement and not changed:
            changed.append(True)
            with other.begin() as conn:  # commits before the lines are read
                conn.execute(sa.text("UPDATE t_order SET title = 'after'"))
                conn.execute(sa.text("UPDATE t_order_line SET label = 'after'"))

    sa.event.listen(metered.engine, "before_cursor_execute", change_between)
    try:
        body = client.get(f"/api/v1/records/order/{order}", headers=headers).json()
    finally:
        sa.event.remove(metered.engine, "before_cursor_execute", change_between)
        other.dispose()
    assert changed == [True]
    assert (body["title"], [line["label"] for line in body["lines"]]) == ("before", ["before"])
    body = client.get(f"/api/v1/records/order/{order}", headers=headers).json()
    assert (body["title"], [line["label"] for line in body["lines"]]) == ("after", ["after"])


def test_the_next_request_succeeds_after_the_server_ended_its_connections(metered: Metered,
                                                                          database_url: str) -> None:
    client, headers = metered.client, metered.headers
    assert client.get("/api/v1/records/note?limit=1", headers=headers).status_code == 200
    admin = create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            ended = conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE application_name = :name"), {"name": APPLICATION}).scalar_one()
            deadline = time.monotonic() + 10
            alive = sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
            while conn.execute(alive, {"name": APPLICATION}).scalar_one() and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        admin.dispose()
    assert ended >= 1
    assert client.get("/api/v1/records/note?limit=1", headers=headers).status_code == 200
    assert client.post("/api/v1/records/note", json={"title": "still here"}, headers=headers).status_code == 201
