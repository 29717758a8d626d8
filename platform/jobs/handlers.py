"""The job kinds a worker knows: one handler per kind, registered at start-up (no global registry)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jimu.platform.jobs.run import JobRun

JobHandler = Callable[["JobRun"], dict[str, Any] | None]  # a returned dict is stored as the job's result


class JobHandlers:
    """Handlers by kind. A worker claims only the kinds it has a handler for, so a job of a kind this
    worker does not know waits (queued) for one that does."""

    def __init__(self) -> None:
        self._handlers: dict[str, JobHandler] = {}
        # Recurring jobs of the registered kinds, (key, cron, kind, payload): a worker installs them at start
        # beside the built-in ones (an engine's periodic check, e.g. the automation rules' clock).
        self.schedules: list[tuple[str, str, str, dict[str, Any]]] = []

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"A handler of job kind {kind!r} is registered already.")
        self._handlers[kind] = handler

    def register_schedule(self, key: str, cron: str, kind: str, payload: dict[str, Any] | None = None) -> None:
        """A schedule every worker with these handlers installs at start (idempotent), in UTC."""
        if kind not in self._handlers:
            raise ValueError(f"Register a handler of job kind {kind!r} before its schedule.")
        self.schedules.append((key, cron, kind, dict(payload or {})))

    def get(self, kind: str) -> JobHandler | None:
        return self._handlers.get(kind)

    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self._handlers))

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers
