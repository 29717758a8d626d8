"""Statements and round trips per request, for the API bench: Jimu's app and the bare app, in process.

PostgreSQL: counted on the wire (`wire.WireMeter`: every statement the driver sends, BEGIN and COMMIT
included, and every turn of the conversation). SQLite: the statements SQLite itself runs
(`set_trace_callback`); an in-process library has no round trips. Counted on a warmed pool, one request
at a time, apart from the timed runs (the relay adds latency).
"""
from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp
from wire import WireMeter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

WARM_UP, COUNTED = 8, 20


@dataclass(frozen=True)
class Counts:
    statements: float
    round_trips: float | None  # None: SQLite (in process)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: Any = None


class _Meter:
    """Totals so far: (statements, round trips or None)."""

    def __init__(self, snapshot: Callable[[], tuple[int, int | None]]) -> None:
        self.snapshot = snapshot


@contextmanager
def metered_url(url: str) -> Iterator[tuple[str, _Meter, Callable[[Engine], None]]]:
    """A URL to build the app's engine on, its meter, and a hook to call on that engine (SQLite tracing)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        with WireMeter(parsed.host or "127.0.0.1", parsed.port or 5432) as wire:
            def wire_totals() -> tuple[int, int | None]:
                now = wire.snapshot()
                return now.statements, now.round_trips
            yield wire.url(url), _Meter(wire_totals), lambda engine: None
        return
    traced = [0]

    def trace(engine: Engine) -> None:
        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.set_trace_callback(lambda _statement: traced.__setitem__(0, traced[0] + 1))
        sa.event.listen(engine, "connect", on_connect)

    yield url, _Meter(lambda: (traced[0], None)), trace


def per_request(app: ASGIApp, meter: _Meter, request_of: Callable[[random.Random], Request],
                headers: dict[str, str]) -> Counts:
    """Mean statements and round trips of requests made by `request_of`, sent one at a time after a warm-up."""
    rng = random.Random(3)
    with TestClient(app) as client:
        def send(_n: int) -> None:
            request = request_of(rng)
            response = client.request(request.method, request.path, json=request.body, headers=headers)
            if response.status_code >= 400:
                raise RuntimeError(f"{request.method} {request.path}: {response.status_code} {response.text[:200]}")
        for n in range(WARM_UP):
            send(n)
        statements, round_trips = meter.snapshot()
        for n in range(WARM_UP, WARM_UP + COUNTED):
            send(n)
        after_statements, after_round_trips = meter.snapshot()
    trips = None if round_trips is None or after_round_trips is None else (after_round_trips - round_trips) / COUNTED
    return Counts((after_statements - statements) / COUNTED, trips)
