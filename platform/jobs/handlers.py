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

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"A handler of job kind {kind!r} is registered already.")
        self._handlers[kind] = handler

    def get(self, kind: str) -> JobHandler | None:
        return self._handlers.get(kind)

    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self._handlers))

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers
