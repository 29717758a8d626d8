"""Helpers of the automation tests: the service-desk app, rules, an injectable clock."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "apps"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def service_app(**changes: Any) -> dict[str, Any]:
    """The service-desk app (tests/fixtures/apps/service.json), its top-level keys replaced by `changes`."""
    app: dict[str, Any] = json.loads((FIXTURES / "service.json").read_text(encoding="utf-8"))
    app.update(changes)
    return app


def rule(key: str, trigger: dict[str, Any], actions: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"key": key, "entity": "ticket", "trigger": trigger, "actions": actions, **more}


class Clock:
    """An injectable clock: the kernel and the tests read it; tests move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
