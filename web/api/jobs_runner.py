"""`jimu serve`'s embedded job runner: a worker thread per web process, started and stopped with the app.

On by default when the database is SQLite (one process holds everything); on PostgreSQL `jimu worker`
processes run the jobs unless JIMU_EMBEDDED_WORKER=on (see platform/settings.py).
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from jimu.platform.jobs import BackgroundWorker, JobHandlers, Worker
from jimu.platform.kernel import Kernel
from jimu.web.assembly import job_handlers, worker_options


def install_embedded_worker(app: FastAPI, kernel: Kernel, handlers: JobHandlers | None = None) -> None:
    """Run a worker in a background thread from the app's start-up to its shutdown (a job in progress
    is finished first, for up to 30 seconds; an unfinished one is taken again after its lease)."""
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        worker = Worker(kernel, handlers or job_handlers(), worker_options(kernel.settings))
        background = BackgroundWorker(worker)
        background.start()
        try:
            async with previous(application) as state:
                yield state
        finally:
            await asyncio.to_thread(background.stop)

    app.router.lifespan_context = lifespan
