"""The HTTP API under /api/v1: records, apps and entities, authentication (FastAPI)."""
from __future__ import annotations

from jimu.web.api.app import create_app

__all__ = ["create_app"]
