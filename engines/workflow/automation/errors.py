"""Errors of automation rules, each with a stable code (the web layer maps them to HTTP by class)."""
from __future__ import annotations

from jimu.platform.errors import ConflictError, JimuError, NotFoundError


class AutomationFailedError(JimuError):
    """A synchronous rule failed: the write that triggered it fails with it (names the rule and the action)."""

    code = "automation.rule_failed"
    http_status = 422


class RuleRunNotFoundError(NotFoundError):
    code = "automation.run_not_found"


class RuleRunNotRetryableError(ConflictError):
    """Only a failed run can be retried (a run that succeeded, was skipped or is queued cannot)."""

    code = "automation.run_not_retryable"
