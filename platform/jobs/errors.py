"""Typed errors of the jobs service (messages in i18n/<locale>/jobs.json)."""
from __future__ import annotations

from typing import Any

from jimu.platform.errors import ConflictError, NotFoundError, ValidationError


class JobNotFound(NotFoundError):
    code = "jobs.not_found"


class JobNotRetryable(ConflictError):
    """Only a failed (waiting to retry) or dead job can be retried by hand."""

    code = "jobs.not_retryable"


class ScheduleInvalid(ValidationError):
    """A schedule's cron expression or timezone is not one we can compute occurrences from."""

    code = "jobs.schedule_invalid"


class LeaseLost(RuntimeError):
    """The worker's claim on a job ended (its lease expired and another worker claimed it, or an admin
    changed it): what the handler did in `JobRun.unit_of_work` is rolled back."""


class GiveUp(Exception):
    """Raised by a handler when another attempt cannot help (a refused destination, a channel that is
    gone, a permission the job's owner lost): the job is dead at once, with `reason` as its last error
    and `result` as its result, so the admin's list of dead jobs shows it and `retry` can queue it again
    once the cause is fixed. The handler's unit of work, if any, is rolled back like any failure."""

    def __init__(self, reason: str, *, result: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.result = result
