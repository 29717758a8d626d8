"""Cancelling a request's database work when its client goes away.

While the endpoint runs in its worker thread, a watcher waits for the ASGI `http.disconnect`
message; when it comes first, the request's `Cancellation` stops the running statement (and any
later one), so a query nobody waits for no longer holds a connection, a CPU and its locks. The
watcher is cancelled as soon as the endpoint returns: a request that finishes is never touched.
Endpoints have read their body before they run (FastAPI parses it), so the watcher only ever sees
the end of an empty body and the disconnect.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from jimu.platform.statements import Cancellation

T = TypeVar("T")


async def run_until_disconnected(request: Request, cancellation: Cancellation, work: Callable[[], T]) -> T:
    """`work()` in a worker thread; `cancellation` is cancelled if the client disconnects meanwhile.

    The work's exception is raised as itself after the watcher is gone (not in a task group's
    ExceptionGroup), so the API's error handlers see the typed error."""
    results: list[T] = []
    failures: list[Exception] = []
    async with anyio.create_task_group() as group:
        group.start_soon(_watch, request, cancellation)
        try:
            results.append(await run_in_threadpool(work))
        except Exception as error:
            failures.append(error)
        finally:
            group.cancel_scope.cancel()
    if failures:
        raise failures[0]
    return results[0]


async def _watch(request: Request, cancellation: Cancellation) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            await anyio.to_thread.run_sync(cancellation.cancel)  # blocks briefly on PostgreSQL
            return
