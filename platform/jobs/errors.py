"""Typed errors of the jobs service (messages in i18n/<locale>/jobs.json)."""
from __future__ import annotations

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
