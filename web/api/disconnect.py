"""Cancelling a request's database work when its client goes away.

While the endpoint runs in its worker thread, a watcher waits for the ASGI `http.disconnect`
message; when it comes first, the request's `Cancellation` stops the running statement (and any
later one), so a query nobody waits for no longer holds a connection, a CPU and its locks. The
watcher starts once the work has run `WATCH_AFTER_SECONDS` (a disconnect before then waits in the
server's queue and is seen all the same), so the many requests that finish sooner cost a timer, not
a task; it is cancelled as soon as the endpoint returns: a request that finishes is never touched.
Endpoints have read their body before they run (FastAPI parses it), so the watcher only ever sees
the end of an empty body and the disconnect.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from jimu.platform.statements import Cancellation

T = TypeVar("T")
WATCH_AFTER_SECONDS = 0.02


async def run_until_disconnected(request: Request, cancellation: Cancellation, work: Callable[[], T]) -> T:
    """`work()` in a worker thread; `cancellation` is cancelled if the client disconnects meanwhile.

    The watcher is a bare asyncio task (the server's loop is asyncio): an anyio task group costs
    several times the thread hop itself, a task a fraction of it, a timer less still."""
    watchers: list[asyncio.Future[None]] = []

    def watch() -> None:
        watchers.append(asyncio.ensure_future(_watch(request, cancellation)))

    timer = asyncio.get_running_loop().call_later(WATCH_AFTER_SECONDS, watch)
    try:
        return await run_in_threadpool(work)
    finally:
        timer.cancel()
        for watcher in watchers:
            watcher.cancel()


async def _watch(request: Request, cancellation: Cancellation) -> None:
    try:
        while (await request.receive())["type"] != "http.disconnect":
            pass
    except Exception:  # a server that cannot say: the request is simply not watched
        return
    await asyncio.to_thread(cancellation.cancel)  # blocks briefly on PostgreSQL: not on the loop
