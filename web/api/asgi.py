"""The ASGI entry point for uvicorn workers: `uvicorn --factory jimu.web.api.asgi:create`.

Each worker process calls `create()` once and builds its own kernel from the environment
(JIMU_DATABASE_URL...); workers share nothing but the database. Each also runs the embedded job
runner when the settings say so (SQLite by default; web/api/jobs_runner.py).
"""
from __future__ import annotations

from fastapi import FastAPI

from jimu.platform.settings import Settings
from jimu.web.api.app import create_app
from jimu.web.api.jobs_runner import install_embedded_worker


def create() -> FastAPI:
    settings = Settings.from_env()
    app = create_app(settings=settings)
    if settings.runs_embedded_worker():
        install_embedded_worker(app, app.state.jimu.kernel)
    return app
