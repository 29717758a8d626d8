"""The ASGI entry point for uvicorn workers: `uvicorn --factory jimu.web.api.asgi:create`.

Each worker process calls `create()` once and builds its own kernel from the environment
(JIMU_DATABASE_URL...); workers share nothing but the database.
"""
from __future__ import annotations

from fastapi import FastAPI

from jimu.platform.settings import Settings
from jimu.web.api.app import create_app


def create() -> FastAPI:
    return create_app(settings=Settings.from_env())
